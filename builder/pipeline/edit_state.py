"""What a build from the command line leaves for the next one's edit of an article's text or card (`text_edit`).

The preview keeps its last build in memory for such an edit (`body_edit`). A
build from the command line starts with nothing in memory, and at 100,000
articles reading its caches whole takes longer than the edit needs in all. So
every successful build leaves, beside its caches, a small SQLite database of
what an edit of one article's text or card needs:

- one row per published article: digests of the article as loaded, of its
  file and of what its body tells other pages (`signal_digest`,
  `others_digest`), its body's key, version, photos and place in the pack
  files, its related articles, backlinks, card and the fields the card shows;
- which articles' pages show which others (`shows`, kept with the rows);
- every list a listing, term or front page shows a page of, and the news
  sitemap's articles (`card_edit.site_lists`), written when they change;
- with search on, every search record and where its body is (`SearchState`);
- what the whole site shares: the configuration, terms, authors, menus,
  static files, the newest articles of every feed, the articles that the
  load stage changed after loading them (a slug made unique, a `related:`
  list without unpublished articles), and the bodies of listings' and
  authors' pages;
- the marker of the output folder it describes, the options it was built
  with, and its report.

A build writes the rows that changed: those of articles whose page's
fingerprint changed, and those whose body moved in the pack files.
"""

from __future__ import annotations

import hashlib
import marshal
import pickle
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, NamedTuple

from ..content.config import SiteConfig
from ..content.model import Article, Author, BodyInfo, Page, TagInfo, Term
from ..content.validate import LoadOptions
from ..output.manifest import Manifest
from ..output.search_records import SearchRecord
from ..output.specs import LinkedSite
from ..output.write import marker_identity
from .body_packs import BodyStore
from .caches import cache_folder
from .card_edit import card_fields, site_lists
from .options import BuildOptions, BuildReport
from .search_stage import SearchJob
from .unchanged import watch_key

if TYPE_CHECKING:
    from .build import Prepared

FILE = "edit-state.sqlite"
FORMAT = 4   # 2: rows hold their bodies' photos; 3: their card's fields, with the lists of a card edit; 4: photos' too


class Row(NamedTuple):
    """One article as the last build left it (plain data: rows are marshalled)."""

    slug: str
    kind: str                    # the kind its file was loaded as ("article", "document")
    loaded: str                  # Article.loaded_digest of the article as loaded (before the load stage's changes)
    clean: bool                  # loading it found nothing to report
    digest: str                  # of the file's text
    signals: str                 # linking.signal_digest of its body
    others: str                  # `others_digest` of its body
    key: str                     # its body's
    version: str                 # its body's (`BodyInfo.version`)
    terms: tuple[str, ...]       # the terms its body annotates
    lead: tuple[Any, ...] | None  # its body's lead photo
    images: tuple[tuple[Any, ...], ...]   # the photos its body shows
    resolved: tuple[tuple[str, str, str | None], ...]   # the URLs its body looked up
    location: tuple[str, int, int] | None   # its body's HTML in the pack files
    related: tuple[tuple[Any, ...], ...]    # RelatedEntry as plain tuples
    back: tuple[str, ...]
    shown: str
    card: str
    card_fields: tuple[Any, ...]  # CARD_FIELDS as loaded, the key lines as pairs


@dataclass(frozen=True)
class Shared:
    """What every row's pages share."""

    config: SiteConfig                 # the site's, as the pages got it
    body_config: SiteConfig            # as the body stage got it
    key_parts: tuple[str, ...]         # of every body's key
    load_options: LoadOptions
    max_size: int
    terms: tuple[Term, ...]
    authors: tuple[Author, ...]
    menus: Mapping[str, Any]
    settings_digest: str
    static_files: tuple[tuple[str, Path, str], ...]
    newest: tuple[str, ...]            # the site feed's articles
    tags: tuple[TagInfo, ...]          # each with its feed's articles only
    section_articles: Mapping[str, tuple[str, ...]]   # each section's feed's articles
    author_articles: Mapping[str, tuple[str, ...]]    # each author's feed's articles
    changed: Mapping[str, Article]     # source → the article as the load stage left it, where it differs
    # What the listing and term pages of a card edit show besides their articles:
    # Listing URL → its _index.md, and its body's key, version, place in the packs, and the file's digest.
    intros: Mapping[str, tuple[Page, str, str, Any, str]]
    author_bodies: Mapping[str, tuple[str, str, Any, str]]   # author slug → the same of the author's body
    term_digests: Mapping[str, str]                    # term source → the file's digest


