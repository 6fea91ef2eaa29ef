"""The sharded search index in Chromium: every shard answers, German forms match, and an
incremental build re-indexes one shard, patches the site in place and finds the new word."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.output import search, search_shards
from builder.pipeline.build import BuildOptions, build
from conftest import serve_folder, write_site

if search.search_available() is not None:
    pytest.skip(search.search_available(), allow_module_level=True)

RESULT_LINKS = (".pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-title"
                " > .pagefind-ui__result-link")


def article(slug: str, date: str, title: str, text: str) -> str:
    return f"""-- content/articles/{slug}.md --
---
title: "{title}"
date: {date}
---
{text}
"""


SITE = """
-- config.yaml --
title: "Lagebild"
base_url: "https://example.org/zeitung/"
search: true
paths: {search: suche, glossary: glossar}
-- content/glossary/normandie-format.md --
---
term: "Normandie-Format"
---
Gesprächsrunde aus Deutschland, Frankreich, Russland und der Ukraine; auch bei der Sonnenfinsternis nicht.
-- content/pages/impressum.md --
---
title: "Impressum"
---
Verantwortlich für die Sonnenfinsternis-Beilage ist die Redaktion.
""" + "".join([
    article("gipfel-2020", "2020-03-04T10:00:00+01:00", "Gipfel in Paris",
            "Die Berater trafen sich im Normandie-Format. Während der Sonnenfinsternis ruhten die Gespräche."),
    article("minsk-2021", "2021-06-01T09:00:00+02:00", "Minsker Abkommen",
            "Die Verhandlung über das Abkommen dauerte bis zur Sonnenfinsternis."),
    article("nato-2022", "2022-01-26T19:50:00+01:00", "Antwort der NATO",
            "Die Allianz antwortete schriftlich; von einer Sonnenfinsternis war keine Rede."),
    article("wetter-2022", "2022-02-03T08:00:00+01:00", "Wetter im Februar",
            "Regen und Wind, keine Finsternis in Sicht."),
])


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget of one article per shard: each year its own shard, the articles of 2022 by month."""
    monkeypatch.setattr(search_shards, "BUDGET", 1)


def find(page: object, url: str, query: str) -> list[str]:
    """The search page with ?q=query: the result URLs (paths) once every result has its link."""
    page.goto(f"{url}suche/?q={query}")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        """([links]) => {
            const results = document.querySelectorAll('.pagefind-ui__result');
            const message = document.querySelector('.pagefind-ui__message');
            const done = message && !/Suche nach/.test(message.textContent);
            return done && document.querySelectorAll(links).length === results.length;
        }""", arg=[RESULT_LINKS], timeout=15_000)
    hrefs = page.locator(RESULT_LINKS).evaluate_all("as => as.map(a => a.getAttribute('href'))")  # type: ignore[attr-defined]
    return [urlsplit(href).path for href in hrefs]


def shards_of(out: Path) -> list[str]:
    text = (out / "pagefind" / "shards.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("["):text.rindex("]") + 1])


def build_site(source: Path, out: Path) -> None:
    report = build(BuildOptions(source=source, destination=out))
    assert report.ok, [d.message for d in report.diagnostics]


@pytest.mark.browser
def test_results_come_from_every_shard(tmp_path: Path, browser_page: object, small_shards: None) -> None:
    source, out = write_site(tmp_path / "src", SITE), tmp_path / "out"
    build_site(source, out)
    assert shards_of(out) == ["begriffe/", "seiten/", "2022-02/", "2022-01/", "2021/", "2020/"]
    with serve_folder(out, "/zeitung/") as root:
        found = find(browser_page, root, "Sonnenfinsternis")
    assert sorted(found) == ["/zeitung/articles/gipfel-2020/", "/zeitung/articles/minsk-2021/",
                             "/zeitung/articles/nato-2022/", "/zeitung/glossar/normandie-format/",
                             "/zeitung/impressum/"]


@pytest.mark.browser
def test_an_inflected_form_finds_its_base_form(tmp_path: Path, browser_page: object, small_shards: None) -> None:
    source, out = write_site(tmp_path / "src", SITE), tmp_path / "out"
    build_site(source, out)
    with serve_folder(out, "/zeitung/") as root:
        # The article says "Verhandlung"; German stemming finds it for the plural and the genitive.
        assert find(browser_page, root, "Verhandlungen") == ["/zeitung/articles/minsk-2021/"]
        assert find(browser_page, root, "Abkommens") == ["/zeitung/articles/minsk-2021/"]
        # The term page ranks first for its own name, above the article that mentions it.
        assert find(browser_page, root, "Normandie-Format")[0] == "/zeitung/glossar/normandie-format/"


@pytest.mark.browser
def test_a_word_added_to_one_article_is_found_after_an_incremental_build(
        tmp_path: Path, browser_page: object, small_shards: None) -> None:
    source, out = write_site(tmp_path / "src", SITE), tmp_path / "out"
    build_site(source, out)
    before = {path: os.stat(path).st_ino for path in (out / "pagefind").rglob("*") if path.is_file()}
    folder = os.stat(out).st_ino
    edited = source / "content/articles/minsk-2021.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEin Zwetschgendatschi zum Abschluss.\n",
                      encoding="utf-8")
    build_site(source, out)
    after = {path: os.stat(path).st_ino for path in (out / "pagefind").rglob("*") if path.is_file()}
    # Patched in place (a new tree is a new folder swapped in), and only the 2021 shard was rewritten.
    assert os.stat(out).st_ino == folder
    changed = {path.relative_to(out / "pagefind").parts[0] for path in after if before.get(path) != after[path]}
    assert changed == {"2021"}
    with serve_folder(out, "/zeitung/") as root:
        assert find(browser_page, root, "Zwetschgendatschi") == ["/zeitung/articles/minsk-2021/"]
