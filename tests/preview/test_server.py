"""The preview server, without a browser: what it serves, what it refuses, what it pushes."""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Collection, Iterator, Mapping
from urllib.parse import urljoin, urlsplit

import pytest
import lxml.html

from builder.errors import Diagnostic
from builder.preview.responses import (
    CLIENT_PATH,
    EVENTS_PATH,
    STATE_PATH,
    Snapshot,
    client_tag,
    content_type,
    host_allowed,
    inject_client,
    resolve,
)
from builder.preview.server import LiveState, RunningServer
from builder.preview.session import Preview, message_for, navigate_target, site_url
from builder.preview.texts import preview_texts
from builder.preview.watch import Change
from conftest import REPO

ARTICLE = ('<!doctype html><html lang="de"><head><title>NATO antwortet</title>'
           '<link rel="stylesheet" href="/assets/style.css"></head>'
           '<body><h1>Die NATO antwortet Moskau</h1></body></html>').encode("utf-8")
NOT_FOUND = '<!doctype html><html lang="de"><body><h1>Seite nicht gefunden</h1></body></html>'.encode()
FILES: dict[str, bytes] = {
    "index.html": "<html><body><h1>Startseite</h1></body></html>".encode(),
    "artikel/nato-antwort/index.html": ARTICLE,
    "404.html": NOT_FOUND,
    "assets/style.css": b"body { font-family: Georgia, serif; }\n",
    "assets/glossary.js": b"document.documentElement.dataset.js = 'ja';\n",
    "suche/index.json": '{"titel": "Sanktionen"}'.encode(),
    "bilder/karte.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "bilder/kreml.png": b"\x89PNG\r\n\x1a\n",
    "schriften/text.woff2": b"wOF2",
    "evil.com/index.html": b"<html><body>Gleichnamiger Ordner</body></html>",
    "feed.xml": b"<?xml version='1.0'?><rss/>",
}
BUILD = "test.1"


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Server:
    running: RunningServer
    state: LiveState
    port: int
    open_connections: list[http.client.HTTPConnection] = field(default_factory=list)

    def request(self, target: str, *, method: str = "GET", host: str | None = "default",
                headers: Mapping[str, str] | None = None) -> Answer:
        """Send `target` exactly as given (no client-side normalisation)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            if host == "default":
                host = f"127.0.0.1:{self.port}"
            if host is not None:
                conn.putheader("Host", host)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            body = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        finally:
            conn.close()


@pytest.fixture
def server() -> Iterator[Server]:
    state = LiveState(Snapshot(FILES, "/", BUILD), keepalive=0.2)
    running = RunningServer(state, "127.0.0.1", 0)
    try:
        yield Server(running, state, running.port)
    finally:
        running.stop()


@pytest.fixture
def zeitung() -> Iterator[Server]:
    """A site built with base_url https://example.org/zeitung/."""
    state = LiveState(Snapshot(FILES, "/zeitung/", BUILD))
    running = RunningServer(state, "127.0.0.1", 0)
    try:
        yield Server(running, state, running.port)
    finally:
        running.stop()


# --- content types, HEAD, conditional GET -------------------------------------------------

@pytest.mark.parametrize(("path", "expected"), [
    ("/artikel/nato-antwort/", "text/html; charset=utf-8"),
    ("/assets/style.css", "text/css; charset=utf-8"),
    ("/assets/glossary.js", "text/javascript; charset=utf-8"),
    ("/suche/index.json", "application/json; charset=utf-8"),
    ("/bilder/karte.svg", "image/svg+xml; charset=utf-8"),
    ("/bilder/kreml.png", "image/png"),
    ("/schriften/text.woff2", "font/woff2"),
    ("/feed.xml", "text/xml; charset=utf-8"),
])
def test_content_types(server: Server, path: str, expected: str) -> None:
    answer = server.request(path)
    assert answer.status == 200
    assert answer.header("Content-Type") == expected
    assert answer.header("X-Content-Type-Options") == "nosniff"


def test_unknown_extension_is_octet_stream() -> None:
    assert content_type("daten/archiv.xyz123") == "application/octet-stream"


def test_static_files_are_served_byte_for_byte(server: Server) -> None:
    answer = server.request("/assets/style.css")
    assert answer.body == FILES["assets/style.css"]
    assert answer.header("Content-Length") == str(len(FILES["assets/style.css"]))


