"""Stable pages in Chromium: a reader pages back through the archive on a phone, and the longer
status of a numbered page ("Artikel vom … bis …") wraps instead of pushing the page sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.pipeline.build import BuildOptions, build
from conftest import serve_folder, write_site

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402

CONFIG = """\
title: "Tageblatt"
base_url: "https://zeitung.example/"
paginate: 2
stable_pagination: true
paths: {archive: archiv}
"""


def article(day: int) -> str:
    return f"---\ntitle: \"Meldung {day}\"\ndate: 2022-{day:02d}-{day:02d}\n---\n\nText.\n"


def test_paging_back_on_a_phone_reads_every_article_once_and_nothing_scrolls_sideways(
        tmp_path: Path, open_page) -> None:
    site = write_site(tmp_path / "site", f"-- config.yaml --\n{CONFIG}" + "".join(
        f"-- content/articles/meldung-{day}.md --\n{article(day)}" for day in range(1, 8)))
    out = tmp_path / "out"
    assert build(BuildOptions(site, out)).ok
    with serve_folder(out) as url:
        page = open_page(url + "archiv/", viewport={"width": 320, "height": 640})
        seen: list[str] = []
        while True:
            page.wait_for_load_state("load")
            assert page.evaluate("document.documentElement.scrollWidth") <= 320
            seen += page.locator("main .teaser-title a").all_inner_texts()
            older = page.get_by_role("link", name="Ältere Artikel")
            if not older.count():
                break
            older.click()
            status = page.locator(".pagination-status")
            expect(status).to_contain_text("Artikel vom")
            box = status.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert seen == [f"Meldung {day}" for day in range(7, 0, -1)]
