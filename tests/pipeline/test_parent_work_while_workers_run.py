"""The parent's own work during the body stage: what the writers would each redo, done once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import generate  # noqa: E402


def _imports(stderr: str, module: str) -> int:
    """How many processes imported `module`, from `python -X importtime` lines ("import time: … | name")."""
    return sum(1 for line in stderr.splitlines()
               if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == module)


def test_modules_the_writers_need_are_imported_once_before_they_fork(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, 300, 60)   # enough pages for two writers
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "builder", "build", "--source", str(site),
                           "--destination", str(tmp_path / "out"), "--no-cache", "--jobs", "2"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # Imported on first use by number formats: in each writer unless the parent has it before
    # the writers fork. Feeds and sitemaps escape XML themselves: urllib, http and ssl stay out.
    assert _imports(done.stderr, "babel.numbers") == 1
    assert _imports(done.stderr, "xml.sax.saxutils") == _imports(done.stderr, "ssl") == 0
    assert (tmp_path / "out" / "feed.xml").is_file()
