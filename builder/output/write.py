"""Writing the built site atomically, either as a whole new tree or as a journaled patch.

`StagedOutput` builds a complete new tree in a staging folder beside the
destination and swaps it in (cold builds, search indexing, big changes);
unchanged files are hard-linked from the previous output. `PatchOutput`
stages only the changed files and moves them into the destination one by one
under a journal, so a small edit costs time in proportion to what changed.

Either way a failed build never touches the previous output, and a killed one
is finished or undone by `recover_interrupted()` at the next build. The
destination carries an empty marker file so the builder only ever replaces
folders it made itself; the marker's inode and modification time identify the
build that wrote the folder (`marker_identity`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

MARKER = ".builder-output"
JOURNAL = "journal.json"      # in a patch folder: complete once it exists; the commit point
ROLLBACK = "rolling-back"     # in a patch folder: the journal is being undone, not applied
_FILES = "files"              # in a patch folder: the new files, side by side, named by `_staged_name`
_BACKUP = "backup"            # in a patch folder: hard links to the files a patch replaces or deletes


class OutputError(Exception):
    """The destination cannot be used; the message says why."""


def check_destination(source: Path, destination: Path) -> None:
    """Refuse destinations that would endanger the source or someone else's files."""
    src, dest = source.resolve(), destination.resolve()
    if src == dest or src.is_relative_to(dest):
        raise OutputError(f"destination {destination} contains the site folder; choose a folder inside "
                          "or beside it, e.g. 'site'")
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"destination {destination} is a file, not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / MARKER).exists():
        raise OutputError(f"destination {destination} is not empty and was not made by this builder; "
                          "empty it or choose another folder")


def safe_relative(path: str) -> PurePosixPath:
    """An output path that stays inside the destination, or ValueError."""
    if not path or "\x00" in path or "\\" in path:
        raise ValueError(f"unsafe output path {path!r}")
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts):
        raise ValueError(f"unsafe output path {path!r}")
    return pure


def marker_identity(folder: Path) -> str | None:
    """Which build wrote `folder`: its marker's inode and modification time, or None without a marker."""
    try:
        return _identity(os.stat(folder / MARKER))
    except OSError:
        return None


def _identity(status: os.stat_result) -> str:
    return f"{status.st_ino}:{status.st_mtime_ns}"


def _new_marker(folder: Path) -> str:
    """Write an empty marker into `folder` and return its identity.

    The marker stays empty (published copies of the site do not change with
    every build); a fresh inode and a nanosecond time stamp tell builds apart.
    """
    return _new_marker_file(folder / MARKER)


def _new_marker_file(path: Path) -> str:
    """`_new_marker` at `path` (a marker staged under another name keeps its identity when moved)."""
    path.write_bytes(b"")
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))
    return _identity(os.stat(path))


def _staged_name(path: str) -> str:
    """The name of output file `path` in a patch folder's `files`: a digest, so that no folder is made."""
    return hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _staged(files: Path, path: str) -> Path:
    """Where a patch folder holds `path`'s new version; a patch of an older builder laid its files out
    as in the destination."""
    flat = files / _staged_name(path)
    return flat if os.path.lexists(flat) else files / path


def _plain(path: str) -> bool:
    """Whether output path `path` is plain names joined by "/" (as the planner makes them): safe
    as it stands, and written where `safe_relative` would put it."""
    return (path[:1] not in ("", "/", ".") and path[-1] != "/" and "//" not in path and "/." not in path
            and "\x00" not in path and "\\" not in path)


def _checked(path: str) -> str:
    """`path` as `safe_relative` gives it (ValueError when unsafe), without parsing a plain one."""
    return path if _plain(path) else str(safe_relative(path))


