"""Teasers made before the pages (`pipeline.teaser_pass`): each once, the pages unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from builder.output.templates import FragmentMemo
from builder.pipeline import site_writing
from builder.pipeline.build import BuildOptions, build
from conftest import write_site

HEAD = """
-- config.yaml --
title: Tageblatt
base_url: https://zeitung.example/
paths: {glossary: glossar, tags: themen}
related: {count: 3}
-- content/glossary/nato.md --
---
term: NATO
---

Ein Bündnis.
"""


def _site(count: int) -> str:
    return HEAD + "".join(f"""-- content/articles/a{n}.md --
---
title: "Artikel {n} über <die> NATO"
date: 2022-01-{10 + n % 20}T{8 + n // 20:02}:00:00+01:00
tags: [Bündnis, {"Gipfel" if n % 2 else "Wahl"}]
authors: [Anna Beispiel]
---

Die NATO und der Gipfel, Teil {n}.
""" for n in range(count))


SITE = _site(7)

COMPACT = (3, "compact", False)


def _made_keys(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every key the fragment memo makes a block for, in order."""
    made: list[tuple] = []
    real = FragmentMemo.__call__

    def counted(self, *key, caller):
        if self.first.get(key) is None and self.kept.get(key) is None:
            made.append(key)
        return real(self, *key, caller=caller)

    monkeypatch.setattr(FragmentMemo, "__call__", counted)
    return made


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_each_compact_teaser_is_made_once_before_the_pages_and_the_pages_are_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", SITE)
    made = _made_keys(monkeypatch)
    assert build(BuildOptions(source=site, destination=tmp_path / "with", cache=False, jobs=1)).ok
    compact = [key for key in made if key[0] == "teaser" and key[2:] == (*COMPACT, "")]
    assert sorted(key[1] for key in compact) == [f"a{n}" for n in range(7)]
    assert made[:7] == compact   # made first, before any page asked for a fragment
    with_pass = _files(tmp_path / "with")
    article = with_pass["articles/a3/index.html"].decode()
    assert article.count("teaser--compact") >= 3   # „Mehr zum Thema“ shows them

    monkeypatch.setattr(site_writing, "make_teasers_first", lambda renderer, articles: 0)
    made.clear()
    assert build(BuildOptions(source=site, destination=tmp_path / "without", cache=False, jobs=1)).ok
    without = _files(tmp_path / "without")
    assert without.keys() == with_pass.keys()
    assert [path for path in without if without[path] != with_pass[path]] == []
    assert made[:7] != compact   # without the pass the pages make them as they come


def test_an_edit_makes_no_teasers_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", _site(40))
    calls: list[int] = []
    real = site_writing.make_teasers_first
    monkeypatch.setattr(site_writing, "make_teasers_first",
                        lambda renderer, articles: calls.append(len(articles)) or real(renderer, articles))
    out = tmp_path / "out"
    assert build(BuildOptions(source=site, destination=out, jobs=1)).ok
    assert calls == [40]
    edited = site / "content/articles/a2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Teil 2", "Teil zwei"), encoding="utf-8")
    assert build(BuildOptions(source=site, destination=out, jobs=1)).ok
    assert calls == [40]   # a few pages to write: their teasers are made as they come
    assert "Teil zwei" in (out / "articles/a2/index.html").read_text(encoding="utf-8")


def test_a_theme_that_names_no_teasers_gets_none_made_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site's own `_macros.html` (a copy from before the declaration): the pages make their teasers."""
    theme = (Path(__file__).resolve().parents[2] / "layouts/_macros.html").read_text(encoding="utf-8")
    assert "{% set teasers_made_first" in theme
    own = theme.replace("{% set teasers_made_first", "{% set something_else")
    site = write_site(tmp_path / "site", SITE)
    (site / "layouts").mkdir()
    (site / "layouts/_macros.html").write_text(own, encoding="utf-8")
    made = _made_keys(monkeypatch)
    out = tmp_path / "out"
    assert build(BuildOptions(source=site, destination=out, cache=False, jobs=1)).ok
    assert made[0][0] == "header"   # the first fragment is the first page's, not a teaser made first
    assert "teaser--compact" in (out / "articles/a3/index.html").read_text(encoding="utf-8")


def test_a_teaser_that_fails_is_reported_by_the_page_with_its_template_line(tmp_path: Path) -> None:
    """The pass stops at a teaser that raises; the page that shows it reports the error."""
    theme = (Path(__file__).resolve().parents[2] / "layouts/_macros.html").read_text(encoding="utf-8")
    broken = theme.replace('<h{{ level }} class="teaser-title">',
                           '{% if a.slug == "a4" %}{{ a.no_such_field }}{% endif %}<h{{ level }} class="teaser-title">',
                           1)
    assert broken != theme
    site = write_site(tmp_path / "site", SITE)
    (site / "layouts").mkdir()
    (site / "layouts/_macros.html").write_text(broken, encoding="utf-8")
    report = build(BuildOptions(source=site, destination=tmp_path / "out", cache=False, jobs=1))
    assert not report.ok
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert errors and all(d.path == "layouts/_macros.html" and d.line for d in errors), errors
    assert any("no_such_field" in d.message for d in errors)
    assert not (tmp_path / "out").exists()
