"""What every publish target shares: the error, the plan and the walk over a built site."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# Never published, never deleted inside a target (a gh-pages checkout keeps its .git).
PROTECTED = frozenset({".git"})
# The build's own marker file: says "a builder wrote this folder", means nothing to a web server.
BUILD_MARKER = ".builder-output"


class PublishError(Exception):
    """Publishing was refused or failed; the message says why (and what to do)."""


@dataclass(frozen=True)
class PublishPlan:
    """Site-relative POSIX paths, sorted, that a publish adds, changes and removes."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        """`+ path`, `~ path`, `- path`: the plan as a `--dry-run` prints it."""
        return ([f"+ {p}" for p in self.added] + [f"~ {p}" for p in self.changed]
                + [f"- {p}" for p in self.removed])


def existing_site(site_dir: Path) -> Path:
    """The built site's folder, resolved, or PublishError if there is none."""
    site = Path(site_dir).expanduser().resolve()
    if not site.is_dir():
        raise PublishError(f"built site {site} does not exist: run the build first")
    return site


def site_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every file below root but .git; symlinks count as files."""
    stack = [("", str(root))]
    while stack:   # os.scandir, not os.walk: a publish walks 10,000s of files every time
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if not entry.is_dir(follow_symlinks=False):
                    yield rel, Path(entry.path)
                elif prefix or entry.name not in PROTECTED:
                    stack.append((rel + "/", entry.path))


def digest(path: Path) -> bytes:
    """SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()
