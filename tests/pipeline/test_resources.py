"""Files beside the content: bundle files by folder, and theme assets named by their digest."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from builder.pipeline.build import BuildOptions, build
from builder.pipeline.incremental import IncrementalBuilder
from builder.pipeline.resources import DigestCache, bundle_files, fingerprinted
from conftest import REPO, write_site

SITE = """
-- content/articles/a.md --
---
title: "A"
date: 2022-01-26
---
Text.
"""


def test_a_fingerprinted_name_carries_the_digest_before_the_suffix() -> None:
    assert fingerprinted("assets/style.css", "3fa2c1d0aa") == "assets/style.3fa2c1d0.css"
    assert fingerprinted("assets/LICENSE", "3fa2c1d0aa") == "assets/LICENSE.3fa2c1d0"


def test_a_build_names_theme_assets_by_their_digest_and_links_those_names(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE)
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    css = (REPO / "layouts/assets/style.css").read_bytes()
    name = f"assets/style.{hashlib.sha256(css).hexdigest()[:8]}.css"
    assert (out / name).read_bytes() == css
    assert not (out / "assets/style.css").exists()
    page = (out / "articles/a/index.html").read_text(encoding="utf-8")
    assert f'href="/{name}"' in page
    assets = set(re.findall(r'(?:href|src)="/(assets/[^"]+)"', page))
    assert assets and all((out / asset).is_file() for asset in assets)


def test_the_preview_keeps_plain_asset_names_so_stylesheets_can_be_swapped(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE)
    outcome = IncrementalBuilder(source, jobs=1).build()
    assert outcome.ok and "assets/style.css" in outcome.files
    assert 'href="/assets/style.css"' in outcome.files["articles/a/index.html"].decode()


def test_bundle_files_include_sub_folders_but_not_a_neighbour_with_the_same_prefix(tmp_path: Path) -> None:
    files = {}
    for rel in ("content/articles/gipfel/a.jpg", "content/articles/gipfel/img/b.png",
                "content/articles/gipfel-2/c.jpg"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rel.encode())
        files.setdefault(str(Path(rel).parent.as_posix()), []).append((rel, str(path)))
    found = bundle_files(["content/articles/gipfel"], files, DigestCache(None))
    assert [f.source for f in found["content/articles/gipfel"]] == [
        "content/articles/gipfel/a.jpg", "content/articles/gipfel/img/b.png"]
    assert found["content/articles/gipfel"][0].digest == hashlib.sha256(b"content/articles/gipfel/a.jpg").hexdigest()
