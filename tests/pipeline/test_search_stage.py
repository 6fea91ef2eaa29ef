"""The shard store: shards kept by digest on disk between builds, stale folders removed, a damaged
state forgotten rather than trusted; and which manifests allow a patch."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from builder.output.search_records import _record
from builder.output.search_shards import BUDGET, RECORD_COST, Shard
from builder.pipeline.search_stage import ShardStore, lanes, lists_search_files


def shard(name: str, digest: str) -> Shard:
    return Shard(name, (), False, digest)


def test_kept_shards_survive_into_the_next_build(tmp_path: Path) -> None:
    store = ShardStore(tmp_path / "search")
    store.put(shard("2022-q1", "d1"), {"2022-q1/pagefind-entry.json": b"{}", "2022-q1/index/de_1.pf_index": b"x"})
    store.keep_only({"2022-q1"})
    again = ShardStore(tmp_path / "search")
    assert again.has(shard("2022-q1", "d1")) and not again.has(shard("2022-q1", "d2"))
    assert again.read("2022-q1", "2022-q1/index/de_1.pf_index") == b"x"


def test_a_shard_indexed_again_replaces_its_folder_and_gone_shards_are_removed(tmp_path: Path) -> None:
    store = ShardStore(tmp_path / "search")
    store.put(shard("2021", "a"), {"2021/pagefind-entry.json": b"alt"})
    store.put(shard("2022", "b"), {"2022/pagefind-entry.json": b"b"})
    store.keep_only({"2021", "2022"})
    store.put(shard("2021", "c"), {"2021/pagefind-entry.json": b"neu"})
    store.keep_only({"2021"})
    folders = sorted(p.name for p in (tmp_path / "search").iterdir() if p.is_dir())
    assert len(folders) == 1 and folders[0].startswith("2021-")
    assert ShardStore(tmp_path / "search").read("2021", "2021/pagefind-entry.json") == b"neu"


def test_a_build_that_indexes_nothing_leaves_the_state_file_alone(tmp_path: Path) -> None:
    store = ShardStore(tmp_path / "search")
    store.put(shard("2021", "a"), {"2021/pagefind-entry.json": b"x"})
    store.keep_only({"2021"})
    state = tmp_path / "search" / "state.json"
    written = state.stat().st_mtime_ns
    os.utime(state, ns=(written - 10**9, written - 10**9))
    unchanged = ShardStore(tmp_path / "search")
    assert unchanged.has(shard("2021", "a"))
    unchanged.keep_only({"2021"})
    assert state.stat().st_mtime_ns == written - 10**9
    unchanged.keep_only(set())   # a shard the site no longer has: the state says so
    assert not ShardStore(tmp_path / "search").has(shard("2021", "a"))


def test_a_damaged_state_or_a_missing_folder_means_indexing_again(tmp_path: Path) -> None:
    store = ShardStore(tmp_path / "search")
    store.put(shard("2021", "a"), {"2021/pagefind-entry.json": b"x"})
    store.keep_only({"2021"})
    (tmp_path / "search" / "state.json").write_text("{kaputt", encoding="utf-8")
    assert not ShardStore(tmp_path / "search").has(shard("2021", "a"))
    again = ShardStore(tmp_path / "search")   # the next build indexes the shard again and keeps it
    again.put(shard("2021", "a"), {"2021/pagefind-entry.json": b"x"})
    again.keep_only({"2021"})
    assert ShardStore(tmp_path / "search").has(shard("2021", "a"))
    for folder in (tmp_path / "search").iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    assert not ShardStore(tmp_path / "search").has(shard("2021", "a"))


def test_in_memory_store_for_the_dev_server() -> None:
    store = ShardStore(None)
    store.put(shard("begriffe", "d"), {"begriffe/pagefind-entry.json": b"{}"})
    store.keep_only({"begriffe"})
    assert store.has(shard("begriffe", "d")) and store.read("begriffe", "begriffe/pagefind-entry.json") == b"{}"
    store.keep_only(set())
    assert not store.has(shard("begriffe", "d"))


def test_only_a_manifest_that_lists_the_index_allows_a_patch() -> None:
    assert lists_search_files({"index.html": "f"}, search=False)
    assert lists_search_files({"index.html": "f", "pagefind/shards.js": "g"}, search=True)
    assert not lists_search_files({"index.html": "f"}, search=True)   # written before shards: Pagefind's tree unlisted


def test_pagefind_indexes_side_by_side_only_within_the_bytes_it_may_hold_at_once() -> None:
    def sized(name: str, size: int) -> Shard:
        record = _record(f"/{name}/", "article", name, name, size)
        return Shard(name, (record,), False, name)

    small = [sized(f"s{n}", BUDGET - RECORD_COST) for n in range(4)]     # at the budget
    assert lanes(small, 2) == 2 and lanes(small, 8) == 2 and lanes(small[:1], 2) == 1
    assert lanes([sized("tiny", 100), sized("tiny2", 100)], 8) == 2
    grown = [sized(f"g{n}", 4 * BUDGET) for n in range(3)]               # a budget doubled twice
    assert lanes(grown, 2) == 1
    assert lanes([], 2) == 1
