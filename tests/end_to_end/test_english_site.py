"""An English site (`language: en`) built end to end: not one German word of the theme anywhere.

Every text node and reader-facing attribute of every page, every feed and every
JSON-LD block is checked against the words of the German catalog's texts that
the English catalog does not use, so a German string left in a template or in
Python fails here however it got there. Beside that: English dates in UTC (no
time zone in config.yaml), English URL folders and `/page/2/`, English quotes,
plurals, `<html lang>` and `og:locale`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import extruct
import feedparser
import pytest
from lxml import html as lxml_html
from PIL import Image

from builder.pipeline.build import BuildOptions, build
from builder.text.i18n import catalog_file, read_catalog
from conftest import write_site

SITE = """
-- config.yaml --
title: "The Daily Ledger"
description: "Reporting on trade and diplomacy."
base_url: "https://ledger.example/"
language: en
author: "The Editors"
paginate: 2
search: true
sections:
  - {slug: world, title: World, description: "News from abroad."}
-- content/articles/world/summit.md --
---
title: "Summit in Geneva"
date: 2017-07-23T21:28:00
updated: 2017-07-24T08:05:00
kicker: "Diplomacy"
summary: "Ministers meet for a day of talks."
tags: [Diplomacy, Trade, Geneva]
authors: [Jane Doe, John Roe]
aliases: ["/old/summit.html"]
image: {src: /images/hall.jpg, alt: "The conference hall", caption: "The hall", credit: "Ledger/Max Sample"}
corrections:
  - date: 2017-07-25T10:00:00
    text: "An earlier version named the wrong city."
---
The minister said "we will talk" and called it a 'first step'. NATO was not at the table.

![Delegates at the table](/images/hall.jpg "Delegates before the talks"){credit="Ledger/Ann Other"}

{{< youtube abc123 >}}
-- content/articles/tariffs.md --
---
title: "New tariffs on steel"
date: 2017-07-20T09:00:00Z
summary: "Steel costs more from Monday."
tags: [Trade]
authors: [Jane Doe]
---
Read the [summit report](world/summit.md) too.
-- content/articles/briefing.md --
---
title: "Morning briefing"
date: 2017-07-18T06:30:00
tags: [Trade, Diplomacy]
authors: [Jane Doe]
---
What happened overnight.
-- content/articles/outlook.md --
---
title: "Outlook for the week"
date: 2017-07-15T07:00:00
tags: [Trade]
---
A quiet week ahead.
-- content/authors/jane-doe.md --
---
name: "Jane Doe"
role: "Diplomatic correspondent"
links: ["https://social.example/@jane"]
---
Jane covers diplomacy.
-- content/authors/john-roe.md --
---
name: "John Roe"
---
John writes about trade.
-- content/glossary/nato.md --
---
term: "NATO"
aliases: ["North Atlantic Alliance"]
summary: "A military alliance of North American and European countries."
---
The North Atlantic Treaty Organization.
-- content/pages/about.md --
---
title: "About us"
updated: 2017-07-01
---
We are a small newsroom.
"""

READER_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "content", "data-embed-title")
_WORD = re.compile(r"[^\W\d_]{3,}")
_NOT_WORDS = re.compile(r"%\(\w+\)[sd]|<[^>]+>|\[[A-Z_]+\]")


def catalog_words(language: str) -> set[str]:
    words: set[str] = set()
    for text in read_catalog(catalog_file(language)).texts.values():   # type: ignore[arg-type]
        for form in (text,) if isinstance(text, str) else text:
            words.update(w.casefold() for w in _WORD.findall(_NOT_WORDS.sub(" ", form)))
    return words


# The words of the German texts that no English text has ("Video", "Service", "JavaScript" are both).
GERMAN_WORDS = frozenset(catalog_words("de") - catalog_words("en"))


def make_site(root: Path) -> Path:
    """The English site's folder, with its photo."""
    source = write_site(root, SITE)
    (source / "static/images").mkdir(parents=True)
    Image.new("RGB", (1600, 1000), (90, 110, 140)).save(source / "static/images/hall.jpg", quality=80)
    return source


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("english")
    report = build(BuildOptions(source=make_site(root / "src"), destination=root / "out", cache=False))
    assert report.ok, report.diagnostics
    assert not report.diagnostics, report.diagnostics   # an English site needs no strings: of its own
    return root / "out"


