"""Tests for builder.util.garbage_collection and its use around builds."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from builder.pipeline import build as pipeline
from builder.util.garbage_collection import collection_paused


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
