"""The atomic writer: staging beside the destination, swap, recovery, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.write import MARKER, OutputError, StagedOutput, check_destination, recover_interrupted, safe_relative


def test_commit_swaps_in_the_new_site_and_reuse_hard_links(tmp_path: Path) -> None:
    dest = tmp_path / "site"
    first = StagedOutput(dest)
    first.write("a/index.html", b"eins")
    first.write("b.txt", b"zwei")
    first.commit()
    second = StagedOutput(dest)
    assert second.reuse("a/index.html")
    assert not second.reuse("fehlt.html")
    second.write("c.txt", b"drei")
    second.commit()
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        MARKER, "a/index.html", "c.txt"]
    assert (dest / "a/index.html").read_bytes() == b"eins"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_abort_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    dest = tmp_path / "site"
    first = StagedOutput(dest)
    first.write("index.html", b"alt")
    first.commit()
    second = StagedOutput(dest)
    second.write("index.html", b"neu")
    second.abort()
    assert (dest / "index.html").read_bytes() == b"alt"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    old = tmp_path / ".site.old-abc"
    old.mkdir()
    (old / MARKER).write_bytes(b"")
    (old / "index.html").write_bytes(b"alt")
    staging = tmp_path / ".site.tmp-xyz"
    staging.mkdir()
    (staging / MARKER).write_bytes(b"")
    recover_interrupted(tmp_path / "site")
    assert (tmp_path / "site/index.html").read_bytes() == b"alt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_leftovers_that_are_not_ours_are_kept(tmp_path: Path) -> None:
    foreign = tmp_path / ".site.tmp-fremd"
    foreign.mkdir()
    (foreign / "notiz.txt").write_text("meins", encoding="utf-8")
    recover_interrupted(tmp_path / "site")
    assert (foreign / "notiz.txt").exists()


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", "a\\b", "a\x00b", ""])
def test_unsafe_output_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError):
        safe_relative(path)


def test_destination_checks(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    with pytest.raises(OutputError, match="contains the site folder"):
        check_destination(source, tmp_path)
    with pytest.raises(OutputError, match="contains the site folder"):
        check_destination(source, source)
    check_destination(source, source / "site")
    (tmp_path / "datei").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file"):
        check_destination(source, tmp_path / "datei")
