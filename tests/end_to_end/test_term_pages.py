"""A term page lists the articles that use the term newest first, `paginate` to a page.

Page 1 is the definition with the newest articles; `glossar/<term>/seite/2/` and on list the
older ones. Pages are read by html5lib, the structured data by extruct.
"""

from __future__ import annotations

from pathlib import Path

import extruct
import html5lib
import pytest

from builder.pipeline.build import BuildOptions, build
from conftest import write_site

NS = {"h": "http://www.w3.org/1999/xhtml"}
CONFIG = """\
title: "Tageblatt"
base_url: "https://zeitung.example/"
paginate: 2
paths: {glossary: glossar}
"""
TERM = """\
---
term: Normandie-Format
summary: "Gesprächsrunde aus Deutschland, Frankreich, Russland und der Ukraine."
---

Gegründet 2014 in der Normandie.
"""


def article(day: int) -> str:
    return f"---\ntitle: \"Meldung {day}\"\ndate: 2022-01-{day:02d}\n---\n\nHeute tagte das Normandie-Format.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    articles = "".join(f"-- content/articles/meldung-{day}.md --\n{article(day)}" for day in range(1, 6))
    return write_site(tmp_path / "site",
                      f"-- config.yaml --\n{CONFIG}-- content/glossary/normandie-format.md --\n{TERM}{articles}")


def parse(out: Path, path: str):
    return html5lib.parse((out / path).read_text(encoding="utf-8"), treebuilder="lxml")


def titles(document) -> list[str]:
    return [a.text for a in document.iterfind(".//h:main//h:a", NS)
            if a.getparent().get("class", "").startswith("teaser-title")]


def pager(document) -> dict[str, str]:
    nav = document.find(".//h:nav[@class='pagination']", NS)
    return {a.get("rel"): a.get("href") for a in nav.iterfind(".//h:a", NS)} if nav is not None else {}


def test_a_term_page_lists_the_newest_articles_and_pages_through_the_rest(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = build(BuildOptions(site, out))
    assert report.ok, report.diagnostics
    first, second, third = (parse(out, p) for p in ("glossar/normandie-format/index.html",
                                                    "glossar/normandie-format/seite/2/index.html",
                                                    "glossar/normandie-format/seite/3/index.html"))
    assert not (out / "glossar/normandie-format/seite/4").exists()
    assert titles(first) == ["Meldung 5", "Meldung 4"]
    assert titles(second) == ["Meldung 3", "Meldung 2"]
    assert titles(third) == ["Meldung 1"]
    assert pager(first) == {"next": "/glossar/normandie-format/seite/2/"}
    assert pager(second) == {"prev": "/glossar/normandie-format/", "next": "/glossar/normandie-format/seite/3/"}
    assert pager(third) == {"prev": "/glossar/normandie-format/seite/2/"}
    # The definition, its structured data and the search body are page 1's alone.
    text = ["".join(d.find(".//h:main", NS).itertext()) for d in (first, second)]
    assert "Gegründet 2014" in text[0] and "Gegründet 2014" not in text[1]
    assert "5 Artikel mit diesem Begriff" in text[1]
    for path, terms in (("glossar/normandie-format/index.html", 1), ("glossar/normandie-format/seite/2/index.html", 0)):
        data = extruct.extract((out / path).read_text(encoding="utf-8"), syntaxes=["json-ld"])["json-ld"]
        assert [d["@type"] for d in data if d["@type"] == "DefinedTerm"] == ["DefinedTerm"] * terms
    assert second.find(".//h:*[@data-pagefind-body]", NS) is None
    assert second.find(".//h:title", NS).text.startswith("Normandie-Format – Seite 2")
    assert second.find(".//h:link[@rel='canonical']", NS).get("href") == \
        "https://zeitung.example/glossar/normandie-format/seite/2/"


def test_an_edited_definition_renders_page_one_alone_and_a_new_article_shifts_every_page(
        site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(BuildOptions(site, out))
    before = {p: (out / p).read_bytes() for p in ("glossar/normandie-format/seite/2/index.html",
                                                  "glossar/normandie-format/seite/3/index.html")}
    term = site / "content/glossary/normandie-format.md"
    term.write_text(TERM.replace("Gegründet 2014", "Ins Leben gerufen 2014"), encoding="utf-8")
    edited = build(BuildOptions(site, out))
    assert "Ins Leben gerufen" in (out / "glossar/normandie-format/index.html").read_text(encoding="utf-8")
    assert all((out / p).read_bytes() == old for p, old in before.items())
    assert edited.rendered == 2   # page 1 and the glossary index: not the pages behind page 1, nor the sitemap

    (site / "content/articles/meldung-6.md").write_text(article(6), encoding="utf-8")
    build(BuildOptions(site, out))
    assert titles(parse(out, "glossar/normandie-format/index.html")) == ["Meldung 6", "Meldung 5"]
    assert titles(parse(out, "glossar/normandie-format/seite/3/index.html")) == ["Meldung 2", "Meldung 1"]
    fresh = tmp_path / "fresh"
    build(BuildOptions(site, fresh, cache=False))
    for path in ("index.html", "seite/2/index.html", "seite/3/index.html"):
        assert (out / "glossar/normandie-format" / path).read_bytes() == \
            (fresh / "glossar/normandie-format" / path).read_bytes(), path


def test_a_term_without_many_articles_has_no_pager(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", f"-- config.yaml --\n{CONFIG}-- content/glossary/normandie-format.md --\n"
                                         f"{TERM}-- content/articles/meldung-1.md --\n{article(1)}")
    out = tmp_path / "out"
    build(BuildOptions(site, out))
    document = parse(out, "glossar/normandie-format/index.html")
    assert titles(document) == ["Meldung 1"] and pager(document) == {}
    assert not (out / "glossar/normandie-format/seite").exists()


def test_a_term_file_renamed_without_an_edit_moves_the_term_in_the_glossary(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(BuildOptions(site, out))
    glossary = site / "content/glossary"
    (glossary / "normandie-format.md").rename(glossary / "normandie.md")
    assert build(BuildOptions(site, out)).ok
    links = [a.get("href") for a in parse(out, "glossar/index.html").iterfind(".//h:main//h:a", NS)]
    assert "/glossar/normandie/" in links and "/glossar/normandie-format/" not in links
    assert not (out / "glossar/normandie-format").exists()
    fresh = tmp_path / "fresh"
    build(BuildOptions(site, fresh, cache=False))
    assert (out / "glossar/index.html").read_bytes() == (fresh / "glossar/index.html").read_bytes()