def page(out: Path, path: str) -> Any:
    return lxml_html.fromstring((out / path).read_bytes())


def text_of(out: Path, path: str) -> str:
    return " ".join(" ".join(page(out, path).itertext()).split())


def reader_strings(tree: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every text node, reader-facing attribute, JSON-LD string and Pagefind text."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script":
            if element.get("type") == "application/ld+json":
                yield from (("JSON-LD", s) for s in json_strings(json.loads(element.text or "{}")))
            continue
        if element.tag == "style":
            continue
        if element.text and element.text.strip():
            yield f"<{element.tag}>", element.text
        for name in READER_ATTRIBUTES:
            if element.get(name):
                yield f"<{element.tag} {name}>", element.get(name)
        if element.get("href", "").startswith("#"):
            yield f"<{element.tag} href>", element.get("href")
        if element.get("data-texts"):
            yield from (("Pagefind", s) for s in json_strings(json.loads(element.get("data-texts"))))
        if element.tail and element.tail.strip():
            yield f"after <{element.tag}>", element.tail


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):   # "@type": "WebSite" is schema.org's word, not the theme's
        for key, item in value.items():
            if not key.startswith("@"):
                yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def german_in(texts: Iterator[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, word) for where, text in texts for word in _WORD.findall(text) if word.casefold() in GERMAN_WORDS]


def test_the_list_of_german_words_comes_from_the_catalog_and_holds_the_usual_suspects() -> None:
    assert {"von", "aktualisiert", "themen", "seite", "mehr", "thema", "umgezogen", "foto", "glossar",
            "suche", "artikel", "inhalt", "korrekturen", "stand"} <= GERMAN_WORDS
    assert not {"video", "javascript", "service"} & GERMAN_WORDS


def test_no_page_shows_a_german_word_of_the_theme(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) >= 24 and (built / "old/summit.html").is_file() and (built / "404.html").is_file()
    found = {p.relative_to(built).as_posix(): german_in(reader_strings(page(built, str(p.relative_to(built)))))
             for p in pages if not p.relative_to(built).as_posix().startswith("pagefind/")}
    assert {path: words for path, words in found.items() if words} == {}


def test_feeds_and_their_json_show_no_german_word_of_the_theme(built: Path) -> None:
    feeds = sorted(built.rglob("feed.xml"))
    assert len(feeds) == 7   # the site's, the section's, three tags', two authors'; a JSON Feed beside each
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.bozo_exception)
        texts = [("title", feed.feed.title), ("subtitle", feed.feed.get("subtitle", ""))]
        for entry in feed.entries:
            texts += [("entry", entry.title), ("entry", entry.get("summary", ""))]
            texts += [("category", t.term) for t in entry.get("tags", [])]
            texts += [("content", lxml_html.fromstring(entry.content[0].value).text_content())]
        assert german_in(iter(texts)) == [], path
        json_feed = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert german_in(("JSON Feed", s) for s in json_strings(json_feed)) == [], path
    trade = feedparser.parse((built / "tags/trade/feed.xml").read_bytes())
    assert trade.feed.subtitle == "Articles on Trade"


def test_json_ld_of_every_page_type_is_english(built: Path) -> None:
    for path in ("index.html", "articles/world/summit/index.html", "glossary/index.html", "glossary/nato/index.html",
                 "authors/jane-doe/index.html"):
        data = extruct.extract((built / path).read_text(encoding="utf-8"), syntaxes=["json-ld"])["json-ld"]
        assert data, path
        assert german_in(("JSON-LD", s) for s in json_strings(data)) == [], path
    glossary = extruct.extract((built / "glossary/index.html").read_text(encoding="utf-8"),
                               syntaxes=["json-ld"])["json-ld"][0]
    assert glossary["name"] == "Glossary – The Daily Ledger" and glossary["inLanguage"] == "en"


