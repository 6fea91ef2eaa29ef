"""A cached build with nothing to do returns the last build's report after a walk over its inputs,
and builds as usual when a file, the destination, the options or what time decides changed."""

from __future__ import annotations

import marshal
import os
import shutil
import time
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any, Callable

import pytest
from PIL import Image

from builder.output.templates import THEME_DIR
from builder.output.write import MARKER
from builder.pipeline import build as pipeline
from builder.pipeline import unchanged
from builder.pipeline.build import BuildOptions, BuildReport, build
from builder.pipeline.caches import cache_folder
from builder.pipeline.unchanged import InputWatch
from conftest import write_site

NOW = datetime(2022, 1, 21, 7, 0, tzinfo=timezone.utc)

SITE = """
-- config.yaml --
title: "Zeitung"
base_url: "https://example.org/"
farbe: "blau"
-- content/articles/nato.md --
---
title: "NATO berät"
date: 2022-01-18T10:00:00+01:00
tags: [Diplomatie]
---
Die NATO berät über die [Lage](gipfel/index.md).
-- content/articles/gipfel/index.md --
---
title: "Gipfel in Genf"
date: 2022-01-17T10:00:00+01:00
tags: [Diplomatie]
---
Der Saal:

![Der Saal](saal.jpg)
-- content/articles/entwurf.md --
---
title: "Entwurf Geheimsache"
date: 2022-01-16T10:00:00+01:00
draft: true
---
Noch nicht fertig.
-- content/glossary/nato.md --
---
term: "NATO"
summary: "Nordatlantisches Bündnis."
---
Das Bündnis.
-- static/impressum.txt --
Redaktion Zeitung
"""


def photo(color: tuple[int, int, int]) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (120, 80), color).save(buffer, "JPEG")
    return buffer.getvalue()


_clock = [1_600_000_000_000_000_000]


