"""Incremental builds equal fresh full builds after any sequence of edits."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from builder.pipeline import incremental
from builder.pipeline.incremental import IncrementalBuilder
from builder.pipeline.build import BuildOptions, build, prepare
from builder.pipeline.caches import Caches
from conftest import write_site

SITE = """
-- config.yaml --
title: "Zeitung"
base_url: "https://example.org/z/"
paginate: 2
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
-- content/pages/impressum.md --
---
title: "Impressum"
---
Verantwortlich: Anna Muster. Die NATO ist nicht verantwortlich.
-- content/glossary/kreml.md --
---
term: "Kreml"
aliases: ["Kremls"]
---

Sitz der russischen Regierung.
-- content/glossary/nato.md --
---
term: "NATO"
---

Das Verteidigungsbündnis.
-- layouts/404.html --
<!doctype html><html lang="de"><title>Nicht gefunden</title><p>{{ site.title }}</p></html>
"""
WORDS = ["Kreml", "NATO", "Kremls", "Gespräch", "Moskau", "Antwort", "Bündnis", "Brief", "Genf", "Paris"]


def _article(rng: random.Random, index: int) -> str:
    tags = rng.sample(["Diplomatie", "NATO", "Russland", "Krise"], 2)
    body = " ".join(rng.choice(WORDS) for _ in range(30))
    link = f"\n\nSiehe [auch](/articles/a{rng.randrange(3)}.md)." if rng.random() < 0.5 else ""
    # Now and then scheduled far ahead: such an article must leave no trace in the site (a0-a2,
    # which others link to, stay published: a link to an embargoed article is an error).
    year = 2099 if index > 2 and rng.random() < 0.15 else 2022
    authors = "authors: [Anna Muster]\n" if rng.random() < 0.5 else ""
    return (f"---\ntitle: \"Artikel {index} {rng.choice(WORDS)}\"\ndate: {year}-01-{10 + index % 18:02d}T10:00:00+01:00\n"
            f"tags: [{', '.join(tags)}]\n{authors}---\n\n{body}.{link}\n")


def _write(path: Path, text: str) -> None:
    """Write, then date the file back out of the load cache's racy window (as files usually are),
    each write to its own timestamp, so the cache is really used."""
    path.write_text(text, encoding="utf-8")
    _write.clock += 1_000_000  # type: ignore[attr-defined]
    os.utime(path, ns=(_write.clock, _write.clock))  # type: ignore[attr-defined]


_write.clock = time.time_ns() - 3600 * 10**9  # type: ignore[attr-defined]


def _edit(site: Path, rng: random.Random, step: int) -> None:
    articles = sorted((site / "content/articles").rglob("*.md"))
    kind = "typo" if step % 4 == 1 else rng.choice(["article", "article", "title", "new", "delete", "term",
                                                     "template", "config", "touch", "author", "page", "section"])
    if kind == "typo":   # the text alone of a published article, in no content words (`body_edit`)
        path = site / f"content/articles/a{rng.randrange(3)}.md"
        if not path.exists():
            path = next((site / "content/articles").rglob(path.name))
        _write(path, path.read_text(encoding="utf-8") + "\nNoch nicht.\n")
    elif kind == "author":
        path = site / "content/authors/anna-muster.md"
        _write(path, path.read_text(encoding="utf-8").replace("Reporter", f"Reporter {step} "))
    elif kind == "page":
        name = rng.choice(["impressum", f"seite-{step}"])
        _write(site / f"content/pages/{name}.md",
               f"---\ntitle: \"Seite {step}\"\n---\nDer Kreml und die NATO, Fassung {step}.\n")
    elif kind == "section" and articles[3:]:
        victim = rng.choice([a for a in articles if a.stem not in ("a0", "a1", "a2")] or articles[3:])
        into = site / "content/articles" / ("" if victim.parent.name == "politik" else "politik") / victim.name
        into.parent.mkdir(exist_ok=True)
        text = victim.read_text(encoding="utf-8")
        victim.unlink()
        _write(into, text)
    elif kind in ("article", "title") and articles:
        path = rng.choice(articles)
        _write(path, _article(rng, 0 if path.stem in ("a0", "a1", "a2") else step))
    elif kind == "new" or not articles:
        _write(site / f"content/articles/n{step}.md", _article(rng, step))
    elif kind == "delete" and len(articles) > 3:
        victim = rng.choice([a for a in articles if a.stem not in ("a0", "a1", "a2")] or articles[3:])
        victim.unlink()
    elif kind == "term":
        path = site / "content/glossary/kreml.md"
        _write(path, path.read_text(encoding="utf-8").replace("Regierung", f"Regierung ({step})"))
    elif kind == "template":
        (site / "layouts/404.html").write_text(
            f"<!doctype html><html lang=\"de\"><title>Weg {step}</title><p>{{{{ site.title }}}}</p></html>\n",
            encoding="utf-8")
    elif kind == "config":
        path = site / "config.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "paginate: 2" if "paginate: 2" in path.read_text(encoding="utf-8") else "paginate: 3",
            rng.choice(["paginate: 2", "paginate: 3"])), encoding="utf-8")
    else:
        _write(articles[0], articles[0].read_text(encoding="utf-8"))


def _statuses(site: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in site.rglob("*") if ".builder-cache" not in p.parts}


def _changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The paths a file watcher reports: created, deleted and modified files and folders."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".builder-output"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edit_sequences_equal_fresh_builds(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = write_site(tmp_path / "site", SITE)
    (site / "content/articles").mkdir(parents=True)
    for index in range(6):
        _write(site / f"content/articles/a{index}.md", _article(rng, index))
    for term in (site / "content/glossary").iterdir():
        _write(term, term.read_text(encoding="utf-8"))
    preview = IncrementalBuilder(site, jobs=1)
    assert preview.build().ok
    cached_out = tmp_path / "cached"
    for step in range(12):
        before = _statuses(site)
        _edit(site, rng, step)
        # Told what changed, as by the preview's watcher (every other step: not told).
        outcome = preview.build(_changed(before, _statuses(site)) if step % 2 else None)
        # The preview keeps plain asset names; so do these builds, to compare byte for byte.
        cached = build(BuildOptions(source=site, destination=cached_out, jobs=2, cache=True, fingerprint_assets=False))
        fresh_out = tmp_path / f"fresh{step}"
        fresh = build(BuildOptions(source=site, destination=fresh_out, jobs=1, cache=False, fingerprint_assets=False))
        assert outcome.ok and cached.ok and fresh.ok, (outcome.diagnostics, fresh.diagnostics)
        expected = _tree(fresh_out)
        assert dict(outcome.files) == {k: v for k, v in expected.items()}, f"preview differs after step {step}"
        assert _tree(cached_out) == expected, f"cached build differs after step {step}"
    assert preview.body_edits > 0   # the shortcut's sequences are among those compared


def test_parallel_and_cached_builds_equal_a_single_process_build(tmp_path: Path) -> None:
    """Enough articles that every stage really runs in worker processes."""
    import sys

    from conftest import REPO
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import generate

    site = tmp_path / "site"
    generate(site, 300, 60)
    single, parallel = tmp_path / "single", tmp_path / "parallel"
    assert build(BuildOptions(source=site, destination=single, jobs=1, cache=False)).ok
    assert build(BuildOptions(source=site, destination=parallel, jobs=2, cache=True)).ok
    assert _tree(parallel) == _tree(single)
    assert build(BuildOptions(source=site, destination=parallel, jobs=2, cache=True)).ok   # warm
    assert _tree(parallel) == _tree(single)


def test_a_preview_build_with_a_broken_file_reports_template_errors_too_and_keeps_the_last_site(
        tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    preview = IncrementalBuilder(site, jobs=1)
    good = preview.build()
    assert good.ok
    before = dict(good.files)
    (site / "content/articles").mkdir()
    _write(site / "content/articles/kaputt.md", "---\ntitle: Kaputt\n---\nText\n")
    (site / "layouts/404.html").write_text("<!doctype html>\n<p>{{ site.titel }}</p>\n", encoding="utf-8")
    outcome = preview.build()
    assert not outcome.ok
    errors = sorted(f"{d.path}:{d.line}" for d in outcome.diagnostics if d.severity == "error")
    assert errors == ["content/articles/kaputt.md:1", "layouts/404.html:2"]
    assert dict(outcome.files) == before


def _articles_site(root: Path, count: int) -> Path:
    site = write_site(root, SITE)
    rng = random.Random(7)
    (site / "content/articles").mkdir()
    for index in range(count):
        _write(site / f"content/articles/a{index}.md", _article(rng, min(index, 2)))
    return site


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str,
              record: Callable[..., Any]) -> list[Any]:
    """Wrap `module.name` so that each call appends `record(*its positional arguments)` to the list returned."""
    calls: list[Any] = []
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(record(*args))
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, counted)
    return calls


def _counting_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output path of every spec the preview renders from now on."""
    return _counting(monkeypatch, incremental, "render_spec", lambda specs, index: specs[index].path)


