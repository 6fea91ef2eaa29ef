"""Where a content file is published: its URL and the old URLs that redirect to it, and what an
`_index.md` stands for (the front page's, a section's or a folder's own text: Hugo's branch bundles).

The rules for turning names into URL parts are in `url_rules`; this module
decides which pattern, front matter key or default applies to which file.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any, Callable, Mapping

from ..util.slug import slugify
from . import fields, url_rules
from .sources import CONTENT_DIR, PAGES_DIR, SECTION_INDEX

# Top folders of content/ that hold no sections: an _index.md there has no listing to introduce.
NO_SECTION_TOPS = ("glossary", "authors", PAGES_DIR)


def index_role(rel: str, builtin_folders: tuple[str, ...] = ()) -> tuple[str, str]:
    """What an `_index.md` introduces: ("home", ""), ("section", slug), ("page", "") for a deeper
    folder's own page, or ("none", folder) when its folder has no listing (glossary/, tags/ …)."""
    parts = list(PurePosixPath(rel).parent.relative_to(CONTENT_DIR).parts)
    parts = [part for part in parts if part != "."]
    if not parts:
        return "home", ""
    if parts[0] in NO_SECTION_TOPS or parts[0].startswith("_") or parts[0] in builtin_folders:
        return "none", parts[0]
    if parts[0] == "articles":
        parts = parts[1:]
        if not parts:
            return "page", ""
    if len(parts) == 1:
        return "section", slugify(fields.nfc(parts[0]))
    return "page", ""


def is_section_index(rel: str) -> bool:
    return PurePosixPath(rel).name in SECTION_INDEX


def jekyll_categories(rel: str, data: dict[str, Any]) -> tuple[str, ...]:
    """A Jekyll post's categories, as its URL's `:categories` uses them: the folders above `_posts`,
    then `categories` (a list, or words in one text), then `category`."""
    parts = PurePosixPath(rel).parent.relative_to(CONTENT_DIR).parts
    special = next((i for i, part in enumerate(parts) if part in ("_posts", "_drafts")), None)
    found = [part for part in parts[:special] if part not in ("articles", ".")] if special is not None else []
    for key in ("categories", "category"):
        value = data.get(key)
        items = value.split() if isinstance(value, str) and key == "categories" else (
            value if isinstance(value, list) else [value] if value is not None else [])
        found += [str(item) for item in items if isinstance(item, (str, int, float)) and not isinstance(item, bool)]
    return tuple(dict.fromkeys(found))


def pattern_for(permalinks: Mapping[str, str], section: str, parts: list[str], dated: bool) -> str | None:
    """The `permalinks:` pattern for a file: by its section, its top folder ("/" for files at the top
    of content/), then "*" (Jekyll's one style for every post). Undated pages take only patterns
    without a date, and never "*"."""
    top = parts[0] if parts else "/"
    keys = (section, top, slugify(top) if top != "/" else "/", *(("*",) if dated else ()))
    for key in keys:
        pattern = permalinks.get(key) if key else None
        if pattern is not None and (dated or not url_rules.has_date(pattern)):
            return pattern
    return None


def article_location(p: fields.Problems, data: dict[str, Any], style: str, permalinks: Mapping[str, str],
                     names: url_rules.Names, date: datetime, tz: tzinfo) -> tuple[str, tuple[str, ...]]:
    """An article's URL and its aliases: `url:` wins (its placeholders filled in), then a `permalinks:`
    pattern, then the default /<folders>/<slug>/. Under the builder's own rules an article moved into
    a section folder (or given a pattern) keeps /<folder>/<slug>/ and /articles/<slug>/ as aliases."""
    parts = list(names.parts)
    default = url_rules.default_path(style, names)
    if "url" in data:
        url = _given_url(p, data, style, lambda: url_rules.values(style, names, date, tz))
        aliases = list(fields.urls_of(p, data, "aliases"))
    else:
        aliases = list(fields.urls_of(p, data, "aliases"))
        pattern = pattern_for(permalinks, names.section, parts, dated=True)
        url = default
        if pattern is not None:
            found = url_rules.values(style, names, date, tz)
            url = fields.safe_url_path(url_rules.expand(style, pattern, found)) or ""
            if not url or url == "/":
                p.error(None, f"the permalink pattern '{pattern}' gives no usable URL for this article", line=1)
                url = default
        if style == "builder":
            for old in (default, f"/articles/{names.slug}/" if parts and parts[0] == "articles" else ""):
                if old and old != url and old not in aliases:
                    aliases.append(old)
    _check_length(p, url)
    return url, tuple(aliases)


def page_location(p: fields.Problems, data: dict[str, Any], style: str, permalinks: Mapping[str, str],
                  names: url_rules.Names, tz: tzinfo) -> str:
    """An undated page's URL: `url:`, else a `permalinks:` pattern without a date for its folder,
    else its path: `content/pages/impressum.md` → /impressum/, a collection `_docs/x.md` → /docs/x/."""
    def found() -> dict[str, str]:   # made only when a pattern or placeholder needs it
        return url_rules.values(style, names, None, tz)

    if "url" in data:
        url = _given_url(p, data, style, found)
    else:
        pattern = pattern_for(permalinks, names.section, list(names.parts), dated=False)
        parts = [part for part in names.parts if part != "."]
        if parts and parts[0] == PAGES_DIR:
            parts = parts[1:]
        # A Jekyll collection (content/_docs/) keeps its name in the URL, without the underscore.
        folders = url_rules.url_folders(style, tuple(part.lstrip("_") for part in parts))
        url = url_rules.default_path(style, names, folders)
        if pattern is not None:
            url = fields.safe_url_path(url_rules.expand(style, pattern, found())) or url
    _check_length(p, url)
    return url


def folder_location(style: str, parts: tuple[str, ...]) -> str:
    """The URL of a folder's own page (a deeper `_index.md`): /<folders>/."""
    folders = url_rules.url_folders(style, parts[1:] if parts and parts[0] == "articles" else parts)
    return "/" + "".join(f"{folder}/" for folder in folders)


def _given_url(p: fields.Problems, data: dict[str, Any], style: str, values: Callable[[], dict[str, str]]) -> str:
    """`url:` (Hugo) or `permalink:` (Jekyll) as written; placeholders in it are filled in as in a pattern."""
    value = data.get("url")
    if isinstance(value, str) and ":" in value:
        found = values()
        if any(token in url_rules.DATE_TOKENS and token not in found for token in url_rules.tokens(value)):
            p.error("url", f"'url' uses a date placeholder, but this page has no date: '{value}'")
            return "/"
        data = {**data, "url": url_rules.expand("builder", value, found)}  # as written: no sanitizing
    return fields.url_of(p, data, "url")


def _check_length(p: fields.Problems, url: str) -> None:
    if len(url.encode()) > fields.MAX_URL:  # folders nested deep enough make a path no file system takes
        p.error(None, f"the page's URL would be {len(url.encode()):,} bytes long, at most {fields.MAX_URL:,} fit",
                hint="move the file to a shallower folder or set 'url:'")