def settle(root: Path) -> None:
    """Date the files written in the last minute back, each to a time of its own: out of the racy
    window, as files are that were not written in the last seconds (a test writes them just before
    building). Older files keep their time stamps."""
    recent = time.time_ns() - 60_000_000_000
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".builder-cache" not in path.parts and path.stat().st_mtime_ns > recent:
            _clock[0] += 1_000_000_000
            os.utime(path, ns=(_clock[0], _clock[0]))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "src", SITE)
    (root / "content/articles/gipfel/saal.jpg").write_bytes(photo((200, 30, 30)))
    (root / "layouts").mkdir()
    shutil.copy(THEME_DIR / "404.html", root / "layouts/404.html")
    settle(root)
    return root


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The destinations of the builds that ran the pipeline (not the short way)."""
    calls: list[Path] = []
    real = pipeline._build_with_caches

    def counted(options: BuildOptions, destination: Path, *args: Any) -> BuildReport:
        if destination.name != "fresh":
            calls.append(destination)
        return real(options, destination, *args)

    monkeypatch.setattr(pipeline, "_build_with_caches", counted)
    return calls


def cached(source: Path, out: Path, **options: Any) -> BuildReport:
    report = build(BuildOptions(**{"source": source, "destination": out, "jobs": 1, "now": NOW, **options}))
    assert report.ok, report.diagnostics
    return report


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != MARKER}


def fresh(source: Path, tmp_path: Path, **options: Any) -> dict[str, bytes]:
    out = tmp_path / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    report = build(BuildOptions(source=source, destination=out, jobs=1, cache=False, **{"now": NOW, **options}))
    assert report.ok, report.diagnostics
    return tree(out)


def test_nothing_changed_returns_the_last_report_without_building(site: Path, tmp_path: Path,
                                                                  runs: list[Path]) -> None:
    out = tmp_path / "out"
    first = cached(site, out)
    before = tree(out)
    second = cached(site, out, now=NOW + timedelta(minutes=5))
    third = cached(site, out, now=NOW + timedelta(minutes=10))
    assert runs == [out]
    for report in (second, third):
        assert (report.articles, report.terms, report.tags, report.pages) == (2, 1, 1, first.pages)
        assert report.diagnostics == first.diagnostics
        assert any("farbe" in d.message for d in report.diagnostics)   # the unknown key's warning, kept
        assert dict(report.sources) == dict(first.sources) and "articles/nato/index.html" in report.sources
        assert report.rendered == 0
    assert tree(out) == before == fresh(site, tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "article text": lambda s: edit(s / "content/articles/nato.md", "berät über", "entscheidet über"),
    "new article": lambda s: (s / "content/articles/neu.md").write_text(
        "---\ntitle: \"Neue Meldung\"\ndate: 2022-01-19T10:00:00+01:00\n---\nNeu.\n", encoding="utf-8"),
    "deleted article": lambda s: (s / "content/articles/nato.md").unlink(),
    "glossary term": lambda s: edit(s / "content/glossary/nato.md", "Nordatlantisches", "Westliches"),
    "template": lambda s: edit(s / "layouts/404.html", "<div class=\"listing not-found\">",
                               "<div class=\"listing not-found\"><p>Verlaufen?</p>"),
    "config.yaml": lambda s: edit(s / "config.yaml", "\"Zeitung\"", "\"Tageszeitung\""),
    "static file": lambda s: edit(s / "static/impressum.txt", "Redaktion", "Chefredaktion"),
    "bundle photo": lambda s: (s / "content/articles/gipfel/saal.jpg").write_bytes(photo((30, 30, 200))),
    "new static file": lambda s: (s / "static/robots-extra.txt").write_text("neu", encoding="utf-8"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_input_builds_again(site: Path, tmp_path: Path, runs: list[Path], change: str) -> None:
    out = tmp_path / "out"
    cached(site, out)
    before = tree(out)
    CHANGES[change](site)
    settle(site)   # even with an old time stamp: another time stamp, size or inode is a change
    cached(site, out)
    assert runs == [out, out]
    assert tree(out) == fresh(site, tmp_path) != before
    cached(site, out)   # and the build that followed left a record of its own
    assert runs == [out, out]


def test_a_file_written_back_with_its_old_time_stamp_builds_again(site: Path, tmp_path: Path,
                                                                    runs: list[Path]) -> None:
    """`cp -p`, `touch -r`: the time stamp and size are the old ones, the change time is not."""
    out = tmp_path / "out"
    path = site / "content/articles/nato.md"
    cached(site, out)
    status = path.stat()
    edit(path, "berät", "tagen!")
    assert path.stat().st_size == status.st_size
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    cached(site, out)
    assert len(runs) == 2 and tree(out) == fresh(site, tmp_path)


def test_a_replaced_destination_builds_again(site: Path, tmp_path: Path, runs: list[Path]) -> None:
    out = tmp_path / "out"
    cached(site, out)
    shutil.copytree(out, tmp_path / "copy")
    (tmp_path / "copy/articles/nato/index.html").write_text("verändert", encoding="utf-8")
    shutil.rmtree(out)
    (tmp_path / "copy").rename(out)
    cached(site, out)
    assert runs == [out, out]
    assert tree(out)["articles/nato/index.html"] != "verändert".encode()   # the marker differs: rebuilt, not trusted


def test_a_deleted_destination_builds_again(site: Path, tmp_path: Path, runs: list[Path]) -> None:
    out = tmp_path / "out"
    cached(site, out)
    shutil.rmtree(out)
    cached(site, out)
    assert runs == [out, out] and tree(out) == fresh(site, tmp_path)


def test_a_destination_another_build_wrote_builds_again(site: Path, tmp_path: Path, runs: list[Path]) -> None:
    """An uncached build (no record of its own) with drafts wrote the destination in between."""
    out = tmp_path / "out"
    cached(site, out)
    cached(site, out, cache=False, drafts=True)
    assert (out / "articles/entwurf/index.html").is_file()
    cached(site, out)
    assert len(runs) == 3 and not (out / "articles/entwurf").exists()
    assert tree(out) == fresh(site, tmp_path)


def test_other_options_build_again(site: Path, tmp_path: Path, runs: list[Path]) -> None:
    out = tmp_path / "out"
    cached(site, out)
    cached(site, out, base_url="https://zeitung.example/")
    assert len(runs) == 2 and tree(out) == fresh(site, tmp_path, base_url="https://zeitung.example/")
    cached(site, out, drafts=True)
    assert len(runs) == 3 and (out / "articles/entwurf/index.html").is_file()


def test_files_changed_just_before_the_build_leave_no_record(tmp_path: Path, runs: list[Path]) -> None:
    """A second change within the file system's time stamp granularity could keep the status."""
    source = write_site(tmp_path / "src", SITE)   # written now, not dated back
    (source / "content/articles/gipfel/saal.jpg").write_bytes(photo((200, 30, 30)))
    out = tmp_path / "out"
    cached(source, out)
    cached(source, out)
    assert runs == [out, out]
    settle(source)
    cached(source, out)
    cached(source, out)
    assert runs == [out, out, out]


def test_dates_from_git_leave_no_record(site: Path, tmp_path: Path, runs: list[Path]) -> None:
    """A commit changes an article's date from git, and no file's status."""
    with open(site / "config.yaml", "a", encoding="utf-8") as handle:
        handle.write("dates:\n  date: [date, \":git\"]\n")
    settle(site)
    out = tmp_path / "out"
    cached(site, out)
    cached(site, out)
    assert runs == [out, out]


# What time decides: each site has one moment between EARLY and LATE at which its output changes.
OLD = """
-- content/articles/alt.md --
---
title: "Alte Meldung"
date: 2021-06-01T10:00:00+02:00
---
Alt.
"""
EARLY = datetime(2022, 1, 21, 7, 0, tzinfo=timezone.utc)
LATE = datetime(2022, 1, 21, 13, 0, tzinfo=timezone.utc)
MOMENTS = {
    "scheduled article due": ("date: 2022-01-21T12:00:00+01:00\n", "articles/neu/index.html", True),
    "expiry_date passed": ("date: 2022-01-01T10:00:00+01:00\nexpiry_date: 2022-01-21T12:00:00+01:00\n",
                           "articles/neu/index.html", False),
    "featured_until ended": ("date: 2021-01-01T10:00:00+01:00\nfeatured: true\n"
                             "featured_until: \"2022-01-21T12:00:00+01:00\"\n", "index.html", None),
    "news sitemap's 48 hours over": ("date: 2022-01-19T12:00:00+01:00\n", "news-sitemap.xml", None),
}


