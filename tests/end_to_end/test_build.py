"""End-to-end: build small fixture sites and check the HTML, feed and sitemap (errors: test_build_errors)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder.pipeline.build import BuildOptions, build
from conftest import write_site

SITE = """
-- config.yaml --
title: "Testzeitung"
description: "Nachrichten mit Erklärungen"
base_url: "https://example.org/zeitung/"
paginate: 2
paths:
  glossary: glossar
  tags: themen
-- content/articles/us-antwort.md --
---
title: "USA antworten Russland"
date: 2022-01-26T19:50:00+01:00
kicker: "Ukraine-Krise"
summary: "Die schriftliche Antwort ist da."
tags: [Diplomatie, NATO]
authors: [Lena Hoffmann]
related: [genf]
aliases: ["/alt/us-antwort.html"]
---

Die USA haben geantwortet. Das Gespräch im Normandie-Format folgt.

## Zwischentitel

Mehr zur [Vorgeschichte](genf.md#h-treffen) und "Zitate".
-- content/articles/genf.md --
---
title: "Krisentreffen in Genf"
date: 2022-01-21
tags: [Diplomatie]
---

## Treffen

In Genf trafen sich die Außenminister.
-- content/articles/aelter.md --
---
title: "Ältere Meldung"
date: "2021-12-17 15:20"
tags: [Russland]
---

Ein Vertragsentwurf aus Moskau.
-- content/articles/entwurf.md --
---
title: "Noch nicht fertig"
date: 2022-01-27
draft: true
---

Entwurf.
-- content/glossary/normandie-format.md --
---
term: "Normandie-Format"
aliases: ["Normandie-Formats"]
---

Gesprächsrunde aus Deutschland, Frankreich, Russland und der Ukraine.

Gegründet 2014.
-- content/glossary/aussenministerium.md --
---
term: "Außenministerium"
---

Das für Außenpolitik zuständige Ministerium.
-- content/glossary/abruestung.md --
---
term: "Abrüstung"
---

Verringerung von Waffen.
-- static/robots-extra.txt --
statisch
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "src", SITE)


