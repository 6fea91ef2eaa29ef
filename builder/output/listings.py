"""The front page, paginated listings and their feeds: the archive, tags, sections and authors.

The front page shows the blocks of `front_page:` (`front_page`). Each listing
shows article teasers newest first, `paginate` to a page (`/<listing>/seite/2/`, `page/2/` in English);
each also gets an Atom feed of its newest articles at `/<listing>/feed.xml` and
a JSON Feed beside it (`feed.json`), both announced in the listing's head (the
front page's and the archive's are the site's feeds).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Mapping, NamedTuple

from ..content.model import Article, Author, Pagination, TagInfo
from ..content.site_structure import Section
from ..content.urls import Urls, output_path
from ..util.digests import fingerprint
from .feed_content import clean_feed_html
from .front_page import Block, front_blocks
from .feeds import ATOM_TYPE, JSON_FEED_TYPE, FeedEntry, FeedInfo, atom_feed, json_feed, json_feed_path
from .pagination import ListPage, paginate, template_page
from .plan_memo import PlanMemo
from .specs import BodyHtml, LinkedSite, PageSpec, cards_of, page_context
from .structured_data import website_ld
from .templates import Renderer, markup

Feeds = tuple[tuple[str, str, str], ...]   # (title, site path, MIME type) for <link rel="alternate">


def listing_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml, memo: PlanMemo | None = None,
                  only: frozenset[str] | None = None, archive: tuple[str, ...] | None = None) -> Iterator[PageSpec]:
    """The front page, every tag, section and author listing, the tag and author indexes, and the feeds.

    With `only` (article slugs), just the listing pages that show one of those articles: an edit of their
    cards (`pipeline.text_edit`), whose site holds those listings and the articles on those pages alone,
    and `archive`, every article's slug, newest first."""
    urls, config, _ = renderer.urls, site.config, renderer.gettext
    feeds = _FeedPlanner(site, renderer, store)
    all_slugs = archive if archive is not None else tuple(a.slug for a in site.articles)
    if only is None:
        yield front_page(site, renderer, store)
    yield from _listing(site, renderer, memo, all_slugs, urls.archive, "archive.html", "", "archive",
                        {"feeds": feed_links(_("All articles"), "/")}, only=only)
    if only is None:
        yield from feeds.specs(_site_feed(site, all_slugs))
    for tag in site.links.tags:
        base, title = urls.tag(tag.name), f"{tag.name} – {config.title}"
        yield from _listing(site, renderer, memo, tag.articles, lambda n, base=base: urls.numbered(base, n),
                            "tag.html", _("Topic: %(tag)s") % {"tag": tag.name}, "tags",
                            {"tag": tag.name, "feeds": feed_links(title, base)}, only=only)
        if only is None:
            yield from feeds.specs(_tag_feed(site, renderer, tag))
    if only is None:
        tag_rows = [SimpleNamespace(name=t.name, url=urls.tag(t.name), count=len(t.articles))
                    for t in site.links.tags]
        yield PageSpec(output_path(urls.tags()),
                       fingerprint(site.settings_digest, [(t.name, t.count) for t in tag_rows]), "",
                       lambda: renderer.render("tags.html", **page_context(
                           renderer, urls.tags(), _("Topics"), config.description, "tags"), tags=tag_rows).encode())
    for section in config.sections:
        base = urls.section(section.slug)
        feed = _section_feed(site, renderer, section)
        if only is not None and only.isdisjoint(feed.slugs):
            continue
        yield from _listing(site, renderer, memo, feed.slugs, lambda n, base=base: urls.numbered(base, n),
                            "section.html", section.title, f"section:{section.slug}",
                            {"section": section, "feeds": feed_links(feed.title, base), **_intro(site, store, base)},
                            description=section.description, inputs=_intro_inputs(site, base),
                            source=site.intros[base].source if base in site.intros else "", only=only)
        if only is None:
            yield from feeds.specs(feed)
    yield from _author_pages(site, renderer, feeds, memo, only)


class FeedList(NamedTuple):
    """The listing a feed is of: its articles (newest first), its page, and the feed's title and subtitle."""

    slugs: tuple[str, ...]
    home: str
    title: str
    subtitle: str


def _site_feed(site: LinkedSite, slugs: tuple[str, ...]) -> FeedList:
    return FeedList(slugs, "/", site.config.title, site.config.description)


def _tag_feed(site: LinkedSite, renderer: Renderer, tag: TagInfo) -> FeedList:
    return FeedList(tag.articles, renderer.urls.tag(tag.name), f"{tag.name} – {site.config.title}",
                    renderer.gettext("Articles on %(tag)s") % {"tag": tag.name})


def _section_feed(site: LinkedSite, renderer: Renderer, section: Section) -> FeedList:
    return FeedList(site.section_articles.get(section.slug, ()), renderer.urls.section(section.slug),
                    f"{section.title} – {site.config.title}", section.description)


