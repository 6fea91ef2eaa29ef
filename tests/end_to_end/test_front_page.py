"""The newspaper theme end to end: front page blocks, the featured lead story, the archive behind
it, one "Mehr zum Thema" list per article, term pages that show true aliases only.

Fixture sites are built with a fixed "now" and read with html5lib and extruct.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import extruct
import html5lib
from PIL import Image

from builder.pipeline.build import BuildOptions, build
from conftest import write_site

NS = {"h": "http://www.w3.org/1999/xhtml"}
BEFORE_UNTIL = datetime(2022, 1, 27, 12, 0, tzinfo=timezone.utc)
AFTER_UNTIL = datetime(2022, 1, 29, 12, 0, tzinfo=timezone.utc)

CONFIG = """\
title: "Tageblatt"
base_url: "https://zeitung.example/"
paginate: 3
paths: {glossary: glossar, tags: themen, archive: archiv}
sections:
  - {slug: politik, title: Politik}
  - {slug: wirtschaft, title: Wirtschaft}
  - {slug: sport, title: Sport}
front_page:
  - lead
  - section: politik
    count: 2
  - {section: wirtschaft, title: "Geld und Märkte"}
  - section: sport
  - {latest: true, count: 2}
menus:
  main:
    - {list: home}
    - {list: archive}
"""


def article(slug: str, day: int, section: str = "", extra: str = "") -> str:
    folder = f"{section}/" if section else ""
    return f"""