def test_dates_are_english_and_in_utc_without_a_time_zone_in_config(built: Path) -> None:
    article = page(built, "articles/world/summit/index.html")
    published = article.xpath("//span[@class='byline-date']/time")[0]
    assert published.get("datetime") == "2017-07-23T21:28:00+00:00"
    assert re.fullmatch(r"July 23, 2017, 9:28\s?PM", published.text_content(), re.UNICODE)
    updated = " ".join(article.xpath("//span[@class='byline-updated']")[0].text_content().split())
    assert re.fullmatch(r"Updated July 24, 2017, 8:05\s?AM", updated)
    corrected = article.xpath("//span[@class='byline-corrected']/a")[0]
    assert corrected.get("href") == "#corrections" and corrected.text_content().startswith("Corrected July 25, 2017")
    assert article.xpath("//aside[@id='corrections']/h2")[0].text == "Correction"
    assert "Uhr" not in text_of(built, "articles/world/summit/index.html")
    teaser_day = page(built, "archive/index.html").xpath("//p[@class='meta']/time")[0].text
    assert teaser_day == "July 23, 2017"
    assert "As of July 1, 2017" in text_of(built, "about/index.html")


def test_english_url_folders_and_page_segment(built: Path) -> None:
    for path in ("glossary/index.html", "glossary/nato/index.html", "tags/index.html", "tags/trade/index.html",
                 "tags/trade/page/2/index.html", "search/index.html", "authors/index.html",
                 "authors/jane-doe/index.html", "archive/index.html", "archive/page/2/index.html",
                 "world/index.html", "articles/world/summit/index.html", "about/index.html"):
        assert (built / path).is_file(), path
    assert not [p for p in built.rglob("*") if p.name in ("seite", "themen", "glossar", "suche", "autoren", "archiv")]
    archive = page(built, "archive/index.html")
    assert archive.xpath("//a[@rel='next']/@href") == ["/archive/page/2/"]
    assert archive.xpath("//nav[@class='pagination']/@aria-label") == ["Pages"]
    assert "Page 1 of 2" in archive.xpath("//span[@class='pagination-status']")[0].text
    second = page(built, "archive/page/2/index.html")
    assert second.xpath("//title")[0].text == "Archive – Page 2 – The Daily Ledger"


def test_quotes_in_the_body_are_english(built: Path) -> None:
    body = text_of(built, "articles/world/summit/index.html")
    assert "“we will talk”" in body and "‘first step’" in body
    assert "„" not in body and "‚" not in body


def test_html_lang_and_og_locale_follow_the_language(built: Path) -> None:
    for path in ("index.html", "articles/world/summit/index.html", "404.html", "old/summit.html"):
        assert page(built, path).get("lang") == "en", path
    article = page(built, "articles/world/summit/index.html")
    assert article.xpath("//meta[@property='og:locale']/@content") == ["en_US"]


def test_the_theme_speaks_english_with_plurals_and_lists(built: Path) -> None:
    tags = {a.text: a.getnext().text for a in page(built, "tags/index.html").xpath("//ul[@class='tag-index']/li/a")}
    assert tags == {"Diplomacy": "2 articles", "Geneva": "1 article", "Trade": "4 articles"}
    authors = text_of(built, "authors/index.html")
    assert "Jane Doe – Diplomatic correspondent (3 articles)" in authors and "John Roe (1 article)" in authors
    article = page(built, "articles/world/summit/index.html")
    assert " ".join(article.xpath("//span[@class='byline-authors']")[0].text_content().split()) == \
        "By Jane Doe and John Roe"
    assert [a.text for a in article.xpath("//nav[@class='site-nav']//a")] == \
        ["Home", "World", "Topics", "Glossary", "Search"]
    assert article.xpath("//nav[@class='breadcrumb']/a/text()") == ["Home", "World"]
    assert article.xpath("//figure[@class='lead-image']//span[@class='credit']/text()") == ["Photo: Ledger/Max Sample"]
    assert article.xpath("//figure[@class='image']//span[@class='credit']/text()") == ["Photo: Ledger/Ann Other"]
    embed = article.xpath("//span[@class='embed']")[0]
    assert embed.xpath("string(.//button)") == "Load content from YouTube"
    assert embed.xpath("string(.//a[@class='embed-link'])") == "Open on YouTube"
    assert "Only when you load it is data sent to Google." in embed.text_content()
    assert article.xpath("//h2[@id='more-title']/text()") == ["More on this topic"]
    moved = page(built, "old/summit.html")
    assert moved.xpath("//h1/text()") == ["This page has moved"]
    assert moved.xpath("string(//main//p)") == "You can now find it at https://ledger.example/articles/world/summit/."
    assert "Page not found" in text_of(built, "404.html")
    assert page(built, "index.html").xpath("//h1/text()") == ["Latest"]
    assert page(built, "tags/trade/index.html").xpath("//title/text()") == ["Topic: Trade – The Daily Ledger"]
