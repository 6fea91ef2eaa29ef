"""Tests for builder.build.delta_cache: a base pickle plus a delta of what changed since."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.pipeline import delta_cache
from builder.pipeline.delta_cache import EntryFile


def entries(n: int, tag: str = "v") -> dict[str, tuple[str, int]]:
    return {f"k{i:03}": (tag, i) for i in range(n)}


def test_entries_survive_a_round_trip(tmp_path: Path) -> None:
    EntryFile(tmp_path / "c.pickle", "h1").save(entries(50))
    assert EntryFile(tmp_path / "c.pickle", "h1").entries == entries(50)


def test_a_small_change_writes_only_the_delta(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    EntryFile(path, "h1").save(entries(100))
    base_inode = path.stat().st_ino
    cache = EntryFile(path, "h1")
    changed = dict(cache.entries)
    changed["k007"] = ("neu", 7)
    changed["k999"] = ("neu", 999)
    del changed["k003"]
    cache.save(changed)
    assert path.stat().st_ino == base_inode and (tmp_path / "c.pickle.delta").exists()
    assert EntryFile(path, "h1").entries == changed


def test_equal_values_read_again_are_not_changes(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    EntryFile(path, "h1").save(entries(100))
    cache = EntryFile(path, "h1")
    cache.save(entries(100))          # equal, but not the objects read
    assert EntryFile(path, "h1").entries == entries(100)
    assert len(EntryFile(path, "h1")._base) == 100 and (tmp_path / "c.pickle.delta").exists()


def test_many_changes_fold_into_a_new_base(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    EntryFile(path, "h1").save(entries(100))
    cache = EntryFile(path, "h1")
    cache.save({**cache.entries, "k001": ("neu", 1)})
    assert (tmp_path / "c.pickle.delta").exists()
    EntryFile(path, "h1").save(entries(100, "anders"))
    assert not (tmp_path / "c.pickle.delta").exists()
    assert EntryFile(path, "h1").entries == entries(100, "anders")


def test_another_header_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "c.pickle"
    EntryFile(path, "h1").save(entries(10))
    assert EntryFile(path, "h2").entries == {}


def test_a_fold_interrupted_before_the_base_is_written_leaves_an_earlier_state(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.pickle"
    EntryFile(path, "h1").save(entries(100))
    cache = EntryFile(path, "h1")
    cache.save({**cache.entries, "k001": ("alt", 1)})

    def killed(*args: object) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(delta_cache, "write_pickle", killed)
    with pytest.raises(KeyboardInterrupt):
        EntryFile(path, "h1").save(entries(100, "neu"))
    assert EntryFile(path, "h1").entries == entries(100)   # the first save's


def test_without_a_path_nothing_is_written(tmp_path: Path) -> None:
    cache: EntryFile[int] = EntryFile(None, "h1")
    cache.save({"a": 1})
    assert cache.entries == {"a": 1} and list(tmp_path.iterdir()) == []


def test_a_delta_of_an_older_base_is_not_applied_to_a_newer_one(tmp_path: Path) -> None:
    """Two builds of one site at once: each read the same base; one folds a new base, then the
    other saves a delta against the base it read. What is read is one save's whole state."""
    path = tmp_path / "c.pickle"
    EntryFile(path, "h1").save(entries(100))
    first, second = EntryFile(path, "h1"), EntryFile(path, "h1")
    second.save(entries(100, "zweiter"))                      # many changes: a new base
    first.save({**entries(100), "k001": ("erster", 1)})       # a few: a delta against the old base
    assert (tmp_path / "c.pickle.delta").exists()
    assert EntryFile(path, "h1").entries == entries(100, "zweiter")
