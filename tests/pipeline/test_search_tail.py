"""A large site's search shards left to the process that started the build (`search_tail`): the same
site as a build that indexes them itself, whether a new tree or a patch, the caches and a text edit
trust it, a failure there leaves the previous output, and only large shards are left to it."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from builder.commands.cli import main
from builder.output import search, search_shards
from builder.output.search import SearchIndexError
from builder.output.search_records import _record
from builder.output.search_shards import PackedRecords, Shard, cost
from builder.output.write import PatchOutput
from builder.pipeline import build as build_module, search_stage, search_tail, text_edit
from builder.pipeline.body_packs import BodyStore
from builder.pipeline.build import BuildOptions, build
from builder.pipeline.search_stage import ShardStore, better_alone, on_disk
from conftest import write_site
from test_body_edit import date_back, dated_site
from test_search_beside_pages import CONFIG, articles, tree

if search.search_available() is not None:
    pytest.skip(search.search_available(), allow_module_level=True)


def beside(out: Path) -> list[str]:
    """What a build left beside its output: staged trees, patches, scratch folders."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture
def runners(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A file that lists the process of every Pagefind run, one line each."""
    listing, start = tmp_path / "pagefind-runners", search.PagefindService.__init__

    def recorded(self: search.PagefindService) -> None:
        with open(listing, "a", encoding="ascii") as out:
            out.write(f"{os.getpid()}\n")
        start(self)
    monkeypatch.setattr(search.PagefindService, "__init__", recorded)
    return listing


@pytest.fixture
def handed_off(monkeypatch: pytest.MonkeyPatch, runners: Path) -> Path:
    """Monthly shards, too large to index two side by side in a build's process, not in the process that
    started it: they are left to that one. Returns the list of Pagefind's runners."""
    monkeypatch.setattr(search_shards, "BUDGET", 2_000)
    monkeypatch.setattr(search_stage, "INDEXED_AT_ONCE", 1)
    monkeypatch.setattr(search_stage, "INDEXED_ALONE", 10**9)
    return runners


def fresh(source: Path, out: Path) -> dict[str, str]:
    """The tree of a build of `source` from nothing, in one process, to compare an output with."""
    assert build(BuildOptions(source=source, destination=out, jobs=1, cache=False)).ok
    return tree(out)


def pagefind_fails_in_this_process(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pagefind fails in the command's process (and works in a build's child); returns the working
    `index` to put back."""
    starter, index = os.getpid(), search.PagefindService.index

    def broken(self: search.PagefindService, *args: Any, **kwargs: Any) -> dict[str, bytes]:
        if os.getpid() == starter:
            raise SearchIndexError("Pagefind stopped")
        return index(self, *args, **kwargs)
    monkeypatch.setattr(search.PagefindService, "index", broken)
    return index


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main(["build", *map(str, args), "--jobs", "2", "--timings"], hand_off=True)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_shards_indexed_after_the_pages_make_the_same_site(
        tmp_path: Path, handed_off: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[search_tail.SearchTail] = []
    finish = search_tail.finish

    def recorded(report: Any, progress: Any = None) -> Any:
        handed.append(report.pending)
        return finish(report, progress)
    monkeypatch.setattr(search_tail, "finish", recorded)
    source = write_site(tmp_path / "src", CONFIG + articles(40))
    code, output = run(capsys, "--source", source, "--destination", tmp_path / "tail", "--no-cache")
    assert code == 0, output
    (tail,) = handed   # the shards to index came packed, the others without their records
    assert {type(shard.records) for shard in tail.shards if shard.records} == {PackedRecords}
    assert search_tail.STAGE in output
    runners = handed_off.read_text(encoding="ascii").split()
    assert len(runners) > 4 and set(runners) == {str(os.getpid())}   # not one by the build's process
    assert build(BuildOptions(source=source, destination=tmp_path / "one", jobs=1, cache=False)).ok
    assert len(list((tmp_path / "one" / "pagefind").glob("*/pagefind-entry.json"))) > 4
    assert tree(tmp_path / "tail") == tree(tmp_path / "one")
    assert beside(tmp_path / "tail") == []   # the build's scratch folder is gone with it


def test_small_shards_are_indexed_by_the_build_beside_its_pages(
        tmp_path: Path, runners: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(search_shards, "BUDGET", 2_000)   # several shards, two indexed at once in the build
    source = write_site(tmp_path / "src", CONFIG + articles(40))
    code, output = run(capsys, "--source", source, "--destination", tmp_path / "out", "--no-cache")
    assert code == 0 and search_tail.STAGE not in output, output
    pids = set(runners.read_text(encoding="ascii").split())
    assert len(pids) == 1 and str(os.getpid()) not in pids   # the build's process ran every one


def test_the_next_build_trusts_the_caches_and_edits_the_text_of_one_article(
        tmp_path: Path, handed_off: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, out = dated_site(tmp_path / "src", CONFIG + articles(40)), tmp_path / "out"
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code == 0 and search_tail.STAGE in output, output
    unchanged = build(BuildOptions(source=source, destination=out, jobs=2))
    assert unchanged.ok and [stage for stage, _ in unchanged.stages] == ["checking inputs"]   # returns at once
    edited = source / "content/articles/artikel-007.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("stimmten die", "stimmten auch die"), encoding="utf-8")
    date_back(edited)   # out of the racy window a file just written is in
    report = build(BuildOptions(source=source, destination=out, jobs=2))
    assert report.ok and any(stage.startswith("text edit") for stage, _ in report.stages), report.stages
    assert tree(out) == fresh(source, tmp_path / "fresh")


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    date_back(path)   # out of the racy window a file just written is in


def test_a_text_edit_from_the_command_line_leaves_a_large_shard_to_the_command(
        tmp_path: Path, runners: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    source, out = dated_site(tmp_path / "src", CONFIG + articles(40)), tmp_path / "out"
    assert run(capsys, "--source", source, "--destination", out)[0] == 0
    edited = source / "content/articles/artikel-007.md"
    runners.unlink()
    edit(edited, "stimmten die", "stimmten auch die")   # a small shard: indexed by the edit's process
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code == 0 and "text edit: search" in output and search_tail.STAGE not in output, output
    assert str(os.getpid()) not in runners.read_text(encoding="ascii").split()
    monkeypatch.setattr(text_edit, "HAND_OVER_ABOVE", 0)   # every shard large
    runners.unlink()
    edit(edited, "stimmten auch die", "stimmten nun die")
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code == 0 and "text edit: bodies" in output and search_tail.STAGE in output, output
    assert runners.read_text(encoding="ascii").split() == [str(os.getpid())]   # one shard, indexed here
    assert tree(out) == fresh(source, tmp_path / "fresh")
    # What the edit's process saved holds for the output the command committed: the next build
    # returns at once, and the next edit is a text edit again.
    unchanged = build(BuildOptions(source=source, destination=out, jobs=2))
    assert unchanged.ok and [stage for stage, _ in unchanged.stages] == ["checking inputs"]
    edit(edited, "stimmten nun die", "stimmten noch die")
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code == 0 and "text edit: bodies" in output, output
    assert tree(out) == fresh(source, tmp_path / "fresh2")


def test_a_text_edit_whose_shard_fails_to_index_leaves_the_previous_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_edit, "HAND_OVER_ABOVE", 0)
    source, out = dated_site(tmp_path / "src", CONFIG + articles(40)), tmp_path / "out"
    assert run(capsys, "--source", source, "--destination", out)[0] == 0
    before = tree(out)
    edit(source / "content/articles/artikel-007.md", "stimmten die", "stimmten auch die")
    index = pagefind_fails_in_this_process(monkeypatch)
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code != 0 and "search index not built: Pagefind stopped" in output, output
    assert tree(out) == before and beside(out) == []
    monkeypatch.setattr(search.PagefindService, "index", index)
    code, output = run(capsys, "--source", source, "--destination", out)   # the saved state is not trusted
    assert code == 0 and "text edit: bodies" not in output, output
    assert tree(out) == fresh(source, tmp_path / "fresh")


def test_a_patch_of_the_previous_output_waits_for_the_shards_too(
        tmp_path: Path, handed_off: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    source, out = dated_site(tmp_path / "src", CONFIG + articles(40)), tmp_path / "out"
    assert run(capsys, "--source", source, "--destination", out)[0] == 0
    patched, commit = [], PatchOutput.commit

    def recorded(self: PatchOutput, written: Any, deleted: Any) -> None:
        patched.append(os.getpid())
        commit(self, written, deleted)
    monkeypatch.setattr(PatchOutput, "commit", recorded)
    for path in dated_site(source, articles(2, first=40)).glob("content/articles/artikel-04[01].md"):
        date_back(path)   # two new articles, two shards to index again: not a text edit
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code == 0 and search_tail.STAGE in output, output
    assert patched == [os.getpid()]   # in place, by the command's process once the shards were indexed
    assert tree(out) == fresh(source, tmp_path / "fresh")


def test_pagefind_failing_after_the_pages_leaves_the_previous_output(
        tmp_path: Path, handed_off: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, out = write_site(tmp_path / "src", CONFIG + articles(30)), tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, jobs=1, cache=False)).ok
    before = tree(out)
    write_site(source, articles(10, first=30))   # more to write, and more shards
    pagefind_fails_in_this_process(monkeypatch)
    code, output = run(capsys, "--source", source, "--destination", out, "--no-cache")
    assert code != 0
    assert "search index not built: Pagefind stopped" in output and "previous output" in output
    assert tree(out) == before
    assert beside(out) == []


def test_a_build_process_that_dies_is_a_failed_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    source, out = write_site(tmp_path / "src", CONFIG + articles(3)), tmp_path / "out"

    def dies(*args: Any, **kwargs: Any) -> None:
        os._exit(3)
    monkeypatch.setattr(build_module, "build", dies)
    code, output = run(capsys, "--source", source, "--destination", out)
    assert code != 0 and "the build stopped (exit code 3)" in output
    assert not out.exists()


def _shards(size: int, count: int = 3) -> list[Shard]:
    return [Shard(f"s{n}", (_record(f"/a{n}/", "article", "A", f"k{n}", size),), False, f"d{n}")
            for n in range(count)]


def test_packed_records_read_as_the_records_and_travel_as_their_bytes() -> None:
    records = tuple(_record(f"/a{n}/", "article", f"Titel {n}", f"k{n}", 1000 + n) for n in range(50))
    packed = PackedRecords(records)
    assert list(packed) == list(records) and len(packed) == 50 and packed[7] == records[7]
    assert cost(packed) == cost(records)
    sent = pickle.dumps(packed)
    assert len(sent) < len(packed.data) + 200   # the bytes, not 50 records' objects
    assert tuple(pickle.loads(sent)) == records


def test_only_shards_too_large_to_index_side_by_side_in_a_build_are_left_to_another_process() -> None:
    large, small = _shards(2 * search_shards.BUDGET), _shards(search_shards.BUDGET // 2)
    assert better_alone(large, 2) and better_alone(large[:2], 8)
    assert not better_alone(small, 2)          # two at once in a build's process too
    assert not better_alone(large[:1], 2)      # one shard: one Pagefind process either way
    assert not better_alone(large, 1)          # one core
    assert not better_alone(_shards(10 * search_shards.BUDGET), 2)   # one at a time alone too


def test_another_process_reads_the_shards_and_bodies_only_from_disk(tmp_path: Path) -> None:
    shards = _shards(100)
    bodies = BodyStore(tmp_path, index=False)
    bodies.locations = {record.body_key: ("p", 0, record.size) for shard in shards for record in shard.records}
    assert on_disk(shards, ShardStore(tmp_path / "search"), bodies)
    assert not on_disk(shards, ShardStore(None), bodies)                 # the dev server's store
    assert not on_disk(shards, ShardStore(tmp_path / "search"), BodyStore(None))
    del bodies.locations["k1"]                                           # a body only in memory
    assert not on_disk(shards, ShardStore(tmp_path / "search"), bodies)
