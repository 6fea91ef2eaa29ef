"""Shared test helpers: inline fixture sites, the CLI in-process, and a headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from builder.cli import main

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_SECTION = re.compile(r"^-- (.+?) --$", re.MULTILINE)

MINIMAL_CONFIG = """\
title: "Testseite"
base_url: "https://example.org/"
"""


def write_site(root: Path, spec: str) -> Path:
    """Write a site given as `-- path --` sections (Hugo's inline test sites); returns root."""
    root.mkdir(parents=True, exist_ok=True)
    parts = _SECTION.split(spec)
    for name, body in zip(parts[1::2], parts[2::2]):
        path = root / name.strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.lstrip("\n"), encoding="utf-8")
    if not (root / "config.yaml").exists():
        (root / "config.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `python -m builder ARGS` in this process; returns exit code and output."""
    def run(*args: str | Path) -> Run:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)
    return run


def chromium_path() -> str:
    """Debian's chromium, or skip (fail under CI, where .ci/run installs it)."""
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing on CI: .ci/run should have installed it")
    pytest.skip("chromium not installed: apt-get install chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session, driven by Playwright."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
