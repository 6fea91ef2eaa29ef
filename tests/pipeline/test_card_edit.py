"""A build from the command line after an edit of articles' cards (title, summary, kicker): from the last
build's state (`text_edit`, `edit_state.site_lists`), every page that shows them written again, the output
equal to a fresh build's."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from builder.output.search import search_available
from builder.pipeline.build import BuildOptions, BuildReport, build
from builder.pipeline.edit_state import EditState, Meta
from builder.pipeline.incremental import IncrementalBuilder
from test_body_edit import date_back, dated_site, photo_site
from test_text_edit import _edit, _took_shortcut, _tree

NOW = datetime(2022, 1, 21, 12, 0, tzinfo=timezone.utc)
SECTIONS = ["politik", "kultur", ""]
TAGS = [["Diplomatie", "Russland"], ["Russland"], ["Kultur", "Diplomatie"]]


def _article(i: int) -> tuple[str, str]:
    """The path and text of article `i` (0 the newest): sections, tags, authors, terms, links and aliases
    spread so that every kind of page shows some of them."""
    section = SECTIONS[i % 3]
    rel = f"content/articles/{section + '/' if section else ''}a{i}.md"
    lines = [f'title: "Meldung {i}"', f"date: {(NOW - timedelta(hours=7 * i + 1)).isoformat()}",
             f'summary: "Worum es in Meldung {i} geht."', f"tags: [{', '.join(TAGS[i % 3])}]"]
    lines += ['kicker: "Eilmeldung"'] if i % 3 == 1 else []
    lines += ["authors: [Anna Muster]"] if i % 2 == 0 else ["authors: [Ben Beispiel]"] if i % 4 == 1 else []
    lines += [f'aliases: ["/alt/a{i}/"]'] if i % 5 == 0 else []
    lines += [f"related: [a{i - 3}]"] if i >= 3 and i % 4 == 0 else []
    lines += ["featured: true"] if i == 6 else []
    body = f"Der Kreml meldet sich zu Wort, Folge {i}." if i % 2 else f"Die NATO berät, Runde {i}."
    if i + 1 < 12:
        before = SECTIONS[(i + 1) % 3]
        body += f" Siehe [die Meldung davor](/articles/{before + '/' if before else ''}a{i + 1}.md)."
    return rel, "---\n" + "\n".join(lines) + f"\n---\n\n{body}\n"


def _site_text(stable: bool, search: bool) -> str:
    parts = [f"""-- config.yaml --
title: "Zeitung"
base_url: "https://example.org/z/"
paginate: 2
feed_entries: 3
stable_pagination: {str(stable).lower()}
search: {str(search).lower()}
related:
  count: 2
  min_score: 0.01
sections:
  - {{slug: politik, title: Politik}}
  - {{slug: kultur, title: Kultur}}
-- content/_index.md --
---
title: Start
---
Die **Zeitung** von heute.
-- content/articles/politik/_index.md --
---
title: Politik
---
Alles aus der *Politik*.
-- content/authors/anna-muster.md --
---
name: "Anna Muster"
role: "Reporterin"
---
Anna schreibt über den Kreml.
-- content/authors/ben-beispiel.md --
---
name: "Ben Beispiel"
---
Ben schreibt über die NATO.
-- content/glossary/kreml.md --
---
term: "Kreml"
---

Sitz der russischen Regierung.
-- content/glossary/nato.md --
---
term: "NATO"
aliases: ["Nordatlantikpakt"]
---

