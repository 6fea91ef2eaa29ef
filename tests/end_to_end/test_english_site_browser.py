"""The English site's search page in Chromium: Pagefind's UI gets the theme's English texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.output.search import search_available
from builder.pipeline.build import BuildOptions, build
from conftest import serve_folder
from test_english_site import make_site


@pytest.fixture
def english_site(tmp_path: Path) -> Path:
    if search_available() is not None:
        pytest.skip("Pagefind is not installed")
    report = build(BuildOptions(source=make_site(tmp_path / "src"), destination=tmp_path / "out", cache=False))
    assert report.ok, report.diagnostics
    return tmp_path / "out"


@pytest.mark.browser
def test_the_search_ui_speaks_english(english_site: Path, browser_page: object) -> None:
    page = browser_page
    with serve_folder(english_site) as root:
        page.goto(root + "search/?q=tariffs")  # type: ignore[attr-defined]
        field = page.locator(".pagefind-ui__search-input")  # type: ignore[attr-defined]
        field.wait_for()
        assert field.get_attribute("placeholder") == "Search articles and terms"
        message = page.locator(".pagefind-ui__message")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => /result/.test(document.querySelector('.pagefind-ui__message')?.textContent || '')",
            timeout=15_000)
        assert re.fullmatch(r"\d+ results? for tariffs", message.text_content().strip())
        field.fill("qqqxyzzy")
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => /qqqxyzzy/.test(document.querySelector('.pagefind-ui__message')?.textContent || '')",
            timeout=15_000)
        assert message.text_content().strip() == "No results for qqqxyzzy"
