"""The atomic writer: staging and swap, journaled patches, recovery, and refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from builder.output.write import (
    JOURNAL,
    MARKER,
    OutputError,
    PatchOutput,
    StagedOutput,
    can_patch,
    check_destination,
    marker_identity,
    recover_interrupted,
    _plain,
    safe_relative,
)
from conftest import failing_replace


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
def test_unsafe_output_paths_are_refused(path: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        safe_relative(path)
    staged = StagedOutput(tmp_path / "site")
    with pytest.raises(ValueError):
        staged.write(path, b"x")
    staged.abort()
    assert not list(tmp_path.rglob("x")) and not list(tmp_path.rglob("passwd"))


_PARTS = st.sampled_from(["a", "seite", "index.html", ".", "..", "", ".well-known", "b..", "ä", "x\\y", "n\x00"])


@given(st.lists(_PARTS, min_size=1, max_size=5).map("/".join) | st.text(max_size=12))
@example("a//b")
@example("a/./b")
@example("a/")
@example("./a")
@example("a/..")
def test_a_path_written_as_it_stands_is_where_safe_relative_puts_it(path: str) -> None:
    # The writer skips safe_relative for plain paths: each of those must be safe and unchanged by it.
    if _plain(path):
        assert str(safe_relative(path)) == path


def test_paths_that_are_not_plain_are_written_where_safe_relative_puts_them(tmp_path: Path) -> None:
    staged = StagedOutput(tmp_path / "site")
    for path in ("a//b.html", "./c.html", "d/./e.html", ".well-known/f.txt", "g/"):
        staged.write(path, path.encode())
    staged.commit()
    site = tmp_path / "site"
    assert (site / "a" / "b.html").read_bytes() == b"a//b.html"
    assert (site / "c.html").read_bytes() == b"./c.html"
    assert (site / "d" / "e.html").read_bytes() == b"d/./e.html"
    assert (site / ".well-known" / "f.txt").read_bytes() == b".well-known/f.txt"
    assert (site / "g").read_bytes() == b"g/"


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


# -- patches: the changed files moved into the destination under a journal ---------------------

def files(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under root with its bytes, inode and modification time."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def folders(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


@pytest.fixture
def old_site(tmp_path: Path) -> Path:
    dest = tmp_path / "site"
    first = StagedOutput(dest)
    for path, data in {"index.html": b"start", "a/index.html": b"a alt", "b/index.html": b"b",
                       "tief/x/y/index.html": b"weg", "bleibt.txt": b"bleibt", "datei": b"wird Ordner"}.items():
        first.write(path, data)
    first.commit()
    return dest


def patch(dest: Path) -> PatchOutput:
    """Changes a/, adds c/ and datei/neu.txt, deletes tief/x/y/ and the file datei."""
    out = PatchOutput(dest)
    out.write("a/index.html", b"a neu")
    out.write("c/index.html", b"c neu")
    out.write("datei/neu.txt", b"neu")
    return out


NEW = {"index.html": b"start", "a/index.html": b"a neu", "b/index.html": b"b", "bleibt.txt": b"bleibt",
       "c/index.html": b"c neu", "datei/neu.txt": b"neu"}


def contents(root: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _, _) in files(root).items() if path != MARKER}


def test_patch_replaces_changed_files_keeps_the_others_and_prunes_empty_folders(old_site: Path) -> None:
    before, marker = files(old_site), marker_identity(old_site)
    out = patch(old_site)
    out.commit(["a/index.html", "c/index.html", "datei/neu.txt"], ["tief/x/y/index.html", "datei"])
    after = files(old_site)
    assert contents(old_site) == NEW
    assert folders(old_site) == ["a", "b", "c", "datei"]
    for same in ("index.html", "b/index.html", "bleibt.txt"):
        assert after[same] == before[same]   # not rewritten: same inode and time
    assert after["a/index.html"][1] != before["a/index.html"][1]
    assert marker_identity(old_site) not in (None, marker) and marker_identity(old_site) == out.marker
    assert [p.name for p in old_site.parent.iterdir()] == ["site"]


def test_marker_identity_differs_for_every_build(tmp_path: Path) -> None:
    seen = set()
    for _ in range(5):
        out = StagedOutput(tmp_path / "site")
        out.commit()
        seen.add(marker_identity(tmp_path / "site"))
        assert (tmp_path / "site" / MARKER).read_bytes() == b""
    assert len(seen) == 5 and None not in seen


class Crash(BaseException):
    """A kill -9 at this point: nothing after it runs, no clean-up."""


def flaky_replace(monkeypatch: pytest.MonkeyPatch, dest: Path, after: int, error: BaseException) -> None:
    """The (after+1)-th os.replace into `dest` fails."""
    failing_replace(monkeypatch, dest, lambda n: error if n == after + 1 else None)


@pytest.mark.parametrize("after", range(4))
def test_a_write_error_while_applying_undoes_the_patch(old_site: Path, monkeypatch: pytest.MonkeyPatch,
                                                       after: int) -> None:
    before, dirs = files(old_site), folders(old_site)
    out = patch(old_site)
    flaky_replace(monkeypatch, old_site, after, OSError(28, "No space left on device"))
    with pytest.raises(OSError):
        out.commit(["a/index.html", "c/index.html", "datei/neu.txt"], ["tief/x/y/index.html", "datei"])
    assert files(old_site) == before and folders(old_site) == dirs
    assert [p.name for p in old_site.parent.iterdir()] == ["site"]


def test_a_patch_that_cannot_be_undone_either_is_undone_by_recovery(old_site: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    before, dirs = files(old_site), folders(old_site)
    out = patch(old_site)
    # The second move fails, and so does every move that would undo the first.
    failing_replace(monkeypatch, old_site, lambda n: OSError(13, "Permission denied") if n >= 2 else None)
    with pytest.raises(OSError):
        out.commit(["a/index.html", "c/index.html", "datei/neu.txt"], ["tief/x/y/index.html", "datei"])
    out.abort()
    monkeypatch.undo()
    recover_interrupted(old_site)
    assert files(old_site) == before and folders(old_site) == dirs
    assert [p.name for p in old_site.parent.iterdir()] == ["site"]


@pytest.mark.parametrize("after", range(4))
def test_a_patch_killed_after_its_journal_is_rolled_forward(old_site: Path, monkeypatch: pytest.MonkeyPatch,
                                                            after: int) -> None:
    out = patch(old_site)
    flaky_replace(monkeypatch, old_site, after, Crash())
    with pytest.raises(Crash):
        out.commit(["a/index.html", "c/index.html", "datei/neu.txt"], ["tief/x/y/index.html", "datei"])
    out.abort()   # what the build does on the way out: a journaled patch is left to recovery
    monkeypatch.undo()
    recover_interrupted(old_site)
    assert contents(old_site) == NEW and folders(old_site) == ["a", "b", "c", "datei"]
    assert marker_identity(old_site) == out.marker
    assert [p.name for p in old_site.parent.iterdir()] == ["site"]
    recover_interrupted(old_site)   # a second recovery finds nothing to do
    assert contents(old_site) == NEW


def test_a_patch_killed_before_its_journal_is_discarded(old_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = files(old_site)
    out = patch(old_site)
    real = os.replace

    def crash_on_journal(src: object, dst: object) -> None:
        if str(dst).endswith(JOURNAL):
            raise Crash()
        real(src, dst)  # type: ignore[arg-type]
    monkeypatch.setattr(os, "replace", crash_on_journal)
    with pytest.raises(Crash):
        out.commit(["a/index.html", "c/index.html", "datei/neu.txt"], ["tief/x/y/index.html", "datei"])
    monkeypatch.undo()
    recover_interrupted(old_site)
    assert files(old_site) == before
    assert [p.name for p in old_site.parent.iterdir()] == ["site"]


def test_a_rollback_killed_halfway_is_finished_by_recovery(old_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before, dirs = files(old_site), folders(old_site)
    out = patch(old_site)
    # The third move fails, so the patch is undone; the undoing is killed at its first move.
    failing_replace(monkeypatch, old_site, {3: OSError(13, "Permission denied"), 4: Crash()}.get)
    with pytest.raises(Crash):
        out.commit(["a/index.html", "c/index.html", "datei/neu.txt"], ["tief/x/y/index.html", "datei"])
    monkeypatch.undo()
    recover_interrupted(old_site)
    assert files(old_site) == before and folders(old_site) == dirs


def test_a_patch_abort_before_commit_leaves_nothing(old_site: Path) -> None:
    before = files(old_site)
    out = patch(old_site)
    out.abort()
    assert files(old_site) == before
    assert [p.name for p in old_site.parent.iterdir()] == ["site"]


def test_only_a_folder_on_its_parents_file_system_is_patched(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "site")
    assert can_patch(tmp_path / "site")
    assert not can_patch(tmp_path / "link")   # the patch folder might sit on another file system
    assert not can_patch(tmp_path / "fehlt")
