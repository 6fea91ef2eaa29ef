"""Tests for builder.build.bodies: what the body stage tells the rest of the build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.pipeline import bodies, body_packs
from builder.pipeline import build as pipeline
from builder.text.textstats import WordCounts
from conftest import write_site


def test_article_bodies_count_words_and_term_bodies_do_not(tmp_path: Path) -> None:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "glossary").mkdir()
    (tmp_path / "config.yaml").write_text('title: "T"\nbase_url: "https://example.org/"\n', encoding="utf-8")
    (tmp_path / "content" / "articles" / "gipfel.md").write_text(
        "---\ntitle: Gipfel\ndate: 2024-03-01\n---\n\nDer Gipfel in Minsk: Waffenruhe, Waffenruhe, Waffenruhe.\n",
        encoding="utf-8")
    (tmp_path / "content" / "glossary" / "waffenruhe.md").write_text(
        "---\nterm: Waffenruhe\n---\n\nEine Waffenruhe ist eine Feuerpause zwischen Kriegsparteien.\n",
        encoding="utf-8")
    prepared = pipeline.prepare(pipeline.BuildOptions(source=tmp_path, cache=False),
                                pipeline.Caches.in_folder(None))
    assert prepared.site is not None, prepared.problems.items
    assert prepared.site.infos["gipfel"].words["waffenruhe"] == 3
    assert isinstance(prepared.site.infos["gipfel"].words, WordCounts)   # packed: kept for every article
    assert prepared.site.infos["gipfel"].term_counts == {"waffenruhe": 3}
    assert prepared.site.term_infos["waffenruhe"].words == {}


TOOLTIP_SITE = """
-- content/articles/gipfel.md --
---
title: Gipfel
date: 2024-03-01
---
Die Waffenruhe hält.
-- content/articles/moskau.md --
---
title: Moskau
date: 2024-03-02
---
Gespräche im Kreml.
-- content/glossary/waffenruhe.md --
---
term: Waffenruhe
summary: "Eine Feuerpause."
---
Text.
-- content/glossary/kreml.md --
---
term: Kreml
summary: "Der Amtssitz."
---
Text.
"""


def _rendered_sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source of every body the body stage renders from now on."""
    rendered: list[str] = []
    real = bodies._render_one

    def render_one(job: bodies.BodyJob, index: int) -> Any:
        rendered.append(job.items[index][1])
        return real(job, index)

    monkeypatch.setattr(bodies, "_render_one", render_one)
    return rendered


@pytest.mark.parametrize("reloaded", [False, True], ids=["same store", "store read again"])
def test_a_term_summary_renders_again_only_the_bodies_showing_its_tooltip(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          reloaded: bool) -> None:
    site = write_site(tmp_path / "src", TOOLTIP_SITE)
    caches = pipeline.Caches.in_folder(tmp_path / "cache")
    options = pipeline.BuildOptions(source=site, jobs=1)
    first = pipeline.prepare(options, caches)
    assert first.site is not None
    if reloaded:   # as the next build finds the store: its tooltips checked against the summaries saved
        caches.bodies.save(first.site.body_keys())
        caches.bodies.close()
        caches = pipeline.Caches.in_folder(tmp_path / "cache")
        assert caches.bodies.summaries is not None and caches.bodies.checked == first.site.body_keys()
    rendered = _rendered_sources(monkeypatch)
    term = site / "content/glossary/waffenruhe.md"
    term.write_text(term.read_text(encoding="utf-8").replace("Eine Feuerpause.", "Ein Schweigen der Waffen."),
                    encoding="utf-8")
    prepared = pipeline.prepare(options, caches)
    assert prepared.site is not None
    assert sorted(rendered) == ["content/articles/gipfel.md", "content/glossary/waffenruhe.md"]
    assert "Ein Schweigen der Waffen." in caches.bodies.html(prepared.site.infos["gipfel"].key)
    assert "Der Amtssitz." in caches.bodies.html(prepared.site.infos["moskau"].key)