class SearchState(NamedTuple):
    """What the search index's shards were assigned from (`search_stage.SearchJob`), as plain data."""

    settings: str
    budget: int | None
    # (url, kind, title, body key, size, digest, date as ISO text or None, section, lines, body's place)
    records: list[tuple[Any, ...]]

    @classmethod
    def of(cls, job: SearchJob, locations: Mapping[str, Any]) -> "SearchState":
        return cls(job.settings, job.budget, [
            (r.url, r.kind, r.title, r.body_key, r.size, r.digest, r.date.isoformat() if r.date else None, r.section,
             r.lines, locations.get(r.body_key)) for r in job.records])

    def search_records(self) -> list[SearchRecord]:
        return [SearchRecord(url, kind, title, key, size, digest, datetime.fromisoformat(date) if date else None,
                             section, lines) for url, kind, title, key, size, digest, date, section, lines, _
                in self.records]


@dataclass(frozen=True)
class Meta:
    """Which output folder and build the rows describe."""

    marker: str
    key: str                           # the build's options (`unchanged.InputWatch.key`)
    since: datetime                    # the build's moment
    report: BuildReport                # without sources


def _create_rows(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS rows (source TEXT PRIMARY KEY, slug TEXT, value BLOB)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS by_slug ON rows (slug)")
    # Which articles' pages show which others (related, backlinks), kept with the rows that say so.
    db.execute("CREATE TABLE IF NOT EXISTS shows (slug TEXT, shown TEXT)")


def _index_shows(db: sqlite3.Connection) -> None:
    """(After the rows of a whole site: indexing 600,000 of them at once takes a quarter of the time.)"""
    db.execute("CREATE INDEX IF NOT EXISTS shows_by_slug ON shows (slug)")
    db.execute("CREATE INDEX IF NOT EXISTS shows_by_shown ON shows (shown)")


def others_digest(info: BodyInfo) -> str:
    """A digest of what a body tells other pages besides its signals: its notes and photos."""
    if not (info.notes or info.images or info.lead or info.derivatives):
        return ""
    # A group of derivatives by its fingerprint, which covers its files' names and settings: the marshalled
    # rest may differ in bytes for equal values (marshal's references follow the objects' sharing).
    groups = [group[:3] for group in info.derivatives]
    return hashlib.blake2b(repr((info.notes, info.images, info.lead, groups)).encode(), digest_size=16).hexdigest()


class EditState:
    """The database of one site's cache folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            db.execute("CREATE TABLE IF NOT EXISTS lists (name TEXT PRIMARY KEY, digest BLOB, value BLOB)")
            _create_rows(db)
            _index_shows(db)
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _meta(self, name: str) -> Any:
        found = self._connect().execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if found is None else pickle.loads(found[0])

    def meta(self) -> Meta | None:
        """Which build the rows describe, or None when they describe none (or another format's)."""
        if not self.path.is_file():
            return None
        try:
            if self._meta("format") != FORMAT:
                return None
            found = self._meta("meta")
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return found if isinstance(found, Meta) else None

    def shared(self) -> Shared | None:
        try:
            found = self._meta("shared")
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return found if isinstance(found, Shared) else None

    def rows(self, sources: Iterable[str] = (), slugs: Iterable[str] = ()) -> dict[str, tuple[str, Row]]:
        """The rows of these sources and slugs: slug → (source, row)."""
        found: dict[str, tuple[str, Row]] = {}
        db = self._connect()
        for column, names in (("source", list(dict.fromkeys(sources))), ("slug", list(dict.fromkeys(slugs)))):
            for start in range(0, len(names), 500):
                part = names[start:start + 500]
                marks = ",".join("?" * len(part))
                for source, slug, value in db.execute(
                        f"SELECT source, slug, value FROM rows WHERE {column} IN ({marks})", part):
                    try:
                        found[slug] = (source, Row(*marshal.loads(value)))
                    except (ValueError, TypeError, EOFError):
                        continue   # not a row of this format: as though there were none
        return found

    def shown_by(self, slugs: Iterable[str]) -> set[str]:
        """The articles whose pages show one of `slugs` as related or linking to them."""
        names = list(dict.fromkeys(slugs))
        found: set[str] = set()
        for start in range(0, len(names), 500):
            part = names[start:start + 500]
            found.update(slug for slug, in self._connect().execute(
                f"SELECT slug FROM shows WHERE shown IN ({','.join('?' * len(part))})", part))
        return found

    def lists(self, names: Iterable[str]) -> dict[str, Any]:
        """The lists (`site_lists`) of these names that the last build had."""
        found = {}
        for name in dict.fromkeys(names):
            value = self._connect().execute("SELECT value FROM lists WHERE name = ?", (name,)).fetchone()
            if value is not None:
                data = value[0]
                found[name] = marshal.loads(data[1:]) if data[:1] == b"m" else pickle.loads(data[1:])
        return found

    def search(self) -> SearchState | None:
        """The last build's search records, or None (a site without search)."""
        try:
            found = self._connect().execute("SELECT value FROM meta WHERE name = 'search'").fetchone()
            return None if found is None else SearchState(*marshal.loads(found[0]))
        except (ValueError, TypeError, EOFError):
            return None

    def save(self, meta: Meta, shared: Shared | None, rows: Iterable[tuple[str, Row]], *,
             everything: bool = False, published: Callable[[], set[str]] | None = None,
             search: SearchState | None | bool = True, lists: Mapping[str, Any] | None = None) -> None:
        """Store `rows` ((source, row), made as they are written) and say which build they now describe;
        with `everything`, the rows are all there is. All of it or nothing.

        A row replaces the one of its source and the one of its slug (slugs are unique). The rows of
        articles no longer `published` (their sources) are dropped when there are more rows than those.
        `lists` (`site_lists`) are all the lists there are: those whose values changed are written."""
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            if everything:   # in the table of this format
                db.execute("DROP TABLE rows")
                db.execute("DROP TABLE shows")
                _create_rows(db)
            written: set[str] = set()
            shows: list[tuple[str, str]] = []

            def marshalled() -> Iterator[tuple[str, str, bytes]]:
                for source, row in rows:
                    written.add(source)
                    shows.extend((row.slug, shown) for shown in {*(entry[0] for entry in row.related), *row.back})
                    yield source, row.slug, marshal.dumps(tuple(row), 4)

            db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?)", marshalled())
            if not everything:
                db.executemany("DELETE FROM shows WHERE slug = ?", [(slug,) for slug in {slug for slug, _ in shows}])
            db.executemany("INSERT INTO shows VALUES (?, ?)", shows)
            _index_shows(db)
            if published is not None and not everything and written:
                count, = db.execute("SELECT count(*) FROM rows").fetchone()
                if count > len(current := published()):
                    gone = [(source, slug) for source, slug in db.execute("SELECT source, slug FROM rows").fetchall()
                            if source not in current]
                    db.executemany("DELETE FROM rows WHERE source = ?", [(source,) for source, _ in gone])
                    db.executemany("DELETE FROM shows WHERE slug = ?", [(slug,) for _, slug in gone])
            if lists is not None:
                _save_lists(db, lists)
            if shared is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('shared', ?)", (pickle.dumps(shared, 5),))
            if isinstance(search, SearchState):
                db.execute("INSERT OR REPLACE INTO meta VALUES ('search', ?)", (marshal.dumps(tuple(search), 4),))
            elif search is None:   # (True: as it was)
                db.execute("DELETE FROM meta WHERE name = 'search'")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (pickle.dumps(FORMAT),))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('meta', ?)", (pickle.dumps(meta, 5),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def remove(self) -> None:
        """Delete the database (a damaged one): the next build makes it again."""
        self.close()
        for path in (self.path, self.path.with_name(self.path.name + "-wal"),
                     self.path.with_name(self.path.name + "-shm")):
            path.unlink(missing_ok=True)

    def forget(self) -> None:
        """Describe no build: the next one writes every row."""
        try:
            self._connect().execute("DELETE FROM meta WHERE name = 'meta'")
        except (sqlite3.Error, OSError):
            pass


