"""Jekyll and Hugo front matter read the way those generators read it.

Pure functions from text/data to data: TOML (`+++`) and JSON (`{`) front
matter, Jekyll's and Hugo's key names mapped onto ours, their date forms, and
the `YYYY-MM-DD-slug` file name convention. YAML front matter itself is read by
`builder.content.frontmatter`; this module only adds what the foreign formats need.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from typing import Any, Mapping

from ..errors import LocatedError

__all__ = [
    "CompatError",
    "FOREIGN_KEYS",
    "split_front_matter_formats",
    "load_front_matter",
    "normalize_keys",
    "date_from_filename",
]


class CompatError(LocatedError):
    """A TOML or JSON front matter problem, located by file line (and column when known)."""


# Keys Jekyll and Hugo themes use that we keep untouched in the front matter
# for templates; the loader should not warn about them as unknown.
FOREIGN_KEYS: frozenset[str] = frozenset({
    "layout", "type", "weight", "menu", "toc", "comments", "sitemap", "image",
    "images", "featured_image", "keywords", "series", "slug", "categories",
    "category", "publishDate", "publishdate", "pubdate", "expiryDate",
    "expirydate", "linkTitle", "linktitle", "headless", "markup", "outputs",
    "resources", "cascade", "build", "translationKey", "isCJKLanguage",
    "excerpt_separator", "share", "math", "mermaid", "header", "cover", "hidden",
})

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


# ---------------------------------------------------------------------------
# Key names

def normalize_keys(meta: dict, key_lines: Mapping[str, int], *, fold_categories: bool = True
                   ) -> tuple[dict, dict[str, int], list[tuple[int | None, str]]]:
    """Map Jekyll/Hugo keys onto ours; our own keys win over foreign ones.

    Returns the new mapping, the new key lines (a mapped key keeps the line of
    the key it came from) and warnings as (line, message).
    """
    out = dict(meta)
    lines = dict(key_lines)
    warnings: list[tuple[int | None, str]] = []

    _lift_params(out, lines, warnings)
    _pick(out, lines, warnings, "summary", ("description", "excerpt"))
    _pick(out, lines, warnings, "updated", ("lastmod", "modified", "last_modified_at"))
    _pick(out, lines, warnings, "authors", ("author",))
    if "authors" in out:
        out["authors"] = _as_list(out["authors"], author=True)
    _map_published(out, lines, warnings)
    publish = [key for key in ("publishDate", "publishdate", "pubdate") if key in out]
    if publish:  # Hugo publishes at publishDate, whatever `date` says: it is our date, which schedules
        out.pop("date", None)
        lines.pop("date", None)
        _pick(out, lines, warnings, "date", tuple(publish))
    _pick(out, lines, warnings, "expiry_date", ("expiryDate", "expirydate", "unpublishdate"))
    if fold_categories:
        _fold_categories(out, lines)
    _map_url(out, lines, warnings)
    _map_aliases(out, lines)
    return out, lines, warnings


def _lift_params(out: dict, lines: dict[str, int],
                 warnings: list[tuple[int | None, str]]) -> None:
    """Hugo's `[params]` table: its keys count as top-level keys, as in Hugo's `.Params`."""
    nested = {k: lines.pop(k) for k in list(lines) if k.startswith("params.")}
    params = out.get("params")
    if not isinstance(params, Mapping):
        return
    del out["params"]
    table_line = lines.pop("params", None)
    for key, value in params.items():
        line = nested.get(f"params.{key}", table_line)
        if key not in out:
            out[key] = value
            if line is not None:
                lines[key] = line
        elif out[key] != value:
            warnings.append((line, f"both '{key}' and 'params.{key}' given; using '{key}'"))


def _pick(out: dict, lines: dict[str, int], warnings: list[tuple[int | None, str]],
          target: str, sources: tuple[str, ...]) -> None:
    """Move the first present of (target, *sources) to target; warn about the rest."""
    present = [k for k in (target, *sources) if k in out]
    if not present:
        return
    winner = present[0]
    value = out.pop(winner)
    winner_line = lines.pop(winner, None)
    for other in present[1:]:
        other_value = out.pop(other)
        other_line = lines.pop(other, None)
        if value != other_value:  # the same value twice is no conflict
            warnings.append((other_line, f"both '{winner}' and '{other}' given; using '{winner}'"))
    out[target] = value
    if winner_line is not None:
        lines[target] = winner_line


def _as_list(value: object, *, author: bool = False) -> object:
    """A single string (or Jekyll author mapping) as a one-item list; lists as they are."""
    if isinstance(value, str):
        return [value]
    if author and isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return [value["name"]]
    if author and isinstance(value, list):
        return [v["name"] if isinstance(v, Mapping) and isinstance(v.get("name"), str) else v
                for v in value]
    return value


def _map_published(out: dict, lines: dict[str, int],
                   warnings: list[tuple[int | None, str]]) -> None:
    """Jekyll's `published: false` is a draft; Hugo's `published: <date>` is a date."""
    if "published" not in out:
        return
    published = out["published"]
    if not isinstance(published, bool):
        if "date" not in out:
            _pick(out, lines, warnings, "date", ("published",))
        return
    line = lines.pop("published", None)
    del out["published"]
    if "draft" in out:
        if out["draft"] is published:  # draft: true, published: true disagree
            warnings.append((line, "both 'draft' and 'published' given; using 'draft'"))
        return
    out["draft"] = not published
    if line is not None:
        lines["draft"] = line


def _category_list(value: object, *, split: bool) -> list[object]:
    if isinstance(value, str):
        return value.split() if split else [value]  # Jekyll: `categories: a b` is two
    if isinstance(value, list):
        return list(value)
    return [value]


def _fold_categories(out: dict, lines: dict[str, int]) -> None:
    """Append `categories`/`category` to tags, keeping order, without duplicates."""
    extra: list[object] = []
    first_line: int | None = None
    for key, split in (("categories", True), ("category", False)):
        if key in out:
            extra += _category_list(out.pop(key), split=split)
            line = lines.pop(key, None)
            first_line = first_line if first_line is not None else line
    if not extra:
        return
    if "tags" in out:
        tags = _category_list(out["tags"], split=False)
    else:
        tags = []
        if first_line is not None:
            lines["tags"] = first_line
    for item in extra:
        item = str(item) if isinstance(item, (int, float)) and not isinstance(item, bool) else item
        if item not in tags:
            tags.append(item)
    out["tags"] = tags


_PLACEHOLDER = re.compile(r"(?:^|/):[A-Za-z_]+")
_HTML_FILE = re.compile(r"\.html?$")


def _clean_path(value: str) -> str:
    """'nachrichten//x' → '/nachrichten/x' (no trailing-slash decision yet)."""
    return "/" + re.sub(r"/{2,}", "/", value.strip()).strip("/")


def _map_url(out: dict, lines: dict[str, int], warnings: list[tuple[int | None, str]]) -> None:
    """Jekyll's `permalink` and Hugo's `url` as our `url`, normalised to '/path/'."""
    _pick(out, lines, warnings, "url", ("permalink",))
    if "url" not in out:
        return
    value, line = out["url"], lines.get("url")
    problem = None
    if not isinstance(value, str) or not value.strip():
        problem = f"must be a path like '/artikel/mein-beitrag/', got {value!r}"
    elif "://" in value or value.strip().startswith("//"):
        problem = f"must be a path on this site like '/artikel/mein-beitrag/', got {value!r}"
    if problem:
        warnings.append((line, f"'url' {problem}; using the default URL"))
        del out["url"]
        lines.pop("url", None)
        return
    path = _clean_path(value)
    if _PLACEHOLDER.search(value):   # filled in like a `permalinks:` pattern (builder.content.locations)
        out["url"] = path + "/" if value.strip().endswith("/") else path
        return
    if path.endswith("/index.html") or path == "/index.html":
        path = path[: -len("index.html")]
    elif _HTML_FILE.search(path):
        # `/alt/beitrag.html` becomes `/alt/beitrag/`; the old file name redirects.
        out["aliases"] = [*_as_alias_list(out.get("aliases")), path]
        if line is not None:
            lines.setdefault("aliases", line)
        path = _HTML_FILE.sub("", path)
    out["url"] = _folder_or_file(value, path)


def _folder_or_file(written: str, path: str) -> str:
    """A trailing slash as written decides a folder; without one, a dot in the last part makes a
    file (`/feed.xml`, `/alt.php`), as Hugo decides it; anything else is a folder."""
    if path.endswith("/") or written.strip().endswith("/") or "." not in path.rsplit("/", 1)[-1]:
        return path.rstrip("/") + "/"
    return path


def _as_alias_list(value: object) -> list[object]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [value]


def _normalize_alias(value: object) -> object:
    if not isinstance(value, str) or not value.strip():
        return value
    return _folder_or_file(value, _clean_path(value))


def _map_aliases(out: dict, lines: dict[str, int]) -> None:
    """Hugo's `aliases` and Jekyll's `redirect_from` as our `aliases` ('/path/')."""
    if "aliases" not in out and "redirect_from" not in out:
        return
    merged: list[object] = []
    for key in ("aliases", "redirect_from"):
        for item in _as_alias_list(out.pop(key, None)):
            item = _normalize_alias(item)
            if item not in merged:
                merged.append(item)
    line = lines.pop("aliases", None)
    redirect_line = lines.pop("redirect_from", None)
    out["aliases"] = merged
    if line is not None or redirect_line is not None:
        lines["aliases"] = line if line is not None else redirect_line  # type: ignore[assignment]


# ---------------------------------------------------------------------------
# Dates

_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def date_from_filename(stem: str) -> tuple[date | None, str]:
    """'2019-01-05-mein-beitrag' → (date(2019, 1, 5), 'mein-beitrag'); else (None, stem)."""
    match = _FILENAME_DATE.match(stem)
    if not match:
        return None, stem
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None, stem
    return day, match.group(4)
