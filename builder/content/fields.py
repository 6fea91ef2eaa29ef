"""Front matter values checked one by one: each problem becomes a diagnostic on the key's line.

Shared by every kind of content file (articles, terms, pages, authors): text,
lists of text, booleans, dates and site paths, with the limits a file system
and a browser put on URLs.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import tzinfo
from typing import Any, Iterator
from urllib.parse import unquote

from ..errors import Diagnostic
from ..util.slug import tag_slug
from .dates import parse_date
from .model import FrozenDict

# Bytes per path segment: file systems allow 255; leave room for what tools append.
MAX_SEGMENT = 200
MAX_URL = 1000
# Keys other generators' themes use; kept for templates without a typo warning.
THEME_KEYS = frozenset({"layout", "type", "weight", "menu", "toc", "comments", "sitemap",
                        "featured_image", "keywords", "series", "categories", "category",
                        "description", "excerpt", "lastmod", "author", "published", "permalink",
                        "redirect_from", "cover", "images", "math", "lang"})


class Problems:
    """Collects one file's diagnostics."""

    def __init__(self, rel: str, lines: dict[str, int]) -> None:
        self.rel, self.lines, self.items = rel, lines, []  # type: ignore[var-annotated]

    def error(self, key: str | None, message: str, hint: str | None = None, line: int | None = None) -> None:
        self.items.append(Diagnostic(self.rel, line or (self.lines.get(key, 1) if key else 1),
                                     visible(message), "error", hint=visible(hint)))

    def warning(self, key: str | None, message: str, hint: str | None = None, line: int | None = None) -> None:
        self.items.append(Diagnostic(self.rel, line or (self.lines.get(key, 1) if key else 1),
                                     visible(message), "warning", hint=visible(hint)))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: str | None) -> str | None:
    """Control characters from content shown as \\xNN, so messages cannot drive the terminal."""
    if text is None:
        return None
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _InvalidCharacters:
    """Characters HTML forbids in a document: C0/C1 controls (not tab, LF, FF, CR) and noncharacters.

    One character class listing the 34 astral noncharacters makes `re` scan
    ten times slower, so the class takes every astral character and the
    few real noncharacters among them are picked out here.
    """

    _SUSPECT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\U00010000-\U0010ffff]")
    # Every suspect character's UTF-8 form holds one of these bytes: the control itself,
    # 0xC2 (U+0080-U+00BF), 0xEF (U+F000-U+FFFF) or 0xF0-0xF4 (astral). Deleting every
    # other byte (bytes.translate, a C loop) is five times faster than the regex scan, and
    # only text that keeps a byte is scanned.
    _OTHER_BYTES = bytes(sorted(set(range(256)) - {*range(0x09), 0x0b, *range(0x0e, 0x20), 0x7f, 0xc2, 0xef,
                                                   *range(0xf0, 0xf5)}))

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        for match in self._SUSPECT.finditer(text):
            code = ord(match.group())
            if code < 0x10000 or code & 0xFFFE == 0xFFFE:
                yield match

    def search(self, text: str) -> re.Match[str] | None:
        if not text.encode("utf-8", "surrogatepass").translate(None, self._OTHER_BYTES):
            return None
        return next(self.finditer(text), None)

    def findall(self, text: str) -> list[str]:
        return [match.group() for match in self.finditer(text)]

    def sub(self, replacement: str, text: str) -> str:
        parts: list[str] = []
        last = 0
        for match in self.finditer(text):
            parts += [text[last:match.start()], replacement]
            last = match.end()
        return "".join(parts) + text[last:]


INVALID = _InvalidCharacters()


_NOTHING = FrozenDict()


def frozen(mapping: dict[str, Any]) -> FrozenDict:
    """A read-only copy; one shared object when empty, as it mostly is."""
    return FrozenDict(mapping) if mapping else _NOTHING


def check_slug_length(p: Problems, data: dict[str, Any], slug: str) -> None:
    if len(slug) > MAX_SEGMENT:
        p.error("slug" if "slug" in data else None,
                f"the URL slug is {len(slug)} characters long; at most {MAX_SEGMENT} fit in a file name",
                hint="set a shorter 'slug:'")


def tags_of(p: Problems, data: dict[str, Any]) -> tuple[str, ...]:
    """Tags; each becomes a folder of tag pages, so its slug must fit in a file name."""
    tags = strings_of(p, data, "tags")
    for tag in tags:
        length = len(tag_slug(tag))
        if not length:
            p.error("tags", f"the tag '{tag}' has no letters or digits to make its URL from",
                    hint="use a word as the tag")
        elif length > MAX_SEGMENT:
            p.error("tags", f"the tag '{tag[:30]}…' makes a URL slug of {length} characters; "
                    f"at most {MAX_SEGMENT} fit in a file name", hint="shorten the tag")
    return tags


def close_key(key: str, known: tuple[str, ...]) -> str | None:
    """The known key that `key` looks like a typo of, or None (theme keys are no typos)."""
    if not isinstance(key, str) or key in known or key in THEME_KEYS:
        return None
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    return close[0] if close else None


