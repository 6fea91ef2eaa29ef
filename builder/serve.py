"""The preview's HTTP server: serves the in-memory site and pushes live-reload events.

The server never touches the file system: it answers from a `Snapshot` (the
complete output of the last good build), so nothing of the source folder
(symlinks, directory listings, drafts on disk) can leak. `LiveState` holds the
current snapshot and a short log of live-reload messages; the builder thread
swaps in a new snapshot (one reference assignment) and appends a message, and
every open event stream wakes up and forwards it to its tab.

`resolve()` maps a request to a `Response` and is pure, so the security rules
(Host check, path decoding, redirects) are testable without sockets.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import mimetypes
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import quote, unquote

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


_FALLBACK_404 = ('<!doctype html><html lang="de"><meta charset="utf-8"><title>Seite nicht gefunden</title>'
                 '<body><h1>404 – Seite nicht gefunden</h1></body></html>').encode("utf-8")


def _not_found(snapshot: Snapshot) -> Response:
    # HTML even without the site's own 404.html, so the live-reload script (and
    # its error overlay) also reaches a tab that asked for a page not yet built.
    page = snapshot.files.get("404.html", _FALLBACK_404)
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
        return _text(400, "400 Ungültiger Host-Header")
    if not target.startswith("/"):
        return _text(400, "400 Ungültige Anfrage")
    raw_path, _, query = target.partition("?")
    raw_path = raw_path.partition("#")[0]
    if "\\" in raw_path or "%5c" in raw_path.lower():
        return _text(400, "400 Ungültige Anfrage")
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return _text(400, "400 Ungültige Anfrage")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return _text(400, "400 Ungültige Anfrage")
    segments = path.split("/")
    if any(seg in {".", ".."} for seg in segments):
        return _text(403, "403 Zugriff verweigert")

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


@dataclass
class LiveState:
    """The snapshot being served plus the live-reload messages for open tabs.

    Messages are JSON-ready dicts with a "type": "reload" (with "navigate":
    a path or None), "css", "error" (with "diagnostics"). `state_message()` is
    what a newly connected tab gets first.
    """

    snapshot: Snapshot = field(default_factory=Snapshot)
    ok: bool = True
    diagnostics: tuple[dict[str, Any], ...] = ()
    keepalive: float = 15.0
    _seq: int = field(default=0, init=False)
    _log: deque[tuple[int, dict[str, Any]]] = field(default_factory=lambda: deque(maxlen=64), init=False)
    _cond: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)
    _closed: bool = field(default=False, init=False)
    _listeners: int = field(default=0, init=False)

    def update(self, snapshot: Snapshot, *, ok: bool, diagnostics: tuple[dict[str, Any], ...] = (),
               message: dict[str, Any] | None = None) -> None:
        """Swap in a new snapshot and status and, if given, broadcast `message`."""
        with self._cond:
            self.snapshot = snapshot
            self.ok = ok
            self.diagnostics = diagnostics
            if message is not None:
                self._seq += 1
                self._log.append((self._seq, message))
            self._cond.notify_all()

    def state_message(self) -> tuple[int, dict[str, Any]]:
        """The current status for a tab that just connected, and the message number it is at."""
        with self._cond:
            return self._seq, {"type": "state", "ok": self.ok, "build": self.snapshot.build,
                               "diagnostics": list(self.diagnostics)}

    def wait_messages(self, after: int, timeout: float) -> tuple[int, list[dict[str, Any]]] | None:
        """Messages numbered after `after` (waiting up to `timeout`), or None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._seq > after, timeout)
            if self._closed:
                return None
            if self._seq == after:
                return after, []
            if not self._log or self._log[0][0] > after + 1:
                # The tab fell behind the log: a reload catches it up.
                return self._seq, [{"type": "reload", "navigate": None, "build": self.snapshot.build}]
            return self._seq, [message for seq, message in self._log if seq > after]

    def listening(self, delta: int) -> None:
        """Count open event streams (so shutdown can wait for them)."""
        with self._cond:
            self._listeners += delta
            self._cond.notify_all()

    def wait_listeners(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` event streams are open (tests, benchmarks); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._listeners >= count, timeout)

    @property
    def listeners(self) -> int:
        with self._cond:
            return self._listeners

    def close(self, timeout: float = 2.0) -> bool:
        """Wake every event stream so it ends; True if all ended within `timeout`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            return self._cond.wait_for(lambda: self._listeners == 0, timeout)


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves `server.state` (a LiveState); GET and HEAD only."""

    server: "PreviewServer"
    server_version = "builder-preview"
    sys_version = ""
    protocol_version = "HTTP/1.0"
    timeout = 10  # a half-sent request must not hold a thread (and shutdown) forever

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _answer(self, *, head: bool) -> None:
        state = self.server.state
        host = self.headers.get("Host")
        path = self.path.partition("?")[0]
        if path in (CLIENT_PATH, EVENTS_PATH, STATE_PATH) and host_allowed(host, self.server.bind):
            if path == CLIENT_PATH:
                self._send(Response(200, (("Content-Type", "text/javascript; charset=utf-8"),
                                          ("Cache-Control", "no-cache"),
                                          ("ETag", etag_of(CLIENT_JS_BYTES))), CLIENT_JS_BYTES), head)
            elif path == STATE_PATH:
                body = json.dumps(state.state_message()[1], ensure_ascii=False).encode("utf-8")
                self._send(Response(200, (("Content-Type", "application/json; charset=utf-8"),
                                          ("Cache-Control", "no-store")), body), head)
            elif head:
                self._send(Response(200, (("Content-Type", "text/event-stream"),)), head)
            else:
                self._stream_events(state)
            return
        snapshot = state.snapshot  # read once: this request sees one whole build
        response = resolve(snapshot, self.path, host=host, bind=self.server.bind,
                           if_none_match=self.headers.get("If-None-Match"))
        self._send(response, head)

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("X-Content-Type-Options", "nosniff")
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head and response.status != 304:
            self.wfile.write(response.body)

    def _stream_events(self, state: LiveState) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        state.listening(+1)
        try:
            seq, hello = state.state_message()
            self.wfile.write(b"retry: 500\n\n" + _sse(hello))
            self.wfile.flush()
            while True:
                answer = state.wait_messages(seq, state.keepalive)
                if answer is None:
                    return
                seq, messages = answer
                chunk = b"".join(_sse(m) for m in messages) or b": keep-alive\n\n"
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return  # the tab went away
        finally:
            state.listening(-1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass  # one line per request drowns the build messages


def _sse(message: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n\n"


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server bound to `bind`, serving a LiveState."""

    daemon_threads = True     # a stuck client never keeps the process alive ...
    block_on_close = False    # ... and server_close() joins the handlers itself, with a bound

    def __init__(self, state: LiveState, bind: str = "127.0.0.1", port: int = 8000) -> None:
        self.state = state
        self.bind = bind
        self._handlers: set[threading.Thread] = set()
        self._handlers_lock = threading.Lock()
        if ":" in bind:
            self.address_family = socket.AF_INET6
        super().__init__((bind, port), PreviewHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._handle_in_thread, args=(request, client_address),
                                  name="preview-request", daemon=True)
        with self._handlers_lock:
            self._handlers.add(thread)
        thread.start()

    def _handle_in_thread(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._handlers_lock:
                self._handlers.discard(threading.current_thread())

    def server_close(self, timeout: float = 5.0) -> None:
        """Close the socket and join the request threads (each gets what is left of `timeout`)."""
        super().server_close()
        deadline = time.monotonic() + timeout
        with self._handlers_lock:
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join(max(0.0, deadline - time.monotonic()))


class RunningServer:
    """A PreviewServer on its own thread; `stop()` ends streams, the loop and every handler thread.

    With `start=False` the port is bound (so a busy port fails early) but
    requests wait in the socket's backlog until `start()`.
    """

    def __init__(self, state: LiveState, bind: str = "127.0.0.1", port: int = 8000, *,
                 start: bool = True) -> None:
        self.state = state
        self.httpd = PreviewServer(state, bind, port)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="preview-http", daemon=True)
        if start:
            self.start()

    def start(self) -> None:
        """Start answering requests."""
        self._thread.start()

    @property
    def port(self) -> int:
        return self.httpd.port

    def url(self, host: str | None = None) -> str:
        """The URL of the site's home page."""
        bind = self.httpd.bind
        if host is None:
            host = "127.0.0.1" if bind in {"0.0.0.0", ""} else ("localhost" if bind == "::" else bind)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.state.snapshot.base_path}"

    def stop(self) -> None:
        """Stop serving and join the server thread and all handler threads."""
        self.state.close()
        if self._thread.is_alive():
            self.httpd.shutdown()   # waits for serve_forever, so only when it runs
        self.httpd.server_close()   # joins the handler threads
        if self._thread.ident is not None:
            self._thread.join()


# The browser side of live reload lives in livereload.js beside this module.
CLIENT_JS_BYTES = (Path(__file__).parent / "livereload.js").read_bytes()
