"""Rendered body HTML by key, in memory or in append-only pack files.

Each worker process appends the bodies it renders to a pack file of its own
and reports where each one landed, so a 10,000-article build writes a few
files instead of ten thousand. The index (key → info and location) is
written by the parent at the end of a build; packs that hold mostly stale
bodies are compacted then.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .delta_cache import EntryFile
from .pickle_cache import read_pickle, write_pickle

Location = tuple[str, int, int]   # (pack file name, offset, length in bytes)
INDEX = "bodies.pickle"
INDEX_LAYOUT = "info+location/1"   # the header of the index's EntryFile
SUMMARIES = "bodies-summaries.pickle"   # the term summaries every body in the index was checked against
PACKS = "packs"
COMPACT_BELOW = 0.5               # compact when less than half of the packs' bytes are live


@dataclass
class _Writer:
    pid: int
    name: str
    handle: BinaryIO


_WRITER: _Writer | None = None


def append_html(folder: Path, html: str) -> Location:
    """Append one body to this process's pack file (called in worker processes)."""
    global _WRITER
    if _WRITER is None or _WRITER.pid != os.getpid() or _WRITER.handle.closed:
        (folder / PACKS).mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.pack"
        _WRITER = _Writer(os.getpid(), name, open(folder / PACKS / name, "ab"))
    data = html.encode("utf-8", "surrogatepass")
    offset = _WRITER.handle.tell()
    _WRITER.handle.write(data)
    _WRITER.handle.flush()  # readers in other processes open the pack by name
    return (_WRITER.name, offset, len(data))


def close_writer() -> None:
    global _WRITER
    if _WRITER is not None and _WRITER.pid == os.getpid():
        _WRITER.handle.close()
    _WRITER = None


