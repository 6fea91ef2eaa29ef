"""The files beside the content: bundle resources, static files and theme assets, with their digests;
and what templates get of them and of the whole site (`template_globals`).

A bundle's files (every file in its folder and below, but its Markdown) are
listed again on every build, since adding a photo to a bundle does not touch
its index.md; their digests are read only when a file's status (modification
time, size, inode, change time) changed since the last build.
"""

from __future__ import annotations

import bisect
import hashlib
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .. import __version__
from ..content.sources import is_ignored_name
from ..output.image_files import teaser_html
from ..output.images import file_digest
from ..output.specs import LinkedSite
from ..output.templates import FragmentMemo, Renderer, template_folders
from .delta_cache import EntryFile
from .load_cache import FileStatus, file_status


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


def static_files(source: Path, fingerprint_assets: bool = False) -> tuple[tuple[str, Path, str], ...]:
    """Theme assets (→ /assets/) and the site's static/ folder (→ /), with digests.

    With `fingerprint_assets`, a theme asset's name carries its digest
    ("assets/style.3fa2c1d0.css"), so that it can be cached for good.
    """
    found: dict[str, tuple[str, Path, str]] = {}
    folders = [(folder / "assets", "assets/") for folder in reversed(template_folders(source))]
    folders.append((source / "static", ""))
    root = source.resolve()
    for folder, prefix in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not path.is_file() or any(is_ignored_name(part) for part in rel.parts):
                continue
            if folder.parent != root.parent and not path.resolve().is_relative_to(root) and prefix == "":
                continue  # a symlink in static/ that leaves the site
            data = path.read_bytes()
            out = prefix + rel.as_posix()
            digest = hashlib.sha256(data).hexdigest()
            found[out] = (fingerprinted(out, digest) if prefix and fingerprint_assets else out, path, digest)
    return tuple(found[k] for k in sorted(found))


def fingerprinted(path: str, digest: str) -> str:
    """"assets/style.css" with its digest in the name: "assets/style.3fa2c1d0.css"."""
    stem, dot, suffix = path.rpartition(".")
    return f"{stem}.{digest[:8]}.{suffix}" if dot and "/" not in suffix else f"{path}.{digest[:8]}"


def asset_paths(source: Path, statics: Iterable[tuple[str, Path, str]]) -> dict[str, str]:
    """Theme asset name ("style.css") → its path in the site ("assets/style.3fa2c1d0.css")."""
    folders = [folder / "assets" for folder in template_folders(source)]
    found: dict[str, str] = {}
    for out, path, _ in statics:
        if out.startswith("assets/"):
            folder = next((f for f in folders if path.is_relative_to(f)), None)
            if folder is not None:
                found.setdefault(path.relative_to(folder).as_posix(), out)
    return found


def files_by_source(bundles: Mapping[str, tuple[SiteFile, ...]],
                    static: Iterable[tuple[str, Path, str]]) -> dict[str, SiteFile]:
    """Every file a body or a lead image may show, by its site-relative path."""
    known = {f.source: f for files in bundles.values() for f in files}
    for out, path, digest in static:
        if not out.startswith("assets/"):
            known[f"static/{out}"] = SiteFile(f"static/{out}", str(path), digest)
    return known


def template_globals(renderer: Renderer, site: LinkedSite, assets: Mapping[str, str]) -> None:
    """What every template may show of the whole site: menus, bylines, teaser photos, theme assets.

    Fingerprints cover them (menus in the settings digest, bylines in each article's card). The site
    through a weak reference: every render's Jinja context outlives it in a reference cycle, and a site
    held there waits for the cyclic collector after the build (1.5 s at 100,000 articles) instead of
    going at once."""
    view = weakref.proxy(site)
    renderer.set_globals(dict(menus=site.menus, byline=lambda article: view.byline(article),
                              teaser_image=teaser_html(view, renderer.urls.url), remember=FragmentMemo(),
                              asset=lambda name: renderer.urls.url("/" + assets.get(name, f"assets/{name}"))))