def _save_lists(db: sqlite3.Connection, lists: Mapping[str, Any]) -> None:
    """Write the lists whose digests differ from those stored; drop the lists no longer there."""
    stored = dict(db.execute("SELECT name, digest FROM lists"))
    changed = []
    for name, value in lists.items():
        digest = _list_digest(name, value)
        if stored.get(name) != digest:
            data = b"p" + pickle.dumps(value, 5) if name == "front" else b"m" + marshal.dumps(value, 4)
            changed.append((name, digest, data))
    db.executemany("INSERT OR REPLACE INTO lists VALUES (?, ?, ?)", changed)
    db.executemany("DELETE FROM lists WHERE name = ?", [(name,) for name in stored if name not in lists])


def _list_digest(name: str, value: Any) -> bytes:
    """A digest of a list's value: its slugs joined, the rest marshalled. Every build digests every list
    (1.6 million slugs at 100,000 articles: a third of the time of marshalling them)."""
    if name == "front":
        data = pickle.dumps(value, 5)
    else:
        slugs, rest = (value[0], value[1:]) if name.startswith("term:") else (value, ())
        data = "\n".join(slugs).encode("utf-8", "surrogatepass") + b"\0" + marshal.dumps(rest, 2)
    return hashlib.blake2b(data, digest_size=16).digest()


