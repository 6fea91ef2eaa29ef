"""Writing the built site atomically: a staging folder beside the destination, then a swap.

A failed or interrupted build never touches the previous output. Unchanged
files are hard-linked from the previous output instead of rewritten. The
destination carries a marker file so the builder only ever replaces folders
it made itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

MARKER = ".builder-output"


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


class StagedOutput:
    """A new version of the destination, built beside it and swapped in on commit."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination.absolute()
        self.parent = self.destination.parent
        self.parent.mkdir(parents=True, exist_ok=True)
        recover_interrupted(self.destination)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.destination.name}.tmp-", dir=self.parent))
        self._dirs: set[Path] = {self.staging}
        (self.staging / MARKER).write_bytes(b"")

    def _target(self, path: str) -> Path:
        target = self.staging / safe_relative(path)
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def write(self, path: str, data: bytes) -> None:
        self._target(path).write_bytes(data)

    def reuse(self, path: str) -> bool:
        """Hard-link the previous output's file; False when there is none to reuse."""
        old = self.destination / safe_relative(path)
        try:
            os.link(old, self._target(path))
            return True
        except FileNotFoundError:
            return False
        except OSError:
            try:
                shutil.copy2(old, self._target(path))
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
        os.rename(self.staging, self.destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def recover_interrupted(destination: Path) -> None:
    """Clean up after a build that was killed: restore the old output, drop staging folders."""
    parent, name = destination.parent, destination.name
    olds = sorted(parent.glob(f".{name}.old-*"))
    if not destination.exists() and olds:
        os.rename(olds.pop(), destination)
    for leftover in [*olds, *parent.glob(f".{name}.tmp-*")]:
        if leftover.is_dir() and (leftover / MARKER).exists() or leftover.is_dir() and not any(leftover.iterdir()):
            shutil.rmtree(leftover, ignore_errors=True)
