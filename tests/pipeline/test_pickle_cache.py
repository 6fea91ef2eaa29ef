"""Cache files: atomic writes, lenient reads."""

from __future__ import annotations

from pathlib import Path

from builder.pipeline.pickle_cache import read_pickle, write_pickle


def test_round_trip_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "x.pickle"
    assert read_pickle(path, ("leer", {})) == ("leer", {})
    write_pickle(path, ("schlüssel", {"a": 1}))
    assert read_pickle(path, (None, {})) == ("schlüssel", {"a": 1})
    assert [p.name for p in path.parent.iterdir()] == ["x.pickle"]


def test_broken_or_differently_shaped_files_give_the_default(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    path.write_bytes(b"kein pickle")
    assert read_pickle(path, (None, {})) == (None, {})
    write_pickle(path, {"altes": "format"})
    assert read_pickle(path, (None, {})) == (None, {})
    write_pickle(path, (1, 2, 3))
    assert read_pickle(path, (None, {})) == (None, {})
    assert read_pickle(None, 7) == 7
