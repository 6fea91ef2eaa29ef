"""The build with nothing to do: every input as the last successful build into the destination found it.

A successful cached build leaves a record beside its manifest: a digest of
the status (path, modification and change time, size, inode) of every file
a build may read, the options it ran with, the marker of the destination it
wrote, its report, and the span of time in which its output stays the same
(`next_change`: until a scheduled article is due, an expiry passes, a
`featured_until:` ends or an article leaves the news sitemap's 48 hours).
The next build that finds all of that equal returns the recorded report after
walking the files, without reading one of them or unpickling any cache; any
difference and it builds as usual, the record dropped first, so that a build
that fails or is interrupted never leaves one behind.

Beside the record, every successful build keeps its sources and the statuses
of its inputs (but those changed within RACY_NS of the walk) with the marker of
the output it wrote, so that the next build can tell which files changed since
(`text_edit`); a failed build leaves them as they were.

The files walked: everything in the source folder but the hidden entries at
its top (the cache, and `.git`: see below) and the destination, and the
builder's own theme and message catalogs. No record is kept of a build whose
dates come from git (a commit changes them, not a file), nor of one during
which a file was changed so shortly before the walk (RACY_NS) that a second
change within the file system's time stamp granularity could go unnoticed.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import time
from array import array
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .. import __version__
from ..content.config import load_config
from ..content.model import Article
from ..content.validate import LoadOptions
from ..output.front_page import featured_until
from ..output.search import SearchIndexError, pagefind_executable
from ..output.sitemaps import NEWS_WINDOW
from ..output.templates import THEME_DIR
from ..output.write import marker_identity
from ..text.i18n import LOCALES_DIR
from .load_cache import RACY_NS, FileStatus
from .options import BuildOptions, BuildReport
from .pickle_cache import write_pickle


RECORD_FORMAT = 1
# The statuses kept: their paths in walk order, and their fields one after the other as 64-bit integers.
# Read back as one array, not as 100,000 tuples (0.4 s at 100,000 articles).
STATUSES_LAYOUT = 2
STATUS_FIELDS = 4   # a FileStatus: modification time, size, inode and change time
COMPARED_AT_ONCE = 1024   # statuses whose bytes are compared at once, before one by one where they differ


@dataclass(frozen=True)
class Record:
    """What a successful build leaves for the next one to compare."""

    key: str                    # builder, options, destination and Pagefind
    marker: str                 # the destination's marker as that build left it
    inputs: str                 # digest of every input file's status
    since: datetime             # the build's moment
    until: datetime | None      # the first moment at which time alone changes the output (None: never)
    report: Any                 # its BuildReport, without sources (those are in a file of their own)


class InputWatch:
    """One build's view of its inputs: taken before it reads any, compared with the last record."""

    def __init__(self, options: BuildOptions, destination: Path, folder: Path) -> None:
        name = hashlib.sha256(str(destination.resolve()).encode()).hexdigest()[:16]
        self.path = folder / f"unchanged-{name}.pickle"
        self.sources_path = folder / f"unchanged-{name}-sources.pickle"
        self.statuses_path = folder / f"unchanged-{name}-statuses.marshal"
        self.options, self.destination = options, destination
        self.key = watch_key(options, destination)
        self.walked_ns = time.time_ns()
        self.inputs, self.newest_ns, self.statuses = input_digest(options.source, destination)

    def unchanged(self, started: float) -> BuildReport | None:
        """The last build's report when nothing it depends on changed; else None, and the record is dropped."""
        record = _read_record(self.path)
        now = self.options.now
        if (record is not None and record.key == self.key and record.inputs == self.inputs and now is not None
                and record.since <= now and (record.until is None or now < record.until)
                and marker_identity(self.destination) == record.marker and self.sources_path.is_file()):
            return replace(record.report, seconds=time.perf_counter() - started,
                           sources=RecordedSources(self.sources_path))
        self.forget()
        return None

    def forget(self) -> None:
        """Drop the record (the sources and statuses beside it say which build they are of)."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass

    def changed_since_last(self) -> tuple[str, list[str]] | None:
        """The marker of the output folder the last successful build wrote, and the inputs whose status
        differs from the one it kept (added, removed, changed, or changed too shortly before its walk to be
        trusted): what changed since (`text_edit`). None when it kept none."""
        try:
            with open(self.statuses_path, "rb") as handle:
                layout, marker, paths, data = marshal.load(handle)
            old = array("q")
            old.frombytes(data)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if layout != STATUSES_LAYOUT or not isinstance(marker, str) or len(old) != STATUS_FIELDS * len(paths):
            return None
        current = self.statuses
        if list(current) != paths:   # files came or went (or one is racy): compare them by path
            kept = {path: tuple(old[i * STATUS_FIELDS:(i + 1) * STATUS_FIELDS]) for i, path in enumerate(paths)}
            return marker, [path for path in current.keys() | kept.keys() if current.get(path) != kept.get(path)]
        try:
            now = _flat(current.values()).tobytes()
        except (OverflowError, TypeError):
            return None
        return marker, _differing(paths, now, old.tobytes())

    def recorded_sources(self) -> Mapping[str, str]:
        """The last successful build's output paths with their content files (read when asked for)."""
        return RecordedSources(self.sources_path)

    def save(self, report: BuildReport, sources_kept: bool = False, marker: str | None = None) -> None:
        """Keep a successful build's sources and statuses for the next build, and record its report when
        the next may trust it. `sources_kept`: its sources are those of the last build, already kept;
        `marker`: the output's, when it is not in place yet."""
        marker = marker or marker_identity(self.destination)
        if not report.ok or marker is None:
            return
        try:
            if not sources_kept:
                write_pickle(self.sources_path, dict(report.sources))
            recent = self.walked_ns - RACY_NS
            trusted = [(path, status) for path, status in self.statuses.items() if status[0] < recent]
            try:
                flat = _flat(status for _, status in trusted).tobytes()
            except (OverflowError, TypeError):   # an inode number past 2**63: no text edit for this site
                self.statuses_path.unlink(missing_ok=True)
            else:
                tmp = self.statuses_path.with_suffix(".tmp")
                tmp.write_bytes(marshal.dumps((STATUSES_LAYOUT, marker, [path for path, _ in trusted], flat), 4))
                os.replace(tmp, self.statuses_path)
            if (self.options.now is None or self.newest_ns >= recent
                    or _dates_from_git(self.options.source)):
                return
            write_pickle(self.path, Record(self.key, marker, self.inputs, self.options.now, report.changes_at,
                                           replace(report, sources={}, seconds=0.0, rendered=0)))
        except OSError:
            self.forget()


