"""The load cache: each content file's load result, kept by the file's status.

A status is what `os.stat` says of a file (modification and change time, size, inode); a file whose
status is the one its result was kept with is not read again. `Discovered` keeps the files a load
found, for a process told which files changed since (the preview).
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .. import __version__
from ..content.sources import CONTENT_DIR, HTML_SUFFIXES, SourceFile
from ..content.validate import LoadOptions
from ..errors import Diagnostic
from .delta_cache import EntryFile

if TYPE_CHECKING:
    from ..content.model import Article, Author, Page, Term  # noqa: F401 - named in LoadResult

# (kind, what the file holds or None, diagnostics, digest of the file's text or None)
LoadResult = tuple[str, "Article | Page | Author | Term | None", tuple[Diagnostic, ...], "str | None"]
# (mtime_ns, size, inode, ctime_ns), and the file's git dates when dates come from git. The change
# time tells a file written back with its old time stamp and size (`cp -p`, `touch -r`) from the old one.
FileStatus = tuple
RACY_NS = 2_000_000_000
LOAD_FORMAT = 6   # raised when what a cached load result holds changes (6: articles keep dated_url)


def file_status(path: str | Path) -> FileStatus | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


class LoadCache:
    """Load results by file and status; in memory, and in a pickle when given a file."""

    def __init__(self, path: Path | None, options: LoadOptions, max_size: int) -> None:
        self.path, self.max_size, self.options = path, max_size, options
        self.key = self._key()
        self.file: EntryFile[tuple[FileStatus, LoadResult]] = EntryFile(path, self.key)
        self.entries: dict[str, tuple[FileStatus, LoadResult]] = self.file.entries
        self.recent: dict[str, tuple[FileStatus, LoadResult]] = {}   # loaded too recently to be kept
        self.dirty = False

    @classmethod
    def seeded(cls, path: Path, options: LoadOptions, max_size: int) -> "LoadCache":
        """A cache in memory that starts with what a build's cache file holds (read once here and
        never written: the preview may run beside a build)."""
        cache = cls(path, options, max_size)
        cache.path, cache.file = None, EntryFile(None, cache.key)
        return cache

    def _key(self) -> str:
        return repr((__version__, LOAD_FORMAT, self.options, self.max_size))

    def use(self, options: LoadOptions) -> None:
        """Keep only results loaded with these sections (an `_index.md` adds a section)."""
        if options.sections != self.options.sections:
            self.options = replace(self.options, sections=options.sections)
            self.key = self._key()
            self.file = EntryFile(self.path, self.key)
            self.entries, self.dirty = self.file.entries, True

    def get(self, rel: str, status: FileStatus | None) -> LoadResult | None:
        entry = self.entries.get(rel)
        return entry[1] if entry is not None and status is not None and entry[0] == status else None

    def update(self, results: dict[str, tuple[FileStatus, LoadResult]]) -> None:
        """Keep these results, except for files changed so recently that a second change within
        the file system's timestamp granularity could go unnoticed (git's "racy" files)."""
        recent = time.time_ns() - RACY_NS
        entries = {rel: entry for rel, entry in results.items() if entry[0][0] < recent}
        self.dirty = self.dirty or entries != self.entries
        self.entries = entries
        self.recent = {rel: entry for rel, entry in results.items() if entry[0][0] >= recent}

    def last(self, rel: str) -> tuple[FileStatus, LoadResult] | None:
        """The file's status and result as the last load took them, racy or not."""
        return self.recent.get(rel) or self.entries.get(rel)

    def keep(self, rel: str, status: FileStatus, result: LoadResult) -> None:
        """One file loaded again outside a load (`pipeline.body_edit`), as `update` would keep it."""
        self.entries.pop(rel, None)
        self.recent.pop(rel, None)
        if status[0] < time.time_ns() - RACY_NS:
            self.entries[rel] = (status, result)
        else:
            self.recent[rel] = (status, result)
        self.dirty = True

    def save(self) -> None:
        if self.path is not None and self.dirty:
            self.file.save(self.entries)
            self.dirty = False


class Discovered:
    """The content files the last load found, and their statuses, for a process that loads the site again
    and is told which files changed since (the preview, by its file watcher). While only files it knows
    changed, the next load neither lists the folders again nor asks for every file's status: at
    100,000 articles that is 0.7 s of every edit."""

    def __init__(self) -> None:
        self.found: tuple[list[SourceFile], list[Diagnostic], dict[str, list[tuple[str, str]]]] | None = None
        self.statuses: dict[str, FileStatus] = {}
        self._known: set[str] = set()
        self.usable = False

    def changed(self, source: Path, paths: Iterable[str] | None) -> None:
        """Before a load: the site-relative paths changed since the last one (None: not known)."""
        if paths is None or self.found is None:
            self.usable, self.statuses = False, {}
            return
        changed = set(paths)
        # A new, deleted or renamed file (or folder) needs the folders listed again; an edit does not,
        # unless it may change what the file is: an .html file is content when it has front matter,
        # and a symbolic link is checked for where it points.
        self.usable = all(rel in self._known and not rel.endswith(HTML_SUFFIXES) and _plain_file(source / rel)
                          for rel in changed if rel.startswith(CONTENT_DIR + "/"))
        if not self.usable:
            self.statuses = {}
        for rel in changed:
            self.statuses.pop(rel, None)

    def keep(self, found: tuple[list[SourceFile], list[Diagnostic], dict[str, list[tuple[str, str]]]],
             statuses: dict[str, FileStatus]) -> None:
        """After a load: what it found, and the statuses it took."""
        if found is not self.found:
            files, _, others = found
            self._known = {f.rel for f in files}.union(rel for items in others.values() for rel, _ in items)
        self.found, self.statuses = found, statuses


def _plain_file(path: Path) -> bool:
    return os.path.isfile(path) and not os.path.islink(path)
