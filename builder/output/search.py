"""Full-text search: index a built site with Pagefind, writing `<site>/pagefind/`."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"
INSTALL_HINT = "install it with: pip install 'pagefind[bin]' (the extra `builder[search]`)"


class SearchIndexError(Exception):
    """Pagefind is missing or could not index the site."""


def pagefind_executable() -> Path:
    """The Pagefind binary: PAGEFIND_BINARY_PATH, the `pagefind_bin` wheels, or PATH (Pagefind's own
    order). Looked up without `pagefind.service`, whose asyncio import costs 50 ms every build."""
    configured = os.getenv("PAGEFIND_BINARY_PATH")
    candidates: list[Path] = [Path(configured)] if configured else []   # when set, the only one
    for module in () if configured else ("pagefind_bin_extended", "pagefind_bin"):
        try:
            candidates.append(Path(importlib.import_module(module).get_executable()))
        except ImportError:
            continue
    found = None if configured else shutil.which("pagefind_extended") or shutil.which("pagefind")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if not candidates:
        raise SearchIndexError(f"Pagefind is not installed: {INSTALL_HINT}")
    raise SearchIndexError(f"the Pagefind binary was not found: {INSTALL_HINT}")


def search_available() -> str | None:
    """None when Pagefind can index a site, else why it cannot (with how to install it)."""
    try:
        pagefind_executable()
    except SearchIndexError as exc:
        return str(exc)
    return None


def index_site(site_dir: Path, *, language: str = "de") -> None:
    """Index every HTML page of the built site in one language; raise SearchIndexError on failure."""
    site = Path(site_dir)
    if not site.is_dir():
        raise SearchIndexError(f"built site {site} does not exist: run the build first")
    command = [str(pagefind_executable()), "--site", str(site), "--output-subdir", OUTPUT_SUBDIR,
               "--force-language", language, "--quiet",
               "--exclude-selectors", ".gl-tip"]  # tooltips repeat definitions; keep them out of excerpts
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as exc:   # e.g. a binary for another platform
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()
        output = "\n".join(dict.fromkeys(line.strip() for line in lines))   # Pagefind repeats itself
        raise SearchIndexError(f"Pagefind failed (exit code {done.returncode}): {output}")