class RecordedSources(Mapping[str, str]):
    """A recorded report's output path → content file, read when first asked for (only `check` does)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._value: dict[str, str] | None = None

    @property
    def value(self) -> dict[str, str]:
        if self._value is None:
            try:
                with open(self.path, "rb") as handle:
                    loaded = pickle.load(handle)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                loaded = {}
            self._value = loaded if isinstance(loaded, dict) else {}
        return self._value

    def __getitem__(self, key: str) -> str:
        return self.value[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)


def watch_key(options: BuildOptions, destination: Path) -> str:
    """What a build's output depends on besides its input files: the builder, options, destination and
    Pagefind."""
    return repr((RECORD_FORMAT, __version__, str(destination.resolve()), options.drafts, options.future,
                 options.expired, options.base_url, options.strict, options.fingerprint_assets,
                 options.image_cache, _pagefind()))


def next_change(articles: Sequence[Article], now: datetime | None, tz: Any) -> datetime | None:
    """The first moment after `now` at which the build's decisions by time may come out otherwise
    (without `now`, the first of all).

    `articles` are the published and the scheduled ones (drafts stay hidden, and an
    expired article never comes back as time goes on). Every date they carry counts,
    whether or not it decides anything today: more moments only cost a rebuild.
    """
    if now is None:
        now = datetime.min.replace(tzinfo=timezone.utc) + NEWS_WINDOW
    recent = now - NEWS_WINDOW   # articles dated after this are in the news sitemap, or will be
    moments = [moment for article in articles if article.date > recent
               for moment in (article.date, article.date + NEWS_WINDOW)]
    moments += [a.expiry for a in articles if a.expiry is not None and a.expiry > now]
    moments += [a.updated for a in articles if a.updated is not None and a.updated > now]
    moments += [a.file_date for a in articles if a.file_date is not None and a.file_date > now]
    moments += [c.date for a in articles if a.corrections for c in a.corrections]
    for article in (a for a in articles if a.extra):
        moments += [value for value in article.extra.values() if isinstance(value, datetime)]
        try:
            until = featured_until(article, tz)[1]
        except ValueError:
            until = None
        if until is not None:
            moments.append(until)
    return min((moment for moment in moments if moment > now), default=None)


def input_digest(source: Path, destination: Path) -> tuple[str, int, dict[str, FileStatus]]:
    """A digest of the status of every file a build of `source` may read, the newest modification time,
    and each file's status as loading takes it (by path relative to `source`; the theme's prefixed), so
    that loading need not ask for them again."""
    try:
        status = os.stat(destination)
        skip = {(status.st_dev, status.st_ino)}
    except OSError:
        skip = set()
    found: list[tuple[Any, ...]] = []
    for prefix, root in (("", source), ("<theme>/", THEME_DIR), ("<locales>/", LOCALES_DIR)):
        try:
            status = os.stat(root)
        except OSError:
            found.append((prefix, "missing"))
            continue
        _walk(root, prefix, not prefix, skip, {(status.st_dev, status.st_ino)}, found)
    newest = max((entry[1] for entry in found if len(entry) == 5), default=0)
    statuses = {entry[0]: (entry[1], entry[3], entry[4], entry[2]) for entry in found if len(entry) == 5}
    return hashlib.sha256(marshal.dumps(found, 2)).hexdigest(), newest, statuses


def _walk(folder: Path | str, rel: str, top: bool, skip: set[tuple[int, int]], seen: set[tuple[int, int]],
          found: list[tuple[Any, ...]]) -> None:
    """Append (path, mtime, ctime, size, inode) of every file below `folder`, sorted, following symlinks."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        found.append((rel, "unreadable", exc.errno))
        return
    for entry in entries:
        if top and entry.name.startswith("."):
            continue   # .builder-cache (derived), .git (dates from git keep no record), staging folders
        path = rel + entry.name
        try:
            status = entry.stat()
        except OSError:
            found.append((path, "missing"))   # a dangling symlink
            continue
        if entry.is_dir():
            identity = (status.st_dev, status.st_ino)
            if identity in skip or identity in seen:   # the destination; a folder linked twice or in a loop
                continue
            seen.add(identity)
            _walk(entry.path, path + "/", False, skip, seen, found)
        else:
            found.append((path, status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino))