-- content/articles/{folder}{slug}.md --
---
title: "Artikel {slug}"
date: 2022-01-{day:02d}T08:00:00+01:00
kicker: "Kicker {slug}"
summary: "Zusammenfassung {slug}."
{extra}---
Text von {slug}.
"""


SITE = f"-- config.yaml --\n{CONFIG}" + "".join([
    article("p1", 26, "politik"),
    article("p2", 25, "politik", "featured: true\nfeatured_until: 2022-01-28T12:00:00+01:00\n"),
    article("p3", 24, "politik"),
    article("w1", 27, "wirtschaft"),
    article("w2", 23, "wirtschaft"),
    article("o1", 22),
    article("o2", 21),
])


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="lxml", namespaceHTMLElements=True)


def built(tmp_path: Path, spec: str = SITE, now: datetime = BEFORE_UNTIL) -> Path:
    source = write_site(tmp_path / "src", spec)
    out = tmp_path / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False, now=now))
    assert report.ok, report.diagnostics
    return out


def blocks(out: Path) -> list[tuple[str, str, list[str]]]:
    """Each block of the front page: its class, its title and the slugs of its articles."""
    page = parse(out / "index.html")
    found = []
    for block in page.xpath("//h:main//h:section[contains(@class, 'front-block')]", namespaces=NS):
        title = block.xpath("string(h:h2)", namespaces=NS).strip() or block.get("aria-label")
        links = block.xpath(".//h:*[@class='teaser-title']/h:a/@href", namespaces=NS)
        found.append((block.get("class").split()[-1], title, [link.rstrip("/").rsplit("/", 1)[-1] for link in links]))
    return found


def test_the_front_page_shows_its_blocks_in_order_each_article_once(tmp_path: Path) -> None:
    out = built(tmp_path)
    assert blocks(out) == [
        ("front-lead", "Aufmacher", ["p2"]),                      # featured until the 28th
        ("front-section", "Politik", ["p1", "p3"]),                # count: 2, without the lead story
        ("front-section", "Geld und Märkte", ["w1", "w2"]),        # its own title
        ("front-latest", "Weitere Artikel", ["o1", "o2"]),         # sport has no articles: no block
    ]
    page = parse(out / "index.html")
    assert page.xpath("string(//h:main//h:h1)", namespaces=NS) == "Aktuelles"
    lead = page.xpath("//h:article[contains(@class, 'teaser--lead')]", namespaces=NS)[0]
    assert lead.xpath("string(.//h:h2)", namespaces=NS) == "Artikel p2"
    assert lead.xpath("string(.//h:p[@class='teaser-summary'])", namespaces=NS) == "Zusammenfassung p2."
    assert page.xpath("//h:section[contains(@class, 'front-section')]//h:h3", namespaces=NS)   # below the lead
    more = page.xpath("//h:p[@class='block-more']/h:a/@href", namespaces=NS)
    assert more == ["/politik/", "/wirtschaft/", "/archiv/"]
    assert page.xpath("//h:time[ancestor::h:p[@class='front-updated']]/@datetime", namespaces=NS) == [
        "2022-01-27T08:00:00+01:00"]


def test_a_featured_article_leads_until_its_date_then_the_newest_does(tmp_path: Path) -> None:
    out = built(tmp_path, now=AFTER_UNTIL)
    assert blocks(out)[:2] == [("front-lead", "Aufmacher", ["w1"]), ("front-section", "Politik", ["p1", "p2"])]


def test_the_archive_lists_every_article_paginated_and_the_menu_links_it(tmp_path: Path) -> None:
    out = built(tmp_path)
    first, last = parse(out / "archiv/index.html"), parse(out / "archiv/seite/3/index.html")
    titles = first.xpath("//h:main//h:*[@class='teaser-title']/h:a/text()", namespaces=NS)
    assert titles == ["Artikel w1", "Artikel p1", "Artikel p2"]
    assert last.xpath("//h:main//h:*[@class='teaser-title']/h:a/text()", namespaces=NS) == ["Artikel o2"]
    assert first.xpath("string(//h:title)", namespaces=NS) == "Archiv – Tageblatt"
    assert last.xpath("string(//h:title)", namespaces=NS) == "Archiv – Seite 3 – Tageblatt"
    nav = first.xpath("//h:nav[@class='site-nav']//h:a[@aria-current='page']/@href", namespaces=NS)
    assert nav == ["/archiv/"]


def test_without_sections_or_images_the_front_page_has_a_lead_and_a_list(tmp_path: Path) -> None:
    spec = ('-- config.yaml --\ntitle: "Blatt"\nbase_url: "https://blatt.example/"\n'
            + article("a", 26) + article("b", 25) + article("c", 24))
    out = built(tmp_path, spec)
    assert blocks(out) == [("front-lead", "Aufmacher", ["a"]), ("front-latest", "Weitere Artikel", ["b", "c"])]
    page = parse(out / "index.html")
    assert page.xpath("//h:article[contains(@class, 'teaser--lead')]//h:h2", namespaces=NS)
    assert not page.xpath("//h:picture", namespaces=NS)


def test_a_section_block_shows_small_crops_and_the_lead_a_wide_one(tmp_path: Path) -> None:
    spec = SITE.replace("-- content/articles/politik/p1.md --", "-- content/articles/politik/p1/index.md --")
    spec = spec.replace('title: "Artikel p1"', 'title: "Artikel p1"\nimage: {src: foto.jpg, alt: "Ein Foto", '
                        'credit: "Tageblatt"}')
    source = write_site(tmp_path / "src", spec)
    Image.new("RGB", (1600, 1000), (90, 30, 40)).save(source / "content/articles/politik/p1/foto.jpg")
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False, now=AFTER_UNTIL)).ok
    page = parse(out / "index.html")
    card = page.xpath("//h:section[contains(@class, 'front-section')]//h:article[contains(@class, 'has-image')]",
                      namespaces=NS)
    assert len(card) == 1 and "teaser--card" in card[0].get("class")
    assert "-4x3-" in card[0].xpath("string(.//h:img/@src)", namespaces=NS)
    assert card[0].xpath("string(.//h:img/@loading)", namespaces=NS) == "lazy"


def test_front_page_settings_are_checked_on_their_lines(tmp_path: Path, cli) -> None:
    config = CONFIG.replace("  - section: politik\n    count: 2\n", "  - section: politk\n    count: zwei\n")
    config = config.replace("  - {latest: true, count: 2}\n", "  - {lates: true}\n  - lead\n")
    source = write_site(tmp_path / "src", f"-- config.yaml --\n{config}" + article("a", 26, "politik"))
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "config.yaml:12: error: 'count' of a front page block must be a positive integer" in run.err
    assert "config.yaml:15: error: front page block 5: unknown block or key 'lates'" in run.err
    # YAML gives no line to a plain `- lead`: the message numbers the block
    assert "config.yaml:9: error: front page block 6: the front page has one lead story" in run.err
    assert ("config.yaml:11: error: front page block: there is no section 'politk'\n"
            "  hint: did you mean 'politik'?") in run.err
    assert not (tmp_path / "out").exists()


def test_featured_values_are_checked_on_their_lines(tmp_path: Path, cli) -> None:
    spec = f"-- config.yaml --\n{CONFIG}" + article("a", 26, "politik", "featured: ja\n") + article(
        "b", 25, "politik", "featured_until: gestern\n")
    source = write_site(tmp_path / "src", spec)
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "content/articles/politik/a.md:6: error: 'featured' must be true or false" in run.err
    assert "content/articles/politik/b.md:6: error: 'featured_until' must be an ISO 8601 date, got \"gestern\"" \
        in run.err


# --- "Mehr zum Thema" -----------------------------------------------------------------------

MORE = """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/"
paths: {glossary: glossar, tags: themen}
related: {count: 2, min_score: 0.01}
-- content/glossary/nato.md --
---
term: "NATO"
---
Das Verteidigungsbündnis.
-- content/glossary/kreml.md --
---
term: "Kreml"
---
Der Amtssitz in Moskau.
-- content/articles/antwort.md --
---
title: "Die Antwort"
date: 2022-01-26T19:50:00+01:00
tags: [Diplomatie, Russland]
related: [genf]
---
Die NATO antwortet dem Kreml. Mehr im Bericht über das [Treffen in Genf](genf.md).
-- content/articles/genf.md --
---
title: "Treffen in Genf"
date: 2022-01-21T17:30:00+01:00
tags: [Diplomatie, Russland]
---
Die NATO und der Kreml sprechen in Genf.
-- content/articles/brief.md --
---
title: "Der Brief"
date: 2022-01-27T08:00:00+01:00
tags: [Diplomatie, Russland]
---
Die NATO schreibt dem Kreml. Siehe die [Antwort](antwort.md).
-- content/articles/chronik.md --
---
title: "Die Chronik"
date: 2022-01-28T08:00:00+01:00
tags: [Diplomatie, Russland]
---
Die NATO, der Kreml, Genf: [Antwort](antwort.md), [Genf](genf.md), [Brief](brief.md).
-- content/articles/nachtrag.md --
---
title: "Ein Nachtrag"
date: 2022-01-29T08:00:00+01:00
---
Siehe die [Antwort](antwort.md).
-- content/articles/nachtrag-zwei.md --
---
title: "Noch ein Nachtrag"
date: 2022-01-28T12:00:00+01:00
---
Noch einmal die [Antwort](antwort.md).
-- content/articles/fern.md --
---
title: "Fernes Thema"
date: 2022-01-10T08:00:00+01:00
---
Etwas ganz anderes.
"""


def more_list(out: Path, slug: str) -> list[tuple[str, str, bool]]:
    page = parse(out / f"articles/{slug}/index.html")
    sections = page.xpath("//h:section[@data-related]", namespaces=NS)
    assert len(sections) <= 1
    rows = []
    for item in page.xpath("//h:section[@data-related]//h:li", namespaces=NS):
        href = item.xpath("string(.//h:*[@class='teaser-title']/h:a/@href)", namespaces=NS)
        note = item.xpath("string(.//h:p[@class='teaser-note'])", namespaces=NS)
        rows.append((href.strip("/").split("/")[-1], note, item.get("data-links-here") is not None))
    return rows


def test_one_more_on_this_list_merges_related_and_backlinks_without_duplicates(tmp_path: Path) -> None:
    out = built(tmp_path, MORE, now=AFTER_UNTIL)
    rows = more_list(out, "antwort")
    slugs = [slug for slug, _, _ in rows]
    assert len(slugs) == len(set(slugs))                       # no article twice
    # named in related: (and linked) first, then the ranked one, then the newest backlinks up to
    # related.count + 2; the oldest backlink ("brief") finds no room
    assert slugs == ["genf", "chronik", "nachtrag", "nachtrag-zwei"]
    notes = {slug: note for slug, note, _ in rows}
    for slug in ("genf", "chronik"):                           # what they share, phrased for readers
        assert notes[slug].startswith("Auch über: ") and "Gemeinsam" not in notes[slug]
        assert 1 <= len(notes[slug].removeprefix("Auch über: ").split(", ")) <= 3
        assert "NATO" in notes[slug] and "Kreml" in notes[slug]
    assert notes["nachtrag"] == notes["nachtrag-zwei"] == ""   # they only link here: no reason given
    assert all(linking for _, _, linking in rows)              # each of them links here
    assert "fern" not in slugs
    assert more_list(out, "fern") == []
    page = (out / "articles/antwort/index.html").read_text(encoding="utf-8")
    assert "data-backlinks" not in page and "Verweise auf diesen Artikel" not in page


# --- term pages -----------------------------------------------------------------------------

TERMS = """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/"
paths: {glossary: glossar, tags: themen}
-- content/glossary/normandie-format.md --
---
term: "Normandie-Format"
aliases: ["Normandie-Formats", "NF", "Normandie-Quartett"]
---
Gesprächsrunde aus vier Staaten.
-- content/glossary/buendnis.md --
---
term: "Bündnis"
aliases: ["Bündnisse", "Allianz", "Allianzen"]
---
Ein Zusammenschluss von Staaten.
-- content/glossary/kreml.md --
---
term: "Kreml"
aliases: ["Kremls"]
inflect: false
---
Der Amtssitz in Moskau.
-- content/articles/a.md --
---
title: "Gespräche"
date: 2022-01-26T08:00:00+01:00
---
Ein Treffen des Normandie-Formats, eine Sitzung der Bündnisse, ein Sprecher des Kremls.
"""


def test_term_pages_show_true_aliases_never_inflected_forms(tmp_path: Path) -> None:
    out = built(tmp_path, TERMS)
    shown = {}
    for slug in ("normandie-format", "buendnis", "kreml"):
        html = (out / f"glossar/{slug}/index.html").read_text(encoding="utf-8")
        page = html5lib.parse(html, treebuilder="lxml", namespaceHTMLElements=True)
        shown[slug] = page.xpath("string(//h:p[@class='aliases'])", namespaces=NS)
        term = next(i for i in extruct.extract(html, syntaxes=["json-ld"])["json-ld"] if i["@type"] == "DefinedTerm")
        assert term.get("alternateName", []) == (shown[slug].removeprefix("Auch genannt: ").split(", ")
                                                 if shown[slug] else [])
    assert shown == {"normandie-format": "Auch genannt: NF, Normandie-Quartett",
                     "buendnis": "Auch genannt: Allianz",       # „Bündnisse“ from the lexicon, „Allianzen“ a suffix
                     "kreml": ""}
    # the inflected aliases still match
    article = (out / "articles/a/index.html").read_text(encoding="utf-8")
    for slug, text in (("normandie-format", "Normandie-Formats"), ("buendnis", "Bündnisse"), ("kreml", "Kremls")):
        assert re.search(f'data-term="{slug}" aria-describedby="gl-tip-{slug}-\\d+">{text}</a>', article)
