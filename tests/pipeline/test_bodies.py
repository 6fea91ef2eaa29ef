"""Tests for builder.build.bodies: what the body stage tells the rest of the build."""

from __future__ import annotations

from pathlib import Path

from builder.pipeline import build as pipeline


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
                                pipeline.Caches.in_folder(None), keep_html=True)
    assert prepared.site is not None, prepared.problems.items
    assert prepared.site.infos["gipfel"].words["waffenruhe"] == 3
    assert prepared.site.infos["gipfel"].term_counts == {"waffenruhe": 3}
    assert prepared.site.term_infos["waffenruhe"].words == {}
