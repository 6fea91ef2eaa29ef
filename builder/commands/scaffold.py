"""`new article` / `new term`: a content file with the front matter filled in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..content.config import SiteConfig
from ..content.dates import iso
from ..util.slug import slugify


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_article(site: Path, config: SiteConfig, title: str, now: datetime) -> Path:
    """content/articles/<slug>.md with title and the current time as date."""
    path = site / "content" / "articles" / f"{slugify(title)}.md"
    authors = f"[{_quoted(config.author)}]" if config.author else "[]"
    return _create(path, (
        "---\n"
        f"title: {_quoted(title)}\n"
        f"date: {iso(now.astimezone(config.tz))}\n"
        'kicker: ""\n'
        'summary: ""\n'
        "tags: []\n"
        f"authors: {authors}\n"
        "draft: true\n"
        "---\n\n"
    ))


def new_term(site: Path, term: str) -> Path:
    """content/glossary/<slug>.md with the term and an empty alias list."""
    path = site / "content" / "glossary" / f"{slugify(term)}.md"
    return _create(path, f"---\nterm: {_quoted(term)}\naliases: []\n---\n\nEin Satz, der den Begriff erklärt.\n")


def _create(path: Path, text: str) -> Path:
    if not path.stem:
        raise ValueError("the title gives no file name; use letters or digits")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # never overwrite an editor's file
        handle.write(text)
    return path
