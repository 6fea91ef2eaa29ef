"""Turning content files into validated Articles and Terms, with located errors."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import PurePosixPath
from sys import intern
from typing import Any, Iterator
from urllib.parse import unquote

from ..errors import Diagnostic
from ..util.slug import slugify
from . import frontmatter
from .dates import parse_date
from .model import Article, FrozenDict, Term
from .sources import CONTENT_DIR

ARTICLE_KEYS = ("title", "date", "updated", "kicker", "summary", "tags", "authors", "slug",
                "related", "draft", "aliases", "glossary", "url")
TERM_KEYS = ("term", "aliases", "summary", "slug", "case_sensitive", "inflect")
# Keys other generators' themes use; kept for templates without a typo warning.
# Bytes per path segment: file systems allow 255; leave room for what tools append.
MAX_SEGMENT = 200
MAX_URL = 1000
THEME_KEYS = frozenset({"layout", "type", "weight", "menu", "toc", "comments", "sitemap", "image",
                        "featured_image", "keywords", "series", "categories", "category",
                        "description", "excerpt", "lastmod", "author", "published", "permalink",
                        "redirect_from", "cover", "images", "math", "lang"})


@dataclass(frozen=True)
class LoadOptions:
    """What loading needs to know about the site."""

    tz: tzinfo
    fold_categories: bool = True


class _Problems:
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


def read_front_matter(rel: str, text: str) -> tuple[frontmatter.FrontMatter | None, list[Diagnostic]]:
    """Split and parse front matter, turning failures into a located error."""
    try:
        return frontmatter.parse(text), []
    except frontmatter.FrontMatterError as exc:
        return None, [Diagnostic(rel, exc.line, visible(exc.message) or "", col=exc.col, hint=visible(exc.hint))]


def _empty_file(rel: str, text: str, what: str) -> list[Diagnostic]:
    """One clear error for a file with nothing in it, instead of one per missing key."""
    if text.strip():
        return []
    return [Diagnostic(rel, 1, "the file is empty",
                       hint=f"write front matter with {what}, or delete the file")]


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


_INVALID = _InvalidCharacters()


def replace_invalid_characters(rel: str, text: str) -> tuple[str, list[Diagnostic]]:
    """Text with characters HTML forbids replaced by U+FFFD, and one warning saying where the first was.

    They come from copy and paste (vertical tabs from word processors,
    stray escape codes) and would make every page invalid HTML.
    """
    first = _INVALID.search(text)
    if first is None:
        return text, []
    count = len(_INVALID.findall(text))
    before = text[:first.start()]
    code = f"U+{ord(first.group()):04X}"
    message = (f"control character {code} replaced by U+FFFD" if count == 1 else
               f"{count} control characters replaced by U+FFFD, the first is {code}")
    return _INVALID.sub("\ufffd", text), [Diagnostic(
        rel, before.count("\n") + 1, message, "warning", col=first.start() - before.rfind("\n"),
        hint="delete it; such characters usually come from copy and paste")]


def _front_matter(rel: str, text: str, required: str
                  ) -> tuple[frontmatter.FrontMatter | None, list[Diagnostic]]:
    """The file's front matter, after refusing an empty file and cleaning forbidden characters.

    The diagnostics include the front matter reader's own warnings.
    """
    empty = _empty_file(rel, text, required)
    if empty:
        return None, empty
    text, problems = replace_invalid_characters(rel, text)
    fm, found = read_front_matter(rel, text)
    problems += found
    if fm is not None:
        problems += [Diagnostic(rel, line or 1, visible(message) or "", "warning") for line, message in fm.warnings]
    return fm, problems


def load_article(rel: str, text: str, options: LoadOptions,
                 keep_body: bool = True) -> tuple[Article | None, list[Diagnostic]]:
    """Validate an article's front matter; None when it has errors. Without `keep_body` its body is ""."""
    fm, problems = _front_matter(rel, text, "'title:' and 'date:'")
    if fm is None:
        return None, problems
    data, lines = dict(fm.data), dict(fm.key_lines)
    p = _Problems(rel, lines)
    stem = _nfc(PurePosixPath(rel).stem)
    file_date = None
    try:
        from . import foreign_formats
        data, lines, notes = foreign_formats.normalize_keys(data, lines, fold_categories=options.fold_categories)
        p.lines = lines
        for line, message in notes:
            p.warning(None, message, line=line)
        file_date, stem = foreign_formats.date_from_filename(stem)
    except ImportError:
        pass
    _warn_typos(p, data, ARTICLE_KEYS)

    title = _text(p, data, "title", required=True)
    if "date" in data:
        date = _date(p, data, "date", options.tz)
    elif file_date is not None:
        date = parse_date(file_date, options.tz)
    else:
        p.error(None, "'date' is required", hint="add e.g. 'date: 2022-01-26T19:50:00+01:00'", line=1)
        date = None
    updated = _date(p, data, "updated", options.tz) if "updated" in data else None
    slug_source = _text(p, data, "slug") or stem
    slug = slugify(slug_source)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_source}'",
                hint="set 'slug:' to letters and digits")
    _check_slug_length(p, data, slug)
    section = _nfc(str(PurePosixPath(rel).parent.relative_to(CONTENT_DIR)))
    # Folders starting with "_" (Jekyll's _posts, _drafts) group files but are no part of URLs.
    section = "/".join(slugify(part) for part in section.split("/") if part != "." and not part.startswith("_"))
    url = _url(p, data, "url") if "url" in data else f"/{section}/{slug}/" if section else f"/{slug}/"
    if len(url.encode()) > MAX_URL:  # folders nested deep enough make a path no file system takes
        p.error(None, f"the page's URL would be {len(url.encode()):,} bytes long, at most {MAX_URL:,} fit",
                hint="move the file to a shallower folder or set 'url:'")
    # Strings many articles share are interned: results come back from worker processes in
    # pickled chunks, which send each string object once, so the parent keeps fewer copies.
    article = Article(
        slug=slug, source=rel, section=intern(section), title=title or "", date=date,  # type: ignore[arg-type]
        body=fm.body if keep_body else "", body_line=fm.body_line, updated=updated,
        kicker=_text(p, data, "kicker"), summary=_text(p, data, "summary"),
        tags=tuple(map(intern, _tags(p, data))), authors=tuple(map(intern, _strings(p, data, "authors"))),
        related=tuple(slugify(s) for s in _strings(p, data, "related")),
        draft=_bool(p, data, "draft", False), aliases=_urls(p, data, "aliases"),
        glossary=_bool(p, data, "glossary", True), url=url,
        key_lines=FrozenDict({intern(key): line for key, line in lines.items()}),
        extra=_frozen({k: v for k, v in data.items() if k not in ARTICLE_KEYS}),
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return article, problems + p.items


def load_term(rel: str, text: str, options: LoadOptions) -> tuple[Term | None, list[Diagnostic]]:
    """Validate a glossary entry; None when it has errors. Summary is filled in later."""
    fm, problems = _front_matter(rel, text, "'term:'")
    if fm is None:
        return None, problems
    data, lines = fm.data, fm.key_lines
    p = _Problems(rel, lines)
    _warn_typos(p, data, TERM_KEYS)
    name = _text(p, data, "term", required=True)
    aliases = _strings(p, data, "aliases")
    slug_source = _text(p, data, "slug") or _nfc(PurePosixPath(rel).stem)
    slug = slugify(slug_source)
    if not slug:
        p.error("slug" if "slug" in data else None, f"cannot make a URL slug from '{slug_source}'")
    _check_slug_length(p, data, slug)
    inflect = _bool(p, data, "inflect", None) if "inflect" in data else None
    alias_line = lines.get("aliases", 1)
    term = Term(
        slug=slug, term=name, aliases=aliases, summary=_text(p, data, "summary"), body=fm.body,
        source=rel, line=lines.get("term", 1), body_line=fm.body_line,
        case_sensitive=_bool(p, data, "case_sensitive", True), inflect=inflect,
        alias_lines=FrozenDict({a: alias_line for a in aliases}),
        extra=FrozenDict({k: v for k, v in data.items() if k not in TERM_KEYS}),
    )
    if any(d.severity == "error" for d in p.items):
        return None, problems + p.items
    return term, problems + p.items


_NOTHING = FrozenDict()


def _frozen(mapping: dict[str, Any]) -> FrozenDict:
    """A read-only copy; one shared object when empty, as it mostly is."""
    return FrozenDict(mapping) if mapping else _NOTHING


def _check_slug_length(p: _Problems, data: dict[str, Any], slug: str) -> None:
    if len(slug) > MAX_SEGMENT:
        p.error("slug" if "slug" in data else None,
                f"the URL slug is {len(slug)} characters long; at most {MAX_SEGMENT} fit in a file name",
                hint="set a shorter 'slug:'")


def _tags(p: _Problems, data: dict[str, Any]) -> tuple[str, ...]:
    """Tags; each becomes a folder of tag pages, so its slug must fit in a file name."""
    tags = _strings(p, data, "tags")
    for tag in tags:
        length = len(slugify(tag))
        if not length:
            p.error("tags", f"the tag '{tag}' has no letters or digits to make its URL from",
                    hint="use a word as the tag")
        elif length > MAX_SEGMENT:
            p.error("tags", f"the tag '{tag[:30]}…' makes a URL slug of {length} characters; "
                    f"at most {MAX_SEGMENT} fit in a file name", hint="shorten the tag")
    return tags


def _warn_typos(p: _Problems, data: dict[str, Any], known: tuple[str, ...]) -> None:
    for key in data:
        if key in known or key in THEME_KEYS:
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
        if close:
            p.warning(key, f"unknown key '{key}'", hint=f"did you mean '{close[0]}'?")


def _text(p: _Problems, data: dict[str, Any], key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            p.error(None, f"'{key}' is required", hint=f"add '{key}: \"…\"' to the front matter",
                    line=p.lines.get(key, 1))
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        p.error(key, f"'{key}' must be text, got {_describe(value)}")
        return ""
    if _invalid_in(p, key, value):
        return ""
    if required and not value.strip():
        p.error(key, f"'{key}' must not be empty")
    return value.strip()


def _strings(p: _Problems, data: dict[str, Any], key: str) -> tuple[str, ...]:
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
        p.error(key, f"'{key}' must be a list of text, got {_describe(value)}")
        return ()
    items: list[str] = []
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            p.error(key, f"'{key}' must be a list of text, got an item {_describe(item)}")
            return ()
        if _invalid_in(p, key, item):
            return ()
        if item.strip() and item.strip() not in items:
            items.append(item.strip())
    return tuple(items)


def _invalid_in(p: _Problems, key: str, value: str) -> bool:
    """An error when a value (from a YAML escape like "\\e") holds a character HTML forbids."""
    found = _INVALID.search(value)
    if found is None:
        return False
    p.error(key, f"'{key}' contains the control character U+{ord(found.group()):04X}",
            hint="remove the escape sequence from the value")
    return True


def _bool(p: _Problems, data: dict[str, Any], key: str, default: Any) -> Any:
    value = data.get(key, default)
    if value is None or isinstance(value, bool):
        return value
    p.error(key, f"'{key}' must be true or false, got {_describe(value)}")
    return default


def _date(p: _Problems, data: dict[str, Any], key: str, tz: tzinfo) -> Any:
    try:
        return parse_date(data[key], tz)
    except ValueError as exc:
        p.error(key, f"'{key}' {exc}", hint="write e.g. 2022-01-26 or 2022-01-26T19:50:00+01:00")
        return None


def _url(p: _Problems, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    clean = safe_url_path(value) if isinstance(value, str) else None
    if clean is None:
        p.error(key, f"'{key}' must be a site path like '/alt/pfad/', got {_describe(value)}")
        return "/"
    if _reserved(p, key, clean):
        return "/"
    return clean


def _urls(p: _Problems, data: dict[str, Any], key: str) -> tuple[str, ...]:
    result = []
    for value in _strings(p, data, key):
        clean = safe_url_path(value)
        if clean is None:
            p.error(key, f"'{key}' entries must be site paths like '/alt/pfad/', got \"{value}\"")
        elif not _reserved(p, key, clean):
            result.append(clean)
    return tuple(result)


# Folders written after the pages (Pagefind's index): a page there would be overwritten unseen.
RESERVED_FOLDERS = ("pagefind",)


def _reserved(p: _Problems, key: str, path: str) -> bool:
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
    return path if "." in parts[-1] else path + "/"


_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x1f\x7f\\:?#]")


def _nfc(text: str) -> str:
    """File names from macOS come decomposed ("U" + combining diaeresis); slugs need "Ü"."""
    return unicodedata.normalize("NFC", text)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
