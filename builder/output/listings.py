"""Paginated listings and their feeds: the front page, tags, sections and authors.

Each listing shows article teasers newest first, `paginate` to a page
(`/<listing>/seite/2/`); sections and authors also get an Atom feed of their
newest articles at `/<listing>/feed.xml`, announced in the listing's head.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Mapping

from ..content.model import Article, Pagination
from ..content.urls import output_path
from .feeds import atom_feed
from .specs import BodyHtml, LinkedSite, PageSpec, fingerprint, page_context
from .templates import Renderer, markup


def listing_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    """The front page, every tag, section and author listing, and the tag and author indexes."""
    urls, config = renderer.urls, site.config
    site_feed = (("Alle Artikel", "/feed.xml"),)
    yield from _listing(site, renderer, tuple(a.slug for a in site.articles), urls.home_page,
                        "index.html", config.title, "home", {"feeds": site_feed})
    for tag in site.links.tags:
        yield from _listing(site, renderer, tag.articles, lambda n, name=tag.name: urls.tag_page(name, n),
                            "tag.html", f"Thema: {tag.name}", "tags", {"tag": tag.name})
    tag_rows = [SimpleNamespace(name=t.name, url=urls.tag(t.name), count=len(t.articles)) for t in site.links.tags]
    yield PageSpec(output_path(urls.tags()), fingerprint(site.settings_digest, [(t.name, t.count) for t in tag_rows]),
                   "", lambda: renderer.render(
                       "tags.html", **page_context(renderer, urls.tags(), "Themen", config.description, "tags"),
                       tags=tag_rows).encode())
    for section in config.sections:
        base = urls.section(section.slug)
        slugs = site.section_articles.get(section.slug, ())
        feeds = ((f"{section.title} – {config.title}", urls.feed(base)),)
        yield from _listing(site, renderer, slugs, lambda n, base=base: urls.numbered(base, n), "section.html",
                            section.title, f"section:{section.slug}",
                            {"section": section, "feeds": feeds}, description=section.description)
        yield _feed(site, renderer, store, slugs, base, f"{section.title} – {config.title}", section.description)
    yield from _author_pages(site, renderer, store)


def _author_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    urls, config = renderer.urls, site.config
    authors = site.authors.authors
    if not authors:
        return
    rows = [SimpleNamespace(author=a, count=len(site.author_articles.get(a.slug, ()))) for a in authors]
    index_print = fingerprint(site.settings_digest, [(a.slug, a.name, a.role, a.url, a.image, n.count)
                                                     for a, n in zip(authors, rows)])
    yield PageSpec(output_path(urls.authors()), index_print, "", lambda: renderer.render(
        "authors.html", **page_context(renderer, urls.authors(), "Autorinnen und Autoren", config.description,
                                       "authors"), authors=rows).encode())
    for author in authors:
        info = site.author_infos[author.slug]
        slugs = site.author_articles.get(author.slug, ())
        title = f"{author.name} – {config.title}"
        yield from _listing(site, renderer, slugs, lambda n, base=author.url: urls.numbered(base, n), "author.html",
                            author.name, "authors",
                            {"author": author, "bio": markup(store.html(info.key)),
                             "feeds": ((title, urls.feed(author.url)),)},
                            description=author.role or config.description,
                            inputs=(site.digests[author.source], info.version), source=author.source)
        yield _feed(site, renderer, store, slugs, author.url, title, author.role)


def _paginate(slugs: tuple[str, ...], per_page: int) -> list[tuple[int, tuple[str, ...]]]:
    count = max(1, math.ceil(len(slugs) / per_page))
    return [(n + 1, slugs[n * per_page:(n + 1) * per_page]) for n in range(count)]


def _listing(site: LinkedSite, renderer: Renderer, slugs: tuple[str, ...], url_of: Callable[[int], str],
             template: str, title: str, nav: str, extra: Mapping[str, Any], *, description: str = "",
             inputs: tuple[Any, ...] = (), source: str = "") -> Iterator[PageSpec]:
    pages = _paginate(slugs, site.config.paginate)
    for number, chunk in pages:
        url = url_of(number)
        prev_url = url_of(number - 1) if number > 1 else None
        next_url = url_of(number + 1) if number < len(pages) else None
        items = tuple(site.article_by_slug[s] for s in chunk)
        print_ = fingerprint(site.settings_digest, template, title, {k: repr(v) for k, v in extra.items()}, number,
                             len(pages), [site.cards[a.slug] for a in items], *inputs)

        def make(number: int = number, items: tuple[Article, ...] = items, url: str = url,
                 prev_url: str | None = prev_url, next_url: str | None = next_url) -> bytes:
            page = Pagination(number, len(pages), items, url, prev_url, next_url)
            page_title = title if number == 1 else f"{title} – Seite {number}"
            context = page_context(renderer, url, page_title, description or site.config.description, nav)
            context.update(extra)
            return renderer.render(template, **context, page=page).encode()

        yield PageSpec(output_path(url), print_, source, make)


def _feed(site: LinkedSite, renderer: Renderer, store: BodyHtml, slugs: tuple[str, ...], home: str,
          title: str, subtitle: str) -> PageSpec:
    """The Atom feed of one listing's newest articles."""
    newest = [site.article_by_slug[s] for s in slugs[:site.config.feed_entries]]
    print_ = fingerprint(site.settings_digest, "feed", home, title, subtitle, [site.cards[a.slug] for a in newest],
                         [site.infos[a.slug].version for a in newest])
    return PageSpec(output_path(renderer.urls.feed(home)), print_, "", lambda: atom_feed(
        newest, [store.html(site.infos[a.slug].key) for a in newest], site.config, renderer.urls.abs_url,
        home=home, title=title, subtitle=subtitle).encode())
