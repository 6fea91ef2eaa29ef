"""Jekyll's and Hugo's front matter keys mapped onto ours, and their dates.

Pure functions from data to data: key names (`lastmod`, `categories`,
`permalink` …) mapped onto this builder's, our own keys winning; the date
forms and the `YYYY-MM-DD-slug` file name convention. The formats themselves
(TOML, JSON) are read by `builder.content.foreign_formats`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Mapping

__all__ = ["FOREIGN_KEYS", "normalize_keys", "date_from_filename"]

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
