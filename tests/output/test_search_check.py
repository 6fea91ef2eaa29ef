"""`check` reports a search page whose index is incomplete: a shard without its entry or
metadata, a primary shard without Pagefind's runtime, the UI or the shard list missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.commands.check import check_site
from builder.output import search, search_shards
from builder.pipeline.build import BuildOptions, build
from conftest import write_site

if search.search_available() is not None:
    pytest.skip(search.search_available(), allow_module_level=True)

SITE = """
-- config.yaml --
title: "Lagebild"
base_url: "https://example.org/"
search: true
paths: {search: suche}
-- content/articles/a.md --
---
title: "Gipfel in Paris"
date: 2021-03-04T10:00:00+01:00
---
Die Berater trafen sich.
-- content/articles/b.md --
---
title: "Antwort der NATO"
date: 2022-01-26T19:50:00+01:00
---
Die Allianz antwortete.
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(search_shards, "BUDGET", 1)   # a shard per article
    out = tmp_path / "out"
    report = build(BuildOptions(source=write_site(tmp_path / "src", SITE), destination=out, cache=False))
    assert report.ok, [d.message for d in report.diagnostics]
    return out


def search_problems(out: Path) -> list[str]:
    return [p.message for p in check_site(out, base_url="https://example.org/").problems
            if "pagefind" in p.message or "search" in p.message]


def test_a_complete_index_passes(site: Path) -> None:
    assert search_problems(site) == []


def test_a_shard_without_its_entry_is_reported(site: Path) -> None:
    (site / "pagefind/2021/pagefind-entry.json").unlink()
    assert search_problems(site) == ["search index incomplete: pagefind/2021/pagefind-entry.json does not exist"]


def test_a_shard_without_its_metadata_is_reported(site: Path) -> None:
    entry = json.loads((site / "pagefind/2022/pagefind-entry.json").read_text(encoding="utf-8"))
    meta = f"pagefind/2022/pagefind.{entry['languages']['de']['hash']}.pf_meta"
    (site / meta).unlink()
    assert search_problems(site) == [f"search index incomplete: {meta} does not exist"]


def test_the_primary_shard_without_the_runtime_is_reported(site: Path) -> None:
    primary = json.loads((site / "pagefind/shards.js").read_text(encoding="utf-8").split("=", 1)[1].strip(" ;\n"))[0]
    assert primary == "2022/"
    (site / "pagefind/2022/pagefind-worker.js").unlink()
    assert search_problems(site) == ["search index incomplete: pagefind/2022/pagefind-worker.js does not exist"]


def test_missing_ui_and_shard_list_are_broken_links(site: Path) -> None:
    (site / "pagefind/pagefind-ui.js").unlink()
    (site / "pagefind/shards.js").unlink()
    problems = search_problems(site)
    assert any("pagefind/pagefind-ui.js does not exist" in p for p in problems), problems
    assert any("pagefind/shards.js does not exist" in p for p in problems), problems
