"""Cached builds patch the destination in place: the result equals a fresh build, failures change
nothing, and an interrupted patch is finished by the next build."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import weakref
from io import BytesIO
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from builder.pipeline import build as pipeline
from builder.pipeline import site_writing, update_plan
from builder.pipeline.build import BuildOptions, BuildReport, build
from builder.output import write
from builder.output.write import MARKER, recover_interrupted
from conftest import failing_replace, write_site

SITE = """
-- config.yaml --
title: "Zeitung"
base_url: "https://example.org/z/"
paginate: 2
-- content/glossary/kreml.md --
---
term: "Kreml"
---

Sitz der russischen Regierung.
-- static/impressum.txt --
Redaktion
-- static/bilder/karte.svg --
<svg xmlns="http://www.w3.org/2000/svg"/>
"""


def article(title: str, day: int, tags: str = "Diplomatie", extra: str = "") -> str:
    return (f"---\ntitle: \"{title}\"\ndate: 2022-01-{day:02d}T10:00:00+01:00\ntags: [{tags}]\n{extra}---\n\n"
            f"{title}: Gespräche im Kreml.\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "src", SITE)
    for day in range(1, 8):
        tags = "Diplomatie, NATO" if day % 2 else "Krise"
        put(root, f"content/articles/a{day}.md", article(f"Artikel {day}", day, tags))
    return root


_clock = [1_600_000_000_000_000_000]


def put(site: Path, path: str, text: str) -> None:
    """Write a source file, dated back out of the load cache's racy window, each to its own time."""
    target = site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    _clock[0] += 1_000_000_000
    os.utime(target, ns=(_clock[0], _clock[0]))


def snapshot(root: Path, folders: bool = True) -> dict[str, tuple[str, int, int]]:
    """Every file (and folder) under root: digest, inode and modification time."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_dir() and not folders:
            continue
        status = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        found[path.relative_to(root).as_posix()] = (digest, status.st_ino, status.st_mtime_ns)
    return found


def tree(root: Path) -> dict[str, bytes]:
    """Every file but the marker with its bytes, and every folder (an empty one would show)."""
    return {p.relative_to(root).as_posix() + ("/" if p.is_dir() else ""): p.read_bytes() if p.is_file() else b""
            for p in sorted(root.rglob("*")) if p.name != MARKER}


def fresh(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "fresh"
    if out.exists():
        shutil.rmtree(out)
    report = build(BuildOptions(source=site, destination=out, jobs=1, cache=False))
    assert report.ok, report.diagnostics
    return tree(out)


def cached(site: Path, out: Path) -> BuildReport:
    return build(BuildOptions(source=site, destination=out, jobs=1))


def beside(out: Path) -> list[str]:
    """What a build left next to the destination."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("body", lambda s: put(s, "content/articles/a3.md",
                           article("Artikel 3", 3).replace("Gespräche", "Neue Gespräche"))),
    ("new article", lambda s: put(s, "content/articles/n1.md", article("Neu", 9, "Krise"))),
    ("deleted article", lambda s: (s / "content/articles/a2.md").unlink()),
    ("renamed slug", lambda s: put(s, "content/articles/a4.md", article("Artikel 4", 4, "Krise", "slug: vier\n"))),
    ("alias", lambda s: put(s, "content/articles/a5.md", article("Artikel 5", 5, extra="aliases: [/alt/fuenf/]\n"))),
    ("alias gone", lambda s: put(s, "content/articles/a5.md", article("Artikel 5", 5))),
    ("tag gone", lambda s: [put(s, f"content/articles/{a}.md", article(a, 1, "Diplomatie")) for a in ("a1", "a7")]),
    ("fewer pages", lambda s: [(s / f"content/articles/a{d}.md").unlink() for d in (3, 5, 6)]),
    ("static gone and new", lambda s: ((s / "static/bilder/karte.svg").unlink(), put(s, "static/neu/x.txt", "x"))),
    ("static file becomes folder", lambda s: ((s / "static/impressum.txt").unlink(),
                                              put(s, "static/impressum.txt/index.txt", "y"))),
]