def _write_file(target: str, data: bytes) -> None:
    # os.open and os.write: a page is written in a sixth of the time pathlib takes (its objects
    # and the buffered file), which counts at tens of thousands of pages.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class _Folder:
    """Writing files under one root, creating each parent folder once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        self._dirs: set[str] = {self._root}

    def __getstate__(self) -> dict[str, object]:
        # Another process writing into the folder (`pipeline.search_tail`) needs not know which folders
        # exist (a large site has 100,000): it makes each again once, which finds it there.
        return {"root": self.root, "_root": self._root, "_dirs": {self._root}}

    def target(self, path: str) -> str:
        target = os.path.join(self._root, _checked(path))
        parent = os.path.dirname(target)
        if parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        return target


def write_files(root: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` (output path → bytes) under `root`, each folder made once."""
    folder = _Folder(root)
    for path, data in files.items():
        _write_file(folder.target(path), data)


class StagedOutput:
    """A new version of the destination, built beside it and swapped in on commit."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination.absolute()
        self.parent = self.destination.parent
        self.parent.mkdir(parents=True, exist_ok=True)
        recover_interrupted(self.destination)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.destination.name}.tmp-", dir=self.parent))
        self._folder = _Folder(self.staging)
        self.marker = _new_marker(self.staging)

    def write(self, path: str, data: bytes) -> None:
        _write_file(self._folder.target(path), data)

    def reuse(self, path: str) -> bool:
        """Hard-link the previous output's file; False when there is none to reuse."""
        old = self.destination / safe_relative(path)
        try:
            os.link(old, self._folder.target(path))
            return True
        except FileNotFoundError:
            return False
        except OSError:
            try:
                shutil.copy2(old, self._folder.target(path))
                return True
            except OSError:
                return False

    def commit(self) -> None:
        """Swap the staging folder in place of the destination."""
        old = None
        if self.destination.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.destination.name}.old-", dir=self.parent))
            os.rmdir(old)
            os.rename(self.destination, old)
        try:
            os.rename(self.staging, self.destination)
        except OSError:
            if old is not None:
                os.rename(old, self.destination)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


class PatchOutput:
    """The changed files of a new version, staged beside the destination and moved into it on commit.

    `commit` first hard-links every file it will replace or delete into the
    patch folder, then writes the journal (the commit point), then deletes
    and replaces file by file with `os.replace`, the marker last, so readers
    only ever see whole files. A write error after the commit point undoes
    the patch from the hard links; a killed build is rolled forward by
    `recover_interrupted()`.
    """

    def __init__(self, destination: Path) -> None:
        self.destination = destination.absolute()
        self.parent = self.destination.parent
        recover_interrupted(self.destination)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.destination.name}.patch-", dir=self.parent))
        (self.staging / MARKER).write_bytes(b"")   # the patch folder is ours
        self._files = self.staging / _FILES
        self._files.mkdir()
        self.marker = _new_marker_file(self._files / _staged_name(MARKER))
        self._journaled = False

    def write(self, path: str, data: bytes) -> None:
        # Side by side, not in folders as in the destination: a page is a folder of its own
        # ("x/index.html"), and making and removing one per page took 0.4 ms on this disk.
        _write_file(os.path.join(self._files, _staged_name(_checked(path))), data)

    def commit(self, written: Iterable[str], deleted: Iterable[str]) -> None:
        """Move the `written` files into the destination and delete `deleted` ones from it."""
        backup = self.staging / _BACKUP
        backup.mkdir()
        replace = [[path, _keep(self.destination / safe_relative(path), backup / f"r{index}")]
                   for index, path in enumerate([*written, MARKER])]
        delete = [[path, _keep(self.destination / safe_relative(path), backup / f"d{index}")]
                  for index, path in enumerate(deleted)]
        journal = {"replace": replace, "delete": delete}
        tmp = self.staging / f"{JOURNAL}.tmp"
        tmp.write_text(json.dumps(journal), encoding="utf-8")
        os.replace(tmp, self.staging / JOURNAL)
        self._journaled = True
        try:
            _roll_forward(self.destination, self.staging, journal)
        except OSError:
            (self.staging / ROLLBACK).write_bytes(b"")
            _roll_back(self.destination, self.staging, journal)
            _discard(self.staging)
            raise
        _discard(self.staging)

    def abort(self) -> None:
        """Drop the patch; once its journal is written, leave it for `recover_interrupted` to finish."""
        if not self._journaled:
            shutil.rmtree(self.staging, ignore_errors=True)


