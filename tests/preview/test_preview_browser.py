"""The live preview end to end: a real IncrementalBuilder, server and watcher, driven by Chromium.

Every test gets its own small German fixture site in a temporary folder and its
own preview on a free port; the fixture always stops it (threads joined).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from builder.preview.session import Preview, run_preview
from conftest import REPO

THEME_CSS = REPO / "layouts" / "assets" / "style.css"
TIMEOUT_MS = 15_000
BASE = "/zeitung/"

PARAGRAPHS = "\n\n".join(
    f"Absatz {n}: Die Gespräche im Normandie-Format sollen fortgesetzt werden, hieß es aus dem Kreml. "
    "Diplomaten beider Seiten betonten, man wolle den ernsthaften diplomatischen Weg weitergehen."
    for n in range(1, 41))

SITE = {
    "config.yaml": """\
        title: "Testzeitung"
        description: "Erklärte Nachrichten"
        base_url: "https://zeitung.example/zeitung/"
        language: de
        """,
    "content/glossary/kreml.md": """\
        ---
        term: "Kreml"
        ---

        Amtssitz des russischen Präsidenten in Moskau.
        """,
    "content/articles/kreml-antwort.md": """\
        ---
        title: "Der Kreml prüft die Antwort"
        date: 2022-01-27T10:00:00+01:00
        tags: [Diplomatie]
        ---

        Der Kreml hat die schriftliche Antwort der USA erhalten.
        """,
    "content/articles/genfer-treffen.md": """\
        ---
        title: "Treffen in Genf"
        date: 2022-01-21T09:30:00+01:00
        tags: [Diplomatie]
        ---

        Die Außenminister trafen sich in Genf.

        """ + PARAGRAPHS.replace("\n", "\n        ") + "\n",
}


def write_site(folder: Path) -> None:
    for relative, text in SITE.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    # The theme's stylesheet copied into the site, so a test can change the site's CSS.
    assets = folder / "layouts" / "assets"
    assets.mkdir(parents=True)
    shutil.copyfile(THEME_CSS, assets / "style.css")


def edit(path: Path, old: str, new: str) -> None:
    """Save `path` with `old` replaced by `new` (like an editor: one write in place)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "zeitung"
    write_site(folder)
    return folder


class Running:
    """A started Preview plus the terminal output it printed."""

    def __init__(self, site: Path, **options: Any) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.preview = Preview(site, port=0, out=self.out, err=self.err, **options)
        self.preview.start()
        self.origin = self.preview.url.removesuffix(BASE)

    def url(self, path: str) -> str:
        return self.origin + path


@contextlib.contextmanager
def preview_of(site: Path, **options: Any) -> Iterator[Running]:
    """A running preview of `site`, always stopped afterwards; checks no thread is left behind."""
    before = set(threading.enumerate())
    preview = Running(site, **options)
    try:
        yield preview
    finally:
        preview.preview.stop()
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leftover == [], f"threads left running: {leftover}"


@pytest.fixture
def running(site: Path) -> Iterator[Running]:
    with preview_of(site) as preview:
        yield preview


@pytest.fixture
def page(browser):
    """A fresh context (own cookies, storage, connections) on conftest's shared Chromium."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def open_live(page, url: str) -> None:
    """Open `url`, wait until its live-reload stream is connected, and mark the document."""
    page.goto(url)
    page.wait_for_function("() => window.__builderLiveReload && window.__builderLiveReload.connected")
    page.evaluate("window.__marker = 1")


@pytest.mark.browser
def test_an_edited_article_shows_its_new_text(running: Running, site: Path, page) -> None:
    open_live(page, running.url("/zeitung/articles/kreml-antwort/"))
    edit(site / "content/articles/kreml-antwort.md", "der USA erhalten.",
         "der USA erhalten und will bis Freitag antworten.")
    expect(page.locator("main")).to_contain_text("will bis Freitag antworten", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__marker") is None  # it was a reload, not a hand edit of the DOM


@pytest.mark.browser
def test_an_edited_headline_shows_on_the_front_page_and_its_topic(running: Running, site: Path, page) -> None:
    """A title edit takes the preview's shortcut (`body_edit`), which plans the pages that list the article too."""
    open_live(page, running.url("/zeitung/"))
    topic = page.context.new_page()
    open_live(topic, running.url("/zeitung/themen/diplomatie/"))
    before = running.preview.builder.body_edits
    edit(site / "content/articles/kreml-antwort.md", 'title: "Der Kreml prüft die Antwort"',
         'title: "Moskau lässt sich Zeit"')
    expect(page.locator("main")).to_contain_text("Moskau lässt sich Zeit", timeout=TIMEOUT_MS)
    expect(topic.locator("main")).to_contain_text("Moskau lässt sich Zeit", timeout=TIMEOUT_MS)
    expect(page.locator("main")).not_to_contain_text("Der Kreml prüft die Antwort")
    assert running.preview.builder.body_edits == before + 1


