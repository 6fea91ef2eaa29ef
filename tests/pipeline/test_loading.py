"""The load stage: bodies read again equal what loading saw; the load cache skips unchanged files."""

from __future__ import annotations

import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from builder.pipeline.load_cache import Discovered, LoadCache, file_status
from builder.pipeline.loading import Visibility, load_site, read_body
from builder.content.config import SiteConfig
from builder.content.sources import SourceFile, read_text
from builder.content.validate import LoadOptions, load_article
from builder.errors import Diagnostics

CASES = {
    "yaml": "---\ntitle: Eins\ndate: 2022-01-26\n---\n\nErster Absatz.\n\n## Titel\n",
    "crlf": "---\r\ntitle: Eins\r\ndate: 2022-01-26\r\n---\r\nZeile eins\r\nZeile zwei\r\n",
    "cr": "---\rtitle: Eins\rdate: 2022-01-26\r---\rZeile\r",
    "bom": "\ufeff---\ntitle: Eins\ndate: 2022-01-26\n---\nMit BOM.\n",
    "toml": '+++\ntitle = "Eins"\ndate = 2022-01-26\n+++\n\nTOML-Text.\n',
    "json": '{\n  "title": "Eins",\n  "date": "2022-01-26"\n}\n\nJSON-Text.\n',
    "control": "---\ntitle: Eins\ndate: 2022-01-26\n---\nKaputt\x0bhier.\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_read_body_equals_the_body_loading_saw(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.md"
    path.write_bytes(CASES[name].encode("utf-8"))
    rel = f"content/articles/{name}.md"
    text, _ = read_text(SourceFile(rel, path, "article"), max_size=10_000)
    article, _ = load_article(rel, text or "", LoadOptions(ZoneInfo("Europe/Berlin")))
    assert article is not None and article.body
    assert read_body(path, rel, article.body_line, 10_000) == article.body


def test_load_cache_reuses_unchanged_files_and_rereads_edited_ones(tmp_path: Path) -> None:
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    for name in ("a", "b"):
        (articles / f"{name}.md").write_text(f"---\ntitle: {name}\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    config = SiteConfig()
    for path in articles.iterdir():   # older than the racy window, as files usually are
        os.utime(path, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    cache = LoadCache(tmp_path / "load.pickle", LoadOptions(config.tz), config.markdown.max_file_size)
    first = load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache)
    assert sorted(a.title for a in first.articles) == ["a", "b"]
    cache.save()
    (articles / "b.md").write_text("---\ntitle: B neu\ndate: 2022-01-27\n---\nText\n", encoding="utf-8")
    assert cache.get("content/articles/b.md", file_status(articles / "b.md")) is None
    reloaded = LoadCache(tmp_path / "load.pickle", LoadOptions(config.tz), config.markdown.max_file_size)
    assert reloaded.entries.keys() == {"content/articles/a.md", "content/articles/b.md"}
    second = load_site(tmp_path, config, Visibility(), Diagnostics(), 1, reloaded)
    assert sorted(a.title for a in second.articles) == ["B neu", "a"]
    assert all(a.body == "" for a in second.articles)   # the parent never holds article bodies


def test_load_cache_is_dropped_when_loading_settings_change(tmp_path: Path) -> None:
    config = SiteConfig()
    cache = LoadCache(tmp_path / "load.pickle", LoadOptions(config.tz), 1000)
    cache.update({"x": ((1, 2, 3), ("article", None, (), None))})
    cache.save()
    assert LoadCache(tmp_path / "load.pickle", LoadOptions(config.tz), 1000).entries
    assert not LoadCache(tmp_path / "load.pickle", LoadOptions(ZoneInfo("Europe/Berlin")), 1000).entries


def test_files_changed_within_the_racy_window_are_not_cached(tmp_path: Path) -> None:
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    (articles / "a.md").write_text("---\ntitle: a\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    config = SiteConfig()
    cache = LoadCache(None, LoadOptions(config.tz), config.markdown.max_file_size)
    load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache)
    assert cache.entries == {}


def test_a_file_written_back_with_its_old_time_stamp_and_size_is_read_again(tmp_path: Path) -> None:
    """`cp -p` or `touch -r` restore a time stamp; the change time still tells the files apart."""
    path = tmp_path / "content" / "articles" / "a.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: Alt\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    old = time.time_ns() - 10**10
    os.utime(path, ns=(old, old))
    config = SiteConfig()
    cache = LoadCache(None, LoadOptions(config.tz), config.markdown.max_file_size)
    assert [a.title for a in load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache).articles] == ["Alt"]
    path.write_text("---\ntitle: Neu\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    os.utime(path, ns=(old, old))
    assert [a.title for a in load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache).articles] == ["Neu"]


def test_loading_takes_the_statuses_it_is_given_instead_of_asking_again(tmp_path: Path) -> None:
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    path = articles / "a.md"
    path.write_text("---\ntitle: a\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    config = SiteConfig()
    cache = LoadCache(None, LoadOptions(config.tz), config.markdown.max_file_size)
    load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache)
    taken = {"content/articles/a.md": file_status(path)}
    path.write_text("---\ntitle: b\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    given = load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache, taken)
    assert [a.title for a in given.articles] == ["a"]   # the file as it was when its status was taken
    assert [a.title for a in load_site(tmp_path, config, Visibility(), Diagnostics(), 1, cache).articles] == ["b"]


def test_a_load_with_nothing_cached_takes_each_status_where_the_file_is_read(tmp_path: Path) -> None:
    """Worker processes take the statuses (not the parent, one file after the other): the next
    load finds every file in the cache, and a file whose status changed is read again."""
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    old = time.time_ns() - 10**10
    for n in range(130):   # two workers take 64 files or more each
        path = articles / f"a{n}.md"
        path.write_text(f"---\ntitle: T{n}\ndate: 2022-01-26\n---\nText {n}\n", encoding="utf-8")
        os.utime(path, ns=(old, old))
    config = SiteConfig()
    cache = LoadCache(None, LoadOptions(config.tz), config.markdown.max_file_size)
    discovered = Discovered()
    load_site(tmp_path, config, Visibility(), Diagnostics(), 2, cache, discovered=discovered)
    statuses = {f"content/articles/{path.name}": file_status(path) for path in articles.iterdir()}
    assert {rel: entry[0] for rel, entry in cache.entries.items()} == statuses
    assert discovered.statuses == statuses
    (articles / "a7.md").write_text("---\ntitle: Neu\ndate: 2022-01-26\n---\nText\n", encoding="utf-8")
    os.utime(articles / "a7.md", ns=(old, old))
    again = load_site(tmp_path, config, Visibility(), Diagnostics(), 2, cache)
    assert sorted(a.title for a in again.articles if a.source.endswith("/a7.md")) == ["Neu"]
    assert len(again.articles) == 130