def test_head_sends_the_headers_of_get_without_a_body(server: Server) -> None:
    get = server.request("/artikel/nato-antwort/")
    head = server.request("/artikel/nato-antwort/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.header("Content-Length") == str(len(get.body))
    assert head.header("ETag") == get.header("ETag")
    assert head.header("Content-Type") == "text/html; charset=utf-8"


def test_etag_and_if_none_match_give_304(server: Server) -> None:
    first = server.request("/assets/style.css")
    etag = first.header("ETag")
    assert etag is not None and etag.startswith('"') and etag.endswith('"')
    again = server.request("/assets/style.css", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.header("ETag") == etag
    weak = server.request("/assets/style.css", headers={"If-None-Match": f'"alt", W/{etag}'})
    assert weak.status == 304
    stale = server.request("/assets/style.css", headers={"If-None-Match": '"veraltet"'})
    assert stale.status == 200
    assert stale.body == FILES["assets/style.css"]


def test_etag_changes_with_the_content(server: Server) -> None:
    before = server.request("/assets/style.css").header("ETag")
    files = dict(FILES, **{"assets/style.css": b"body { color: navy; }\n"})
    server.state.update(Snapshot(files, "/", "test.2"), ok=True)
    after = server.request("/assets/style.css", headers={"If-None-Match": before or ""})
    assert after.status == 200
    assert after.header("ETag") != before


def test_missing_page_gets_the_sites_404_page_with_status_404(server: Server) -> None:
    answer = server.request("/artikel/gibt-es-nicht/")
    assert answer.status == 404
    assert answer.header("Content-Type") == "text/html; charset=utf-8"
    assert answer.body == inject_client(NOT_FOUND, BUILD)


def test_without_a_404_page_there_is_still_an_html_page_with_the_script() -> None:
    answer = resolve(Snapshot({"index.html": b"<html></html>"}, "/", "b.1"), "/fehlt")
    assert answer.status == 404
    assert b"Page not found" in answer.body
    assert client_tag("b.1") in answer.body


# --- refusing what is not in the snapshot ------------------------------------------------

@pytest.mark.parametrize(("target", "status", "body"), [
    ("/../etc/passwd", 403, b"403 Forbidden\n"),
    ("/artikel/../../etc/passwd", 403, b"403 Forbidden\n"),
    ("/%2e%2e/", 403, b"403 Forbidden\n"),
    ("/%2E%2E/%2e%2e/etc/passwd", 403, b"403 Forbidden\n"),
    ("/..%2f..%2fetc%2fpasswd", 403, b"403 Forbidden\n"),
    ("/./index.html", 403, b"403 Forbidden\n"),
    ("/..\\..\\etc\\passwd", 400, b"400 Bad Request\n"),
    ("/%5c..%5cetc%5cpasswd", 400, b"400 Bad Request\n"),
    ("/index.html%00.css", 400, b"400 Bad Request\n"),
    ("/%00", 400, b"400 Bad Request\n"),
    ("/%0d%0aSet-Cookie:%20x=1", 400, b"400 Bad Request\n"),
    ("/%ff%fe", 400, b"400 Bad Request\n"),
    ("http://evil.example/index.html", 400, b"400 Bad Request\n"),
])
def test_traversal_and_malformed_paths_are_refused(server: Server, target: str, status: int,
                                                   body: bytes) -> None:
    answer = server.request(target)
    assert answer.status == status
    assert answer.body == body


@pytest.mark.parametrize("target", ["/%252e%252e/etc/passwd", "/etc/passwd", "//etc/passwd",
                                    "/artikel//nato-antwort/"])
def test_paths_are_decoded_once_and_only_snapshot_files_exist(server: Server, target: str) -> None:
    answer = server.request(target)
    assert answer.status == 404
    assert answer.body == inject_client(NOT_FOUND, BUILD)


def test_error_bodies_leak_no_absolute_paths(server: Server) -> None:
    cwd = os.getcwd().encode()
    package = REPO.as_posix().encode()
    for target in ("/../etc/passwd", "/%00", "/fehlt", "/..\\x", "/%ff"):
        body = server.request(target).body
        assert cwd not in body and package not in body and b"Traceback" not in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io",
                                  "localhost.evil.example", "[::1", "localhost:abc", ""])