def test_edits_patch_the_destination_and_equal_fresh_builds(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    folder = out.stat().st_ino
    for name, edit in EDITS:
        before = snapshot(out)
        edit(site)
        report = cached(site, out)
        assert report.ok, (name, report.diagnostics)
        assert tree(out) == fresh(site, tmp_path), name
        assert out.stat().st_ino == folder, f"{name}: the folder was swapped, not patched"
        # Only the rendered files are new (replaced, never rewritten in place); the others keep inode and time.
        after = snapshot(out, folders=False)
        rewritten = [path for path, (_, inode, mtime) in after.items()
                     if path != MARKER and before.get(path, ("", 0, 0))[1:] != (inode, mtime)]
        assert len(rewritten) == report.rendered, name
        assert all(after[p][0] == before[p][0] for p in after if p not in rewritten and p != MARKER), name
        assert 0 < report.rendered < len(after) - 1, name
        assert beside(out) == [], name


def test_a_patch_stages_its_files_side_by_side_without_making_folders(site: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    staged: list[list[bool]] = []   # per entry of the patch folder's files: is it a file
    real_commit = write.PatchOutput.commit

    def commit(self: write.PatchOutput, written: list[str], deleted: list[str]) -> None:
        staged.append([entry.is_file() for entry in (self.staging / write._FILES).iterdir()])
        real_commit(self, written, deleted)
    monkeypatch.setattr(write.PatchOutput, "commit", commit)
    put(site, "content/articles/n1.md", article("Neu", 9, "Krise"))   # new pages, in folders of their own
    report = cached(site, out)
    assert report.ok and len(staged) == 1
    assert len(staged[0]) == report.rendered + 1 and all(staged[0])   # and the marker
    assert tree(out) == fresh(site, tmp_path)


def test_a_warm_build_without_changes_writes_nothing(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    before = snapshot(out)
    report = cached(site, out)
    assert report.ok and report.rendered == 0
    assert snapshot(out) == before


def test_many_changes_build_a_new_tree_and_swap_it_in(site: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    monkeypatch.setattr(update_plan, "IN_PLACE_ALWAYS", 0)
    monkeypatch.setattr(update_plan, "IN_PLACE_SHARE", 0.0)
    folder = out.stat().st_ino
    EDITS[0][1](site)
    assert cached(site, out).ok
    swapped = out.stat().st_ino
    assert swapped != folder
    assert tree(out) == fresh(site, tmp_path)
    monkeypatch.undo()
    EDITS[2][1](site)
    assert cached(site, out).ok   # the manifest of a swapped-in tree allows the next patch
    assert out.stat().st_ino == swapped and tree(out) == fresh(site, tmp_path)


def test_search_is_patched_in_place_and_turning_it_off_removes_the_index(site: Path, tmp_path: Path) -> None:
    from builder.output.search import search_available
    if search_available() is not None:
        pytest.skip(search_available())
    out = tmp_path / "site"
    config = (site / "config.yaml").read_text(encoding="utf-8")
    put(site, "config.yaml", config + "search: true\n")
    assert cached(site, out).ok
    EDITS[1][1](site)
    folder = out.stat().st_ino
    assert cached(site, out).ok
    assert out.stat().st_ino == folder   # patched: the index is sharded, one shard indexed again
    assert "pagefind/shards.js" in tree(out) and tree(out) == fresh(site, tmp_path)
    put(site, "config.yaml", config)
    assert cached(site, out).ok
    assert not (out / "pagefind").exists()
    assert tree(out) == fresh(site, tmp_path)


@pytest.mark.parametrize("broken", ["front matter", "template", "write"])
def test_a_failed_build_after_a_good_one_changes_nothing(site: Path, tmp_path: Path, broken: str) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    EDITS[0][1](site)
    assert cached(site, out).ok
    before = snapshot(out)
    EDITS[1][1](site)
    if broken == "front matter":
        put(site, "content/articles/a1.md", "---\ntitle: Genf\ndate: 2024-13-45\n---\nNeu.\n")
    elif broken == "template":
        put(site, "layouts/article.html", "<!doctype html>\n<title>{{ article.titel.x }}</title>\n")
    else:
        put(site, "static/feed.xml/info.txt", "the generated feed.xml cannot be a file and a folder")
    report = cached(site, out)
    assert not report.ok
    assert snapshot(out) == before
    assert beside(out) == []


def test_a_failing_move_into_the_destination_undoes_the_patch(site: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    before, dirs = snapshot(out, folders=False), sorted(p for p in out.rglob("*") if p.is_dir())
    EDITS[2][1](site)
    EDITS[1][1](site)
    failing_replace(monkeypatch, out, lambda n: OSError(30, "Read-only file system") if n == 2 else None)
    report = cached(site, out)
    monkeypatch.undo()
    assert not report.ok
    assert any("cannot write the site: Read-only file system" in d.message for d in report.diagnostics)
    # Every file as it was (the same inode, not a copy); folders emptied and refilled have a new time.
    assert snapshot(out, folders=False) == before and beside(out) == []
    assert sorted(p for p in out.rglob("*") if p.is_dir()) == dirs
    report = cached(site, out)   # the old manifest was put back: the next build patches again
    # Fewer files made than the site has (feeds of every listing and tag count too, not only pages).
    assert report.ok and report.rendered < sum(1 for p in out.rglob("*") if p.is_file())
    assert tree(out) == fresh(site, tmp_path)


class Crash(BaseException):
    """A kill -9 at this point: nothing after it runs, no clean-up."""


def _moves(site: Path, tmp_path: Path) -> int:
    """How many files a patch for the edits below moves into the destination, counted on a copy."""
    copy_site, copy_out = tmp_path / "zaehl-src", tmp_path / "zaehl-site"
    shutil.copytree(site, copy_site)
    assert cached(copy_site, copy_out).ok
    _crash_edits(copy_site)
    real, calls = os.replace, [0]

    def replace(src: object, dst: object) -> None:
        calls[0] += str(dst).startswith(str(copy_out) + os.sep)
        real(src, dst)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", replace)
        assert cached(copy_site, copy_out).ok
    return calls[0]


def _crash_edits(site: Path) -> None:
    for index in (0, 1, 2, 3, 7):
        EDITS[index][1](site)


@pytest.mark.parametrize("step", ["unlink", "journal", *range(14)])
def test_a_build_killed_while_committing_is_finished_by_the_next_one(site: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     step: str | int) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    old = tree(out)
    moves = _moves(site, tmp_path)
    if isinstance(step, int) and step >= moves:
        pytest.skip(f"a patch of these edits moves only {moves} files")
    _crash_edits(site)
    expected = fresh(site, tmp_path)
    real_replace, real_unlink, calls = os.replace, os.unlink, [0]

    def replace(src: object, dst: object) -> None:
        if step == "journal" and str(dst).endswith(write.JOURNAL):
            raise Crash()
        if isinstance(step, int) and str(dst).startswith(str(out) + os.sep):
            calls[0] += 1
            if calls[0] > step:
                raise Crash()
        real_replace(src, dst)  # type: ignore[arg-type]

    def unlink(path: object, *args: object, **kwargs: object) -> None:
        if step == "unlink" and str(path).startswith(str(out) + os.sep):
            raise Crash()
        real_unlink(path, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)
    with pytest.raises(Crash):
        cached(site, out)
    monkeypatch.undo()
    recover_interrupted(out)
    assert tree(out) == (old if step == "journal" else expected)
    assert beside(out) == []
    report = cached(site, out)
    assert report.ok and tree(out) == expected


def test_a_stale_manifest_is_never_trusted(site: Path, tmp_path: Path) -> None:
    """Another build (here one without the cache) rewrote the destination after the manifest."""
    out = tmp_path / "site"
    assert cached(site, out).ok
    original = (site / "content/articles/a3.md").read_text(encoding="utf-8")
    EDITS[0][1](site)
    assert build(BuildOptions(source=site, destination=out, jobs=1, cache=False)).ok
    put(site, "content/articles/a3.md", original)   # back to what the manifest describes
    assert cached(site, out).ok
    assert tree(out) == fresh(site, tmp_path)


def test_a_manifest_of_an_older_format_means_a_full_build(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert cached(site, out).ok
    manifest = site_writing.manifest_path(site, out)
    files = json.loads(manifest.read_text(encoding="utf-8").partition("\n")[0])["files"]
    manifest.write_text(json.dumps(files), encoding="utf-8")   # the old layout: path → fingerprint
    EDITS[0][1](site)
    report = cached(site, out)
    expected = fresh(site, tmp_path)
    assert report.ok and report.rendered == len([path for path in expected if not path.endswith("/")])
    assert tree(out) == expected


def test_a_replaced_photo_renders_the_pages_showing_it_again(site: Path, tmp_path: Path) -> None:
    """The body's HTML names the photo's derivatives by its digest: the page, its feeds' entries and
    the files all change with the photo, though the article's text does not."""
    def photo(color: tuple[int, int, int]) -> bytes:
        buffer = BytesIO()
        Image.new("RGB", (120, 80), color).save(buffer, "JPEG")
        return buffer.getvalue()

    put(site, "content/articles/gipfel/index.md",
        "---\ntitle: \"Gipfel\"\ndate: 2022-01-09T10:00:00+01:00\n---\n\n![Der Saal](saal.jpg)\n")
    (site / "content/articles/gipfel/saal.jpg").write_bytes(photo((200, 30, 30)))
    out = tmp_path / "site"
    assert cached(site, out).ok
    before = (out / "articles/gipfel/index.html").read_bytes()
    (site / "content/articles/gipfel/saal.jpg").write_bytes(photo((30, 30, 200)))
    assert cached(site, out).ok
    assert tree(out) == fresh(site, tmp_path)
    assert (out / "articles/gipfel/index.html").read_bytes() != before


def test_a_build_leaves_its_site_to_reference_counting(site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of the site waits for the cyclic collector once a build returns (Jinja's render
    contexts are reference cycles; a site they held cost 1.5 s of collection at 100,000 articles)."""
    sites: list[weakref.ref] = []
    real = pipeline.prepare

    def prepare(*args: object, **kwargs: object) -> pipeline.Prepared:
        prepared = real(*args, **kwargs)  # type: ignore[arg-type]
        sites.append(weakref.ref(prepared.site))
        return prepared

    monkeypatch.setattr(pipeline, "prepare", prepare)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for cache in (False, True):   # in-process rendering (jobs=1), a new tree and a patch
            assert build(BuildOptions(source=site, destination=tmp_path / "site", jobs=1, cache=cache)).ok
            assert sites[-1]() is None
    finally:
        if enabled:
            gc.enable()


def test_a_new_path_that_is_a_file_and_a_folder_of_the_site_is_in_the_way() -> None:
    files = {"artikel/a/index.html": "1", "artikel/ab/index.html": "2", "feed.xml": "3"}
    old = {"artikel/a/index.html": "1", "feed.xml": "3"}
    assert update_plan.file_in_the_way(files, ["artikel/ab/index.html"], old) is False
    assert update_plan.file_in_the_way({**files, "artikel/a": "4"}, ["artikel/a"], old) is True   # a's folder
    assert update_plan.file_in_the_way({**files, "artikel/ab": "4"}, ["artikel/ab"], old) is True
    assert update_plan.file_in_the_way({**files, "artikel/b": "4"}, ["artikel/b"], old) is False
    assert update_plan.file_in_the_way({**files, "feed.xml/x.html": "5"}, ["feed.xml/x.html"], old) is True
