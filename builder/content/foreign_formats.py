"""Hugo's TOML (`+++`) and JSON (`{`) front matter, split from the body and read, with file lines.

Pure functions from text to data. YAML front matter itself is read by
`builder.content.frontmatter`; the key names and dates Jekyll and Hugo use are
mapped onto ours by `builder.content.foreign_keys`.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any, Mapping

from ..errors import LocatedError

__all__ = ["CompatError", "split_front_matter_formats", "load_front_matter"]


class CompatError(LocatedError):
    """A TOML or JSON front matter problem, located by file line (and column when known)."""


# ---------------------------------------------------------------------------
# Splitting and parsing TOML / JSON front matter

_TOML_OPEN = re.compile(r"\A\+\+\+[ \t]*\n")
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
_JSON_OPEN = re.compile(r"\A\{\s*[\"}]")


def split_front_matter_formats(text: str) -> tuple[str, str, str, int] | None:
    """Split off TOML (`+++`) or JSON (`{`) front matter.

    Returns (kind, raw front matter, body, body_line) with body_line the
    1-based file line of the body's first line; None when the text starts
    with anything else (YAML and plain Markdown are the caller's).
    """
    if _TOML_OPEN.match(text):
        return _split_toml(text)
    if _JSON_OPEN.match(text):
        return _split_json(text)
    return None


def _split_toml(text: str) -> tuple[str, str, str, int]:
    start = text.index("\n") + 1
    close = _TOML_CLOSE.search(text, start)
    if close is None:
        raise CompatError(1, None, "front matter opened with '+++' on line 1 is never closed",
                          "add a line with '+++' after the front matter")
    raw = text[start:close.start()]
    close_line = text.count("\n", 0, close.start()) + 1
    body = text[close.end() + 1:]  # past the newline ending the `+++` line (if any)
    return "toml", raw, body, close_line + 1


def _split_json(text: str) -> tuple[str, str, str, int]:
    end = _json_object_end(text)
    if end is None:
        raise CompatError(1, None, "front matter opened with '{' on line 1 is never closed",
                          "end the JSON object with '}' before the body")
    raw = text[:end + 1]
    close_line = text.count("\n", 0, end) + 1
    newline = text.find("\n", end)
    rest_of_line = text[end + 1:] if newline < 0 else text[end + 1:newline]
    if rest_of_line.strip():
        line_start = text.rfind("\n", 0, end) + 1
        col = end + 2 - line_start + (len(rest_of_line) - len(rest_of_line.lstrip()))
        raise CompatError(close_line, col, "unexpected text after the JSON front matter",
                          "start the body on a new line after the closing '}'")
    body = "" if newline < 0 else text[newline + 1:]
    return "json", raw, body, close_line + 1


def _json_object_end(text: str) -> int | None:
    """Index of the `}` closing the object that starts at text[0], or None."""
    depth = 0
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
    return None


_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def load_front_matter(kind: str, raw: str, first_line: int) -> tuple[dict, dict[str, int]]:
    """Parse TOML or JSON front matter into (mapping, top-level key -> file line).

    first_line is the file line of raw's first line; syntax errors raise
    CompatError located in the file.
    """
    if kind == "toml":
        try:
            meta = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(exc, raw, first_line) from None
        return meta, _toml_key_lines(raw, first_line, meta)
    if kind == "json":
        try:
            meta = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CompatError(first_line + exc.lineno - 1, exc.colno,
                              f"invalid JSON front matter: {exc.msg}",
                              "JSON needs double quotes around keys and strings "
                              "and commas between entries") from None
        if not isinstance(meta, dict):
            raise CompatError(first_line, 1, "JSON front matter must be an object")
        return meta, _json_key_lines(raw, first_line)
    raise ValueError(f"unknown front matter kind {kind!r}")


def _toml_error(exc: tomllib.TOMLDecodeError, raw: str, first_line: int) -> CompatError:
    message = str(exc)
    line, col = first_line + max(raw.count("\n") - (raw.endswith("\n")), 0), None
    match = _TOML_POSITION.search(message)
    if match:
        message = message[:match.start()]
        if match.group(1):
            line, col = first_line + int(match.group(1)) - 1, int(match.group(2))
    return CompatError(line, col, f"invalid TOML front matter: {message}",
                       'write one `key = value` per line, strings in quotes: title = "…"')


_TOML_KEY = re.compile(r"""^[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*[.=]""")
_TOML_TABLE = re.compile(r"""^[ \t]*\[\[?[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))""")


def _toml_key_lines(raw: str, first_line: int, meta: Mapping[str, Any]) -> dict[str, int]:
    """Lines of the top-level keys: `key = …`, `key.sub = …` and `[key…]` headers.

    Keys of a `[params]` table (Hugo's custom parameters) are listed as
    "params.<key>" so that `normalize_keys` can lift them with their lines.
    """
    lines: dict[str, int] = {}
    in_table = in_params = False
    in_multiline: str | None = None
    for number, text in enumerate(raw.split("\n"), start=first_line):
        if in_multiline:
            if text.count(in_multiline) % 2:
                in_multiline = None
            continue
        table = _TOML_TABLE.match(text)
        if table:
            in_table = True
            in_params = text.split("#")[0].strip() == "[params]"
            name = next(g for g in table.groups() if g is not None)
            lines.setdefault(name, number)
            continue
        key = _TOML_KEY.match(text)
        if key and (in_params or not in_table):
            name = next(g for g in key.groups() if g is not None)
            lines.setdefault(f"params.{name}" if in_params else name, number)
        for quotes in ('"""', "'''"):
            if text.count(quotes) % 2:
                in_multiline = quotes
    return {k: v for k, v in lines.items() if k in meta or k.startswith("params.")}


def _json_key_lines(raw: str, first_line: int) -> dict[str, int]:
    """Lines of the object's top-level keys (strings at depth 1 followed by ':')."""
    lines: dict[str, int] = {}
    depth = 0
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            end = i + 1
            while raw[end] != '"':
                end += 2 if raw[end] == "\\" else 1
            if depth == 1 and raw[end + 1:].lstrip().startswith(":"):
                lines.setdefault(json.loads(raw[i:end + 1]), first_line + raw.count("\n", 0, i))
            i = end + 1
            continue
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        i += 1
    return lines
