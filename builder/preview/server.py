"""The preview's HTTP server: serves the in-memory site and pushes live-reload events.

Every request is answered by `responses.resolve()` from the `Snapshot` of the
last good build, never from the file system. `LiveState` holds the current
snapshot and a short log of live-reload messages; the builder thread swaps in
a new snapshot (one reference assignment) and appends a message, and every
open event stream wakes up and forwards it to its tab.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .responses import (
    CLIENT_PATH,
    EVENTS_PATH,
    STATE_PATH,
    Response,
    Snapshot,
    etag_of,
    host_allowed,
    resolve,
)
from .texts import preview_texts


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
                               "diagnostics": list(self.diagnostics),
                               "texts": dict(preview_texts(self.snapshot.language))}

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