def typo_hint(p: Problems, data: dict[str, Any], key: str) -> str | None:
    """For a missing key: the key written instead, if one looks like a typo of it ("titel" for "title")."""
    for other in data:
        if isinstance(other, str) and other != key and difflib.get_close_matches(other, [key], n=1, cutoff=0.7):
            return f"'{other}' (line {p.lines.get(other, 1)}) looks like a typo of '{key}'"
    return None


def text_of(p: Problems, data: dict[str, Any], key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            p.error(None, f"'{key}' is required",
                    hint=typo_hint(p, data, key) or f"add '{key}: \"…\"' to the front matter",
                    line=p.lines.get(key, 1))
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        p.error(key, f"'{key}' must be text, got {describe(value)}")
        return ""
    if invalid_in(p, key, value):
        return ""
    if required and not value.strip():
        p.error(key, f"'{key}' must not be empty")
    return value.strip()


def strings_of(p: Problems, data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        if "," in value:
            p.error(key, f"'{key}' must be a list, got the text \"{value}\"",
                    hint=f"write a list: {key}: [{', '.join(v.strip() for v in value.split(','))}]")
            return ()
        return (value.strip(),) if value.strip() else ()
    if not isinstance(value, list):
        p.error(key, f"'{key}' must be a list of text, got {describe(value)}")
        return ()
    items: list[str] = []
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            p.error(key, f"'{key}' must be a list of text, got an item {describe(item)}")
            return ()
        if invalid_in(p, key, item):
            return ()
        if item.strip() and item.strip() not in items:
            items.append(item.strip())
    return tuple(items)


def invalid_in(p: Problems, key: str, value: str) -> bool:
    """An error when a value (from a YAML escape like "\\e") holds a character HTML forbids."""
    found = INVALID.search(value)
    if found is None:
        return False
    p.error(key, f"'{key}' contains the control character U+{ord(found.group()):04X}",
            hint="remove the escape sequence from the value")
    return True


def bool_of(p: Problems, data: dict[str, Any], key: str, default: Any) -> Any:
    value = data.get(key, default)
    if value is None or isinstance(value, bool):
        return value
    p.error(key, f"'{key}' must be true or false, got {describe(value)}")
    return default


def date_of(p: Problems, data: dict[str, Any], key: str, tz: tzinfo) -> Any:
    try:
        return parse_date(data[key], tz)
    except ValueError as exc:
        p.error(key, f"'{key}' {exc}", hint="write e.g. 2022-01-26 or 2022-01-26T19:50:00+01:00")
        return None


def url_of(p: Problems, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    clean = safe_url_path(value) if isinstance(value, str) else None
    if clean is None:
        p.error(key, f"'{key}' must be a site path like '/alt/pfad/', got {describe(value)}")
        return "/"
    if reserved(p, key, clean):
        return "/"
    return clean


def urls_of(p: Problems, data: dict[str, Any], key: str) -> tuple[str, ...]:
    result = []
    for value in strings_of(p, data, key):
        clean = safe_url_path(value)
        if clean is None:
            p.error(key, f"'{key}' entries must be site paths like '/alt/pfad/', got \"{value}\"")
        elif not reserved(p, key, clean):
            result.append(clean)
    return tuple(result)


# Folders written after the pages (Pagefind's index): a page there would be overwritten unseen.
RESERVED_FOLDERS = ("pagefind",)


def reserved(p: Problems, key: str, path: str) -> bool:
    """An error when a path lies in a folder the build writes by other means."""
    first = path.strip("/").split("/")[0]
    if first not in RESERVED_FOLDERS:
        return False
    p.error(key, f"'{key}' must not be under /{first}/, which the search index uses",
            hint="choose another path")
    return True


def safe_url_path(value: str) -> str | None:
    """Normalise "/a/b", "a/b.html" to "/a/b/" or "/a/b.html"; None for anything that could escape.

    Refused: "..", "." and hidden segments (also percent-encoded, as browsers
    decode them), backslashes, control characters, schemes, "?" and "#", and
    segments or paths too long for a file system.
    """
    value = value.strip()
    if not value or _UNSAFE_URL_CHARS.search(value) or value.startswith("//") or len(value.encode()) > MAX_URL:
        return None
    parts = [part for part in value.split("/") if part]
    if not parts:
        return "/"
    for part in parts:
        decoded = unquote(part)
        if (decoded.startswith(".") or _UNSAFE_URL_CHARS.search(decoded) or "/" in decoded
                or len(part.encode()) > MAX_SEGMENT):
            return None
    path = "/" + "/".join(parts)
    # "/a/b.html" is a file; "/news/0.10-relnotes/" stays a folder, as its slash says.
    return path if "." in parts[-1] and not value.endswith("/") else path + "/"


_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x1f\x7f\\:?#]")


def nfc(text: str) -> str:
    """File names from macOS come decomposed ("U" + combining diaeresis); slugs need "Ü"."""
    return unicodedata.normalize("NFC", text)


def describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