def test_foreign_host_header_is_refused(server: Server, host: str) -> None:
    answer = server.request("/", host=host)
    assert answer.status == 400
    assert answer.body == b"400 Bad Request: Host header not allowed\n"


def test_missing_host_header_is_refused(server: Server) -> None:
    assert server.request("/", host=None).status == 400


def test_live_reload_endpoints_also_check_the_host(server: Server) -> None:
    assert server.request(CLIENT_PATH, host="evil.example").status == 400
    assert server.request(EVENTS_PATH, host="evil.example").status == 400


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000",
                                  "[::1]", "[::1]:8000", "vorschau.localhost:8000", "LOCALHOST"])
def test_local_host_names_are_accepted(server: Server, host: str) -> None:
    assert server.request("/", host=host).status == 200


@pytest.mark.parametrize(("host", "bind", "allowed"), [
    ("192.168.1.20:8000", "192.168.1.20", True),
    ("192.168.1.21:8000", "192.168.1.20", False),
    ("192.168.1.21:8000", "0.0.0.0", True),
    ("[fe80::1]:8000", "::", True),
    ("evil.example:8000", "0.0.0.0", False),
    ("192.168.1.21:8000", "127.0.0.1", False),
])
def test_host_rules_follow_the_bind_address(host: str, bind: str, allowed: bool) -> None:
    assert host_allowed(host, bind) is allowed


# --- redirects and the base path ---------------------------------------------------------

def test_directory_without_slash_redirects_relatively(server: Server) -> None:
    answer = server.request("/artikel/nato-antwort?seite=2")
    assert answer.status == 301
    assert answer.header("Location") == "./nato-antwort/?seite=2"
    base = f"http://127.0.0.1:{server.port}/artikel/nato-antwort?seite=2"
    assert urljoin(base, answer.header("Location") or "") == \
        f"http://127.0.0.1:{server.port}/artikel/nato-antwort/?seite=2"


@pytest.mark.parametrize("target", ["/evil.com", "//evil.com", "///evil.com"])
def test_directory_redirect_is_never_an_open_redirect(server: Server, target: str) -> None:
    """A site folder named like a host ("evil.com") still redirects within this server."""
    answer = server.request(target)
    assert answer.status == 301
    location = answer.header("Location") or ""
    assert location == "./evil.com/"
    resolved = urlsplit(urljoin(f"http://127.0.0.1:{server.port}{target}", location))
    assert resolved.netloc == f"127.0.0.1:{server.port}"
    assert resolved.path.rstrip("/").endswith("/evil.com")


def test_base_path_root_redirects_to_the_base(zeitung: Server) -> None:
    for target in ("/", "/zeitung"):
        answer = zeitung.request(target)
        assert answer.status == 302
        assert answer.header("Location") == "/zeitung/"


def test_site_is_served_under_its_base_path(zeitung: Server) -> None:
    assert zeitung.request("/zeitung/artikel/nato-antwort/").status == 200
    assert zeitung.request("/zeitung/assets/style.css").body == FILES["assets/style.css"]
    outside = zeitung.request("/artikel/nato-antwort/")
    assert outside.status == 404
    assert outside.body == inject_client(NOT_FOUND, BUILD)


def test_base_path_is_normalised() -> None:
    assert Snapshot({}, "zeitung").base_path == "/zeitung/"
    assert Snapshot({}, "//evil.com/").base_path == "/evil.com/"
    assert Snapshot({}, "").base_path == "/"


# --- live reload ---------------------------------------------------------------------------

def test_script_is_injected_into_html_before_the_closing_body(server: Server) -> None:
    body = server.request("/artikel/nato-antwort/").body
    tag = client_tag(BUILD)
    assert body == ARTICLE.replace(b"</body>", tag + b"</body>")
    assert body.count(b"/__livereload/") == 1


def test_script_is_not_injected_into_other_types(server: Server) -> None:
    for path, key in (("/assets/style.css", "assets/style.css"), ("/suche/index.json", "suche/index.json"),
                      ("/bilder/karte.svg", "bilder/karte.svg"), ("/feed.xml", "feed.xml")):
        assert server.request(path).body == FILES[key]