def _author_feed(site: LinkedSite, author: Author) -> FeedList:
    return FeedList(site.author_articles.get(author.slug, ()), author.url, f"{author.name} – {site.config.title}",
                    author.role)


def feeds_holding(site: LinkedSite, renderer: Renderer, store: BodyHtml, slug: str) -> Iterator[PageSpec]:
    """The feeds that show the article `slug` (whose text they carry), as `listing_pages` plans them."""
    article = site.article_by_slug[slug]
    lists = [_site_feed(site, tuple(a.slug for a in site.articles[:site.config.feed_entries]))]
    lists += [_tag_feed(site, renderer, tag) for tag in site.links.tags if slug in tag.articles]
    lists += [_section_feed(site, renderer, section) for section in site.config.sections
              if section.slug == article.section]
    lists += [_author_feed(site, author) for author in site.authors.authors
              if slug in site.author_articles.get(author.slug, ())]
    planner = _FeedPlanner(site, renderer, store)
    for feed in lists:
        if slug in feed.slugs[:site.config.feed_entries]:
            yield from planner.specs(feed)


def _intro(site: LinkedSite, store: BodyHtml, url: str) -> dict[str, Any]:
    """The text of the listing at `url` from its `_index.md` (the template shows it above the list)."""
    page = site.intros.get(url)
    if page is None or page.source not in site.page_infos:
        return {"intro": None}
    return {"intro": markup(store.html(site.page_infos[page.source].key))}


def _intro_inputs(site: LinkedSite, url: str) -> tuple[Any, ...]:
    page = site.intros.get(url)
    if page is None or page.source not in site.page_infos:
        return ()
    return (site.digests[page.source], site.page_infos[page.source].version)


class FrontPage(NamedTuple):
    """What the front page shows of the site: its blocks, the newest articles (for templates that page
    through them), how many pages the archive has, and the site's newest change."""

    blocks: tuple[Block, ...]
    newest: tuple[Article, ...]
    pages: int
    updated: datetime | None


def front_page_of(site: LinkedSite) -> FrontPage:
    """What the front page of `site` shows at the build's moment."""
    count = site.config.paginate
    return FrontPage(front_blocks(site, site.now or datetime.now(timezone.utc)), site.articles[:count],
                     max(1, math.ceil(len(site.articles) / count)),
                     max((a.modified for a in site.articles), default=None))


def front_page(site: LinkedSite, renderer: Renderer, store: BodyHtml, front: FrontPage | None = None) -> PageSpec:
    """The front page: its blocks (lead story, sections, latest), and the archive behind it.

    Templates written for a paginated front page still get `page`: the newest `paginate`
    articles, with the archive's second page as the next one (with stable pagination the
    archive's own page, which holds them too); `intro` is `content/_index.md`'s text.
    `front`: what it shows, when the site does not hold every article (an edit's).
    """
    urls, config = renderer.urls, site.config
    blocks, newest, pages, updated = front or front_page_of(site)
    cards = site.cards
    print_ = fingerprint(site.settings_digest, "front",
                         [(b.kind, b.title, b.section, [cards[a.slug] for a in b.items]) for b in blocks],
                         [cards[a.slug] for a in newest], pages, updated, *_intro_inputs(site, "/"))

    def make() -> bytes:
        stable = config.stable_pagination   # the archive's own page holds the next articles too
        older = (urls.archive() if stable else urls.archive(2)) if pages > 1 else None
        page = Pagination(1, pages, newest, "/", None, older, stable=stable)
        context = page_context(renderer, "/", config.title, config.description, "home",
                               feeds=feed_links(renderer.gettext("All articles"), "/"),
                               json_ld=website_ld(config, urls))
        return renderer.render("index.html", **context, blocks=blocks, page=page, archive_url=urls.archive(),
                               updated=updated, **_intro(site, store, "/")).encode()

    return PageSpec(output_path("/"), print_, site.intros["/"].source if "/" in site.intros else "", make)


def feed_links(title: str, home: str) -> Feeds:
    """The Atom feed and the JSON Feed of the listing at `home`, for a page's head."""
    atom = Urls.feed(home)
    return ((title, atom, ATOM_TYPE), (f"{title} (JSON Feed)", json_feed_path(atom), JSON_FEED_TYPE))