def record_build(state: EditState, meta: Meta, site: LinkedSite, prepared: "Prepared",
                 signals: Callable[[BodyInfo], str], old_prints: Mapping[str, str] | None, old_marker: str | None,
                 bodies: BodyStore) -> None:
    """Store what the next build's text edit needs of this successful build (`meta`): every row when the
    state described another build than the one before (`old_marker`, whose pages had `old_prints`),
    else the rows of articles whose page's fingerprint changed or whose body moved in the packs."""
    load, context = prepared.load_cache, prepared.bodies
    assert load is not None and context is not None
    before = state.meta()
    pages = prepared.specs[:len(site.articles)]   # planned first, in the site's order
    everything = (before is None or old_prints is None or before.marker != old_marker
                  or any(spec.source != article.source for spec, article in zip(pages, site.articles)))
    old, moved, infos = old_prints or {}, bodies.placed, site.infos
    todo = [article for article, page in zip(site.articles, pages)
            if everything or old.get(page.path) != page.fingerprint or infos[article.slug].key in moved]

    def rows() -> Iterator[tuple[str, Row]]:   # made as they are written: a cold build's are all of them
        for article in todo:
            entry = load.last(article.source)
            if entry is None or entry[1][3] is None or not isinstance(entry[1][1], Article):
                continue   # no row: an edit of it runs the whole pipeline
            kind, item, found, digest = entry[1]
            info = infos[article.slug]
            yield article.source, Row(
                article.slug, kind, item.loaded_digest, not found, digest, signals(info), others_digest(info),
                info.key, info.version, info.terms, info.lead, info.images, info.resolved,
                bodies.locations.get(info.key),
                tuple(map(tuple, site.links.related.get(article.slug, ()))),
                site.links.backlinks.get(article.slug, ()), site.links.shown.get(article.slug, ""),
                site.cards[article.slug], card_fields(item))

    count = site.config.feed_entries
    shared = Shared(
        site.config, context.config, context.key_parts, load.options, load.max_size, site.terms,
        tuple(site.authors.authors), site.menus, site.settings_digest, site.static_files,
        tuple(a.slug for a in site.articles[:count]),
        tuple(TagInfo(tag.name, tag.slug, tag.articles[:count]) for tag in site.links.tags),
        {slug: found[:count] for slug, found in site.section_articles.items()},
        {slug: found[:count] for slug, found in site.author_articles.items()}, dict(prepared.adjusted),
        {url: (page, *_body(site.page_infos[page.source], bodies), site.digests[page.source])
         for url, page in site.intros.items() if page.source in site.page_infos},
        {a.slug: (*_body(site.author_infos[a.slug], bodies), site.digests[a.source])
         for a in site.authors.authors if a.slug in site.author_infos},
        {t.source: site.digests[t.source] for t in site.terms})
    search = SearchState.of(prepared.search, bodies.locations) if prepared.search is not None else None
    state.save(meta, shared, rows(), everything=everything, published=lambda: {a.source for a in site.articles},
               search=search, lists=site_lists(site, bodies.locations))


def _body(info: BodyInfo, bodies: BodyStore) -> tuple[str, str, Any]:
    return info.key, info.version, bodies.locations.get(info.key)


def keep_for_text_edits(options: BuildOptions, destination: Path, prepared: "Prepared", site: LinkedSite,
                        report: BuildReport, previous: Manifest | None, signals: Callable[[BodyInfo], str],
                        bodies: BodyStore, marker: str | None = None) -> None:
    """After a successful build into `destination` (whose manifest before it was `previous`): what the
    next build's text edit needs of it. `marker`: the output's, when it is not in place yet."""
    if not options.cache:
        return
    for _ in range(2):   # a damaged file is removed and made again, once
        state = EditState(cache_folder(options.source))
        try:
            marker = marker or marker_identity(destination)
            if ((site.config.search and prepared.search is None) or marker is None or prepared.bodies is None
                    or prepared.load_cache is None):
                state.forget()
                return
            meta = Meta(marker, watch_key(options, destination), options.now or site.now or datetime.now(timezone.utc),
                        replace(report, sources={}, seconds=0.0, rendered=0, stages=()))
            record_build(state, meta, site, prepared, signals, previous.files if previous else None,
                         previous.marker if previous else None, bodies)
            return
        except (OSError, sqlite3.OperationalError):   # no room, or locked by another build
            state.forget()   # the next text edit runs the whole pipeline
            return
        except sqlite3.DatabaseError:   # not a database
            state.remove()
        finally:
            state.close()
