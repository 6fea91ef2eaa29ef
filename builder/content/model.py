"""The build's data: frozen values handed from one pipeline stage to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Mapping, NamedTuple

from ..errors import Diagnostic
from ..util.digests import fingerprint


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that refuses changes; unlike MappingProxyType it pickles (for worker processes)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("this mapping is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


_EMPTY: Mapping[str, Any] = FrozenDict()


def _mapping() -> Any:
    """An empty read-only mapping default, kept out of hashing."""
    return field(default_factory=lambda: _EMPTY, hash=False)


@dataclass(frozen=True)
class Term:
    """One glossary entry, read from `content/glossary/<slug>.md`."""

    slug: str
    term: str
    aliases: tuple[str, ...]
    summary: str                 # plain text, the tooltip
    body: str                    # the full definition, Markdown
    source: str                  # path relative to the site folder, POSIX
    line: int = 1                # line of the `term:` key
    body_line: int = 1           # file line of the body's first line
    case_sensitive: bool = True
    inflect: bool | None = None  # None: the site's `glossary.inflect` decides
    alias_lines: Mapping[str, int] = _mapping()  # alias → its line in the source
    extra: Mapping[str, Any] = _mapping()
    key_lines: Mapping[str, int] = _mapping()    # front matter key → its line in the source
    listed_forms: tuple[str, ...] = ()  # `forms:` matched too, never shown as names (inflections)
    not_forms: tuple[str, ...] = ()     # generated forms it must not match
    exclude: tuple[str, ...] = ()       # phrases in which it never matches ("Bündnis 90")

    @property
    def forms(self) -> tuple[str, ...]:
        """Every written form that refers to this term: the term first, then its aliases."""
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Article:
    """One article's front matter and Markdown body, validated."""

    slug: str
    source: str                  # path relative to the site folder, POSIX
    folder: str                  # folder under content/, slugified, "" at the top ("articles")
    title: str
    date: datetime               # timezone-aware
    body: str                    # Markdown
    body_line: int = 1           # file line of the body's first line
    updated: datetime | None = None
    kicker: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    related: tuple[str, ...] = ()   # slugs of other articles, in the editor's order
    draft: bool = False
    aliases: tuple[str, ...] = ()   # old URL paths that redirect here
    glossary: bool = True           # `glossary: false` turns annotations off
    url: str = ""                   # site-relative URL path, "/articles/slug/"
    key_lines: Mapping[str, int] = _mapping()  # front matter key → its line in the source
    extra: Mapping[str, Any] = _mapping()      # unknown keys, for templates
    section: str = ""               # slug of its section (config `sections:`), "" for none
    expiry: datetime | None = None  # taken down from this moment on
    corrections: tuple[Correction, ...] = ()   # oldest first
    file_date: datetime | None = None          # the date in a Jekyll file name, if any
    image: LeadImage | None = None             # the lead image (`image:`)
    bundle: str = ""                           # its folder when the article is a bundle (x/index.md)

    @property
    def modified(self) -> datetime:
        """When the article last changed for a reader: its newest update or correction, else its date."""
        if self.updated is None and not self.corrections:
            return self.date   # most articles: the front page and the sitemaps ask for every article's
        return max([self.date, *([self.updated] if self.updated else []), *(c.date for c in self.corrections)])

    @cached_property
    def dated_url(self) -> tuple[str, str]:
        """Its URL and `modified` as text: what a sitemap shows of it, as plain data to fingerprint.
        Made and kept like `listed_digest`, so that a build fingerprints its sitemaps without a date each."""
        return self.url, self.modified.isoformat()

    @cached_property
    def listed_digest(self) -> str:
        """A digest of what other pages show of the article (teasers, related lists, term pages),
        apart from its byline's profiles and its lead image's files.

        Made once per article object: the loader's workers make it, and it is kept with the
        article in the load cache, so a build digests only the files it reads again. A changed
        article (`dataclasses.replace`) is a new object, which makes its own.
        """
        # Dates as text and tuples for named tuples: plain data marshals, and anything else sends
        # the whole card to repr.
        return fingerprint(self.title, self.url, self.date.isoformat(),
                           self.updated.isoformat() if self.updated else None, self.kicker, self.summary, self.tags,
                           self.authors, self.draft, sorted(self.extra.items(), key=lambda kv: kv[0]), self.section,
                           [(c.date.isoformat(), c.text) for c in self.corrections],
                           tuple(self.image) if self.image else None)

    @cached_property
    def loaded_digest(self) -> str:
        """A digest of every field, as loaded: an article loaded again from an edited file is the same
        article when this is the same (`pipeline.text_edit`). Made and kept like `listed_digest`."""
        return fingerprint(repr(self))


