"""What the search index holds: one record per article, term page, undated page and author page.

Listings, tag pages, the glossary index and the 404 are left out: a reader
searches for a text, not for a list of texts. A record carries what the page
shows a reader (title, kicker, summary, byline, tags, the rendered body) but
none of the theme around it, and is handed to Pagefind as a small HTML
document (`record_html`): headings keep their ids, so results link to the
section a word is in, and the title is weighted above the body. Its `digest`
changes whenever that document would, without reading the body: the body's
key covers its text and where glossary terms matched (tooltips are left out
of the index, see `EXCLUDE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Callable, Iterator, Mapping, Protocol

from ..content.bylines import AuthorIndex
from ..content.config import SiteConfig
from ..content.dates import day_text
from ..content.model import Article, BodyInfo, Page, Term
from ..content.site_structure import Section
from ..content.urls import Urls
from ..text.i18n import messages_for
from ..util.digests import fingerprint
from .specs import BodyHtml

# Glossary tooltips repeat a term's definition in every article that uses it: in the index they
# would make every such article match the definition's words.
EXCLUDE = (".gl-tip",)
TITLE_WEIGHT = 10            # as the theme's term pages always had (Pagefind's h1 default is 7)
KINDS = {"article": "Artikel", "term": "Begriff", "page": "Seite", "author": "Autor"}   # the "typ" metadata


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One page as the search index sees it; the body is read from the body store only to index it."""

    url: str                      # site path ("/articles/x/"); Pagefind puts the site's base path before it
    kind: str                     # article, term, page or author
    title: str
    body_key: str                 # the rendered body in the body store
    size: int                     # bytes of body HTML: what indexing the record costs (the shard budget)
    digest: str                   # changes whenever record_html() would
    date: datetime | None = None  # articles only
    section: str = ""             # the section's title
    lines: tuple[str, ...] = ()   # kicker, summary, aliases, byline, tags: shown above the body

    def meta(self, locale: str = "de_DE") -> dict[str, str]:
        """Pagefind metadata: what a result shows besides its excerpt (the date in the site's locale)."""
        meta = {"title": self.title, "typ": KINDS[self.kind]}
        if self.date is not None:
            meta["date"] = day_text(self.date, locale)
        if self.section:
            meta["rubrik"] = self.section
        return meta


def _record(url: str, kind: str, title: str, key: str, size: int, date: datetime | None = None,
            section: str = "", lines: tuple[str, ...] = ()) -> SearchRecord:
    digest = fingerprint(url, kind, title, key, date.isoformat() if date else "", section, lines)
    return SearchRecord(url, kind, title, key, size, digest, date, section, lines)


class Searchable(Protocol):
    """What the records are made of: the loaded content and its bodies (not yet linked, so that
    the search stage can start as soon as the bodies are rendered). A `LinkedSite` is one too."""

    @property
    def config(self) -> SiteConfig: ...
    @property
    def articles(self) -> tuple[Article, ...]: ...
    @property
    def infos(self) -> Mapping[str, BodyInfo]: ...
    @property
    def terms(self) -> tuple[Term, ...]: ...
    @property
    def term_infos(self) -> Mapping[str, BodyInfo]: ...
    @property
    def pages(self) -> tuple[Page, ...]: ...
    @property
    def page_infos(self) -> Mapping[str, BodyInfo]: ...
    @property
    def authors(self) -> AuthorIndex: ...
    @property
    def author_infos(self) -> Mapping[str, BodyInfo]: ...


@dataclass(frozen=True)
class SearchSource:
    """The parts of a site the search stage needs, before the link stage has run."""

    config: SiteConfig
    articles: tuple[Article, ...]
    infos: Mapping[str, BodyInfo]
    terms: tuple[Term, ...]
    term_infos: Mapping[str, BodyInfo]
    pages: tuple[Page, ...]
    page_infos: Mapping[str, BodyInfo]
    authors: AuthorIndex
    author_infos: Mapping[str, BodyInfo]


def search_records(site: Searchable, size: Callable[[str], int]) -> Iterator[SearchRecord]:
    """Every page a reader may search for, in the site's order (articles newest first); `size`
    tells a body's length in bytes by its key, without reading it."""
    urls = Urls(site.config)
    messages = messages_for(site.config)   # the lines shown in results speak the site's language
    sections = {section.slug: section for section in site.config.sections}
    for article in site.articles:
        info = site.infos[article.slug]
        yield article_record(article, info.key, size(info.key), sections, messages.gettext)
    for term in site.terms:
        info = site.term_infos[term.slug]
        also = messages.gettext("Also called: %(names)s")
        lines = (also % {"names": ", ".join(term.aliases)},) if term.aliases else ()
        yield _record(urls.term(term.slug), "term", term.term, info.key, size(info.key), lines=lines)
    for page in site.pages:
        info = site.page_infos[page.source]
        yield _record(page.url, "page", page.title, info.key, size(info.key),
                      lines=(page.summary,) if page.summary else ())
    for author in site.authors.authors:
        info = site.author_infos[author.slug]
        yield _record(author.url, "author", author.name, info.key, size(info.key),
                      lines=(author.role,) if author.role else ())


def article_record(article: Article, key: str, size: int, sections: Mapping[str, Section],
                   gettext: Callable[[str], str]) -> SearchRecord:
    """An article's record, its body's key and size given (`sections`: the site's, by slug)."""
    section = sections.get(article.section) if article.section else None
    byline = gettext("By %(names)s") % {"names": ", ".join(article.authors)} if article.authors else ""
    tags = gettext("Topics: %(topics)s") % {"topics": ", ".join(article.tags)} if article.tags else ""
    lines = tuple(line for line in (article.kicker, article.summary, byline, tags) if line)
    return _record(article.url, "article", article.title, key, size, article.date, section.title if section else "",
                   lines)


def record_html(record: SearchRecord, store: BodyHtml, language: str) -> str:
    """The record as the small HTML document Pagefind indexes: title, the lines above the body, the body.

    Metadata and the sort key travel as Pagefind's attributes; the title is weighted above everything
    else. No filters: Pagefind 1.5 writes filter indexes in hash-map order, so the same site would
    not give the same bytes twice (section, type and date are metadata instead).
    """
    # The `[content]` form: a value may hold the commas and colons that separate Pagefind's inline pairs.
    meta = "".join(f'<meta data-pagefind-meta="{escape(key)}[content]" content="{escape(value)}">'
                   for key, value in record.meta(language).items() if key != "title")
    sort = (f'<meta data-pagefind-sort="date[content]" content="{record.date.isoformat()}">'
            if record.date is not None else "")
    lines = "".join(f"<p>{escape(line)}</p>" for line in record.lines)
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><title>{escape(record.title)}</title>'
            f"{meta}{sort}</head><body>"
            f'<h1 data-pagefind-meta="title" data-pagefind-weight="{TITLE_WEIGHT}">{escape(record.title)}</h1>'
            f"{lines}{store.html(record.body_key)}</body></html>")
