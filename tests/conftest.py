"""Shared test helpers: inline fixture sites, the CLI in-process, a headless Chromium and a
static server for built folders."""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

import pytest

from builder.commands.cli import main

REPO = Path(__file__).resolve().parent.parent
# --disable-dev-shm-usage: a container's /dev/shm may be 64 MB, and a renderer that runs out of
# it crashes mid-navigation ("Page crashed"); Chromium then uses /tmp instead.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
_SECTION = re.compile(r"^-- (.+?) --$", re.MULTILINE)

MINIMAL_CONFIG = """\
title: "Testseite"
base_url: "https://example.org/"
"""


def failing_replace(monkeypatch: pytest.MonkeyPatch, folder: Path,
                    fail: Callable[[int], BaseException | None]) -> None:
    """os.replace into `folder` raises fail(n) on its n-th call (counting from 1) when that is not None."""
    real, calls = os.replace, [0]

    def replace(src: object, dst: object) -> None:
        if str(dst).startswith(str(folder) + os.sep):
            calls[0] += 1
            error = fail(calls[0])
            if error is not None:
                raise error
        real(src, dst)  # type: ignore[arg-type]
    monkeypatch.setattr(os, "replace", replace)


# Two articles, the first linking to the second and with an old URL: what the publish and check tests publish.
TWO_ARTICLES = """
-- content/articles/a.md --
---
title: "Erster Artikel"
date: 2022-01-26
aliases: ["/alt/erster-artikel/"]
---

Zum [zweiten](b.md) Artikel.
-- content/articles/b.md --
---
title: "Zweiter Artikel"
date: 2022-01-27
---

Text.
"""


def write_site(root: Path, spec: str) -> Path:
    """Write a site given as `-- path --` sections (Hugo's inline test sites); returns root."""
    root.mkdir(parents=True, exist_ok=True)
    parts = _SECTION.split(spec)
    for name, body in zip(parts[1::2], parts[2::2]):
        path = root / name.strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.lstrip("\n"), encoding="utf-8")
    if not (root / "config.yaml").exists():
        (root / "config.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `python -m builder ARGS` in this process; returns exit code and output."""
    def run(*args: str | Path) -> Run:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)
    return run


def chromium_path() -> str:
    """Debian's chromium, or skip (fail under CI, where .ci/run installs it)."""
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing on CI: .ci/run should have installed it")
    pytest.skip("chromium not installed: apt-get install chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session, driven by Playwright."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def browser_page(browser: object) -> Iterator[object]:
    """A page in a fresh context on the shared Chromium that reaches only 127.0.0.1, closed after the test."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        # No test reaches the network: only the local server is allowed.
        context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def open_page(browser: object) -> Iterator[Callable[..., object]]:
    """open_page(url, **context_options) opens url in a fresh German context on the shared
    Chromium; the page lists what it asked of anything but the test server in
    `page.outside_requests`. Every context it opened is closed after the test, even a failed one."""
    contexts: list[object] = []

    def open_(url: str, **context_options: object) -> object:
        context = browser.new_context(locale="de-DE", **context_options)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1:") else outside.append(r.url))
        page.goto(url)
        page.outside_requests = outside
        return page

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()  # type: ignore[attr-defined]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser dropping a connection it no longer needs is not a test failure


@contextmanager
def serve_folder(root: Path, base_path: str = "/") -> Iterator[str]:
    """Serve the folder `root` at http://127.0.0.1:<free port><base_path>; yields that URL.

    `base_path` (e.g. "/zeitung/", as a site's base_url puts it in every link) maps onto
    `root`; any path outside it is a 404. The server runs in a daemon thread without
    logging and is always shut down and joined on exit.
    """
    assert base_path.startswith("/") and base_path.endswith("/"), base_path
    prefix = quote(base_path)  # requests arrive percent-encoded

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = path.split("?", 1)[0].split("#", 1)[0]
            if path.startswith(prefix):
                path = "/" + path[len(prefix):]
            elif path == prefix.rstrip("/"):
                path = "/"  # the folder itself: redirected to base_path like any folder
            else:
                path = "/.outside-base-path"  # → 404
            return super().translate_path(path)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

    server = _QuietServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name=f"serve_folder {root}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
