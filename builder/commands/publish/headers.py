"""HTTP headers for published files: Content-Type by file type, Cache-Control by pattern.

Pure functions of a site-relative path (and, for `.xml`, the file's first bytes), shared
by the object-storage target and the `_headers` file.
"""

from __future__ import annotations

import fnmatch
import mimetypes
from dataclasses import dataclass
from typing import Sequence

_UTF8 = "; charset=utf-8"
# What the build writes, spelled out: the platform's mime.types differs between machines.
_TYPES = {
    ".html": "text/html" + _UTF8, ".htm": "text/html" + _UTF8,
    ".css": "text/css" + _UTF8, ".js": "text/javascript" + _UTF8, ".mjs": "text/javascript" + _UTF8,
    ".json": "application/json", ".webmanifest": "application/manifest+json",
    ".txt": "text/plain" + _UTF8, ".md": "text/markdown" + _UTF8, ".conf": "text/plain" + _UTF8,
    ".svg": "image/svg+xml", ".webp": "image/webp", ".avif": "image/avif", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".ico": "image/x-icon",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".wasm": "application/wasm", ".pdf": "application/pdf", ".gz": "application/gzip", ".br": "application/x-brotli",
    ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
    # Pagefind's index: binary chunks its own script fetches.
    ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream", ".pagefind": "application/octet-stream",
}
# Names without a useful suffix that hosts read.
_NAMED = {"_redirects": "text/plain" + _UTF8, "_headers": "text/plain" + _UTF8,
          "CNAME": "text/plain" + _UTF8}
# Worth compressing: text. Images, fonts (woff2 is compressed already) and Pagefind's chunks are not.
_TEXT_TYPES = ("text/", "application/json", "application/manifest+json", "application/xml",
               "application/atom+xml", "application/rss+xml", "image/svg+xml", "application/wasm")

SHORT = "public, max-age=300"
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class CacheRule:
    """Files whose site-relative path matches `pattern` (a glob; `*` also crosses `/`)."""

    pattern: str
    cache_control: str

    def matches(self, rel: str) -> bool:
        return fnmatch.fnmatchcase(rel, self.pattern)


# Used after the configured rules. Pages and feeds change with every article; Pagefind's
# chunks and the theme's assets carry their content's digest in their names.
DEFAULT_CACHE = (
    CacheRule("*.html", SHORT), CacheRule("*.xml", SHORT), CacheRule("*.json", SHORT),
    CacheRule("pagefind/fragment/*", IMMUTABLE), CacheRule("pagefind/index/*", IMMUTABLE),
    CacheRule("pagefind/*/fragment/*", IMMUTABLE), CacheRule("pagefind/*/index/*", IMMUTABLE),   # shards
    CacheRule("pagefind/*.pf_meta", IMMUTABLE), CacheRule("pagefind/shards.js", SHORT),
    CacheRule("assets/*", IMMUTABLE),
    CacheRule("*", "public, max-age=3600"),
)


def content_type(rel: str, head: bytes = b"") -> str:
    """The Content-Type for a site file; `head` (its first bytes) tells feeds from other XML."""
    name = rel.rsplit("/", 1)[-1]
    if name in _NAMED:
        return _NAMED[name]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == ".xml":
        return _xml_type(head)
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def _xml_type(head: bytes) -> str:
    text = head[:1024]
    if b"<feed" in text:
        return "application/atom+xml" + _UTF8
    if b"<rss" in text:
        return "application/rss+xml" + _UTF8
    return "application/xml" + _UTF8


def is_text(content_type_: str) -> bool:
    """Whether a type is worth gzip (text, JSON, XML, SVG)."""
    return content_type_.startswith(_TEXT_TYPES) or content_type_.split(";")[0].endswith("+xml")


def cache_control(rel: str, rules: Sequence[CacheRule] = ()) -> str:
    """The first matching configured rule's Cache-Control, else the first matching default."""
    for rule in (*rules, *DEFAULT_CACHE):
        if rule.matches(rel):
            return rule.cache_control
    return DEFAULT_CACHE[-1].cache_control


def is_page(rel: str) -> bool:
    """Pages and feeds: uploaded after every asset they may point at."""
    return rel.endswith((".html", ".htm", ".xml"))


HEADERS_FILE = "_headers"


def headers_file(base_path: str = "/", own: str = "") -> bytes:
    """`_headers` for Netlify and Cloudflare Pages: files named by their content cached for good,
    safe defaults for every answer. A `_headers` the site has (from `static/`) comes first."""
    base = base_path if base_path.endswith("/") else base_path + "/"
    lines = [own.rstrip("\n")] if own.strip() else []
    lines += ["# Written by builder's publish step.",
              f"{base}*", "  X-Content-Type-Options: nosniff", "  Referrer-Policy: strict-origin-when-cross-origin"]
    for folder in ("assets", "pagefind/fragment", "pagefind/index"):
        lines += [f"{base}{folder}/*", f"  Cache-Control: {IMMUTABLE}"]
    return ("\n".join(lines) + "\n").encode()
