"""Feeds: clean content, Atom read by feedparser and validated against RFC 4287's RELAX NG, JSON Feed 1.1."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import html5lib
import pytest
from lxml import etree

from builder.output.feed_content import clean_feed_html
from builder.pipeline.build import BuildOptions, build
from conftest import write_site

DATA = Path(__file__).parent / "data"
ATOM = "{http://www.w3.org/2005/Atom}"
NS = {"h": "http://www.w3.org/1999/xhtml"}
DEFINITION = "Das Verteidigungsbündnis"

SITE = f"""
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/ausgabe/"
author: "Redaktion"
feed_entries: 2
paths: {{glossary: glossar, tags: themen, authors: autoren}}
sections:
  - {{slug: politik, title: Politik}}
-- content/articles/politik/gipfel.md --
---
title: "Gipfel in Genf"
date: 2022-01-21T17:30:00+01:00
summary: "Die NATO berät."
authors: [Miriam Schaefer, Gast Autor]
tags: [Diplomatie, Genf]
---
Die NATO trifft sich in [Genf](zoelle.md). Siehe auch[^1].

[^1]: Eine Fußnote.
-- content/articles/politik/zoelle.md --
---
title: "Neue Zölle"
date: 2022-01-20T08:00:00+01:00
updated: 2022-01-20T12:00:00+01:00
tags: [Diplomatie]
---
Zölle steigen, sagt die NATO.
-- content/articles/alt.md --
---
title: "Älteres"
date: 2022-01-19T08:00:00+01:00
tags: [Diplomatie]
---
Text.
-- content/authors/miriam-schaefer.md --
---
name: "Miriam Schäfer"
---
Sie berichtet.
-- content/glossary/nato.md --
---
term: "NATO"
summary: "{DEFINITION}."
---
Die Nordatlantikvertrags-Organisation.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("feeds")
    source = write_site(root / "src", SITE)
    report = build(BuildOptions(source=source, destination=root / "out", cache=False))
    assert report.ok, report.diagnostics
    return root / "out"


def atom_feeds(out: Path) -> list[Path]:
    return sorted(out.rglob("feed.xml"))


def fragment(html: str) -> etree._Element:
    """An HTML fragment as an lxml document (in a <div>), for XPath."""
    return html5lib.parse(f"<div>{html}</div>", treebuilder="lxml", namespaceHTMLElements=False)


def head_links(out: Path, page: str) -> list[tuple[str, str]]:
    doc = html5lib.parse((out / page).read_bytes(), treebuilder="lxml", namespaceHTMLElements=True)
    return [(link.get("type"), link.get("href")) for link in doc.xpath("//h:head/h:link[@rel='alternate']", namespaces=NS)]


# --- clean content -------------------------------------------------------------------------

ANNOTATED = ('<p>Die <span class="gl"><a class="gl-term" href="/ausgabe/glossar/nato/" data-term="nato" '
             'aria-describedby="gl-tip-nato-1">NATO</a><span class="gl-tip" role="tooltip" id="gl-tip-nato-1">'
             'Das Bündnis.</span></span> tagt.<script>alert(1)</script><button type="button">Mehr</button></p>')


def test_a_glossary_term_becomes_a_plain_absolute_link_without_its_definition() -> None:
    html = clean_feed_html(ANNOTATED, "https://zeitung.example/ausgabe/politik/x/")
    assert html == '<p>Die <a href="https://zeitung.example/ausgabe/glossar/nato/">NATO</a> tagt.</p>'


def test_a_picture_becomes_its_largest_fallback_img_and_the_caption_stays_as_text() -> None:
    body = ('<figure class="image"><picture><source type="image/webp" srcset="/a-480.webp 480w" sizes="100vw">'
            '<img src="/ausgabe/x/a-1600.jpg" srcset="/ausgabe/x/a-480.jpg 480w, /ausgabe/x/a-1600.jpg 1600w" '
            'sizes="100vw" width="1600" height="900" alt="Der Saal" loading="lazy" decoding="async"></picture>'
            '<figcaption>Der Saal <span class="credit">Foto: dpa</span></figcaption></figure>')
    doc = fragment(clean_feed_html(body, "https://zeitung.example/ausgabe/x/"))
    assert not doc.xpath("//picture | //source | //@srcset | //@sizes | //@loading")
    (img,) = doc.xpath("//img")
    assert (img.get("src"), img.get("alt")) == ("https://zeitung.example/ausgabe/x/a-1600.jpg", "Der Saal")
    assert doc.xpath("string(//figcaption)") == "Der Saal Foto: dpa" and not doc.xpath("//figcaption/*")