@pytest.mark.parametrize("since", ["nothing", "summaries gone", "index written"])
def test_stored_bodies_using_no_changed_summary_skip_their_tooltip_digest(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          since: str) -> None:
    site = write_site(tmp_path / "src", TOOLTIP_SITE)
    options = pipeline.BuildOptions(source=site, jobs=1)
    caches = pipeline.Caches.in_folder(tmp_path / "cache")
    first = pipeline.prepare(options, caches)
    assert first.site is not None
    caches.bodies.save(first.site.body_keys())
    caches.bodies.close()
    if since == "summaries gone":   # a build stopped between writing the index and the summaries
        (tmp_path / "cache" / body_packs.SUMMARIES).unlink()
    elif since == "index written":   # by a builder that keeps no summaries (of the same version)
        index = body_packs.BodyStore(tmp_path / "cache").file
        index.save({key: value for key, value in list(index.entries.items())[1:]})
    digests: list[tuple[str, ...]] = []
    real = bodies.tooltip_digest

    def counted(slugs: tuple[str, ...], summaries: Any) -> str:
        digests.append(slugs)
        return real(slugs, summaries)

    monkeypatch.setattr(bodies, "tooltip_digest", counted)
    article = site / "content/articles/moskau.md"
    article.write_text(article.read_text(encoding="utf-8").replace("Gespräche", "Treffen"), encoding="utf-8")
    caches = pipeline.Caches.in_folder(tmp_path / "cache")
    prepared = pipeline.prepare(options, caches)
    assert prepared.site is not None
    assert "Treffen im" in caches.bodies.html(prepared.site.infos["moskau"].key)
    # The edited body's, rendered; or, without summaries to trust, every body's (checked or rendered).
    assert len(digests) == (1 if since == "nothing" else 4)


LINK_SITE = """
-- config.yaml --
title: "T"
base_url: "https://example.org/"
-- content/articles/gipfel.md --
---
title: Gipfel
date: 2024-03-01
---
Mehr dazu im [Hintergrund](hintergrund.md) und {{< relref "hintergrund.md" >}}.
-- content/articles/moskau.md --
---
title: Moskau
date: 2024-03-02
---
Gespräche in Moskau, ohne Verweis.
"""


@pytest.mark.parametrize("reloaded", [False, True], ids=["same store", "store read again"])
def test_a_new_moved_or_deleted_article_renders_again_only_the_bodies_linking_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reloaded: bool) -> None:
    site = write_site(tmp_path / "src", LINK_SITE)
    options = pipeline.BuildOptions(source=site, jobs=1)
    caches = pipeline.Caches.in_folder(tmp_path / "cache")

    def step() -> tuple[list[str], pipeline.Prepared]:
        nonlocal caches
        rendered = _rendered_sources(monkeypatch)
        prepared = pipeline.prepare(options, caches)
        assert prepared.site is not None
        if reloaded:
            caches.bodies.save(prepared.site.body_keys())
            caches.bodies.close()
            caches = pipeline.Caches.in_folder(tmp_path / "cache")
        monkeypatch.undo()
        return sorted(rendered), prepared

    _, first = step()
    assert [p.message for p in first.problems.items if "hintergrund" in p.message]   # not there yet
    articles = site / "content/articles"

    (articles / "wahl.md").write_text("---\ntitle: Wahl\ndate: 2024-03-03\n---\nGewählt.\n", encoding="utf-8")
    rendered, _ = step()
    assert rendered == ["content/articles/wahl.md"]   # nothing links to it

    (articles / "hintergrund.md").write_text("---\ntitle: Hintergrund\ndate: 2024-03-04\n---\nDer Hintergrund.\n",
                                             encoding="utf-8")
    rendered, prepared = step()
    assert rendered == ["content/articles/gipfel.md", "content/articles/hintergrund.md"]
    assert prepared.site is not None and not prepared.problems.items
    html = caches.bodies.html(prepared.site.infos["gipfel"].key)
    assert html.count("/articles/hintergrund/") == 2
    assert prepared.site.infos["gipfel"].links == ("/articles/hintergrund/",)
    version = prepared.site.infos["gipfel"].version

    (articles / "hintergrund.md").rename(articles / "analyse.md")   # its URL moves: the link breaks again
    rendered, prepared = step()
    assert rendered == ["content/articles/analyse.md", "content/articles/gipfel.md"]
    assert prepared.site is not None and prepared.site.infos["gipfel"].version != version
    assert "/articles/hintergrund/" not in caches.bodies.html(prepared.site.infos["gipfel"].key)
    assert [(p.path, p.line) for p in prepared.problems.items if "hintergrund" in p.message] == [
        ("content/articles/gipfel.md", 5)] * 2

    (articles / "wahl.md").unlink()
    rendered, _ = step()
    assert rendered == []
