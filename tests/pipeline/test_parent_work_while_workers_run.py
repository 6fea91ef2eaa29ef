"""The parent's own work while its workers run: what the writers would each redo, done once before they
fork, and the German forms made while the workers load the articles."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable

import pytest

from builder.content.config import load_config
from builder.errors import Diagnostics
from builder.pipeline.build import BuildOptions, build
from builder.pipeline.loading import Visibility, load_site
from builder.text import forms
from conftest import REPO
from test_search_beside_pages import tree

sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import generate  # noqa: E402


def _imports(stderr: str, module: str) -> int:
    """How many processes imported `module`, from `python -X importtime` lines ("import time: … | name")."""
    return sum(1 for line in stderr.splitlines()
               if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == module)


def test_modules_the_writers_need_are_imported_once_before_they_fork(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, 300, 60)   # enough pages for two writers
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "builder", "build", "--source", str(site),
                           "--destination", str(tmp_path / "out"), "--no-cache", "--jobs", "2"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # Imported on first use by number formats: in each writer unless the parent has it before
    # the writers fork. Feeds and sitemaps escape XML themselves: urllib, http and ssl stay out.
    assert _imports(done.stderr, "babel.numbers") == 1
    assert _imports(done.stderr, "xml.sax.saxutils") == _imports(done.stderr, "ssl") == 0
    assert (tmp_path / "out" / "feed.xml").is_file()


def test_the_german_forms_are_made_while_the_workers_load_the_articles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    generate(site, 300, 60)   # enough files for two loading workers
    calls: list[tuple[int, int]] = []   # (phrases, worker processes alive) per search of the lexicon
    search = forms.phrase_forms

    def recorded(phrases: Iterable[str], lexicon: object | None = None) -> dict[str, Any]:
        phrases = list(phrases)
        calls.append((len(phrases), len(multiprocessing.active_children())))
        return search(phrases, lexicon)

    monkeypatch.setattr(forms, "phrase_forms", recorded)
    forms.forget()
    assert build(BuildOptions(source=site, destination=tmp_path / "two", cache=False, jobs=2)).ok
    assert len(calls) == 1 and calls[0][0] >= 60   # once, for every term, and not again for the bodies
    assert calls[0][1] >= 1                         # while loading workers ran
    forms.forget()
    assert build(BuildOptions(source=site, destination=tmp_path / "one", cache=False, jobs=1)).ok
    assert len(calls) == 2 and calls[1][1] == 0     # one process: made when the bodies need them
    assert tree(tmp_path / "two") == tree(tmp_path / "one")


def test_the_glossary_is_handed_over_only_while_workers_load_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, 300, 60)
    config, _ = load_config(site)
    handed: list[list[str]] = []
    loaded = {jobs: load_site(site, config, Visibility(), Diagnostics(), jobs,
                              with_glossary=lambda terms: handed.append(sorted(t.slug for t in terms)))
              for jobs in (2, 1)}
    assert handed == [sorted(t.slug for t in loaded[1].terms)]   # with workers only, every term
    assert [t.slug for t in loaded[2].terms] == [t.slug for t in loaded[1].terms]
    assert loaded[2].terms == loaded[1].terms and loaded[2].articles == loaded[1].articles
