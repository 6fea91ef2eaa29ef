"""Static site generator for annotated articles.

The packages form a one-way ladder; each may import only those below it
(checked by import-linter's contract in `pyproject.toml`):

    commands   CLI, check, publish, scaffold, glossary report
    preview    dev server, watcher, live reload
    pipeline   the build: load → render bodies → link → plan pages → write
    output     page plan, templates, feeds, sitemap, search, writing files
    related    features, index and ranking of related articles, backlinks
    text       Markdown, shortcodes, glossary matching, annotation, word statistics
    content    settings, sources, front matter, dates, URLs, the frozen model
    util       slugs, parallel workers, GC pause
    errors     diagnostics with file, line and column

`builder.build(BuildOptions(source=...))` is the whole build (`builder.pipeline.build`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["BuildOptions", "BuildReport", "build"]


def __getattr__(name: str) -> Any:
    """`build`, `BuildOptions` and `BuildReport`, imported on first use so that
    `import builder.errors` (and the CLI's start-up) does not load the whole pipeline."""
    if name in __all__:
        from .pipeline import build as module
        return getattr(module, name)
    raise AttributeError(f"module 'builder' has no attribute {name!r}")
