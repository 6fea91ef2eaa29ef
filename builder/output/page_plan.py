"""Planning every output file of the site: its path, a fingerprint of its inputs, and how to make it.

A page is only rendered when its fingerprint differs from the previous
build's; otherwise the previous bytes are reused. Fingerprints cover
everything a page shows (the digests of the content files involved, the
theme and the configuration), so reuse can never serve a stale page.
"""

from __future__ import annotations

import hashlib
import marshal
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Mapping, Protocol

from ..content.config import SiteConfig
from ..content.model import Article, BodyInfo, Links, Page, Term
from ..content.urls import output_path
from ..text.collation import german_sort_key, index_letter
from .feeds import atom_feed, robots_txt, sitemap
from .templates import Renderer, markup, news_article_ld


class BodyHtml(Protocol):
    """Rendered body HTML read back by key (the build's body store)."""

    def html(self, key: str) -> str: ...


@dataclass(frozen=True)
class LinkedSite:
    """Everything rendering needs, computed by the stages before it."""

    config: SiteConfig
    articles: tuple[Article, ...]               # published, newest first
    article_by_slug: Mapping[str, Article]
    terms: tuple[Term, ...]                     # German order
    term_by_slug: Mapping[str, Term]
    infos: Mapping[str, BodyInfo]               # article slug → body info
    term_infos: Mapping[str, BodyInfo]          # term slug → body info
    links: Links
    digests: Mapping[str, str]                  # source path → digest of its bytes
    settings_digest: str                        # config, theme and builder version
    static_files: tuple[tuple[str, Path, str], ...]  # (output path, file, digest)
    cards: Mapping[str, str]                    # article slug → card_digest(article)


def card_digest(article: Article) -> str:
    """What other pages show of an article (teasers, related lists, term pages), not its body.

    Pages that list an article depend on this digest only, so editing an
    article's text re-renders its own page but not every list it appears in.
    """
    return _fp(article.title, article.url, article.date, article.updated, article.kicker, article.summary,
               article.tags, article.authors, article.draft, sorted(article.extra.items(), key=lambda kv: kv[0]))


@dataclass(frozen=True)
class PageSpec:
    """One output file to produce."""

    path: str                 # output path under the destination
    fingerprint: str
    source: str               # the content file it comes from, if any
    make: Callable[[], bytes]
    line: int | None = None   # the front matter line that chose this path (url:, aliases:)


def _fp(*parts: object) -> str:
    """A digest of `parts`: by marshal when they are plain data (several times faster than
    repr, and format 2 has no back-references, so equal values give equal bytes), else by repr."""
    try:
        data = b"m" + marshal.dumps(parts, 2)
    except ValueError:  # datetimes, dataclasses: not plain data
        data = b"r" + repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def plan_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> list[PageSpec]:
    """Every output file of the site, in a fixed order."""
    return [*_article_pages(site, renderer, store), *_listing_pages(site, renderer),
            *_glossary_pages(site, renderer, store), *_special_pages(site, renderer, store),
            *_static_files(site)]


def _page_context(renderer: Renderer, path: str, title: str, description: str, nav: str) -> dict[str, Any]:
    return {"page_title": title, "description": description, "canonical": renderer.urls.abs_url(path),
            "nav": nav}


def _article_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    by_slug, digests = site.article_by_slug, site.digests
    for article in site.articles:
        info = site.infos[article.slug]
        related = site.links.related.get(article.slug, ())
        back = site.links.backlinks.get(article.slug, ())
        used = [site.term_by_slug[s] for s in info.terms if s in site.term_by_slug]
        fingerprint = _fp(
            site.settings_digest, digests[article.source], info.version,
            [(r.slug, r.reasons, r.explicit, site.cards.get(r.slug)) for r in related],
            [site.cards.get(s) for s in back],
        )

        def make(article: Article = article, info: BodyInfo = info, related: Any = related,
                 back: Any = back, used: list[Term] = used) -> bytes:
            context = _page_context(renderer, article.url, article.title,
                                    article.summary or site.config.description, "")
            html = renderer.render(
                "article.html", **context, article=article, body=markup(store.html(info.key)), terms=used,
                related=[SimpleNamespace(article=by_slug[r.slug], reasons=r.reasons, explicit=r.explicit)
                         for r in related if r.slug in by_slug],
                backlinks=[by_slug[s] for s in back if s in by_slug],
                json_ld=news_article_ld(article, renderer.urls, site.config),
            )
            return html.encode()

        yield PageSpec(output_path(article.url), fingerprint, article.source, make, article.key_lines.get("url"))


def _paginate(slugs: tuple[str, ...], per_page: int) -> list[tuple[int, tuple[str, ...]]]:
    count = max(1, math.ceil(len(slugs) / per_page))
    return [(n + 1, slugs[n * per_page:(n + 1) * per_page]) for n in range(count)]


def _listing(site: LinkedSite, renderer: Renderer, slugs: tuple[str, ...], url_of: Callable[[int], str],
             template: str, title: str, nav: str, extra: Mapping[str, Any]) -> Iterator[PageSpec]:
    pages = _paginate(slugs, site.config.paginate)
    for number, chunk in pages:
        url = url_of(number)
        prev_url = url_of(number - 1) if number > 1 else None
        next_url = url_of(number + 1) if number < len(pages) else None
        items = tuple(site.article_by_slug[s] for s in chunk)
        fingerprint = _fp(site.settings_digest, template, title, dict(extra), number, len(pages),
                          [site.cards[a.slug] for a in items])

        def make(number: int = number, items: tuple[Article, ...] = items, url: str = url,
                 prev_url: str | None = prev_url, next_url: str | None = next_url) -> bytes:
            page = Page(number, len(pages), items, url, prev_url, next_url)
            page_title = title if number == 1 else f"{title} – Seite {number}"
            context = _page_context(renderer, url, page_title, site.config.description, nav)
            return renderer.render(template, **context, **extra, page=page).encode()

        yield PageSpec(output_path(url), fingerprint, "", make)