def test_past_eager_pages_a_build_renders_a_sample_and_the_rest_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 8)
    monkeypatch.setattr(incremental, "EAGER_PAGES", 4)
    rendered = _counting_renders(monkeypatch)
    preview = IncrementalBuilder(site, jobs=1)
    outcome = preview.build()
    assert outcome.ok
    kinds = {incremental._shape(path) for path in outcome.files}
    # One page of each kind (its template's errors show at once), four more: not the whole site.
    assert len(kinds) <= len(rendered) <= len(kinds) + 4 < len(outcome.files)
    assert "index.html" in rendered and any(p.startswith("glossar/") for p in rendered)
    fresh = tmp_path / "fresh"
    assert build(BuildOptions(source=site, destination=fresh, jobs=1, cache=False, fingerprint_assets=False)).ok
    assert dict(outcome.files) == _tree(fresh)   # the rest, rendered on request
    asked = len(rendered)
    assert outcome.files["index.html"] == _tree(fresh)["index.html"] and len(rendered) == asked   # kept


def test_an_edit_renders_only_its_changed_pages_and_reports_what_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 6)
    preview = IncrementalBuilder(site, jobs=1)
    assert preview.build().ok
    assert preview.plan is not None
    before = {spec.path: spec.fingerprint for spec in preview.plan.specs}
    rendered = _counting_renders(monkeypatch)
    path = site / "content/articles/a5.md"
    _write(path, path.read_text(encoding="utf-8").replace("\n\n", "\n\nNeuer erster Satz. ", 1))
    outcome = preview.build()
    assert outcome.ok and preview.plan is not None
    changed = {spec.path for spec in preview.plan.specs if before.get(spec.path) != spec.fingerprint}
    assert sorted(rendered) == sorted(changed) and len(changed) < len(outcome.files) / 2
    assert "articles/a5/index.html" in outcome.changed and outcome.changed <= changed
    assert b"Neuer erster Satz" in outcome.files["articles/a5/index.html"]


