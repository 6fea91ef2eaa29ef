"""An edit of an article's text alone: the preview plans its page and feeds again, and nothing else,
and its site equals a fresh build's; any other edit runs the whole pipeline."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from PIL import Image

from builder.pipeline.body_edit import body_edit
from builder.pipeline.build import BuildOptions, build
from builder.pipeline.incremental import IncrementalBuilder
from conftest import write_site

SITE = """
-- config.yaml --
title: "Zeitung"
base_url: "https://example.org/z/"
paginate: 2
feed_entries: 2
related:
  count: 2
  min_score: 0.01
sections:
  - {slug: politik, title: Politik}
-- content/authors/anna-muster.md --
---
name: "Anna Muster"
role: "Reporterin"
---
Anna schreibt über den Kreml.
-- content/glossary/kreml.md --
---
term: "Kreml"
---

Sitz der russischen Regierung.
-- content/glossary/nato.md --
---
term: "NATO"
---

Das Verteidigungsbündnis.
-- content/articles/politik/neu.md --
---
title: "Gespräche in Genf"
date: 2022-01-20T10:00:00+01:00
tags: [Diplomatie, Russland]
authors: [Anna Muster]
---

Der Kreml schickt Unterhändler nach Genf. Die Gespräche in Genf dauern an, Moskau wartet.
Siehe auch [den Brief](/articles/alt.md).
-- content/articles/mitte.md --
---
title: "Antwort aus Moskau"
date: 2022-01-15T10:00:00+01:00
tags: [Russland]
---

Moskau schickt eine Antwort. Der Kreml und die Antwort aus Moskau.
-- content/articles/alt.md --
---
title: "Ein Brief nach Brüssel"
date: 2022-01-10T10:00:00+01:00
tags: [Diplomatie]
---

Ein Brief an die NATO in Brüssel. Die NATO liest den Brief aus Moskau.
"""

PHOTO_SITE = """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/"
-- content/articles/gipfel/index.md --
---
title: "Gipfel in Genf"
date: 2022-01-21T17:30:00+01:00
image:
  src: saal.jpg
  alt: "Der Verhandlungssaal"
  caption: "Der Saal vor Beginn der Gespräche"
  credit: "dpa/Jane Doe"
---
Die Gespräche begannen am Morgen in Genf.

![Die Delegationen am Tisch](tisch.jpg "Die Delegationen"){credit="Lagebild/Max Muster"}

Das Logo ![Logo der Konferenz](/bilder/logo.png) steht im Text.
-- content/articles/meldung.md --
---
title: "Kurze Meldung"
date: 2022-01-20T08:00:00+01:00
image:
  src: /bilder/logo.png
  alt: "Logo"
  credit: "Tageblatt"
---
Eine Meldung aus Genf.
"""


def photo(path: Path, size: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (120, 40, 50)).save(path)


CLOCK = [time.time_ns() - 3600 * 10**9]


def date_back(path: Path) -> None:
    """Out of the load cache's racy window (as files are unless just saved), each file to its own time."""
    CLOCK[0] += 1_000_000
    os.utime(path, ns=(CLOCK[0], CLOCK[0]))


def dated_site(folder: Path, spec: str) -> Path:
    """The fixture site `spec` written to `folder`, every file dated back."""
    return _dated(write_site(folder, spec))


def photo_site(folder: Path) -> Path:
    """PHOTO_SITE written to `folder` with its photos, every file dated back."""
    site = write_site(folder, PHOTO_SITE)
    for path, size in (("content/articles/gipfel/saal.jpg", (1600, 900)),
                       ("content/articles/gipfel/tisch.jpg", (800, 600)), ("static/bilder/logo.png", (300, 100))):
        photo(site / path, size)
    return _dated(site)


def _dated(site: Path) -> Path:
    for path in site.rglob("*"):
        if path.is_file():
            date_back(path)
    return site


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    date_back(path)


def _site(tmp_path: Path) -> Path:
    site = write_site(tmp_path / "site", SITE)
    for path in (site / "content").rglob("*.md"):
        _write(path, path.read_text(encoding="utf-8"))
    return site


def _fresh(site: Path, out: Path) -> dict[str, bytes]:
    report = build(BuildOptions(source=site, destination=out, jobs=1, cache=False, fingerprint_assets=False))
    assert report.ok, report.diagnostics
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".builder-output"}


def _edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    _write(path, text.replace(old, new, 1))