def _listing_pages(site: LinkedSite, renderer: Renderer) -> Iterator[PageSpec]:
    urls = renderer.urls
    yield from _listing(site, renderer, tuple(a.slug for a in site.articles), urls.home_page,
                        "index.html", site.config.title, "home", {})
    for tag in site.links.tags:
        yield from _listing(site, renderer, tag.articles, lambda n, name=tag.name: urls.tag_page(name, n),
                            "tag.html", f"Thema: {tag.name}", "tags", {"tag": tag.name})
    tag_rows = [SimpleNamespace(name=t.name, url=urls.tag(t.name), count=len(t.articles)) for t in site.links.tags]
    fingerprint = _fp(site.settings_digest, [(t.name, t.count) for t in tag_rows])
    yield PageSpec(output_path(urls.tags()), fingerprint, "", lambda: renderer.render(
        "tags.html", **_page_context(renderer, urls.tags(), "Themen", site.config.description, "tags"),
        tags=tag_rows).encode())


def _glossary_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    urls, digests = renderer.urls, site.digests
    groups: dict[str, list[Term]] = {}
    for term in sorted(site.terms, key=lambda t: german_sort_key(t.term)):
        groups.setdefault(index_letter(term.term), []).append(term)
    group_list = list(groups.items())
    fingerprint = _fp(site.settings_digest, [digests[t.source] for t in site.terms])
    yield PageSpec(output_path(urls.glossary()), fingerprint, "", lambda: renderer.render(
        "glossary.html", **_page_context(renderer, urls.glossary(), "Glossar", site.config.description,
                                         "glossary"), groups=group_list).encode())
    for term in site.terms:
        info = site.term_infos[term.slug]
        users = tuple(site.article_by_slug[s] for s in site.links.term_articles.get(term.slug, ()))
        related_terms = [site.term_by_slug[s] for s in site.links.related_terms.get(term.slug, ())
                         if s in site.term_by_slug]
        fingerprint = _fp(site.settings_digest, digests[term.source], info.version,
                          [site.cards[a.slug] for a in users], [digests[t.source] for t in related_terms])

        def make(term: Term = term, info: BodyInfo = info, users: tuple[Article, ...] = users,
                 related_terms: list[Term] = related_terms) -> bytes:
            context = _page_context(renderer, urls.term(term.slug), term.term, term.summary, "glossary")
            return renderer.render("term.html", **context, term=term, body=markup(store.html(info.key)),
                                   articles=list(users), related_terms=related_terms).encode()

        yield PageSpec(output_path(urls.term(term.slug)), fingerprint, term.source, make)


def _special_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml) -> Iterator[PageSpec]:
    config, urls, digests = site.config, renderer.urls, site.digests
    base = site.settings_digest
    yield PageSpec("404.html", _fp(base, "404"), "", lambda: renderer.render(
        "404.html", **_page_context(renderer, "/404.html", "Seite nicht gefunden", config.description, "")
    ).encode())
    if config.search:
        yield PageSpec(output_path(urls.search()), _fp(base, "search"), "", lambda: renderer.render(
            "search.html", **_page_context(renderer, urls.search(), "Suche", config.description, "search")
        ).encode())
    for article in site.articles:
        for alias in article.aliases:
            def make(target: str = article.url, article: Article = article) -> bytes:
                context = _page_context(renderer, target, article.title, article.summary, "")
                return renderer.render("redirect.html", **context, target=target).encode()
            yield PageSpec(output_path(alias), _fp(base, "redirect", article.url), article.source, make,
                           article.key_lines.get("aliases", 1))
    newest = site.articles[:config.feed_entries]
    yield PageSpec("feed.xml", _fp(base, [site.cards[a.slug] for a in newest],
                                   [site.infos[a.slug].version for a in newest]), "", lambda: atom_feed(
        newest, [store.html(site.infos[a.slug].key) for a in newest], config, urls.abs_url).encode())
    yield PageSpec("sitemap.xml", _fp(base, [site.cards[a.slug] for a in site.articles],
                                      [digests[t.source] for t in site.terms],
                                      [t.name for t in site.links.tags]),
                   "", lambda: sitemap(_sitemap_entries(site, renderer)).encode())
    yield PageSpec("robots.txt", _fp(base, "robots"), "",
                   lambda: robots_txt(urls.abs_url("/sitemap.xml")).encode())


def _sitemap_entries(site: LinkedSite, renderer: Renderer) -> list[tuple[str, Any]]:
    urls = renderer.urls
    newest = site.articles[0].updated or site.articles[0].date if site.articles else None
    entries: list[tuple[str, Any]] = [(urls.abs_url("/"), newest)]
    entries += [(urls.abs_url(a.url), a.updated or a.date) for a in site.articles]
    entries += [(urls.abs_url(urls.tags()), None)]
    entries += [(urls.abs_url(urls.tag(t.name)), None) for t in site.links.tags]
    entries += [(urls.abs_url(urls.glossary()), None)]
    entries += [(urls.abs_url(urls.term(t.slug)), None) for t in site.terms]
    return entries


def _static_files(site: LinkedSite) -> Iterator[PageSpec]:
    for path, file, digest in site.static_files:
        yield PageSpec(path, digest, "", lambda file=file: file.read_bytes())
