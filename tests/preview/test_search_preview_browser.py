"""Search in the live preview: after an edit the search page reloads and finds the new word."""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.output.search import search_available
from builder.preview.session import Preview

if search_available() is not None:
    pytest.skip(search_available(), allow_module_level=True)

TIMEOUT_MS = 20_000
RESULT_LINKS = (".pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-title"
                " > .pagefind-ui__result-link")
SITE = {
    "config.yaml": """\
        title: "Testzeitung"
        base_url: "https://zeitung.example/zeitung/"
        search: true
        paths: {search: suche}
        """,
    "content/articles/kreml-antwort.md": """\
        ---
        title: "Kreml prüft Antwort"
        date: 2021-01-26T19:50:00+01:00
        ---

        Der Kreml hat die schriftliche Antwort der USA erhalten.
        """,
    "content/articles/genfer-treffen.md": """\
        ---
        title: "Treffen in Genf"
        date: 2022-01-21T09:30:00+01:00
        ---

        Die Außenminister trafen sich in Genf.
        """,
}


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Preview, Path]]:
    site = tmp_path / "zeitung"
    for relative, text in SITE.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(textwrap.dedent(text), encoding="utf-8")
    before = set(threading.enumerate())
    preview = Preview(site, port=0, out=io.StringIO(), err=io.StringIO())
    preview.start()
    try:
        yield preview, site
    finally:
        preview.stop()
    assert [t for t in set(threading.enumerate()) - before if t.is_alive()] == []


def results(page: object) -> list[str]:
    """The result links once the search has finished (its message no longer says it is searching)."""
    page.wait_for_function(  # type: ignore[attr-defined]
        """([links]) => {
            const message = document.querySelector('.pagefind-ui__message');
            return message && !/Suche nach/.test(message.textContent)
                && document.querySelectorAll(links).length === document.querySelectorAll('.pagefind-ui__result').length;
        }""", arg=[RESULT_LINKS], timeout=TIMEOUT_MS)
    return page.locator(RESULT_LINKS).evaluate_all("as => as.map(a => a.getAttribute('href'))")  # type: ignore[attr-defined]


def found_after_saving(preview: Preview, browser: object, article: Path) -> list[str]:
    """Search for a word not in the site, then append it to `article`: the results once the tab reloaded."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(preview.url + "suche/?q=Zwetschgendatschi")
        page.wait_for_function("() => window.__builderLiveReload && window.__builderLiveReload.connected",
                               timeout=TIMEOUT_MS)
        assert results(page) == []
        page.evaluate("window.__marker = 1")
        article.write_text(article.read_text(encoding="utf-8") + "\nDazu gab es Zwetschgendatschi.\n",
                           encoding="utf-8")
        page.wait_for_function("() => window.__marker === undefined", timeout=TIMEOUT_MS)   # reloaded
        return results(page)
    finally:
        context.close()


@pytest.mark.browser
def test_an_edited_article_is_found_after_the_reload(running: tuple[Preview, Path], browser: object) -> None:
    preview, site = running
    found = found_after_saving(preview, browser, site / "content/articles/kreml-antwort.md")
    assert found == ["/zeitung/articles/kreml-antwort/"]


# Thirty-two content words, each twice: a word written once more is not among the article's top words.
LONG_TEXT = " ".join(f"{word} {word}." for word in (
    "Abkommen Botschafter Delegation Einigung Forderung Garantie Gipfel Grenze Haltung Initiative Konflikt "
    "Kompromiss Lage Manöver Mission Nachbar Offensive Partner Position Prinzip Protokoll Rede Reise Sanktion "
    "Sicherheit Signal Sitzung Streit Truppe Verbündete Vertrag Warnung").split())


@pytest.mark.browser
def test_an_edit_of_the_text_alone_is_found_too(running: tuple[Preview, Path], browser: object) -> None:
    """An edit that leaves every other page as it was takes the preview's shortcut (`body_edit`); the
    shard that holds the article is indexed again all the same."""
    preview, site = running
    article = site / "content/articles/genfer-treffen.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\n{LONG_TEXT}\n", encoding="utf-8")
    assert preview.builds.wait_for(2, TIMEOUT_MS / 1000)
    assert found_after_saving(preview, browser, article) == ["/zeitung/articles/genfer-treffen/"]
    assert preview.builder.body_edits == 1   # type: ignore[attr-defined]