def test_relative_links_and_anchors_resolve_against_the_article() -> None:
    html = clean_feed_html('<p><a href="#fn1">1</a> <img src="bild.png"> <a href="javascript:x()">x</a></p>',
                           "https://zeitung.example/ausgabe/x/")
    assert 'href="https://zeitung.example/ausgabe/x/#fn1"' in html
    assert 'src="https://zeitung.example/ausgabe/x/bild.png" alt=""' in html
    assert "javascript" not in html


# --- the feeds of a built site -------------------------------------------------------------

def test_every_feed_is_valid_atom_for_feedparser_and_the_rfc_4287_schema(built: Path) -> None:
    schema = etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))
    feeds = atom_feeds(built)
    assert {f.relative_to(built).as_posix() for f in feeds} == {
        "feed.xml", "politik/feed.xml", "autoren/miriam-schaefer/feed.xml",
        "themen/diplomatie/feed.xml", "themen/genf/feed.xml"}
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        assert schema.validate(etree.parse(str(feed))), (feed, schema.error_log)


def test_entry_content_has_no_definition_inline_and_only_absolute_urls(built: Path) -> None:
    for feed in atom_feeds(built):
        for content in etree.parse(str(feed)).iter(f"{ATOM}content"):
            html = content.text or ""
            assert DEFINITION not in html and "gl-tip" not in html and "data-" not in html and "aria-" not in html
            doc = fragment(html)
            assert not doc.xpath("//script | //button | //span[@role='tooltip']")
            for url in doc.xpath("//@href | //@src"):
                assert urlsplit(url).scheme == "https", (feed, url)
    entry = next(e for e in feedparser.parse((built / "feed.xml").read_bytes()).entries if e.title == "Gipfel in Genf")
    assert 'href="https://zeitung.example/ausgabe/glossar/nato/"' in entry.content[0].value
    assert 'href="https://zeitung.example/ausgabe/articles/politik/zoelle/"' in entry.content[0].value


def test_entries_carry_authors_categories_dates_and_summary(built: Path) -> None:
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Gipfel in Genf", "Neue Zölle"]   # feed_entries: 2
    gipfel, zoelle = feed.entries
    assert [(a.get("name"), a.get("href")) for a in gipfel.authors] == [
        ("Miriam Schäfer", "https://zeitung.example/ausgabe/autoren/miriam-schaefer/"), ("Gast Autor", None)]
    assert [t.term for t in gipfel.tags] == ["Politik", "Diplomatie", "Genf"]
    assert gipfel.summary == "Die NATO berät."
    assert gipfel.published.startswith("2022-01-21T17:30") and zoelle.updated.startswith("2022-01-20T12:00")
    assert [a.get("name") for a in zoelle.authors] == ["Redaktion"]   # no byline: the site's author


def test_tag_feeds_exist_and_every_listing_announces_its_atom_and_json_feed(built: Path) -> None:
    tag = feedparser.parse((built / "themen/diplomatie/feed.xml").read_bytes())
    assert [e.title for e in tag.entries] == ["Gipfel in Genf", "Neue Zölle"]
    for page, base in (("index.html", "/ausgabe/"), ("politik/index.html", "/ausgabe/politik/"),
                       ("themen/diplomatie/index.html", "/ausgabe/themen/diplomatie/"),
                       ("autoren/miriam-schaefer/index.html", "/ausgabe/autoren/miriam-schaefer/")):
        assert head_links(built, page) == [("application/atom+xml", base + "feed.xml"),
                                           ("application/feed+json", base + "feed.json")], page


def test_article_pages_announce_the_site_and_section_feeds(built: Path) -> None:
    links = head_links(built, "articles/politik/gipfel/index.html")
    assert ("application/atom+xml", "/ausgabe/feed.xml") in links
    assert ("application/atom+xml", "/ausgabe/politik/feed.xml") in links


def test_a_json_feed_beside_each_atom_feed_holds_the_same_entries(built: Path) -> None:
    for atom in atom_feeds(built):
        data = json.loads(atom.with_suffix(".json").read_text(encoding="utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["feed_url"] == "https://zeitung.example/ausgabe/" + atom.relative_to(built).with_suffix(
            ".json").as_posix()
        entries = feedparser.parse(atom.read_bytes()).entries
        assert [i["url"] for i in data["items"]] == [e.link for e in entries]
        for item in data["items"]:
            assert DEFINITION not in item["content_html"] and item["date_published"]