def _author_pages(site: LinkedSite, renderer: Renderer, feeds: "_FeedPlanner", memo: PlanMemo | None,
                  only: frozenset[str] | None) -> Iterator[PageSpec]:
    urls, config, store = renderer.urls, site.config, feeds.store
    authors = site.authors.authors
    if not authors:
        return
    if only is None:
        rows = [SimpleNamespace(author=a, count=len(site.author_articles.get(a.slug, ()))) for a in authors]
        index_print = fingerprint(site.settings_digest, [(a.slug, a.name, a.role, a.url, a.image, n.count)
                                                         for a, n in zip(authors, rows)])
        yield PageSpec(output_path(urls.authors()), index_print, "", lambda: renderer.render(
            "authors.html", **page_context(renderer, urls.authors(), renderer.gettext("Authors"),
                                           config.description, "authors"), authors=rows).encode())
    for author in authors:
        slugs = site.author_articles.get(author.slug, ())
        if only is not None and only.isdisjoint(slugs):
            continue
        info = site.author_infos[author.slug]
        title = f"{author.name} – {config.title}"
        yield from _listing(site, renderer, memo, slugs, lambda n, base=author.url: urls.numbered(base, n),
                            "author.html", author.name, "authors",
                            {"author": author, "bio": markup(store.html(info.key)),
                             "feeds": feed_links(title, author.url)},
                            description=author.role or config.description,
                            inputs=(site.digests[author.source], info.version), source=author.source, only=only)
        if only is None:
            yield from feeds.specs(_author_feed(site, author))


def _listing(site: LinkedSite, renderer: Renderer, memo: PlanMemo | None, slugs: tuple[str, ...],
             url_of: Callable[[int], str], template: str, title: str, nav: str, extra: Mapping[str, Any], *,
             description: str = "", inputs: tuple[Any, ...] = (), source: str = "",
             only: frozenset[str] | None = None) -> Iterator[PageSpec]:
    stable = site.config.stable_pagination
    pages = paginate(slugs, site.config.paginate, stable)
    if only is not None:   # the pages that show these articles, fingerprinted without the memo
        pages, memo = [page for page in pages if not only.isdisjoint(page.slugs)], None
    cards, shown = site.cards, {k: repr(v) for k, v in extra.items()}
    group, key = f"listing:{url_of(1)}", ("listing", template, title, shown, inputs, slugs)
    prints = None if memo is None else memo.group(group, key, slugs)
    if prints is None:
        prints = tuple(fingerprint(site.settings_digest, template, title, shown, page.number, page.shape,
                                   cards_of(cards, page.slugs), *inputs) for page in pages)
        if memo is not None:
            memo.keep_group(group, key, prints)
    for page, print_ in zip(pages, prints):
        url = url_of(page.number)

        def make(page: ListPage = page, url: str = url) -> bytes:
            items = tuple(site.article_by_slug[slug] for slug in page.slugs)   # only for a page rendered
            number = page.number
            page_title = (title if number == 1 or not title
                          else f"{title} – " + renderer.gettext("Page %(number)s") % {"number": number})
            context = page_context(renderer, url, page_title, description or site.config.description, nav)
            context.update(extra)
            return renderer.render(template, **context, page=template_page(page, items, url_of, stable)).encode()

        yield PageSpec(output_path(url), print_, source, make, newest=page.slugs[0] if page.slugs else "")


class _FeedPlanner:
    """Plans the Atom and JSON feeds of listings; an article's clean feed HTML is made once per build
    although it appears in several feeds (the site's, its section's, its authors' and tags')."""

    def __init__(self, site: LinkedSite, renderer: Renderer, store: BodyHtml) -> None:
        self.site, self.urls, self.store = site, renderer.urls, store
        self._entries: dict[str, FeedEntry] = {}
        logo = site.config.publisher.logo
        self.logo = logo if not logo or "://" in logo else self.urls.abs_url(logo)

    def specs(self, feed: FeedList) -> Iterator[PageSpec]:
        """feed.xml and feed.json of the listing at `feed.home`: its newest `feed_entries` articles."""
        site, urls = self.site, self.urls
        slugs, home, title, subtitle = feed
        newest = [site.article_by_slug[s] for s in slugs[:site.config.feed_entries]]
        atom = urls.feed(home)
        info = FeedInfo(urls.abs_url(home), urls.abs_url(atom), urls.abs_url(json_feed_path(atom)), title,
                        subtitle, self.logo)
        print_ = fingerprint(site.settings_digest, "feed", home, title, subtitle, [site.cards[a.slug] for a in newest],
                             [site.infos[a.slug].version for a in newest])
        yield PageSpec(output_path(atom), print_, "", lambda: atom_feed(
            [self.entry(a) for a in newest], site.config, info).encode())
        yield PageSpec(output_path(json_feed_path(atom)), print_, "", lambda: json_feed(
            [self.entry(a) for a in newest], site.config, info).encode())

    def entry(self, article: Article) -> FeedEntry:
        """An article as feeds show it (made once, on first use)."""
        found = self._entries.get(article.slug)
        if found is None:
            site, urls = self.site, self.urls
            url = urls.abs_url(article.url)
            authors = tuple((profile.name if profile else name, urls.abs_url(profile.url) if profile else None)
                            for name, profile in site.byline(article))
            if not authors and site.config.author:
                authors = ((site.config.author, None),)
            section = site.section(article.section)
            categories = ((section.title,) if section is not None else ()) + tuple(article.tags)
            content = clean_feed_html(self.store.html(site.infos[article.slug].key), url)
            found = self._entries[article.slug] = FeedEntry(article, url, content, authors, categories)
        return found
