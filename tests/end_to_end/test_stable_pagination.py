"""`stable_pagination: true`: listings in pages counted from the oldest, which a new article leaves alone.

Pages are read by html5lib; a page "left alone" keeps its bytes, its inode and its
modification time, so neither the build nor a publisher that uploads changed files touches it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.pipeline.build import BuildOptions, build
from conftest import write_site
from test_term_pages import NS, TERM, pager, parse, titles   # the term pages' fixture site and readers

CONFIG = """\
title: "Tageblatt"
base_url: "https://zeitung.example/"
paginate: 2
stable_pagination: true
paths: {glossary: glossar, tags: themen, archive: archiv}
"""
NUMBERED = [f"{listing}/seite/{n}/index.html" for listing in ("archiv", "themen/diplomatie", "glossar/normandie-format")
            for n in (2, 3)]


def article(day: int) -> str:
    return (f"---\ntitle: \"Meldung {day}\"\ndate: 2022-01-{day:02d}\ntags: [Diplomatie]\n---\n\n"
            "Heute tagte das Normandie-Format.\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    articles = "".join(f"-- content/articles/meldung-{day}.md --\n{article(day)}" for day in range(1, 7))
    return write_site(tmp_path / "site",
                      f"-- config.yaml --\n{CONFIG}-- content/glossary/normandie-format.md --\n{TERM}{articles}")


def status(out: Path, path: str) -> str:
    return parse(out, path).find(".//h:span[@class='pagination-status']", NS).text


def identity(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_ino, info.st_mtime_ns


def test_pages_are_blocks_from_the_oldest_and_the_listing_holds_the_newest(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = build(BuildOptions(site, out))
    assert report.ok, report.diagnostics
    assert titles(parse(out, "archiv/index.html")) == ["Meldung 6", "Meldung 5"]
    assert titles(parse(out, "archiv/seite/3/index.html")) == ["Meldung 4", "Meldung 3"]
    assert titles(parse(out, "archiv/seite/2/index.html")) == ["Meldung 2", "Meldung 1"]
    assert not (out / "archiv/seite/4").exists()
    assert pager(parse(out, "archiv/index.html")) == {"next": "/archiv/seite/3/"}
    assert pager(parse(out, "archiv/seite/3/index.html")) == {"prev": "/archiv/", "next": "/archiv/seite/2/"}
    assert pager(parse(out, "archiv/seite/2/index.html")) == {"prev": "/archiv/seite/3/"}
    assert status(out, "archiv/seite/3/index.html") == "Artikel vom 3. Januar 2022 bis 4. Januar 2022"
    for listing in ("themen/diplomatie", "glossar/normandie-format"):
        assert titles(parse(out, f"{listing}/seite/2/index.html")) == ["Meldung 2", "Meldung 1"]
    # A term's numbered pages do not count its articles: the count changes with every new one.
    text = "".join(parse(out, "glossar/normandie-format/seite/3/index.html").find(".//h:main", NS).itertext())
    assert "Artikel mit diesem Begriff" not in text
    assert "6 Artikel" in "".join(parse(out, "glossar/normandie-format/index.html").find(".//h:main", NS).itertext())


def test_a_new_article_leaves_the_numbered_pages_alone_until_a_block_fills(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(BuildOptions(site, out))
    before = {path: identity(out / path) for path in NUMBERED}

    (site / "content/articles/meldung-7.md").write_text(article(7), encoding="utf-8")
    assert build(BuildOptions(site, out)).ok
    assert titles(parse(out, "archiv/index.html")) == ["Meldung 7", "Meldung 6", "Meldung 5"]
    assert {path: identity(out / path) for path in NUMBERED} == before

    # The eighth fills a block: it gets a page of its own, and the page behind it a link to it.
    (site / "content/articles/meldung-8.md").write_text(article(8), encoding="utf-8")
    assert build(BuildOptions(site, out)).ok
    assert titles(parse(out, "archiv/index.html")) == ["Meldung 8", "Meldung 7"]
    assert titles(parse(out, "archiv/seite/4/index.html")) == ["Meldung 6", "Meldung 5"]
    assert pager(parse(out, "archiv/seite/3/index.html")) == {"prev": "/archiv/seite/4/", "next": "/archiv/seite/2/"}
    assert {path: identity(out / path) for path in NUMBERED if "/seite/2/" in path} == \
        {path: value for path, value in before.items() if "/seite/2/" in path}

    fresh = tmp_path / "fresh"
    build(BuildOptions(site, fresh, cache=False))
    built = sorted(p.relative_to(fresh) for p in fresh.rglob("*.html"))
    assert built == sorted(p.relative_to(out) for p in out.rglob("*.html"))
    for path in built:
        assert (out / path).read_bytes() == (fresh / path).read_bytes(), path


@pytest.mark.parametrize("stable, older", [(True, "/archiv/"), (False, "/archiv/seite/2/")])
def test_the_front_page_leads_older_themes_on_to_the_archive(site: Path, tmp_path: Path, stable: bool,
                                                              older: str) -> None:
    """A theme's index.html that pages (`page.next_url`) leads on to the archive's own page with stable
    pages, which holds the articles after the front page's; with newest-first pages to its page 2."""
    if not stable:
        (site / "config.yaml").write_text(CONFIG.replace("stable_pagination: true\n", ""), encoding="utf-8")
    (site / "layouts").mkdir()
    (site / "layouts/index.html").write_text("{{ page.next_url }} {{ page.stable }}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert build(BuildOptions(site, out)).ok
    assert (out / "index.html").read_text(encoding="utf-8") == f"{older} {stable}\n"


def test_newest_first_stays_the_default(site: Path, tmp_path: Path) -> None:
    config = site / "config.yaml"
    config.write_text(CONFIG.replace("stable_pagination: true\n", ""), encoding="utf-8")
    out = tmp_path / "out"
    build(BuildOptions(site, out))
    assert titles(parse(out, "archiv/seite/2/index.html")) == ["Meldung 4", "Meldung 3"]
    assert status(out, "archiv/seite/2/index.html") == "Seite 2 von 3"
    assert not os.path.exists(out / "archiv/seite/4")


def test_check_finds_every_link_of_stable_pages_and_every_page_reachable(site: Path, tmp_path: Path, cli) -> None:
    """`check` reads the built site: links, anchors, HTML5, feeds and sitemap, and orphans."""
    for day in (7, 8, 9):   # page 1 with a partial block above a full one, three numbered pages
        (site / f"content/articles/meldung-{day}.md").write_text(article(day), encoding="utf-8")
    run = cli("check", "--source", site, "--destination", tmp_path / "out")
    assert run.code == 0, run.err
    assert "check: all links, anchors, pages, feed and sitemap are fine" in run.out
    assert titles(parse(tmp_path / "out", "archiv/index.html")) == ["Meldung 9", "Meldung 8", "Meldung 7"]
