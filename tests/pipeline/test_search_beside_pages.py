"""The search stage runs beside linking and page writing: Pagefind processes outlive no build,
forked page workers do not keep them alive, and a failed build stops them."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from builder.output import search, search_shards
from builder.pipeline.build import BuildOptions, build
from conftest import write_site

if search.search_available() is not None:
    pytest.skip(search.search_available(), allow_module_level=True)

CONFIG = """-- config.yaml --
title: "Lagebild"
base_url: "https://example.org/"
search: true
"""


def articles(count: int, first: int = 0) -> str:
    """`count` articles numbered from `first`, over the months of 2021 (a shard each, on a small budget)."""
    return "".join(f"""-- content/articles/artikel-{n:03d}.md --
---
title: "Bericht {n}"
date: 2021-{n % 12 + 1:02d}-{n % 27 + 1:02d}T10:00:00+01:00
---
Die Kommission beriet über Vorlage {n}. Zum Schluss stimmten die Länder zu.
""" for n in range(first, first + count))


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _hold(ready: "multiprocessing.synchronize.Event", release: "multiprocessing.synchronize.Event") -> None:
    ready.set()
    release.wait(30)


def test_closing_pagefind_does_not_wait_for_a_forked_child_holding_its_pipe() -> None:
    service = search.PagefindService()
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    child = context.Process(target=_hold, args=(ready, release))
    child.start()   # inherits the pipe to Pagefind's input, as page workers do
    try:
        assert ready.wait(10)
        started = time.monotonic()
        service.close()
        assert service.process.poll() is not None
        assert time.monotonic() - started < 5   # waiting for the end of its input took 10 s
    finally:
        release.set()
        child.join(10)


def test_pages_written_by_workers_while_pagefind_indexes_equal_a_build_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_shards, "BUDGET", 20_000)   # several shards
    source = write_site(tmp_path / "src", CONFIG + articles(160))
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(BuildOptions(source=source, destination=one, jobs=1, cache=False)).ok
    started = time.monotonic()
    assert build(BuildOptions(source=source, destination=two, jobs=2)).ok
    assert time.monotonic() - started < 60
    assert len(list((two / "pagefind").glob("*/pagefind-entry.json"))) > 2
    assert tree(two) == tree(one)
    (source / "content/articles/artikel-007.md").write_text(
        "---\ntitle: \"Bericht 7\"\ndate: 2021-08-08T10:00:00+01:00\n---\nDie Kommission vertagte sich.\n",
        encoding="utf-8")
    assert build(BuildOptions(source=source, destination=two, jobs=2)).ok
    assert build(BuildOptions(source=source, destination=one, jobs=1, cache=False)).ok
    assert tree(two) == tree(one)
    assert not [t for t in threading.enumerate() if t.name.startswith("search")]


def test_a_build_failing_in_a_template_stops_the_search_and_keeps_the_last_site(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", CONFIG + articles(3))
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out)).ok
    before = tree(out)
    (source / "content/articles/artikel-001.md").write_text(
        "---\ntitle: \"Bericht 1\"\ndate: 2021-02-02T10:00:00+01:00\n---\nNeuer Text.\n", encoding="utf-8")
    (source / "layouts").mkdir()
    (source / "layouts/article.html").write_text("{% block x %}", encoding="utf-8")
    report = build(BuildOptions(source=source, destination=out))
    assert not report.ok and any("article.html" in d.path for d in report.diagnostics)
    assert tree(out) == before
    assert not [t for t in threading.enumerate() if t.name.startswith("search")]
    (source / "layouts/article.html").unlink()
    assert build(BuildOptions(source=source, destination=out)).ok
    assert "Neuer Text" in (out / "articles/artikel-001/index.html").read_text(encoding="utf-8")
