"""What planning output files works with: the linked site, one spec per file, and fingerprints.

A page is only rendered when its fingerprint differs from the previous
build's; otherwise the previous bytes are reused. Fingerprints cover
everything a page shows (the digests of the content files involved, the
theme, the configuration and the menus), so reuse can never serve a stale page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

from ..content.bylines import AuthorIndex
from ..content.config import SiteConfig
from ..content.model import Article, Author, BodyInfo, Links, Page, Term
from ..content.site_structure import MenuLink, Section
from ..util.digests import fingerprint
from .templates import Renderer


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
    settings_digest: str                        # config, theme, menus and builder version
    static_files: tuple[tuple[str, Path, str], ...]  # (output path, file, digest)
    cards: Mapping[str, str]                    # article slug → card_digest(article, …)
    pages: tuple[Page, ...] = ()                # undated pages, by URL
    intros: Mapping[str, Page] = field(default_factory=dict)   # listing URL → its _index.md ("/", "/news/")
    page_infos: Mapping[str, BodyInfo] = field(default_factory=dict)     # page source → body info
    authors: AuthorIndex = field(default_factory=lambda: AuthorIndex(()))
    author_infos: Mapping[str, BodyInfo] = field(default_factory=dict)   # author slug → body info
    section_articles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # newest first
    author_articles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # newest first
    menus: Mapping[str, tuple[MenuLink, ...]] = field(default_factory=dict)
    term_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # term slug → aliases shown
    bundle_files: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # bundle folder → its files
    files: Mapping[str, Any] = field(default_factory=dict)     # site-relative path → file (with digest)
    image_cache: Path | None = None                             # where encoded derivatives are kept
    now: datetime | None = None     # the build's moment (Visibility.now): the news sitemap's last 48 hours

    def body_keys(self) -> set[str]:
        """Every rendered body this site uses, for the body store to keep."""
        return {info.key for infos in (self.infos, self.term_infos, self.page_infos, self.author_infos)
                for info in infos.values()}

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.config.sections if s.slug == slug), None)

    def byline(self, article: Article) -> list[tuple[str, Author | None]]:
        """Each name in the article's byline with the profile it names, if any."""
        return [(name, self.authors.profile(name)) for name in article.authors]


def card_digest(article: Article, authors: AuthorIndex | None = None, lead: Any = None) -> str:
    """What other pages show of an article (teasers, related lists, term pages), not its body.

    Pages that list an article depend on this digest only, so editing an
    article's text re-renders its own page but not every list it appears in.
    The profiles its byline names are part of it: renaming an author changes
    every byline. The article's own part is kept with it in the load cache.
    """
    byline = [] if authors is None else [
        (p.slug, p.name, p.url, p.links) for p in map(authors.profile, article.authors) if p is not None]
    return fingerprint(article.listed_digest, byline, lead) if byline or lead else article.listed_digest


def cards_of(cards: Mapping[str, str], slugs: tuple[str, ...]) -> tuple[str, ...]:
    """The cards of `slugs`, in their order, looked up in one call: the term pages of a 100,000-article
    site look up a million cards on every build, and a comprehension costs twice as much."""
    if len(slugs) < 2:
        return tuple(cards[slug] for slug in slugs)
    return itemgetter(*slugs)(cards)


@dataclass(slots=True)
class PageSpec:
    """One output file to produce (never changed once made; not frozen only because a site with
    photos plans tens of thousands of these on every build, and a frozen init costs three times)."""

    path: str                 # output path under the destination
    fingerprint: str
    source: str               # the content file it comes from, if any
    make: Callable[[], bytes]
    line: int | None = None   # the front matter line that chose this path (url:, aliases:)
    newest: str = ""          # a listing page: the slug of its newest article (`writing_order`)


@dataclass(slots=True)
class FileGroup(PageSpec):
    """Output files made together and tracked as one (the derivatives of one photo).

    `path` is the group's key, never an output path (those have no leading slash);
    `make` is not called: `make_parts` returns the bytes of `parts`, in their order.
    A warm build compares one fingerprint per photo instead of one per derivative, and
    splits `joined` into the paths only for a group it writes.
    """

    joined: str = ""          # the output paths, joined by newlines
    make_parts: Callable[[], list[bytes]] = list

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.joined.split("\n"))


def writing_order(specs: list[PageSpec], articles: Mapping[str, Article]) -> list[int]:
    """The indices of `specs` in the order to render them: the listing pages last, by the date of
    their newest article (newest first), the others as planned.

    A writer makes each teaser once and keeps it (`FragmentMemo`, bounded), but listings are
    planned one after the other: at 100,000 articles the pages of an article's dozen terms and
    tags lay so far apart that its teaser was forgotten before the next one came. By date they
    follow one another."""
    listing = [index for index, spec in enumerate(specs) if spec.newest]
    if not listing:
        return list(range(len(specs)))
    listing.sort(key=lambda index: articles[specs[index].newest].date, reverse=True)
    return [index for index, spec in enumerate(specs) if not spec.newest] + listing


def output_files(spec: PageSpec) -> tuple[str, ...]:
    """The output paths a spec makes: its own, or its group's."""
    return spec.parts if isinstance(spec, FileGroup) else (spec.path,)


def made_files(spec: PageSpec) -> list[tuple[str, bytes]]:
    """Make a spec's files: (output path, bytes) for each."""
    if isinstance(spec, FileGroup):
        return list(zip(spec.parts, spec.make_parts(), strict=True))
    return [(spec.path, spec.make())]


def page_context(renderer: Renderer, path: str, title: str, description: str, nav: str,
                 **extra: Any) -> dict[str, Any]:
    """What every template gets: title, description, canonical URL, the page's own site path
    (for `aria-current` in menus) and which part of the site it belongs to."""
    return {"page_title": title, "description": description, "canonical": renderer.urls.abs_url(path),
            "nav": nav, "path": path, "feeds": (), **extra}
