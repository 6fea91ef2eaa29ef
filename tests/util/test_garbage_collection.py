"""Tests for builder.util.garbage_collection and its use around builds."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest

from builder.pipeline import build as pipeline
from builder.pipeline.incremental import IncrementalBuilder
from builder.util.garbage_collection import Frozen, collection_paused


def test_the_collector_is_off_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failing build")
    assert gc.isenabled()


def test_a_paused_collector_stays_off_after_a_nested_pause() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_build_runs_with_the_collector_paused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    original = pipeline.prepare
    monkeypatch.setattr(pipeline, "prepare", lambda *a, **k: seen.append(gc.isenabled()) or original(*a, **k))
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "config.yaml").write_text('title: "T"\nbase_url: "https://example.org/"\n', encoding="utf-8")
    report = pipeline.build(pipeline.BuildOptions(source=tmp_path))
    assert report.ok and seen == [False] and gc.isenabled()


def _site(folder: Path) -> Path:
    (folder / "content" / "articles").mkdir(parents=True)
    (folder / "config.yaml").write_text('title: "T"\nbase_url: "https://example.org/"\n', encoding="utf-8")
    for n in range(3):
        (folder / "content" / "articles" / f"a{n}.md").write_text(
            f'---\ntitle: "Artikel {n}"\ndate: 2024-03-0{n + 1}T10:00:00+01:00\n---\n\nText {n}.\n', encoding="utf-8")
    return folder


def test_a_preview_build_renders_without_walking_what_it_keeps(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """No full collection while a preview renders a build (with collections as eager as can be), and what
    the build leaves is frozen for the collections while it serves pages."""
    builder = IncrementalBuilder(_site(tmp_path))
    full: list[Any] = []
    rendering = [False]
    real = IncrementalBuilder._render

    def render(self: IncrementalBuilder, *args: Any) -> Any:
        rendering[0] = True
        try:
            return real(self, *args)
        finally:
            rendering[0] = False
    monkeypatch.setattr(IncrementalBuilder, "_render", render)

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2 and rendering[0]:
            full.append(info)
    thresholds = gc.get_threshold()
    gc.callbacks.append(record)
    gc.set_threshold(1, 1, 1)
    try:
        assert builder.build().ok
        assert full == []
        assert gc.get_freeze_count() > 0
        (tmp_path / "content" / "articles" / "a1.md").write_text(
            '---\ntitle: "Neu"\ndate: 2024-03-02T10:00:00+01:00\n---\n\nText.\n', encoding="utf-8")
        assert builder.build({"content/articles/a1.md"}).ok and full == []
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(record)
        builder.close()
    assert gc.get_freeze_count() == 0


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_every_so_many_builds_the_cycles_they_left_are_collected() -> None:
    frozen = Frozen(full_every=3)
    gc.disable()
    try:
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle   # garbage only a collection finds
        frozen.after_build()
        gc.collect()
        frozen.after_build()
        gc.collect()
        assert gone() is not None   # frozen with everything the builds left
        frozen.after_build()   # the third: a full collection first
        assert gone() is None
    finally:
        frozen.thaw()
        gc.enable()
