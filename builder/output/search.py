"""Full-text search: index a built site with Pagefind, writing `<site>/pagefind/`."""

from __future__ import annotations

import subprocess
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"
INSTALL_HINT = "install it with: pip install 'pagefind[bin]' (the extra `builder[search]`)"


class SearchIndexError(Exception):
    """Pagefind is missing or could not index the site."""


def pagefind_executable() -> Path:
    """The Pagefind binary shipped by the `pagefind_bin` wheel (or PAGEFIND_BINARY_PATH / PATH)."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError(f"Pagefind is not installed: {INSTALL_HINT}") from exc
    executable = get_executable()
    if executable is None or not executable.is_file():
        raise SearchIndexError(f"the Pagefind binary was not found: {INSTALL_HINT}")
    return executable


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