class LeadImage(NamedTuple):
    """An article's `image:`: a file in its bundle or under static/, and what to say about it.
    (A tuple: the load cache holds one per article, and tuples unpickle fastest.)"""

    src: str                     # as written: "foto.jpg" (in the bundle) or "/bilder/x.jpg" (static/)
    alt: str | None = None       # None: not given (a warning); "": decorative on purpose
    caption: str = ""
    credit: str = ""             # "dpa/Jane Doe": shown as "Foto: dpa/Jane Doe"
    licence: str = ""            # e.g. "CC BY 4.0": JSON-LD copyrightNotice
    focus: tuple[float, float] = (0.5, 0.5)   # the point crops keep, as fractions of width and height
    line: int = 1


@dataclass(frozen=True)
class Correction:
    """A published correction: when and what was corrected."""

    date: datetime
    text: str


@dataclass(frozen=True)
class Page:
    """An undated page (Impressum, Datenschutz, a migrated collection's document)."""

    slug: str
    source: str
    title: str
    body: str                    # Markdown ("" once loaded: the body stage reads it again)
    url: str                     # site path, "/impressum/"
    body_line: int = 1
    summary: str = ""            # the meta description
    updated: datetime | None = None
    layout: str = "page"         # the template, without ".html"
    aliases: tuple[str, ...] = ()
    glossary: bool = True
    draft: bool = False
    key_lines: Mapping[str, int] = _mapping()
    extra: Mapping[str, Any] = _mapping()
    bundle: str = ""             # its folder when the page is a bundle (x/index.md)
    listing: str = ""            # an _index.md's text: the URL of the listing it introduces ("/", "/news/")


@dataclass(frozen=True)
class Author:
    """An author's profile, read from `content/authors/<slug>.md`; the body is the biography."""

    slug: str
    source: str
    name: str
    body: str
    url: str                     # site path of the profile page
    body_line: int = 1
    role: str = ""
    image: str = ""
    links: tuple[str, ...] = ()  # profile URLs elsewhere (JSON-LD sameAs)
    aliases: tuple[str, ...] = ()  # other spellings of the name that bylines use
    key_lines: Mapping[str, int] = _mapping()
    extra: Mapping[str, Any] = _mapping()


@dataclass(frozen=True)
class TermUse:
    """How often one term was annotated (or matched) in one text."""

    slug: str
    count: int


@dataclass(frozen=True)
class RenderedBody:
    """What rendering one Markdown body produced besides its HTML."""

    html: str
    terms: tuple[str, ...] = ()          # term slugs annotated, in order of first use
    term_counts: Mapping[str, int] = _mapping()  # term slug → matches in the text (all, not just annotated)
    links: tuple[str, ...] = ()          # link targets found in the Markdown, as written
    headings: tuple[tuple[int, str, str], ...] = ()  # (level, id, text)
    text: str = ""                       # plain text of the body, for search and similarity