def _flat(statuses: Iterable[FileStatus]) -> array:
    return array("q", chain.from_iterable(statuses))


def _differing(paths: list[str], now: bytes, before: bytes) -> list[str]:
    """The paths whose statuses differ between two flat arrays' bytes of the same paths."""
    size = STATUS_FIELDS * 8
    block = COMPARED_AT_ONCE * size
    changed: list[str] = []
    for start in range(0, len(now), block):
        if now[start:start + block] != before[start:start + block]:
            changed += [paths[at // size] for at in range(start, min(start + block, len(now)), size)
                        if now[at:at + size] != before[at:at + size]]
    return changed


def _read_record(path: Path) -> Record | None:
    try:
        with open(path, "rb") as handle:
            record = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None
    return record if isinstance(record, Record) else None


def _pagefind() -> str:
    """Which Pagefind a build would run: its output changes with it (when search is on)."""
    try:
        executable = pagefind_executable()
        status = os.stat(executable)
    except (SearchIndexError, OSError) as exc:
        return f"none: {exc}"
    return f"{executable}:{status.st_mtime_ns}:{status.st_size}:{status.st_ino}"


def _dates_from_git(source: Path) -> bool:
    config, _ = load_config(source)
    options = LoadOptions.from_config(config)
    return ":git" in (*options.dates, *options.updated)
