"""Splitting a content file into front matter and body, with file line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import LocatedError
from .strict_yaml import YamlProblem, load_mapping


@dataclass(frozen=True)
class FrontMatter:
    """Front matter values, the file line of each key, and the body."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int                    # file line of the body's first line
    kind: str = "yaml"
    warnings: tuple[tuple[int | None, str], ...] = field(default=())


class FrontMatterError(LocatedError):
    """Front matter we cannot read; line and column are file coordinates."""


def parse(text: str) -> FrontMatter:
    """Read YAML front matter between `---` lines (text already has "\\n" line ends).

    Delimiter lines may carry trailing spaces or tabs, as editors sometimes leave them.
    Blank lines before the opening delimiter are skipped, as Hugo skips them (every
    line number still counts them).
    """
    blank = _LEADING_BLANK.match(text)
    if blank is None or not text.startswith(("---", "+++", "{"), blank.end()):
        return _parse(text)
    skipped = text.count("\n", 0, blank.end())
    try:
        found = _parse(text[blank.end():])
    except FrontMatterError as exc:
        raise FrontMatterError(exc.line + skipped if exc.line else exc.line, exc.col, exc.message,
                               exc.hint) from None
    return replace(found, key_lines={key: line + skipped for key, line in found.key_lines.items()},
                   body_line=found.body_line + skipped,
                   warnings=tuple((line + skipped if line else line, message) for line, message in found.warnings))


def _parse(text: str) -> FrontMatter:
    opening = _OPENING.match(text)
    if opening is None:
        other = _other_format(text)
        if other is not None:
            return other
        return FrontMatter({}, {}, text, 1)
    closing = _CLOSING.search(text, opening.end() - 1)
    if closing is None:
        raise FrontMatterError(1, 1, "front matter opened with '---' on line 1 is never closed",
                               hint="add a line with '---' after the front matter")
    raw = text[opening.end():closing.start() + 1]
    body = text[closing.end():]
    body_line = text.count("\n", 0, closing.end()) + 1
    try:
        loaded = load_mapping(raw, first_line=2)
    except YamlProblem as exc:
        raise FrontMatterError(exc.line, exc.col, exc.message, exc.hint) from None
    return FrontMatter(loaded.data, dict(loaded.key_lines), body, body_line)


_OPENING = re.compile(r"---[ \t]*(?:\n|\Z)")
_LEADING_BLANK = re.compile(r"(?:[ \t]*\n)+")
_CLOSING = re.compile(r"\n---[ \t]*(?:\n|\Z)")


def _other_format(text: str) -> FrontMatter | None:
    """TOML (`+++`) or JSON front matter, as Hugo writes them."""
    try:
        from . import foreign_formats
    except ImportError:
        return None
    try:
        split = foreign_formats.split_front_matter_formats(text)
        if split is None:
            return None
        kind, raw, body, body_line = split
        first_line = 2 if kind == "toml" else 1
        data, key_lines = foreign_formats.load_front_matter(kind, raw, first_line)
    except foreign_formats.CompatError as exc:
        raise FrontMatterError(exc.line, exc.col, exc.message, exc.hint) from None
    return FrontMatter(data, key_lines, body, body_line, kind)
