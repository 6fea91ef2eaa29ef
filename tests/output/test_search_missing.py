"""`search: true` without Pagefind: a clear warning and a site without search, never a page
that links to files that do not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.output import search
from builder.commands.check import check_site
from builder.output.search_records import search_records
from builder.pipeline.build import BuildOptions, Caches, build, prepare
from conftest import write_site

SITE = """
-- config.yaml --
title: "Testseite"
base_url: "https://example.org/"
search: true
paths: {search: suche}
-- content/articles/a.md --
---
title: "A"
date: 2022-01-26
---
Text.
"""


def test_without_pagefind_the_site_has_no_search_and_says_why(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> Path:
        raise search.SearchIndexError(f"Pagefind is not installed: {search.INSTALL_HINT}")

    monkeypatch.setattr(search, "pagefind_executable", missing)
    source = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False))
    assert report.ok
    [warning] = [d for d in report.diagnostics if "Pagefind" in d.message]
    assert warning.severity == "warning" and warning.path == "config.yaml"
    assert "pip install 'pagefind[bin]'" in warning.message
    assert not (out / "suche").exists() and not (out / "pagefind").exists()
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "pagefind-ui" not in html and "/suche/" not in html, page


def test_with_pagefind_the_search_page_is_built(tmp_path: Path) -> None:
    if search.search_available() is not None:
        pytest.skip(search.search_available())
    source = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False))
    assert report.ok and not [d for d in report.diagnostics if "Pagefind" in d.message]
    assert (out / "suche/index.html").is_file() and (out / "pagefind").is_dir()


def test_a_site_with_nothing_to_find_has_no_search_page_linking_to_nothing(tmp_path: Path) -> None:
    if search.search_available() is not None:
        pytest.skip(search.search_available())
    source = write_site(tmp_path / "src", SITE)
    (source / "content/articles/a.md").unlink()
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    assert not (out / "suche").exists() and not (out / "pagefind").exists()
    assert check_site(out, base_url="https://example.org/").problems == []
    write_site(source, SITE)   # the first article: the search page comes, with an index behind it
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    assert (out / "suche/index.html").is_file() and (out / "pagefind/pagefind-ui.js").is_file()
    assert check_site(out, base_url="https://example.org/").problems == []


def test_search_results_speak_the_sites_language(tmp_path: Path) -> None:
    english = SITE.replace('search: true', 'search: true\nlanguage: en').replace(
        'date: 2022-01-26', 'date: 2022-01-26\nauthors: [Jane Doe]\ntags: [Peace]')
    source = write_site(tmp_path / "src", english)
    site = prepare(BuildOptions(source=source, cache=False), Caches.in_folder(None)).site
    assert site is not None
    [record] = search_records(site, lambda key: 0)
    assert record.lines == ("By Jane Doe", "Topics: Peace")
