"""JSON-LD per page type, read back with extruct: article, term, glossary and front page."""

from __future__ import annotations


import extruct
import pytest
from PIL import Image

from builder.output.structured_data import HEADLINE_LIMIT, headline, headline_problems
from builder.pipeline.build import BuildOptions, Caches, prepare
from conftest import write_site

LONG_TITLE = ("Außenminister beraten in Genf stundenlang über die Lage an der Grenze, die Antwort der NATO "
              "und die nächsten Schritte der Diplomatie")

SITE = f"""
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/ausgabe/"
language: de
search: true
paths: {{glossary: glossar, tags: themen, authors: autoren, search: suche}}
publisher: {{name: "Tageblatt Verlag", logo: /logo.png}}
sections:
  - {{slug: politik, title: Politik}}
-- content/articles/politik/gipfel.md --
---
title: "Gipfel in Genf"
date: 2022-01-21T17:30:00+01:00
updated: 2022-01-22T08:00:00+01:00
authors: [Miriam Schaefer]
---
Die NATO trifft sich in Genf.
-- content/articles/lang.md --
---
date: 2022-01-20T08:00:00+01:00
title: "{LONG_TITLE}"
---
Text.
-- content/authors/miriam-schaefer.md --
---
name: "Miriam Schäfer"
links: ["https://social.example/@miriam"]
---
Sie berichtet.
-- content/glossary/nato.md --
---
term: "NATO"
aliases: [Nordatlantikpakt]
summary: "Das Verteidigungsbündnis."
---
Die Nordatlantikvertrags-Organisation.
-- content/glossary/osze.md --
---
term: "OSZE"
summary: "Die Organisation für Sicherheit und Zusammenarbeit in Europa."
---
Text.
"""


ARTICLES: list = []   # the fixture site's articles, filled by `pages`


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every HTML page of the fixture site, planned and made as a build would (no Pagefind run)."""
    source = write_site(tmp_path_factory.mktemp("ld") / "src", SITE)
    (source / "static").mkdir()
    Image.new("RGB", (600, 60), "navy").save(source / "static/logo.png")
    caches = Caches.in_folder(None)
    prepared = prepare(BuildOptions(source=source, cache=False), caches)
    assert prepared.site is not None, prepared.problems.items
    ARTICLES[:] = prepared.site.articles
    return {s.path: s.make().decode() for s in prepared.specs if s.path.endswith(".html")}


def json_ld(pages: dict[str, str], path: str, kind: str) -> dict:
    items = extruct.extract(pages[path], base_url="https://zeitung.example/ausgabe/", syntaxes=["json-ld"])["json-ld"]
    found = [i for i in items if i.get("@type") == kind]
    assert len(found) == 1, items
    return found[0]


def test_an_article_is_a_complete_news_article(pages: dict[str, str]) -> None:
    article = json_ld(pages, "articles/politik/gipfel/index.html", "NewsArticle")
    assert article["headline"] == "Gipfel in Genf"
    assert article["datePublished"].startswith("2022-01-21T17:30")
    assert article["dateModified"].startswith("2022-01-22T08:00")
    assert article["author"] == [{"@type": "Person", "name": "Miriam Schäfer",
                                  "url": "https://zeitung.example/ausgabe/autoren/miriam-schaefer/",
                                  "sameAs": ["https://social.example/@miriam"]}]
    assert article["publisher"] == {
        "@type": "NewsMediaOrganization", "name": "Tageblatt Verlag", "url": "https://zeitung.example/ausgabe/",
        "logo": {"@type": "ImageObject", "url": "https://zeitung.example/ausgabe/logo.png", "width": 600,
                 "height": 60}}
    assert article["isAccessibleForFree"] is True and article["inLanguage"] == "de"
    assert article["articleSection"] == "Politik"
    assert json_ld(pages, "articles/politik/gipfel/index.html", "BreadcrumbList")["itemListElement"]


def test_a_long_title_gives_a_cut_headline_and_a_warning_naming_its_line(pages: dict[str, str]) -> None:
    article = json_ld(pages, "articles/lang/index.html", "NewsArticle")
    assert len(article["headline"]) <= HEADLINE_LIMIT and article["headline"].endswith("…")
    assert LONG_TITLE.startswith(article["headline"][:-1])
    assert headline("Kurz") == "Kurz"
    problems = headline_problems(ARTICLES)
    assert [(p.path, p.line, p.severity) for p in problems] == [("content/articles/lang.md", 3, "warning")]
    assert f"{len(LONG_TITLE)} characters" in problems[0].message


def test_a_term_page_is_a_defined_term_of_the_glossary(pages: dict[str, str]) -> None:
    term = json_ld(pages, "glossar/nato/index.html", "DefinedTerm")
    assert term["name"] == "NATO" and term["description"] == "Das Verteidigungsbündnis."
    assert term["url"] == "https://zeitung.example/ausgabe/glossar/nato/"
    assert term["alternateName"] == ["Nordatlantikpakt"]
    assert term["inDefinedTermSet"]["url"] == "https://zeitung.example/ausgabe/glossar/"


def test_the_glossary_is_a_defined_term_set_of_every_term(pages: dict[str, str]) -> None:
    glossary = json_ld(pages, "glossar/index.html", "DefinedTermSet")
    assert [(t["@type"], t["name"]) for t in glossary["hasDefinedTerm"]] == [("DefinedTerm", "NATO"),
                                                                            ("DefinedTerm", "OSZE")]


def test_the_front_page_is_a_website_with_a_search_action(pages: dict[str, str]) -> None:
    site = json_ld(pages, "index.html", "WebSite")
    assert site["url"] == "https://zeitung.example/ausgabe/"
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "https://zeitung.example/ausgabe/suche/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert "suche/index.html" in pages
