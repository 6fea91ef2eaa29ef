"""What the preview server answers: a request mapped to a `Response`, without sockets.

The preview never touches the file system: it answers from a `Snapshot` (the
complete output of the last good build), so nothing of the source folder
(symlinks, directory listings, drafts on disk) can leak. `resolve()` is pure,
so the security rules (Host check, path decoding, redirects) are testable on
their own; `builder.preview.server` runs the server around it.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import mimetypes
import socket
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping
from urllib.parse import quote, unquote

from .texts import preview_texts

LIVERELOAD_PREFIX = "/__livereload/"
CLIENT_PATH = LIVERELOAD_PREFIX + "client.js"
EVENTS_PATH = LIVERELOAD_PREFIX + "events"
STATE_PATH = LIVERELOAD_PREFIX + "state"

_EMPTY_FILES: Mapping[str, bytes] = MappingProxyType({})
_TYPES = mimetypes.MimeTypes()  # the stdlib defaults only, not /etc/mime.types: same answer everywhere
for _type, _ext in (("text/javascript", ".js"), ("text/javascript", ".mjs"), ("font/woff2", ".woff2"),
                    ("font/woff", ".woff"), ("application/manifest+json", ".webmanifest"),
                    ("image/svg+xml", ".svg"), ("image/webp", ".webp"), ("image/avif", ".avif"),
                    ("application/wasm", ".wasm"), ("text/markdown", ".md"),
                    ("application/pagefind", ".pf_meta"), ("application/pagefind", ".pf_fragment"),
                    ("application/pagefind", ".pf_index"), ("application/pagefind", ".pagefind")):
    _TYPES.add_type(_type, _ext)
_TEXT_TYPES = frozenset({"application/javascript", "application/json", "application/xml",
                         "image/svg+xml", "application/manifest+json", "application/rss+xml",
                         "application/atom+xml"})


def content_type(path: str) -> str:
    """The Content-Type for a site path; text types get `charset=utf-8`."""
    kind, _encoding = _TYPES.guess_type(path, strict=False)
    if kind is None:
        return "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


def normalize_base_path(base_path: str) -> str:
    """'/zeitung' or 'zeitung/' → '/zeitung/'; never starts with '//' (no protocol-relative URLs)."""
    inner = base_path.strip("/")
    return f"/{inner}/" if inner else "/"


@dataclass(frozen=True)
class Snapshot:
    """One complete build output, served as a whole: site path → bytes."""

    files: Mapping[str, bytes] = field(default_factory=lambda: _EMPTY_FILES)
    base_path: str = "/"
    build: str = "0"          # changes with every build that changed output; tabs compare it
    language: str = "en"      # the site's: the preview's own pages and overlay speak it too

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_path", normalize_base_path(self.base_path))


@dataclass(frozen=True)
class Response:
    """What the server sends for one request."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header `name` (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def _text(status: int, message: str) -> Response:
    body = (message + "\n").encode("utf-8")
    return Response(status, (("Content-Type", "text/plain; charset=utf-8"),
                             ("Cache-Control", "no-store")), body)


def etag_of(body: bytes) -> str:
    """A strong ETag from the content hash."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in candidates or any(tag.removeprefix("W/") == etag for tag in candidates)


def client_tag(build: str) -> bytes:
    """The script tag the server injects into every HTML response."""
    return f'<script src="{CLIENT_PATH}" data-build="{build}" defer></script>'.encode("ascii")


def inject_client(html: bytes, build: str) -> bytes:
    """Insert the live-reload script before the last `</body>` (or at the end)."""
    tag = client_tag(build)
    at = html.lower().rfind(b"</body>")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


def host_allowed(host: str | None, bind: str) -> bool:
    """True for Host headers that name this machine's loopback or the bind address.

    A DNS-rebinding page reaches us under its own domain name, which we refuse.
    """
    if not host:
        return False
    host = host.strip().lower()
    if host.startswith("["):
        name, sep, rest = host[1:].partition("]")
        if not sep or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return False
    else:
        name, sep, port = host.partition(":")
        if sep and not port.isdigit():
            return False
    if name in {"localhost", "127.0.0.1", "::1", bind.lower()} or name.endswith(".localhost"):
        return True
    if bind in {"0.0.0.0", "::"}:
        # Bound to every interface on purpose: other machines use our IP address
        # (an IP literal cannot be rebound) or our host name.
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return name in {socket.gethostname().lower(), socket.getfqdn().lower()}
    return False


def _fallback_404(language: str) -> bytes:
    title = html.escape(preview_texts(language)["not_found"])
    return (f'<!doctype html><html lang="{html.escape(language)}"><meta charset="utf-8"><title>{title}</title>'
            f'<body><h1>404 – {title}</h1></body></html>').encode("utf-8")


def _not_found(snapshot: Snapshot) -> Response:
    # HTML even without the site's own 404.html, so the live-reload script (and
    # its error overlay) also reaches a tab that asked for a page not yet built.
    page = snapshot.files.get("404.html") or _fallback_404(snapshot.language)
    body = inject_client(page, snapshot.build)
    return Response(404, (("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")), body)


def _redirect(status: int, location: str) -> Response:
    return Response(status, (("Location", location), ("Cache-Control", "no-store"),
                             ("Content-Type", "text/plain; charset=utf-8")), b"")


def resolve(snapshot: Snapshot, target: str, *, host: str | None = "localhost", bind: str = "127.0.0.1",
            if_none_match: str | None = None) -> Response:
    """Answer a GET for the request target `target` (path and query, as sent) from `snapshot`.

    The path is percent-decoded exactly once; dot segments, backslashes, NUL and
    other control characters are refused; only files in the snapshot are served.
    """
    if not host_allowed(host, bind):
        return _text(400, "400 Bad Request: Host header not allowed")
    if not target.startswith("/"):
        return _text(400, "400 Bad Request")
    raw_path, _, query = target.partition("?")
    raw_path = raw_path.partition("#")[0]
    if "\\" in raw_path or "%5c" in raw_path.lower():
        return _text(400, "400 Bad Request")
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return _text(400, "400 Bad Request")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return _text(400, "400 Bad Request")
    segments = path.split("/")
    if any(seg in {".", ".."} for seg in segments):
        return _text(403, "403 Forbidden")

    base = snapshot.base_path
    if not path.startswith(base):
        if path in {"/", base.rstrip("/")}:
            return _redirect(302, base)
        return _not_found(snapshot)
    key = path[len(base):]
    if key == "" or key.endswith("/"):
        key += "index.html"
    body = snapshot.files.get(key)
    if body is None:
        if snapshot.files.get(key + "/index.html") is not None:
            # Relative, and "./" keeps a segment like "evil.com" or "x:" from reading as a host or scheme.
            location = "./" + quote(segments[-1]) + "/" + (f"?{query}" if query else "")
            return _redirect(301, location)
        return _not_found(snapshot)
    kind = content_type(key)
    if kind.startswith("text/html"):
        body = inject_client(body, snapshot.build)
    etag = etag_of(body)
    headers = (("Content-Type", kind), ("ETag", etag), ("Cache-Control", "no-cache"))
    if _etag_matches(if_none_match, etag):
        return Response(304, headers[1:])
    return Response(200, headers, body)