def read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class Links(HTMLParser):
    """Collects href/src attributes and ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.append(value)


def test_build_writes_clean_urls_for_every_kind_of_page(site: Path, cli) -> None:
    out = site.parent / "out"
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 0, run.err
    assert re.search(r"^Built \d+ pages: 3 articles, 3 terms, 3 tags in \d+\.\d s$", run.out, re.M)
    for path in ["index.html", "archiv/index.html", "archiv/seite/2/index.html", "articles/us-antwort/index.html",
                 "articles/genf/index.html", "themen/index.html", "themen/diplomatie/index.html",
                 "themen/nato/index.html", "glossar/index.html", "glossar/normandie-format/index.html",
                 "glossar/aussenministerium/index.html", "feed.xml", "sitemap.xml", "robots.txt",
                 "404.html", "alt/us-antwort.html", "robots-extra.txt"]:
        assert (out / path).is_file(), path
    assert len(list(out.glob("assets/style.*.css"))) == 1   # named by its digest
    assert not (out / "articles/entwurf").exists()


def test_timings_name_every_stage_in_order_and_add_up_to_the_build(site: Path, cli) -> None:
    out = site.parent / "out"
    stages = ["checking inputs", "reading caches", "loading", "bodies", "links", "planning", "writing",
              "saving caches", "rest"]
    for run_number in range(2):   # a first build, then one with the cache
        run = cli("build", "--source", site, "--destination", out, "--timings")
        assert run.code == 0, run.err
        laps = re.findall(r"^  ([a-z ]+?)  +(\d+\.\d\d) s$", run.out, re.M)
        assert [name for name, _ in laps] == stages, run.out
        total = float(re.search(r"^Built .* in (\d+\.\d) s$", run.out, re.M).group(1))
        assert abs(sum(float(seconds) for _, seconds in laps) - total) <= 0.05 + 0.01 * len(laps)
    assert "checking inputs" not in cli("build", "--source", site, "--destination", out).out


def test_the_archive_behind_the_front_page_is_paginated_newest_first(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    front = read(out, "index.html")
    assert front.index("USA antworten Russland") < front.index("Krisentreffen in Genf")
    assert 'href="/zeitung/archiv/"' in front
    first, second = read(out, "archiv/index.html"), read(out, "archiv/seite/2/index.html")
    assert first.index("USA antworten Russland") < first.index("Krisentreffen in Genf")
    assert "Ältere Meldung" not in first and "Ältere Meldung" in second
    assert 'href="/zeitung/archiv/seite/2/"' in first
    assert 'rel="prev" href="/zeitung/archiv/"' in second


def test_every_internal_link_lives_under_the_base_path(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    for page in out.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            if url.startswith("/"):
                assert url.startswith("/zeitung/"), f"{page}: {url}"
                target = out / url.removeprefix("/zeitung/").split("#")[0].split("?")[0]
                target = target / "index.html" if url.split("#")[0].endswith("/") else target
                assert target.exists(), f"{page.relative_to(out)} links to missing {url}"


def test_article_page_has_german_date_meta_data_and_markdown_links(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    html = read(out, "articles/us-antwort/index.html")
    assert '<time datetime="2022-01-26T19:50:00+01:00"' in html
    assert "26. Januar 2022, 19:50 Uhr" in html
    assert '<link rel="canonical" href="https://example.org/zeitung/articles/us-antwort/">' in html
    assert 'property="og:title" content="USA antworten Russland"' in html
    assert '<meta name="description" content="Die schriftliche Antwort ist da.">' in html
    assert 'href="/zeitung/articles/genf/#h-treffen"' in html
    assert "„Zitate“" in html
    assert '<h2 id="h-zwischentitel">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == "USA antworten Russland"
    assert ld["datePublished"] == "2022-01-26T19:50:00+01:00"
    assert ld["author"] == [{"@type": "Person", "name": "Lena Hoffmann"}]


def test_glossary_terms_are_annotated_and_get_pages(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    html = read(out, "articles/us-antwort/index.html")
    assert ('<a class="gl-term" href="/zeitung/glossar/normandie-format/" data-term="normandie-format" '
            'aria-describedby="gl-tip-normandie-format-1">Normandie-Format</a>') in html
    term = read(out, "glossar/normandie-format/index.html")
    assert "Gegründet 2014." in term
    assert "Normandie-Formats" not in term   # an inflected form, listed as an alias to match, is no other name
    assert 'href="/zeitung/articles/us-antwort/"' in term


def test_glossary_index_is_in_german_order(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    html = read(out, "glossar/index.html")
    html = html[html.index("<main"):]   # the head's JSON-LD lists the terms too (with escaped umlauts)
    positions = [html.index(name) for name in ("Abrüstung", "Außenministerium", "Normandie-Format")]
    assert positions == sorted(positions)


def test_drafts_only_with_the_flag(site: Path, cli) -> None:
    out = site.parent / "out"
    assert cli("build", "--source", site, "--destination", out, "--drafts").code == 0
    assert (out / "articles/entwurf/index.html").exists()


def test_related_and_backlinks_are_shown_both_ways_once(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    for page, other in (("genf", "us-antwort"), ("us-antwort", "genf")):
        html = read(out, f"articles/{page}/index.html")
        more = re.findall(r"<section[^>]*data-related.*?</section>", html, re.S)
        assert len(more) == 1 and "data-backlinks" not in html
        # the title link and the image link of one teaser, never two teasers
        assert more[0].count('<h3 class="teaser-title"><a href="/zeitung/articles/' + other + '/">') == 1


def test_feed_and_sitemap_are_valid_and_list_pages(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == [
        "USA antworten Russland", "Krisentreffen in Genf", "Ältere Meldung"]
    assert entries[0].find(f"{atom}link").get("href") == "https://example.org/zeitung/articles/us-antwort/"
    sm = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().iter(f"{sm}loc")]
    assert "https://example.org/zeitung/articles/genf/" in locs
    assert "https://example.org/zeitung/glossar/abruestung/" in locs
    for loc in locs:
        rel = loc.removeprefix("https://example.org/zeitung/")
        assert (out / rel / "index.html").exists() or (out / rel).is_file(), loc
    assert "Sitemap: https://example.org/zeitung/sitemap.xml" in read(out, "robots.txt")


def test_alias_redirects_to_the_article(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out)
    html = read(out, "alt/us-antwort.html")
    assert "/zeitung/articles/us-antwort/" in html and 'http-equiv="refresh"' in html


def test_an_alias_shows_the_title_and_summary_of_its_article_after_an_edit_of_them(site: Path) -> None:
    """The redirect page's title and description are the article's: an edit of them writes it again."""
    out, fresh = site.parent / "out", site.parent / "fresh"
    assert build(BuildOptions(source=site, destination=out)).ok
    path = site / "content/articles/us-antwort.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "', 'title: "Neu: ', 1).replace('summary: "', 'summary: "Neu: ', 1),
                    encoding="utf-8")
    assert build(BuildOptions(source=site, destination=out)).ok
    assert build(BuildOptions(source=site, destination=fresh, cache=False)).ok
    assert "<title>Neu: " in read(fresh, "alt/us-antwort.html")
    assert tree_bytes(out) == tree_bytes(fresh)


def test_build_is_deterministic_whatever_the_jobs_and_cache(site: Path) -> None:
    outs = []
    for name, jobs, cache in (("a", 1, False), ("b", 2, False), ("c", 2, True), ("d", 1, True)):
        out = site.parent / name
        report = build(BuildOptions(source=site, destination=out, jobs=jobs, cache=cache))
        assert report.ok, report.diagnostics
        outs.append(tree_bytes(out))
    assert outs[0] == outs[1] == outs[2] == outs[3]


def test_base_url_option_overrides_config(site: Path, cli) -> None:
    out = site.parent / "out"
    cli("build", "--source", site, "--destination", out, "--base-url", "https://news.example/")
    html = read(out, "articles/genf/index.html")
    assert 'href="/articles/us-antwort/"' in html
    assert "https://news.example/articles/genf/" in html


def test_a_site_with_only_config_and_content_uses_the_default_theme(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", "-- content/a.md --\n---\ntitle: Eins\ndate: 2022-01-01\n---\nText\n")
    run = cli("build", "--source", site, "--destination", tmp_path / "out")
    assert run.code == 0, run.err
    assert "Eins" in read(tmp_path / "out", "a/index.html")


def test_site_layouts_override_the_theme(site: Path, cli) -> None:
    write_site(site, "-- layouts/404.html --\n<!doctype html><title>Eigene 404</title>{{ site.title }}\n")
    cli("build", "--source", site, "--destination", site.parent / "out")
    assert read(site.parent / "out", "404.html") == "<!doctype html><title>Eigene 404</title>Testzeitung\n"


def test_cached_rebuild_after_an_edit_equals_a_fresh_build(site: Path) -> None:
    out = site.parent / "out"
    assert build(BuildOptions(source=site, destination=out)).ok
    path = site / "content/articles/genf.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Außenminister", "Außenminister erneut"),
                    encoding="utf-8")
    report = build(BuildOptions(source=site, destination=out))
    assert report.ok and 0 < report.rendered < report.pages
    fresh = site.parent / "fresh"
    assert build(BuildOptions(source=site, destination=fresh, cache=False)).ok
    assert tree_bytes(out) == tree_bytes(fresh)


def test_new_article_and_term_create_valid_files(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", "")
    run = cli("new", "article", "Gipfel in Brüssel", "--source", site)
    assert run.code == 0
    created = site / "content/articles/gipfel-in-bruessel.md"
    assert created.read_text(encoding="utf-8").startswith('---\ntitle: "Gipfel in Brüssel"\ndate: ')
    assert cli("new", "term", "Politik der offenen Tür", "--source", site).code == 0
    assert (site / "content/glossary/politik-der-offenen-tuer.md").exists()
    assert cli("new", "term", "Politik der offenen Tür", "--source", site).code == 2
    assert cli("build", "--source", site, "--destination", tmp_path / "out", "--drafts").code == 0


def test_progress_bar_only_on_a_terminal() -> None:
    import io

    from builder.commands.cli import _ProgressBar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    pipe, tty = io.StringIO(), Tty()
    for stream in (pipe, tty):
        bar = _ProgressBar(stream)
        bar("Rendering bodies", 500, 1000)
        bar.close()
    assert pipe.getvalue() == ""
    assert "Rendering bodies" in tty.getvalue() and "500/1000" in tty.getvalue()
    assert "[###############...............]" in tty.getvalue()


def test_build_output_never_carries_the_live_reload_script(site: Path, cli) -> None:
    out = site.parent / "out"
    assert cli("build", "--source", site, "--destination", out).code == 0
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "__livereload" not in text and "EventSource" not in text, page
