"""The preview under stress: break/fix cycles, no rebuild loops, whole sites during rebuilds."""

from __future__ import annotations

import io
import threading
import urllib.request
from pathlib import Path

from builder.preview.session import Preview
from conftest import write_site

SITE = """
-- content/articles/genf.md --
---
title: "Genf"
date: 2022-01-21
---

Fassung 0.
-- content/articles/paris.md --
---
title: "Paris"
date: 2022-01-26
---

Gespräche im Élysée-Palast.
"""
GOOD = "---\ntitle: \"Genf\"\ndate: 2022-01-21\n---\n\nFassung {n}.\n"
BROKEN = "---\ntitle: \"Genf\"\ndate: gestern\n---\n\nKaputt {n}.\n"


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, answer.read()


def test_twenty_break_fix_cycles_always_recover_and_write_nothing_into_the_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    before = _files(site)
    preview = Preview(site, port=0, out=io.StringIO(), err=io.StringIO())
    preview.start()
    try:
        article = site / "content/articles/genf.md"
        for n in range(1, 21):
            article.write_text(BROKEN.format(n=n), encoding="utf-8")
            preview.rebuild(frozenset())
            assert preview.last_outcome is not None and not preview.last_outcome.ok
            status, page = _get(preview.url + "articles/genf/")
            assert status == 200 and f"Fassung {n - 1}.".encode() in page   # the last good site
            article.write_text(GOOD.format(n=n), encoding="utf-8")
            preview.rebuild(frozenset())
            assert preview.last_outcome.ok
            assert f"Fassung {n}.".encode() in _get(preview.url + "articles/genf/")[1]
    finally:
        preview.stop()
    assert _files(site) == before   # nothing written into the watched tree: no rebuild loops


def test_requests_during_rebuilds_always_see_a_whole_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    preview = Preview(site, port=0, out=io.StringIO(), err=io.StringIO())
    preview.start()
    done = threading.Event()
    seen: list[tuple[int, bytes, bytes]] = []

    def reader() -> None:
        while not done.is_set():
            status, home = _get(preview.url)
            _, page = _get(preview.url + "articles/genf/")
            seen.append((status, home, page))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        article = site / "content/articles/genf.md"
        for n in range(1, 16):
            article.write_text(GOOD.format(n=n), encoding="utf-8")
            preview.rebuild(frozenset())
    finally:
        done.set()
        thread.join()
        preview.stop()
    assert seen
    for status, home, page in seen:
        assert status == 200
        assert home.rstrip().endswith(b"</html>") and page.rstrip().endswith(b"</html>")
        assert b"Genf" in home and b"Paris" in home