class RelatedEntry(NamedTuple):
    """One related article and why it is related. A tuple: a site of 100,000 articles keeps half a
    million of these, without a dict each, and the link stage's cache stores them as plain tuples
    (pickling a dataclass with slots costs eight times as much) and makes them again in C."""

    slug: str
    score: float
    reasons: tuple[str, ...] = ()   # human-readable: term names, tag names
    explicit: bool = False          # named in a `related:` list (either direction)


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: its path under the destination and its bytes."""

    path: str      # POSIX, relative to the destination, e.g. "articles/x/index.html"
    data: bytes
    source: str = ""  # the content file it came from, for error messages


@dataclass(frozen=True)
class Pagination:
    """A listing page's slice of a paginated list (`builder.output.pagination`).

    `prev_url` leads to newer articles, `next_url` to older ones. `stable`: the pages are
    counted from the oldest, and a numbered page's `count` is 0 (its text never shows it).
    """

    number: int
    count: int
    items: tuple[Any, ...]
    url: str
    prev_url: str | None = None
    next_url: str | None = None
    extra: Mapping[str, Any] = _mapping()
    stable: bool = False


@dataclass(frozen=True)
class BodyInfo:
    """What a rendered body tells the rest of the build; the HTML itself is kept apart."""

    key: str
    terms: tuple[str, ...] = ()                 # annotated term slugs, in order of first use
    term_counts: Mapping[str, int] = field(default_factory=dict)  # every match, per term
    links: tuple[str, ...] = ()                 # internal site paths linked in the text
    words: Mapping[str, int] = field(default_factory=dict)        # frequent content words
    notes: tuple[Diagnostic, ...] = ()          # errors and warnings, in file coordinates
    tooltips: str = ""                          # tooltip_digest() of `terms` when rendered
    # Images the body shows, and the lead image: (source, digest, width, height, format, alpha,
    # folder its derivatives are published in). The body is rendered again when a digest changes.
    images: tuple[tuple[str, str, int, int, str, bool, str], ...] = ()
    lead: tuple[str, str, int, int, str, bool, str] | None = None
    # Every image file these make, one group per photo: (source, fingerprint, the files' output
    # paths joined by newlines, the rest of output.images.Derivative's fields marshalled). A site
    # of photos keeps tens of thousands of derivatives: grouped, a warm build unpickles and lists
    # one string per photo, and reads the fields only to make the files.
    derivatives: tuple[tuple[str, str, str, bytes], ...] = ()
    # The shortcode templates and includes the body used or looked for: (site path, digest, "" when
    # absent). The body is rendered again when one of them changes, appears or goes.
    templates: tuple[tuple[str, str], ...] = ()
    # Every other page's URL the body looked up: (style, target, the site path found or None). The
    # style is "" for a link to a content file, whose target is then that file's path
    # ("content/articles/x.md"); "hugo" or "jekyll" for a shortcode's or tag's reference.
    resolved: tuple[tuple[str, str, str | None], ...] = ()

    @property
    def version(self) -> str:
        """Changes whenever the body's HTML does: its key, the tooltips it embeds, the templates it used,
        the images it shows (their file names carry their digests) and the URLs it links to."""
        if not (self.templates or self.images or self.resolved):   # most bodies of a large site
            return self.key + self.tooltips
        return (self.key + self.tooltips + "".join(digest[:16] for _, digest in self.templates)
                + "".join(image[1][:16] for image in self.images)
                + "".join(f"\n{url}" for _, _, url in self.resolved))


@dataclass(frozen=True)
class TagInfo:
    """One tag: its display name, slug and articles (newest first)."""

    name: str
    slug: str
    articles: tuple[str, ...]   # article slugs


@dataclass(frozen=True)
class Links:
    """Everything the link stage computed."""

    related: Mapping[str, tuple[RelatedEntry, ...]]
    backlinks: Mapping[str, tuple[str, ...]]
    tags: tuple[TagInfo, ...]                 # German order
    term_articles: Mapping[str, tuple[str, ...]]   # term slug → article slugs, newest first
    related_terms: Mapping[str, tuple[str, ...]]   # term slug → term slugs that co-occur
    # Article slug → a digest of what its page shows of its related articles and backlinks but their
    # cards (slugs, reasons, which are explicit): computed with the links, not by every build's planning.
    shown: Mapping[str, str] = field(default_factory=dict)