def test_rendered_files_are_kept_within_a_budget_and_made_again_when_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 6)
    monkeypatch.setattr(incremental, "RENDERED_BYTES", 40_000)
    preview = IncrementalBuilder(site, jobs=1)
    outcome = preview.build()
    assert outcome.ok
    fresh = tmp_path / "fresh"
    assert build(BuildOptions(source=site, destination=fresh, jobs=1, cache=False, fingerprint_assets=False)).ok
    expected = _tree(fresh)
    assert sum(map(len, expected.values())) > 3 * 40_000
    for _ in range(2):   # the second round renders again what the first one dropped
        assert dict(outcome.files) == expected
        assert preview.rendered.size <= 40_000 + max(map(len, expected.values()))


def test_a_page_that_fails_when_asked_for_shows_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 6)
    monkeypatch.setattr(incremental, "EAGER_PAGES", 1)
    (site / "layouts").mkdir(exist_ok=True)
    theme = Path(incremental.__file__).resolve().parents[2] / "layouts" / "article.html"
    (site / "layouts/article.html").write_text(
        theme.read_text(encoding="utf-8").replace(
            "{% block main %}", "{% block main %}{% if article.slug == 'a4' %}{{ nicht_da() }}{% endif %}", 1),
        encoding="utf-8")
    rendered = _counting_renders(monkeypatch)
    heard: list[object] = []
    outcome = IncrementalBuilder(site, jobs=1, on_problem=heard.append).build()
    assert outcome.ok and "articles/a4/index.html" not in rendered and heard == []
    page = outcome.files["articles/a4/index.html"].decode()
    assert "layouts/article.html" in page and "nicht_da" in page
    assert len(heard) == 1 and "nicht_da" in str(heard[0])   # the preview prints it in the terminal