@pytest.mark.parametrize("rel, page, feeds", [
    # The newest article is in the site's feed, its section's, its tags' and its author's.
    ("content/articles/politik/neu.md", "articles/politik/neu/index.html",
     {"feed.xml", "politik/feed.xml", "themen/diplomatie/feed.xml", "themen/russland/feed.xml",
      "autoren/anna-muster/feed.xml"}),
    # The oldest is in its tag's feed alone (two entries a feed).
    ("content/articles/alt.md", "articles/alt/index.html", {"themen/diplomatie/feed.xml"}),
])
def test_a_text_edit_plans_its_page_and_feeds_again_and_equals_a_fresh_build(
        tmp_path: Path, rel: str, page: str, feeds: set[str]) -> None:
    site = _site(tmp_path)
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        # Words that are no content words ("noch", "nicht"): no term, top word or link changes.
        _edit(site, rel, "Moskau", "Moskau noch nicht")
        outcome = preview.build({rel})
        assert outcome.ok, outcome.diagnostics
        assert preview.body_edits == 1
        expected = _fresh(site, tmp_path / "fresh")
        assert dict(outcome.files) == expected
        json_feeds = {path.replace(".xml", ".json") for path in feeds}
        assert outcome.changed == {page} | feeds | json_feeds
        # The feeds carry the new text, as a feed reader reads them.
        for path in feeds:
            parsed = feedparser.parse(outcome.files[path])
            assert not parsed.bozo, parsed.bozo_exception
            entry = next(e for e in parsed.entries if e.link.endswith("/" + page.removesuffix("index.html")))
            assert "Moskau noch nicht" in entry.content[0].value
    finally:
        preview.close()


@pytest.mark.parametrize("old, new", [
    ("tags: [Russland]", "tags: [Russland, Krise]"),                           # front matter
    ("eine Antwort.", "eine Antwort an die NATO."),                           # a term more
    ("eine Antwort.", "eine Antwort, siehe [Genf](/articles/politik/neu.md)."),   # a link more
    ("eine Antwort.", "eine Antwort zum Haushaltsstreit."),                    # a word more
    ("eine Antwort.", "eine Antwort, siehe [weg](/articles/fehlt.md)."),       # an error in the text
])
def test_an_edit_that_reaches_other_pages_runs_the_whole_pipeline(tmp_path: Path, old: str, new: str) -> None:
    site = _site(tmp_path)
    rel = "content/articles/mitte.md"
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        _edit(site, rel, old, new)
        outcome = preview.build({rel})
        assert preview.body_edits == 0
        if not outcome.ok:   # the broken link: reported like any build's error
            assert any("fehlt.md" in str(d) for d in outcome.diagnostics)
            return
        assert dict(outcome.files) == _fresh(site, tmp_path / "fresh")
    finally:
        preview.close()


def test_an_edit_beside_a_new_file_or_of_a_draft_runs_the_whole_pipeline(tmp_path: Path) -> None:
    site = _site(tmp_path)
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        _write(site / "content/articles/entwurf.md", "---\ntitle: \"Entwurf\"\ndate: 2022-01-12T10:00:00+01:00\n"
               "draft: true\n---\n\nMoskau schweigt.\n")
        assert preview.build({"content/articles/entwurf.md"}).ok
        _edit(site, "content/articles/entwurf.md", "Moskau", "Moskau noch")
        _edit(site, "content/articles/mitte.md", "Moskau schickt", "Moskau schickt noch")
        outcome = preview.build({"content/articles/entwurf.md", "content/articles/mitte.md"})
        assert preview.body_edits == 0
        assert dict(outcome.files) == _fresh(site, tmp_path / "fresh")
        _edit(site, "content/articles/mitte.md", "schickt noch", "schickt nicht")
        _write(site / "content/articles/neu2.md",
               "---\ntitle: \"Neu\"\ndate: 2022-01-21T10:00:00+01:00\n---\n\nGenf.\n")
        outcome = preview.build({"content/articles/mitte.md", "content/articles/neu2.md"})
        assert preview.body_edits == 0
        assert dict(outcome.files) == _fresh(site, tmp_path / "fresh2")
    finally:
        preview.close()


def test_a_text_edit_after_a_moment_that_changes_the_site_runs_the_whole_pipeline(tmp_path: Path) -> None:
    site = _site(tmp_path)
    _write(site / "content/articles/spaeter.md", "---\ntitle: \"Später\"\ndate: 2099-01-01T10:00:00+01:00\n---\n\n"
           "Erscheint erst 2099.\n")
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        last = preview._last
        assert last is not None and last.until == datetime(2099, 1, 1, 9, tzinfo=timezone.utc)
        _edit(site, "content/articles/mitte.md", "Moskau schickt", "Moskau schickt noch")
        assert last.prepared.load_cache is not None
        due = body_edit(last, {"content/articles/mitte.md"}, site, last.prepared.load_cache,
                        last.until + timedelta(seconds=1), None, 1)
        assert due is None   # the scheduled article is due: the whole pipeline publishes it
        now = body_edit(last, {"content/articles/mitte.md"}, site, last.prepared.load_cache,
                        datetime.now(timezone.utc), None, 1)
        assert now is not None and now.prepared.site is not None and now.sources == ("content/articles/mitte.md",)
    finally:
        preview.close()


def test_a_text_edit_of_an_article_with_photos_takes_the_shortcut(tmp_path: Path) -> None:
    site = photo_site(tmp_path / "site")
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        _edit(site, "content/articles/gipfel/index.md", "am Morgen in Genf.", "am Morgen noch nicht in Genf.")
        outcome = preview.build({"content/articles/gipfel/index.md"})
        assert outcome.ok and preview.body_edits == 1
        assert dict(outcome.files) == _fresh(site, tmp_path / "fresh")
    finally:
        preview.close()
