"""Files the publish step adds to what the build wrote: redirect and header files, `.gz` and `.br` siblings.

They never go into the build's own folder (the build owns it); targets get them as bytes
(S3) or in a temporary folder rsync reads beside the site (SSH).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from .common import site_files
from .headers import HEADERS_FILE, content_type, headers_file, is_text
from .redirects import redirect_files

_MIN_GZIP = 256   # smaller files are not worth a second request-able copy


def extra_files(site: Path, *, base_path: str = "/", redirects: bool = True, precompress: bool = False,
                found: dict[str, str] | None = None) -> dict[str, bytes]:
    """Site-relative path → bytes of every file the publish adds to the built site.

    `found` (alias page → target) saves reading the pages again when the caller has.
    """
    extras = redirect_files(site, base_path, found) if redirects else {}
    if precompress:
        sources = {rel: path.read_bytes() for rel, path in site_files(site) if not path.is_symlink()}
        sources.update(extras)
        for rel, data in sorted(sources.items()):
            packed = gzipped(rel, data)
            if packed is not None and rel + ".gz" not in sources:
                extras[rel + ".gz"] = packed
            packed = brotli_compressed(rel, data)
            if packed is not None and rel + ".br" not in sources:
                extras[rel + ".br"] = packed
    if redirects:   # the hosts that read _redirects read _headers too (no .gz: hosts read them plain)
        own = site / HEADERS_FILE
        extras[HEADERS_FILE] = headers_file(base_path, own.read_text(encoding="utf-8") if own.is_file() else "")
    return extras


def gzipped(rel: str, data: bytes) -> bytes | None:
    """`data` gzip-compressed, byte for byte the same every time; None if not text or no gain."""
    if rel.endswith((".gz", ".br")) or len(data) < _MIN_GZIP or not is_text(content_type(rel, data[:1024])):
        return None
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    return packed if len(packed) < len(data) else None


def brotli_compressed(rel: str, data: bytes) -> bytes | None:
    """`data` brotli-compressed (for nginx's brotli_static), or None if not text or no gain."""
    if rel.endswith((".gz", ".br")) or len(data) < _MIN_GZIP or not is_text(content_type(rel, data[:1024])):
        return None
    import brotli   # Google's reference library; only a publish with --precompress needs it
    packed = brotli.compress(data, quality=11)
    return packed if len(packed) < len(data) else None


def write_extras(extras: dict[str, bytes], folder: Path) -> None:
    """Lay the extra files out below `folder` (a temporary folder for rsync)."""
    for rel, data in extras.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o644)
