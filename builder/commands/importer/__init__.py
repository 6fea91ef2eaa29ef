"""`python -m builder import hugo|jekyll SRC DEST`: an existing Hugo or Jekyll site as a builder site.

`hugo` and `jekyll` read the old site's configuration, copy its content,
static files and data and write config.yaml; `common` loads the new site,
compares every old URL with the new one, writes `aliases` where a page moved
and reports what could not be carried over as a list to act on.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import refuse_destination


def run_import(generator: str, src: Path, dest: Path, *, list_urls: bool = False, fmt: str = "text") -> int:
    """Import and print the report; 0 when every old URL is kept, 1 when some is lost, 2 for bad usage."""
    refusal = refuse_destination(dest)
    if refusal is not None:
        print(f"python -m builder: error: {refusal}", file=sys.stderr)
        return 2
    dest.mkdir(parents=True, exist_ok=True)
    if generator == "hugo":
        from .hugo import import_hugo
        report = import_hugo(src, dest)
    else:
        from .jekyll import import_jekyll
        report = import_jekyll(src, dest)
    print(report.as_json() if fmt == "json" else report.text(list_urls))
    if fmt == "text":
        print(f"Next: python -m builder build --source {dest}")
    return 1 if report.lost else 0