class BodyStore:
    """Rendered bodies and their infos by key: in memory, and on disk when given a folder."""

    def __init__(self, folder: Path | None, *, index: bool = True) -> None:
        """Bodies in pack files in `folder` (None: in memory); `index`: the index is kept there too, for
        later builds (the preview keeps its index in memory and only the bodies' HTML in the folder)."""
        self.folder = folder
        self.memory: dict[str, str] = {}
        self._fds: dict[str, int] = {}
        self._seeds: dict[str, int] = {}   # packs of another store (`seed`), open until `close_seeds`
        # One entry per body: its info and where its HTML is (None while only in memory).
        self.file: EntryFile[tuple[Any, Location]] = EntryFile(folder / INDEX if folder and index else None,
                                                               INDEX_LAYOUT)
        self.infos: dict[str, Any] = {key: info for key, (info, _) in self.file.entries.items()}
        self.locations: dict[str, Location] = {key: loc for key, (_, loc) in self.file.entries.items()}
        self.dirty = False
        self.placed: set[str] = set()   # bodies put into a pack by this store (rendered, or moved by compaction)
        # The term summary digests (body_keys.summary_digests) that the tooltips of the bodies in `checked`
        # were last found equal to, or rendered with: a body using none of the terms whose summaries
        # differ since needs no tooltip digest computed again (every stored body is checked on every build).
        self.summaries: dict[str, str] | None = None
        self.checked: set[str] = set()
        if self.file.path is not None and self.infos:
            layout, summaries, identity = read_pickle(self.file.path.with_name(SUMMARIES), (None, None, None))
            # Only for the index files they were written beside: another build (of a builder of the
            # same version that keeps no summaries) may have written the index since.
            if layout == INDEX_LAYOUT and isinstance(summaries, dict) and identity == self._index_identity():
                self.summaries, self.checked = summaries, set(self.infos)
        self._saved_summaries = self.summaries

    def seed(self, folder: Path) -> None:
        """Know the bodies of a build's store in `folder` too, read only (for the preview).

        Their packs are opened now and never written: a build that compacts them meanwhile
        deletes files this store still reads (an open file outlives its name), and one whose
        pack is already gone when this store looks leaves its bodies out.
        """
        other = BodyStore(folder)
        for name in {name for name, _, _ in other.locations.values()}:
            try:
                self._seeds[name] = os.open(folder / PACKS / name, os.O_RDONLY)
            except OSError:
                continue
        usable = {key for key, (name, _, _) in other.locations.items() if name in self._seeds}
        if not self.infos and usable == set(other.infos):   # the tooltips it checked stay checked
            self.summaries, self.checked = other.summaries, set(other.checked)
        self.infos.update((key, other.infos[key]) for key in usable)
        self.locations.update((key, other.locations[key]) for key in usable)

    def close_seeds(self) -> None:
        for fd in self._seeds.values():
            os.close(fd)
        self._seeds.clear()

    def has(self, key: str) -> bool:
        return key in self.infos and (key in self.memory or key in self.locations)

    def remember(self, info: Any, html: str | None, location: Location | None) -> None:
        """Record a body rendered by a worker: its HTML in memory, or where it was stored."""
        self.infos[info.key] = info
        self.checked.discard(info.key)   # until `tooltips_checked` says against which summaries
        self.dirty = True
        if html is not None:
            self.memory[info.key] = html
        if location is not None:
            self.locations[info.key] = location
            self.placed.add(info.key)

    def tooltips_checked(self, summaries: dict[str, str], keys: set[str]) -> None:
        """The bodies of `keys` (and only they) show the tooltips of `summaries`."""
        self.summaries, self.checked = summaries, keys

    def html(self, key: str) -> str:
        if key in self.memory:
            return self.memory[key]
        assert self.folder is not None
        name, offset, length = self.locations[key]
        fd = self._fds.get(name)
        if fd is None:
            fd = self._seeds.get(name)
        if fd is None:
            fd = self._fds[name] = os.open(self.folder / PACKS / name, os.O_RDONLY)
        # pread: forked page workers share these descriptors, so no shared file offset may be used
        return os.pread(fd, length, offset).decode("utf-8", "surrogatepass")

    def save(self, keep: set[str]) -> None:
        """Write the index of the bodies this build used; forget the rest, compact stale packs."""
        close_writer()
        if len(keep) != len(self.infos):
            self.dirty = True
        # Forgotten one by one: an edit forgets one body of 100,000, and copying the rest costs more.
        for key in (self.infos.keys() | self.memory.keys() | self.locations.keys()) - keep:
            self.infos.pop(key, None)
            self.memory.pop(key, None)
            self.locations.pop(key, None)
        if self.folder is None:
            return
        if self.file.path is None:   # packs only: no index to write, the packs' upkeep alone
            if self.dirty:
                self.dirty = False
                self._compact()
                self._remove_unused_packs()
            return
        # The summaries are written after the index, and gone while it is written: a build that stops
        # between the two leaves an index whose tooltips are all checked again, never one trusted wrongly.
        trusted = self.summaries is not None and keep <= self.checked
        summaries_file = self.folder / SUMMARIES
        if self.dirty or not trusted:
            summaries_file.unlink(missing_ok=True)
            self._saved_summaries = None
        if self.dirty:
            self.dirty = False
            self._compact()
            # A body only in memory (no location) cannot be read back by a later build.
            self.file.save({key: (info, self.locations[key]) for key, info in self.infos.items()
                            if key in self.locations})
            self._remove_unused_packs()
        if trusted and self.summaries != self._saved_summaries:
            write_pickle(summaries_file, (INDEX_LAYOUT, self.summaries, self._index_identity()))
            self._saved_summaries = self.summaries

    def _index_identity(self) -> tuple[tuple[int, int, int] | None, ...]:
        """Inode, modification time and size of the index file and its delta (None: absent)."""
        found = []
        for path in (self.file.path, self.file.delta_path):
            try:
                status = os.stat(path) if path is not None else None
            except OSError:
                status = None
            found.append((status.st_ino, status.st_mtime_ns, status.st_size) if status else None)
        return tuple(found)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _compact(self) -> None:
        assert self.folder is not None
        packs = self.folder / PACKS
        total = sum(p.stat().st_size for p in packs.glob("*.pack")) if packs.is_dir() else 0
        live = sum(length for _, _, length in self.locations.values())
        if not total or live >= total * COMPACT_BELOW:
            return
        moved = {key: self.html(key) for key in self.locations}
        self.close()
        self.locations = {key: append_html(self.folder, html) for key, html in sorted(moved.items())}
        self.placed.update(self.locations)
        close_writer()

    def _remove_unused_packs(self) -> None:
        assert self.folder is not None
        used = {name for name, _, _ in self.locations.values()}
        self.close()
        for pack in (self.folder / PACKS).glob("*.pack") if (self.folder / PACKS).is_dir() else ():
            if pack.name not in used:
                pack.unlink(missing_ok=True)