def can_patch(destination: Path) -> bool:
    """Whether a patch folder beside the destination can move files into it (one file system, no symlink)."""
    try:
        return (not destination.is_symlink()
                and os.stat(destination).st_dev == os.stat(destination.absolute().parent).st_dev)
    except OSError:
        return False


def _keep(path: Path, backup: Path) -> bool:
    """Hard-link (or copy) `path` to `backup`; False when there is no such file."""
    try:
        os.link(path, backup, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        shutil.copy2(path, backup, follow_symlinks=False)   # a file system without hard links
    return True


def _prune(destination: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to the destination while they are empty."""
    while folder != destination and folder.is_relative_to(destination):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent


def _roll_forward(destination: Path, staging: Path, journal: dict[str, Any]) -> None:
    """Apply a journal; running it again after an interruption finishes it."""
    for path, _ in journal["delete"]:
        target = destination / safe_relative(path)
        try:
            os.unlink(target)
        except (FileNotFoundError, IsADirectoryError):   # gone already, or a folder of the new version
            pass
        _prune(destination, target.parent)
    files, made = staging / _FILES, {destination}
    for path, _ in journal["replace"]:
        relative = safe_relative(path)
        staged = _staged(files, str(relative))
        if not os.path.lexists(staged):
            continue   # moved in before an interruption
        target = destination / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        os.replace(staged, target)


def _roll_back(destination: Path, staging: Path, journal: dict[str, Any]) -> None:
    """Undo a partly applied journal from its hard links; running it again finishes it."""
    files, backup = staging / _FILES, staging / _BACKUP
    for index, (path, kept) in enumerate(journal["replace"]):
        relative = safe_relative(path)
        target = destination / relative
        if kept:
            _restore(backup / f"r{index}", target)
        else:   # a new file: remove it if it was moved in, and the folders made for it
            if not os.path.lexists(_staged(files, str(relative))):
                try:
                    os.unlink(target)
                except FileNotFoundError:
                    pass
            _prune(destination, target.parent)
    for index, (path, kept) in enumerate(journal["delete"]):
        if kept:
            _restore(backup / f"d{index}", destination / safe_relative(path))


def _restore(kept: Path, target: Path) -> None:
    if os.path.lexists(kept):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(kept, target)   # a no-op when both are links to one file: nothing was replaced yet


def _discard(staging: Path) -> None:
    """Remove a patch folder, its journal first: a half-removed folder must not look committed."""
    try:
        os.unlink(staging / JOURNAL)
    except FileNotFoundError:
        pass
    shutil.rmtree(staging, ignore_errors=True)


def _read_journal(staging: Path) -> dict[str, Any] | None:
    try:
        journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(journal, dict) or not all(isinstance(journal.get(key), list) for key in ("replace", "delete")):
        return None
    try:
        for entry in (*journal["replace"], *journal["delete"]):
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
                return None
            safe_relative(entry[0])
    except ValueError:
        return None   # not a journal this builder wrote
    return journal


def _ours(folder: Path) -> bool:
    return folder.is_dir() and ((folder / MARKER).exists() or not any(folder.iterdir()))


def recover_interrupted(destination: Path) -> None:
    """Clean up after a build that was killed: restore the old output or finish a journaled patch,
    and drop staging folders."""
    destination = destination.absolute()
    parent, name = destination.parent, destination.name
    olds = sorted(parent.glob(f".{name}.old-*"))
    if not destination.exists() and olds:
        os.rename(olds.pop(), destination)
    for leftover in [*olds, *parent.glob(f".{name}.tmp-*")]:
        if _ours(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    for patch in sorted(parent.glob(f".{name}.patch-*")):
        if not _ours(patch):
            continue
        journal = _read_journal(patch)
        if journal is not None and (destination / MARKER).exists():
            if (patch / ROLLBACK).exists():
                _roll_back(destination, patch, journal)
            else:
                _roll_forward(destination, patch, journal)
        _discard(patch)