def test_injection_uses_the_last_body_tag_and_appends_without_one() -> None:
    html = b"<body><pre>&lt;/body&gt; </body></pre></BODY>"
    assert inject_client(html, "x.1") == b"<body><pre>&lt;/body&gt; </body></pre>" + client_tag("x.1") + b"</BODY>"
    assert inject_client(b"<p>Fragment</p>", "x.1") == b"<p>Fragment</p>" + client_tag("x.1")


def test_client_script_is_served(server: Server) -> None:
    answer = server.request(CLIENT_PATH)
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/javascript; charset=utf-8"
    assert b"new EventSource(\"/__livereload/events\")" in answer.body


class EventStream:
    """A raw SSE client: reads `data:` messages and comments from the server."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost:{port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        assert status.startswith(b"HTTP/1.0 200"), status
        while self.file.readline() not in (b"\r\n", b""):
            pass

    def next(self) -> tuple[str, object]:
        """The next block: ("data", json) or ("comment", text) or ("retry", ms)."""
        while True:
            line = self.file.readline()
            if not line:
                return ("closed", None)
            line = line.rstrip(b"\n")
            if not line:
                continue
            if line.startswith(b"data: "):
                return ("data", json.loads(line[6:]))
            if line.startswith(b":"):
                return ("comment", line[1:].strip().decode())
            if line.startswith(b"retry: "):
                return ("retry", int(line[7:]))

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_event_stream_sends_state_then_messages_then_keepalives(server: Server) -> None:
    stream = EventStream(server.port)
    try:
        assert stream.next() == ("retry", 500)
        assert stream.next() == ("data", {"type": "state", "ok": True, "build": BUILD, "diagnostics": [],
                                          "texts": dict(preview_texts("en"))})
        server.state.update(Snapshot(FILES, "/", "test.2"), ok=True,
                            message={"type": "reload", "navigate": None, "build": "test.2"})
        assert stream.next() == ("data", {"type": "reload", "navigate": None, "build": "test.2"})
        assert stream.next() == ("comment", "keep-alive")
    finally:
        stream.close()


def test_state_endpoint_answers_what_a_new_stream_would_start_with(server: Server) -> None:
    answer = server.request(STATE_PATH)
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json; charset=utf-8"
    assert answer.header("Cache-Control") == "no-store"
    assert json.loads(answer.body) == {"type": "state", "ok": True, "build": BUILD, "diagnostics": [],
                                       "texts": dict(preview_texts("en"))}
    assert server.request(STATE_PATH, host="evil.example").status == 400


def test_a_tab_opened_while_the_build_is_broken_gets_the_errors(server: Server) -> None:
    diagnostics = ({"path": "content/articles/kreml.md", "line": 3, "col": None, "severity": "error",
                    "message": "'date' is not a date: \"<script>gestern</script>\"", "hint": None},)
    server.state.update(Snapshot(FILES, "/", BUILD, "de"), ok=False, diagnostics=diagnostics,
                        message={"type": "error", "diagnostics": list(diagnostics)})
    stream = EventStream(server.port)
    try:
        assert stream.next() == ("retry", 500)
        assert stream.next() == ("data", {"type": "state", "ok": False, "build": BUILD,
                                          "diagnostics": list(diagnostics), "texts": dict(preview_texts("de"))})
    finally:
        stream.close()


def test_fifty_open_event_streams_do_not_starve_page_requests(server: Server) -> None:
    streams = [EventStream(server.port) for _ in range(50)]
    try:
        for stream in streams:
            assert stream.next() == ("retry", 500)
        answer = server.request("/artikel/nato-antwort/")
        assert answer.status == 200
        assert server.state.listeners == 50
    finally:
        for stream in streams:
            stream.close()


def test_stop_ends_open_streams_and_joins_threads() -> None:
    before = set(threading.enumerate())
    state = LiveState(Snapshot(FILES, "/", BUILD), keepalive=30.0)
    running = RunningServer(state, "127.0.0.1", 0)
    streams = [EventStream(running.port) for _ in range(5)]
    for stream in streams:
        stream.next()
    running.stop()
    try:
        assert state.listeners == 0
        for stream in streams:
            assert stream.next()[0] in {"data", "closed"}
            assert stream.next() == ("closed", None)
    finally:
        for stream in streams:
            stream.close()
    assert set(threading.enumerate()) - before == set()


def test_a_tab_that_fell_behind_the_log_reloads() -> None:
    state = LiveState(Snapshot(FILES, "/", "b.0"))
    for n in range(100):
        state.update(Snapshot(FILES, "/", f"b.{n + 1}"), ok=True, message={"type": "css", "build": f"b.{n + 1}"})
    answer = state.wait_messages(0, timeout=0)
    assert answer == (100, [{"type": "reload", "navigate": None, "build": "b.100"}])
    assert state.wait_messages(98, timeout=0) == (100, [{"type": "css", "build": "b.99"},
                                                        {"type": "css", "build": "b.100"}])
    assert state.wait_messages(100, timeout=0) == (100, [])


# --- which message a build sends -----------------------------------------------------------

@dataclass(frozen=True)
class FakeOutcome:
    ok: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)
    changed: frozenset[str] = frozenset()
    sources_changed: tuple[str, ...] = ()
    url_of_source: Mapping[str, str] = field(default_factory=dict)
    base_path: str = "/"
    summary: str = "Built 1 page"
    language: str = "de"


def test_a_stylesheet_only_change_swaps_css() -> None:
    outcome = FakeOutcome(changed=frozenset({"assets/style.css", "assets/druck.css"}))
    assert message_for(outcome, was_ok=True, build="b.2", navigate=True) == {"type": "css", "build": "b.2"}


def test_any_other_change_reloads() -> None:
    outcome = FakeOutcome(changed=frozenset({"assets/style.css", "artikel/kreml/index.html"}))
    assert message_for(outcome, was_ok=True, build="b.2", navigate=False) == \
        {"type": "reload", "navigate": None, "build": "b.2"}


def test_navigate_goes_to_the_edited_article_under_the_base_path() -> None:
    outcome = FakeOutcome(changed=frozenset({"artikel/kreml/index.html"}),
                          sources_changed=("content/articles/kreml.md",),
                          url_of_source={"content/articles/kreml.md": "/artikel/kreml/"},
                          base_path="/zeitung/")
    assert message_for(outcome, was_ok=True, build="b.2", navigate=True) == \
        {"type": "reload", "navigate": "/zeitung/artikel/kreml/", "build": "b.2"}
    assert navigate_target(FakeOutcome(sources_changed=("config.yaml",))) is None


def test_site_url_joins_the_base_path_once() -> None:
    assert site_url("/", "/artikel/kreml/") == "/artikel/kreml/"
    assert site_url("/zeitung/", "/artikel/kreml/") == "/zeitung/artikel/kreml/"
    assert site_url("/zeitung/", "artikel/kreml/") == "/zeitung/artikel/kreml/"


def test_a_failed_build_shows_its_errors_first() -> None:
    warning = Diagnostic("content/glossary/kreml.md", 2, "alias 'Kremls' is never used", "warning")
    error = Diagnostic("content/articles/kreml.md", 4, "'date' is not a date: 'gestern'")
    outcome = FakeOutcome(ok=False, diagnostics=(warning, error))
    message = message_for(outcome, was_ok=True, build="b.1", navigate=False)
    assert message is not None and message["type"] == "error"
    assert message["diagnostics"] == [error.as_dict(), warning.as_dict()]


def test_the_error_overlay_speaks_the_sites_language() -> None:
    failed = FakeOutcome(ok=False, diagnostics=(Diagnostic("a.md", 1, "kaputt"),))
    german = message_for(failed, was_ok=True, build="b.1", navigate=False)
    english = message_for(replace(failed, language="en"), was_ok=True, build="b.1", navigate=False)
    assert german is not None and english is not None
    assert (german["texts"]["failed"], german["texts"]["close"]) == ("Build fehlgeschlagen", "Schließen")
    assert (english["texts"]["failed"], english["texts"]["close"]) == ("Build failed", "Close")
    assert english["texts"]["hint"] == "Hint: %(hint)s" and german["texts"]["hint"] == "Hinweis: %(hint)s"


@pytest.mark.parametrize(("language", "title"), [("de", "Seite nicht gefunden"), ("en", "Page not found")])
def test_the_preview_404_page_without_the_sites_own_speaks_its_language(language: str, title: str) -> None:
    answer = resolve(Snapshot({"index.html": b"<html></html>"}, "/", "b.1", language), "/fehlt")
    assert answer.status == 404
    page = lxml.html.fromstring(answer.body)
    assert page.get("lang") == language and page.findtext(".//h1") == f"404 – {title}"


def test_the_first_good_build_after_an_error_reloads_even_without_changes() -> None:
    assert message_for(FakeOutcome(), was_ok=False, build="b.3", navigate=False) == \
        {"type": "reload", "navigate": None, "build": "b.3"}
    assert message_for(FakeOutcome(changed=frozenset({"assets/style.css"})), was_ok=False,
                       build="b.3", navigate=False) == {"type": "reload", "navigate": None, "build": "b.3"}


def test_a_build_without_changes_sends_nothing() -> None:
    assert message_for(FakeOutcome(), was_ok=True, build="b.3", navigate=False) is None


# --- the preview's bookkeeping, with a scripted builder ------------------------------------

class ScriptedBuilder:
    """Returns the queued outcomes one build at a time; raises queued exceptions."""

    def __init__(self, *results: object) -> None:
        self.results = list(results)
        self.calls = 0
        self.told: list[Collection[str] | None] = []   # what each build was told had changed

    def build(self, changed: Collection[str] | None = None) -> FakeOutcome:
        self.calls += 1
        self.told.append(changed)
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result  # type: ignore[return-value]

    def ignored(self, path: Path) -> bool:
        return False

    def close(self) -> None:
        pass


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[tuple[Preview, ScriptedBuilder, io.StringIO]]:
    page = {"artikel/kreml/index.html": b"<html><body>Kreml</body></html>"}
    builder = ScriptedBuilder(FakeOutcome(files=page, changed=frozenset(page)))
    err = io.StringIO()
    preview = Preview(tmp_path, port=0, builder=builder, out=io.StringIO(), err=err)
    preview.start()
    try:
        yield preview, builder, err
    finally:
        preview.stop()


def test_a_crashing_build_shows_as_an_error_and_keeps_the_last_good_site(scripted) -> None:
    preview, builder, err = scripted
    good_files = preview.state.snapshot.files
    builder.results.append(RuntimeError("Vorlage kaputt"))
    preview.rebuild(frozenset())
    diagnostic = {"path": "builder", "line": None, "col": None, "severity": "error", "hint": None,
                  "message": "internal error: RuntimeError: Vorlage kaputt (see the terminal for the traceback)"}
    assert preview.state.wait_messages(0, timeout=0) == (1, [{"type": "error", "diagnostics": [diagnostic],
                                                               "texts": dict(preview_texts("de"))}])
    assert preview.state.snapshot.files is good_files
    assert preview.state.ok is False
    assert "RuntimeError: Vorlage kaputt" in err.getvalue()
    assert err.getvalue().endswith("builder: error: internal error: RuntimeError: Vorlage kaputt "
                                   "(see the terminal for the traceback)\n"
                                   "Build failed with 1 error; still serving the last good build.\n")


def test_a_rebuild_tells_the_builder_which_files_changed(scripted) -> None:
    preview, builder, _ = scripted
    builder.results.append(FakeOutcome(files=preview.state.snapshot.files))
    preview.rebuild(frozenset({Change("content/articles/kreml.md", "content"),
                               Change("layouts/base.html", "template")}))
    assert builder.told == [None, ["content/articles/kreml.md", "layouts/base.html"]]   # the first build: not told


def test_build_ids_change_only_when_the_output_does(scripted) -> None:
    preview, builder, _ = scripted
    first = preview.state.snapshot.build
    builder.results.append(FakeOutcome(files=preview.state.snapshot.files))
    preview.rebuild(frozenset())
    assert preview.state.snapshot.build == first
    assert preview.state.wait_messages(0, timeout=0) == (0, [])
    css = dict(preview.state.snapshot.files, **{"assets/style.css": b"h1 { color: navy }"})
    builder.results.append(FakeOutcome(files=css, changed=frozenset({"assets/style.css"})))
    preview.rebuild(frozenset())
    second = preview.state.snapshot.build
    assert second != first and second.split(".")[0] == first.split(".")[0]
    assert preview.state.wait_messages(0, timeout=0) == (1, [{"type": "css", "build": second}])


def test_a_busy_port_fails_before_the_first_build(tmp_path: Path) -> None:
    builder = ScriptedBuilder(FakeOutcome())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        preview = Preview(tmp_path, port=taken.getsockname()[1], builder=builder, out=io.StringIO())
        with pytest.raises(OSError):
            preview.start()
    assert builder.calls == 0
    preview.stop()