Das Verteidigungsbündnis, oft mit dem Kreml im Streit.
"""]
    parts += [f"-- {rel} --\n{text}" for rel, text in map(_article, range(12))]
    return "".join(parts)


def _build(site: Path, out: Path, cache: bool = True, now: datetime | None = NOW) -> BuildReport:
    report = build(BuildOptions(source=site, destination=out, jobs=1, cache=cache, fingerprint_assets=False, now=now))
    assert report.ok, report.diagnostics
    return report


def _field(site: Path, rel: str, key: str) -> str:
    return (site / rel).read_text(encoding="utf-8").split(f"\n{key}: ", 1)[1].split("\n", 1)[0]


def _site(tmp_path: Path, stable: bool = False, search: bool = False) -> Path:
    return dated_site(tmp_path / "site", _site_text(stable, search))


def test_a_title_edit_writes_every_page_that_shows_it_and_equals_a_fresh_build(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    before = _tree(out)
    _edit(site, "content/articles/kultur/a1.md", 'title: "Meldung 1"', 'title: "Streit um die Ostsee"')
    report = _build(site, out)
    assert _took_shortcut(report), report.stages
    fresh = _tree(_fresh(site, tmp_path / "fresh"))
    assert _tree(out) == fresh
    changed = {path for path in fresh if fresh[path] != before.get(path)}
    # Its page, the pages of the articles that link to it, its lists, the front page, the feeds, the
    # news sitemap, the search-free rest untouched.
    assert {"articles/kultur/a1/index.html", "articles/a2/index.html", "index.html", "archiv/index.html",
            "themen/russland/index.html", "kultur/index.html", "autoren/ben-beispiel/index.html",
            "glossar/kreml/index.html", "feed.xml", "news-sitemap.xml"} <= changed, sorted(changed)
    assert not {"articles/a6/index.html", "glossar/nato/index.html", "sitemap.xml"} & changed
    news = etree.fromstring(fresh["news-sitemap.xml"])
    titles = [t.text for t in news.iter("{http://www.google.com/schemas/sitemap-news/0.9}title")]
    assert "Streit um die Ostsee" in titles
    assert "Streit um die Ostsee" in [e.title for e in feedparser.parse(fresh["feed.xml"]).entries]


def _fresh(site: Path, out: Path, now: datetime | None = NOW) -> Path:
    _build(site, out, cache=False, now=now)
    return out


def test_a_title_too_long_for_a_headline_runs_the_whole_pipeline_which_warns(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    rel = _article(3)[0]
    _edit(site, rel, 'title: "Meldung 3"', f'title: "{"Sehr " * 30}lang"')
    report = _build(site, out)
    assert not _took_shortcut(report) and any("characters" in d.message for d in report.diagnostics)
    # And back: the warning goes with the whole pipeline too.
    _edit(site, rel, f'title: "{"Sehr " * 30}lang"', 'title: "Kurz"')
    report = _build(site, out)
    assert not _took_shortcut(report) and not report.diagnostics
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh"))


EDITS = ["title", "title", "summary", "kicker", "title and text", "two titles", "tags", "term"]


def _random_edit(site: Path, rng: random.Random, step: int) -> tuple[str, bool, set[str]]:
    """One edit of the site; returns its kind, whether it is a card edit (the shortcut's to build) and
    the files it changed."""
    kind = rng.choice(EDITS)
    rels = [_article(i)[0] for i in range(12)]
    edited = set()
    if kind in ("title", "two titles", "title and text"):
        for rel in rng.sample(rels, 2 if kind == "two titles" else 1):
            edited.add(rel)
            _edit(site, rel, f"title: {_field(site, rel, 'title')}", f'title: "Fassung {step} – {rel[-6:-3]}"')
            if kind == "title and text":
                path = site / rel
                path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + " Noch nicht.\n", encoding="utf-8")
                date_back(path)
    elif kind == "summary":
        rel = rng.choice(rels)
        edited.add(rel)
        _edit(site, rel, f"summary: {_field(site, rel, 'summary')}", f'summary: "Neu gefasst ({step})."')
    elif kind == "kicker":
        rel = rng.choice([_article(i)[0] for i in range(12) if i % 3 == 1])
        edited.add(rel)
        _edit(site, rel, f"kicker: {_field(site, rel, 'kicker')}", f'kicker: "Analyse {step}"')
    elif kind == "tags":
        rel = rng.choice(rels)
        edited.add(rel)
        tags = f"tags: [{rng.choice(['Russland', 'Kultur'])}, Thema {step}]"
        _edit(site, rel, f"tags: {_field(site, rel, 'tags')}", tags)
    else:
        edited.add("content/glossary/kreml.md")
        _edit(site, "content/glossary/kreml.md", "Regierung", f"Regierung ({step})")
    return kind, kind not in ("tags", "term"), edited


@pytest.mark.parametrize("seed, stable, search", [(1, False, False), (2, True, False), (3, False, False),
                                                  (4, True, True)])
def test_random_card_edits_equal_fresh_builds(tmp_path: Path, seed: int, stable: bool, search: bool) -> None:
    """Titles, summaries and kickers edited (with the text or not, one article or two), other edits between
    them: after each build the output equals a fresh build's, and card edits take the shortcut."""
    if search and search_available() is not None:
        pytest.skip(str(search_available()))
    rng = random.Random(seed)
    site, out = _site(tmp_path, stable, search), tmp_path / "out"
    _build(site, out)
    shortcuts = 0
    for step in range(10):
        kind, card, _ = _random_edit(site, rng, step)
        report = _build(site, out)
        assert _took_shortcut(report) == card, (step, kind, report.stages)
        shortcuts += card
        assert _tree(out) == _tree(_fresh(site, tmp_path / f"fresh{step}")), f"differs after step {step} ({kind})"
    assert shortcuts > 0


def test_a_build_writes_the_lists_whose_values_changed_and_drops_those_gone(tmp_path: Path) -> None:
    state = EditState(tmp_path)
    meta = Meta("marker", "key", NOW, BuildReport(True, ()))
    lists = {"archive": ("b", "a"), "tag:russland": ("a",),
             "front": ((("lead", "", None, ("b",)),), ("b", "a"), 1, NOW),
             "term:kreml": (("a",), ("nato",), ("Kremls",), "key", "version", ("pack-1", 0, 10))}
    try:
        state.save(meta, None, [], lists=lists)
        assert state.lists([*lists, "tag:kultur"]) == lists
        ids = dict(state._connect().execute("SELECT name, rowid FROM lists"))
        state.save(meta, None, [], lists={**lists, "archive": ("c", "b", "a"), "tag:russland": ("a",)})
        again = dict(state._connect().execute("SELECT name, rowid FROM lists"))
        assert [name for name in lists if again[name] != ids[name]] == ["archive"]
        state.save(meta, None, [], lists={name: lists[name] for name in ("archive", "front")})
        assert state.lists(lists) == {"archive": ("b", "a"), "front": lists["front"]}
    finally:
        state.close()


@pytest.mark.parametrize("seed, stable", [(5, False), (6, True)])
def test_card_edits_in_the_preview_plan_the_pages_that_show_them_and_equal_fresh_builds(
        tmp_path: Path, seed: int, stable: bool) -> None:
    """The preview, told which file changed: card edits take its shortcut (`body_edit`), other edits the
    whole pipeline; every build's files equal a fresh build's (at the moment the preview builds)."""
    rng = random.Random(seed)
    site = _site(tmp_path, stable)
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        shortcuts = 0
        for step in range(8):
            before = preview.body_edits
            kind, card, edited = _random_edit(site, rng, step)
            outcome = preview.build(edited)
            assert outcome.ok, outcome.diagnostics
            assert (preview.body_edits > before) == card, (step, kind)
            shortcuts += card
            fresh = tmp_path / f"fresh{step}"
            _build(site, fresh, cache=False, now=None)
            assert dict(outcome.files) == _tree(fresh), f"differs after step {step} ({kind})"
        assert shortcuts > 0
    finally:
        preview.close()


PHOTO_EDITS = [  # (old, new, whether a card edit)
    ('caption: "Der Saal vor Beginn der Gespräche"', 'caption: "Der Saal am Morgen"', True),
    ('credit: "dpa/Jane Doe"', 'credit: "Reuters/Jane Doe"', True),
    ('alt: "Der Verhandlungssaal"', 'alt: "Der leere Verhandlungssaal"', True),
    ("  src: saal.jpg\n", "  src: saal.jpg\n  focus: [0.2, 0.3]\n", False),   # other crops: other files
    ("  src: saal.jpg\n", "  src: tisch.jpg\n", False),                        # another photo
]


@pytest.mark.parametrize("old, new, card", PHOTO_EDITS)
def test_what_the_lead_photo_says_is_a_card_edit_which_photo_is_not(tmp_path: Path, old: str, new: str,
                                                                    card: bool) -> None:
    site, out, rel = photo_site(tmp_path / "site"), tmp_path / "out", "content/articles/gipfel/index.md"
    _build(site, out, now=None)
    preview = IncrementalBuilder(site, jobs=1)
    try:
        assert preview.build().ok
        _edit(site, rel, old, new)
        report = _build(site, out, now=None)
        outcome = preview.build({rel})
        assert outcome.ok and report.ok
        assert _took_shortcut(report) == card and preview.body_edits == card
        fresh = _tree(_fresh(site, tmp_path / "fresh", None))
        assert _tree(out) == fresh and dict(outcome.files) == fresh
        page = fresh["articles/gipfel/index.html"].decode()
        assert new.split(": ", 1)[1].strip('"\n') in page or not card
    finally:
        preview.close()


def test_a_title_the_url_is_made_of_is_no_card_edit(tmp_path: Path) -> None:
    """Hugo's `:title` in a permalink: the article moves, which the whole pipeline builds."""
    site = dated_site(tmp_path / "site", """-- config.yaml --
title: "T"
base_url: "https://example.org/"
url_rules: hugo
permalinks:
  news: /:year/:title/
-- content/news/a.md --
---
title: "Alter Titel"
date: 2022-01-01T10:00:00+01:00
---
Text.
-- content/news/b.md --
---
title: "Zweiter"
date: 2022-01-02T10:00:00+01:00
---
Mehr.
""")
    out = tmp_path / "out"
    _build(site, out)
    _edit(site, "content/news/a.md", "Alter Titel", "Neuer Titel")
    assert not _took_shortcut(_build(site, out))
    fresh = _tree(_fresh(site, tmp_path / "fresh"))
    assert _tree(out) == fresh and "2022/neuer-titel/index.html" in fresh and "2022/alter-titel/index.html" not in fresh