@pytest.mark.browser
def test_a_stylesheet_change_applies_without_reloading(running: Running, site: Path, page) -> None:
    open_live(page, running.url("/zeitung/articles/kreml-antwort/"))
    heading = page.locator("h1").first
    assert heading.evaluate("h => getComputedStyle(h).color") != "rgb(1, 2, 3)"
    with (site / "layouts/assets/style.css").open("a", encoding="utf-8") as css:
        css.write("\nh1 { color: rgb(1, 2, 3) !important; }\n")
    expect(heading).to_have_css("color", "rgb(1, 2, 3)", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__marker") == 1
    assert page.locator('link[rel="stylesheet"][href*="livereload="]').count() >= 1


@pytest.mark.browser
def test_a_front_matter_error_shows_an_overlay_until_it_is_fixed(running: Running, site: Path,
                                                                 page, browser) -> None:
    article = site / "content/articles/kreml-antwort.md"
    open_live(page, running.url("/zeitung/articles/kreml-antwort/"))
    edit(article, "date: 2022-01-27T10:00:00+01:00", "date: <b>gestern</b>")
    overlay = page.locator("#builder-livereload-overlay")
    expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
    expect(overlay.locator(".builder-livereload-location")).to_have_text("content/articles/kreml-antwort.md:3")
    expect(overlay.locator(".builder-livereload-message")).to_have_text(
        "'date' must be an ISO 8601 date, got \"<b>gestern</b>\"")
    assert overlay.locator("b").count() == 0           # the message was escaped, not parsed
    expect(overlay.locator("h2")).to_have_text("Build fehlgeschlagen")   # the site's language
    expect(overlay.locator("button")).to_have_text("Schließen")
    expect(page.locator("h1").first).to_have_text("Der Kreml prüft die Antwort")  # last good page below
    assert "content/articles/kreml-antwort.md:3: error: 'date' must be an ISO 8601 date" in running.err.getvalue()

    # A tab opened while the build is broken asks for the state and shows the overlay too.
    second = page.context.new_page()
    open_live(second, running.url("/zeitung/"))
    expect(second.locator("#builder-livereload-overlay")).to_be_visible()
    expect(second.locator("#builder-livereload-overlay h2")).to_have_text("Build fehlgeschlagen")

    edit(article, "date: <b>gestern</b>", "date: 2022-01-27T10:00:00+01:00")
    expect(overlay).to_have_count(0, timeout=TIMEOUT_MS)
    expect(second.locator("#builder-livereload-overlay")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.locator("h1").first).to_have_text("Der Kreml prüft die Antwort")


@pytest.mark.browser
def test_more_tabs_than_the_browsers_connection_limit_all_update(running: Running, site: Path, page) -> None:
    """Chromium allows six connections per host; eight tabs must still load and update."""
    tabs = [page] + [page.context.new_page() for _ in range(7)]
    for tab in tabs:
        open_live(tab, running.url("/zeitung/articles/kreml-antwort/"))
    edit(site / "content/articles/kreml-antwort.md", "der USA erhalten.", "der USA am Mittwoch erhalten.")
    for tab in tabs:
        expect(tab.locator("main")).to_contain_text("der USA am Mittwoch erhalten.", timeout=TIMEOUT_MS)


@pytest.mark.browser
def test_the_scroll_position_survives_a_reload(running: Running, site: Path, page) -> None:
    open_live(page, running.url("/zeitung/articles/genfer-treffen/"))
    page.evaluate("window.scrollTo(0, 900)")
    page.wait_for_function("() => window.scrollY === 900")
    edit(site / "content/articles/genfer-treffen.md", "Absatz 40:", "Letzter Absatz 40:")
    expect(page.locator("main")).to_contain_text("Letzter Absatz 40:", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__marker") is None
    page.wait_for_function("() => Math.abs(window.scrollY - 900) <= 2")


@pytest.mark.browser
def test_a_burst_of_200_changes_is_one_consistent_rebuild(site: Path, page) -> None:
    # A loaded test machine may stall the writing loop for a moment; the burst must still be one.
    with preview_of(site, quiet=0.5, max_wait=20.0) as running:
        check_burst(running, site, page)


def check_burst(running: Running, site: Path, page) -> None:
    # Counts documents created in this tab; runs before any page script, so it is
    # current as soon as the reloaded page shows anything.
    page.add_init_script("sessionStorage.setItem('documents', String(Number(sessionStorage.getItem('documents')) + 1))")
    open_live(page, running.url("/zeitung/"))
    builds_before = running.preview.builds.count
    folder = site / "content/articles"
    for n in range(200):
        (folder / f"meldung-{n:03}.md").write_text(textwrap.dedent(f"""\
            ---
            title: "Meldung {n:03} aus Brüssel"
            date: 2022-01-{1 + n % 28:02}T{n % 24:02}:{n % 60:02}:00+01:00
            tags: [Sanktionen]
            ---

            Der Kreml äußerte sich zur Meldung {n:03}.
            """), encoding="utf-8")
    assert running.preview.builds.wait_for(builds_before + 1, timeout=30)
    assert running.preview.watcher is not None and running.preview.watcher.wait_idle(30)
    assert running.preview.builds.count == builds_before + 1
    files = running.preview.state.snapshot.files
    assert {f"articles/meldung-{n:03}/index.html" for n in range(200)} <= set(files)
    expect(page.locator("main")).to_contain_text("aus Brüssel", timeout=TIMEOUT_MS)
    assert page.evaluate("sessionStorage.getItem('documents')") == "2"  # one reload for the whole burst
    assert page.url == running.url("/zeitung/")


@pytest.mark.browser
def test_navigate_follows_the_edited_article(site: Path, page) -> None:
    with preview_of(site, navigate=True) as running:
        open_live(page, running.url("/zeitung/"))
        edit(site / "content/articles/genfer-treffen.md", "trafen sich in Genf.", "trafen sich am Freitag in Genf.")
        page.wait_for_url(running.url("/zeitung/articles/genfer-treffen/"), timeout=TIMEOUT_MS)
        expect(page.locator("main")).to_contain_text("trafen sich am Freitag in Genf.")


# --- run_preview as the command line runs it (no browser) ---------------------------------

def start_run_preview(site: Path, *extra: str) -> subprocess.Popen[str]:
    code = ("import sys; from pathlib import Path; from builder.preview.session import run_preview; "
            f"sys.exit(run_preview(Path(sys.argv[1]), port=0{''.join(extra)}))")
    return subprocess.Popen([sys.executable, "-c", code, str(site)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_ctrl_c_stops_the_preview_cleanly(site: Path) -> None:
    process = start_run_preview(site)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith("Built 9 pages: 2 articles, 1 terms, 1 tags in "), lines   # the archive too
        assert lines[1].startswith("Serving zeitung at http://127.0.0.1:"), lines
        assert lines[1].rstrip().endswith("/zeitung/ (Ctrl-C to stop)")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out == "Stopped.\n"
    assert err == ""


def test_binding_to_every_interface_warns(site: Path) -> None:
    process = start_run_preview(site, ', bind="0.0.0.0"')
    try:
        assert process.stderr is not None and process.stdout is not None
        assert process.stderr.readline() == ("warning: --bind 0.0.0.0 makes the preview reachable from "
                                             "other machines on the network\n")
        while not process.stdout.readline().startswith("Serving"):
            pass
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0


def test_a_port_in_use_is_reported_not_raised(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_preview(site, port=port) == 1
    err = capsys.readouterr().err
    assert err.endswith(f"error: cannot serve on 127.0.0.1:{port}: Address already in use; try --port {port + 1}\n")


def test_a_missing_site_folder_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_preview(tmp_path / "fehlt", port=0) == 1
    assert capsys.readouterr().err == f"error: site folder not found: {tmp_path / 'fehlt'}\n"