def test_a_site_folder_the_preview_cannot_write_to_gets_its_bodies_folder_elsewhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 2)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(incremental, "cache_folder", lambda source: blocked / "cache")   # mkdir fails here
    preview = IncrementalBuilder(site, jobs=1)
    outcome = preview.build()
    assert outcome.ok and b"Artikel" in outcome.files["articles/a1/index.html"]
    scratch = Path(preview.scratch.name)
    assert scratch.is_dir() and not scratch.is_relative_to(tmp_path)
    preview.close()
    assert not scratch.exists()


def _cache_files(site: Path) -> dict[str, tuple[int, int]]:
    root = site / ".builder-cache"
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def _counting_bodies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The index of every body rendered from now on (in this process: jobs=1)."""
    from builder.pipeline import bodies
    return _counting(monkeypatch, bodies, "_render_one", lambda job, index: index)


def test_a_preview_of_a_built_site_starts_from_its_build_cache_and_never_writes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 6)
    assert build(BuildOptions(source=site, destination=tmp_path / "out", jobs=1, cache=True)).ok
    before = _cache_files(site)
    assert any(name.endswith(".pack") for name in before)
    bodies = _counting_bodies(monkeypatch)
    preview = IncrementalBuilder(site, jobs=1)
    outcome = preview.build()
    assert outcome.ok and bodies == []   # every body came from the build's cache
    fresh = tmp_path / "fresh"
    assert build(BuildOptions(source=site, destination=fresh, jobs=1, cache=False, fingerprint_assets=False)).ok
    assert dict(outcome.files) == _tree(fresh)
    bodies.clear()   # the fresh build's
    path = site / "content/articles/a3.md"
    _write(path, path.read_text(encoding="utf-8").replace("\n\n", "\n\nEin neuer Absatz.\n\n", 1))
    outcome = preview.build()
    assert outcome.ok and len(bodies) == 1 and b"Ein neuer Absatz" in outcome.files["articles/a3/index.html"]
    preview.close()
    assert _cache_files(site) == before   # read, never written; the preview's scratch folder is gone


def test_seeded_bodies_stay_readable_when_a_build_removes_their_packs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _articles_site(tmp_path / "site", 6)
    assert build(BuildOptions(source=site, destination=tmp_path / "out", jobs=1, cache=True)).ok
    monkeypatch.setattr(incremental, "RENDERED_BYTES", 1)   # every page is rendered again when read
    bodies = _counting_bodies(monkeypatch)
    preview = IncrementalBuilder(site, jobs=1)
    outcome = preview.build()
    assert outcome.ok and bodies == []   # the pages read the build's packs
    packs = list((site / ".builder-cache").rglob("*.pack"))
    for pack in packs:   # as a build that compacts its packs would
        pack.unlink()
    fresh = tmp_path / "fresh"
    assert build(BuildOptions(source=site, destination=fresh, jobs=1, cache=False, fingerprint_assets=False)).ok
    assert packs and dict(outcome.files) == _tree(fresh)
    preview.close()


def test_the_preview_keeps_fingerprints_from_its_last_plan_only_where_nothing_they_cover_changed(
        tmp_path: Path) -> None:
    site = _articles_site(tmp_path / "site", 8)
    preview = IncrementalBuilder(site, jobs=1)
    assert preview.build().ok
    memo = preview.caches.plan_memo
    assert memo is not None
    a3, term = site / "content/articles/a3.md", site / "content/glossary/kreml.md"
    edits = [
        (a3, lambda text: text.replace("title: \"", "title: \"Neu: ")),   # its card: listings, term pages
        (a3, lambda text: text + "\nNoch ein Satz über Genf.\n"),          # its body: its own page
        (term, lambda text: text.replace("Regierung", "Regierung Russlands")),
    ]
    for path, change in edits:
        _write(path, change(path.read_text(encoding="utf-8")))
        assert preview.build().ok
        assert preview.plan is not None
        kept = {spec.path: spec.fingerprint for spec in preview.plan.specs}
        fresh = prepare(preview.options, Caches.in_folder(None))
        assert kept == {spec.path: spec.fingerprint for spec in fresh.specs}
        assert 0 < memo.reused < len(kept)


def test_a_preview_told_what_changed_lists_the_folders_only_when_what_a_file_is_may_have_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.pipeline import loading

    site = _articles_site(tmp_path / "site", 4)
    walks = _counting(monkeypatch, loading, "discover", lambda site, others: site)
    preview = IncrementalBuilder(site, jobs=1)
    assert preview.build().ok and len(walks) == 1
    steps = [   # (what changes, how, whether the folders must be listed again)
        ("content/articles/a1.md", lambda path: _write(path, path.read_text(encoding="utf-8") + "\nGenf.\n"), False),
        ("layouts/404.html", lambda path: path.write_text("<!doctype html><p>Weg</p>\n", encoding="utf-8"), False),
        ("content/articles/neu.md", lambda path: _write(path, _article(random.Random(3), 9)), True),
        ("content/articles/a3.md", lambda path: path.unlink(), True),
        ("content/articles/a2.md", lambda path: _write(path, path.read_text(encoding="utf-8") + "\nParis.\n"), False),
        ("content/pages/alt.html", lambda path: _write(path, "<p>Alt</p>\n"), True),   # a plain file
        # Front matter makes it a page: an edit of an .html file may change what it is.
        ("content/pages/alt.html", lambda path: _write(path, "---\ntitle: Alt\n---\n<p>Alt</p>\n"), True),
    ]
    for rel, change, listed in steps:
        before = _statuses(site)
        change(site / rel)
        walks.clear()
        outcome = preview.build(_changed(before, _statuses(site)))
        assert outcome.ok and len(walks) == listed, rel
        fresh_out = tmp_path / f"fresh-{rel.replace('/', '-')}"
        assert build(BuildOptions(source=site, destination=fresh_out, jobs=1, cache=False,
                                  fingerprint_assets=False)).ok
        assert dict(outcome.files) == _tree(fresh_out), rel
    walks.clear()
    assert preview.build().ok and len(walks) == 1   # not told: the folders are listed


def test_the_preview_makes_its_markdown_renderer_again_only_when_a_term_or_the_settings_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.pipeline import bodies

    made = _counting(monkeypatch, bodies, "make_markdown", lambda *args: 1)
    site = _articles_site(tmp_path / "site", 4)
    preview = IncrementalBuilder(site, jobs=1)
    assert preview.build().ok and len(made) == 1
    a1, term, config = site / "content/articles/a1.md", site / "content/glossary/kreml.md", site / "config.yaml"
    steps = [
        (a1, lambda text: text + "\nDer Kreml schweigt.\n", 1),
        (term, lambda text: text.replace("Regierung", "Regierung Russlands"), 2),   # every tooltip of it
        (config, lambda text: text.replace('title: "Zeitung"', 'title: "Die Zeitung"'), 3),
    ]
    for path, change, expected in steps:
        _write(path, change(path.read_text(encoding="utf-8")))
        outcome = preview.build()
        assert outcome.ok and len(made) == expected, path.name
        fresh_out = tmp_path / f"fresh-{path.stem}"
        assert build(BuildOptions(source=site, destination=fresh_out, jobs=1, cache=False,
                                  fingerprint_assets=False)).ok
        made.pop()   # the fresh build's own
        assert dict(outcome.files) == _tree(fresh_out), path.name
