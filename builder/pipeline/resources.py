"""The files beside the content: bundle resources and static files, with digests cached by file status.

A bundle's files (every file in its folder and below, but its Markdown) are
listed again on every build, since adding a photo to a bundle does not touch
its index.md; their digests are read only when a file's status (modification
time, size, inode) changed since the last build.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .. import __version__
from ..output.images import file_digest
from .delta_cache import EntryFile
from .loading import FileStatus, file_status


@dataclass(frozen=True)
class SiteFile:
    """A file the site publishes as it is (or derives images from)."""

    source: str        # site-relative, POSIX: "content/articles/gipfel/foto.jpg", "static/logo.png"
    path: str          # a string, not a Path: thousands are made on every build
    digest: str


class DigestCache:
    """sha256 digests of files by path and status; in memory, and in a pickle when given a file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.file: EntryFile[tuple[FileStatus, str]] = EntryFile(path, repr(("digests", __version__)))
        self.entries: dict[str, tuple[FileStatus, str]] = self.file.entries
        self.seen: dict[str, tuple[FileStatus, str]] = {}

    def digest(self, source: str, path: Path | str) -> str | None:
        status = file_status(path)
        if status is None:
            return None
        entry = self.entries.get(source)
        digest = entry[1] if entry is not None and entry[0] == status else file_digest(path)
        self.seen[source] = (status, digest)
        return digest

    def save(self) -> None:
        """Keep the digests of the files this build saw (and only those)."""
        if self.seen != self.entries:
            self.entries = dict(self.seen)
            if self.path is not None:
                self.file.save(self.entries)
        self.seen = {}


def bundle_files(bundles: Iterable[str], others: Mapping[str, list[tuple[str, str]]],
                 digests: DigestCache) -> dict[str, tuple[SiteFile, ...]]:
    """Bundle folder → its files (not its Markdown), sorted, with digests.

    `others` holds the files the content walk found beside the Markdown, by folder
    (`sources.discover`); a bundle owns those of its folder and of every folder below it.
    """
    found: dict[str, tuple[SiteFile, ...]] = {}
    folders = sorted(others)
    for bundle in bundles:
        files: list[SiteFile] = []
        start = bisect.bisect_left(folders, bundle)
        for folder in folders[start:]:
            if not folder.startswith(bundle):   # every folder with this prefix sorts together
                break
            if folder != bundle and not folder.startswith(bundle + "/"):
                continue                          # "gipfel-2" beside "gipfel"
            for source, path in others[folder]:
                digest = digests.digest(source, path)
                if digest is not None:
                    files.append(SiteFile(source, path, digest))
        found[bundle] = tuple(sorted(files, key=lambda f: f.source))
    return found


def files_by_source(bundles: Mapping[str, tuple[SiteFile, ...]],
                    static: Iterable[tuple[str, Path, str]]) -> dict[str, SiteFile]:
    """Every file a body or a lead image may show, by its site-relative path."""
    known = {f.source: f for files in bundles.values() for f in files}
    for out, path, digest in static:
        if not out.startswith("assets/"):
            known[f"static/{out}"] = SiteFile(f"static/{out}", str(path), digest)
    return known