def new_article(front_matter: str) -> str:
    """The site's article that a moment concerns, with that moment's front matter."""
    return f"""
-- content/articles/neu.md --
---
title: "Neue Meldung"
{front_matter}---
Neu.
"""


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_a_moment_that_changes_the_output_builds_again(tmp_path: Path, runs: list[Path], moment: str) -> None:
    front_matter, page, exists_late = MOMENTS[moment]
    source = write_site(tmp_path / "src", OLD + new_article(front_matter))
    settle(source)
    out = tmp_path / "out"
    cached(source, out, now=EARLY)
    early = tree(out)
    cached(source, out, now=EARLY + timedelta(hours=3))   # before the moment: nothing to do
    assert runs == [out]
    cached(source, out, now=LATE)
    assert runs == [out, out]
    late = tree(out)
    assert late == fresh(source, tmp_path, now=LATE)
    if exists_late is None:
        assert late[page] != early[page]
    else:
        assert (page in late) is exists_late and (page in early) is not exists_late


def test_an_earlier_moment_builds_again(tmp_path: Path, runs: list[Path]) -> None:
    """A record holds from its build's moment on: before it, a scheduled article was not yet due."""
    source = write_site(tmp_path / "src", OLD + new_article(MOMENTS["scheduled article due"][0]))
    settle(source)
    out = tmp_path / "out"
    cached(source, out, now=LATE)
    assert (out / "articles/neu/index.html").is_file()
    cached(source, out, now=EARLY)
    assert runs == [out, out] and not (out / "articles/neu").exists()


def test_the_default_destination_inside_the_site_is_not_an_input(site: Path, runs: list[Path]) -> None:
    out = site / "site"
    cached(site, out, destination=None)
    cached(site, out, destination=None)
    assert runs == [out] and (out / "articles/nato/index.html").is_file()


def test_a_file_edited_after_the_input_walk_is_read_again_by_the_next_build(site: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading takes the statuses the input walk took; an edit between the walk and the reading
    leaves the file's new text under its old status, which the next build's walk tells apart."""
    out = tmp_path / "out"
    cached(site, out)
    article = site / "content/articles/nato.md"
    real = pipeline._build_with_caches

    def edited_after_the_walk(options: BuildOptions, destination: Path, *args: Any) -> BuildReport:
        edit(article, "tagt zur", "entscheidet über")
        settle(site)
        return real(options, destination, *args)

    edit(article, "berät über", "tagt zur")
    settle(site)
    monkeypatch.setattr(pipeline, "_build_with_caches", edited_after_the_walk)
    cached(site, out)
    monkeypatch.setattr(pipeline, "_build_with_caches", real)
    assert b"entscheidet" in tree(out)["articles/nato/index.html"]
    edit(article, "entscheidet über", "tagt zur")   # the text the walk saw, under a newer status
    settle(site)
    cached(site, out)
    assert tree(out) == fresh(site, tmp_path)
    assert b"tagt zur" in tree(out)["articles/nato/index.html"]


def _watch(site: Path, out: Path) -> InputWatch:
    return InputWatch(BuildOptions(source=site, destination=out, jobs=1, now=NOW), out, cache_folder(site))


def test_the_inputs_changed_since_the_last_build_are_told_apart(site: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """What `text_edit` starts from: the files added, removed or changed since the last successful build."""
    monkeypatch.setattr(unchanged, "COMPARED_AT_ONCE", 2)   # blocks of two statuses: some equal, some not
    out = tmp_path / "out"
    cached(site, out)
    marker = _watch(site, out).changed_since_last()
    assert marker is not None and marker[1] == []
    articles = site / "content/articles"
    os.utime(articles / "nato.md", ns=(_clock[0] + 7, _clock[0] + 7))   # the same paths, one status changed
    assert _watch(site, out).changed_since_last() == (marker[0], ["content/articles/nato.md"])
    (articles / "neu.md").write_text("---\ntitle: Neu\ndate: 2022-01-19T10:00:00+01:00\n---\nNeu.\n", encoding="utf-8")
    (articles / "entwurf.md").unlink()
    settle(site)
    found = _watch(site, out).changed_since_last()
    assert found is not None and sorted(found[1]) == [
        "content/articles/entwurf.md", "content/articles/nato.md", "content/articles/neu.md"]


def test_statuses_kept_in_another_layout_or_damaged_tell_nothing(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cached(site, out)
    watch = _watch(site, out)
    kept = watch.statuses_path.read_bytes()
    watch.statuses_path.write_bytes(kept[: len(kept) // 2])
    assert _watch(site, out).changed_since_last() is None
    watch.statuses_path.write_bytes(marshal.dumps(("marker", {"content/articles/nato.md": (1, 2, 3, 4)}), 4))
    assert _watch(site, out).changed_since_last() is None   # the layout of older builders
