"""Reading one built HTML page for the site check: its links, ids, title, `lang` and HTML5 errors.

The page is scanned with `html.parser` (links, ids, title, lang, redirects,
with line numbers); html5lib parses it a second time only to collect its
HTML5 parse errors. The result is plain data (`PageScan`), so that the
checks in `builder.commands.check` never touch the files again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Mapping

import html5lib
from html5lib.constants import E as HTML5_MESSAGES

# Attributes that point to other resources, per element.
_URL_ATTRS: Mapping[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
}
_REFRESH_URL = re.compile(r"^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Link:
    """One URL found in a page."""

    tag: str
    attr: str
    url: str
    line: int
    col: int


@dataclass(frozen=True)
class PageScan:
    """What one HTML page contains that the checks need."""

    path: str                                   # relative to the site, POSIX
    links: tuple[Link, ...] = ()
    ids: frozenset[str] = frozenset()
    duplicate_ids: tuple[tuple[str, int, int, int], ...] = ()  # (id, line, col, first line)
    title: str | None = None
    lang: str | None = None
    has_html_tag: bool = False
    redirect: bool = False
    parse_errors: tuple[tuple[int, int, str], ...] = ()        # (line, col, message)
    decode_error: str | None = None


class _Scanner(HTMLParser):
    """Collects links, ids, the title, `lang` and a refresh redirect, with positions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.ids: dict[str, int] = {}
        self.duplicates: list[tuple[str, int, int, int]] = []
        self.title: str | None = None
        self.lang: str | None = None
        self.has_html_tag = False
        self.redirect = False
        self._title_parts: list[str] | None = None
        self._foreign_depth = 0   # inside <svg>/<math>, whose <title> is not the page's

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        values = {name: value or "" for name, value in attrs}
        if tag == "html" and not self.has_html_tag:
            self.has_html_tag = True
            self.lang = values.get("lang")
        if tag in ("svg", "math"):
            self._foreign_depth += 1
        elif tag == "title" and self._foreign_depth == 0 and self.title is None:
            self._title_parts = []
        if "id" in values:
            self._add_anchor(values["id"], line, offset)
        if tag == "a" and values.get("name") and values.get("name") != values.get("id"):
            self._add_anchor(values["name"], line, offset)
        for attr in _URL_ATTRS.get(tag, ()):
            value = values.get(attr)
            if value is None:
                continue
            urls = _srcset_urls(value) if attr == "srcset" else [value.strip()]
            self.links.extend(Link(tag, attr, url, line, offset + 1) for url in urls if url)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.redirect = True
            match = _REFRESH_URL.match(values.get("content", ""))
            target = match.group(1).strip().strip("'\"") if match else ""
            if target:
                self.links.append(Link("meta", "content", target, line, offset + 1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("svg", "math"):
            self._foreign_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "math") and self._foreign_depth:
            self._foreign_depth -= 1
        elif tag == "title" and self._title_parts is not None:
            self.title = "".join(self._title_parts)
            self._title_parts = None

    def handle_data(self, data: str) -> None:
        if self._title_parts is not None:
            self._title_parts.append(data)

    def _add_anchor(self, anchor: str, line: int, offset: int) -> None:
        if anchor in self.ids:
            self.duplicates.append((anchor, line, offset + 1, self.ids[anchor]))
        else:
            self.ids[anchor] = line


def _srcset_urls(srcset: str) -> list[str]:
    """The URLs of a `srcset`: each candidate is `url [descriptor]`, comma-separated."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


def scan_page(path: str, data: bytes) -> PageScan:
    """Scan one HTML file's bytes (pure: no file access)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return PageScan(path, decode_error=f"not valid UTF-8 (byte {exc.start})")
    scanner = _Scanner()
    scanner.feed(text)
    scanner.close()
    if scanner._title_parts is not None:   # <title> never closed
        scanner.title = "".join(scanner._title_parts)
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(text)
    errors = tuple(
        (line, col, _html5_message(code, datavars)) for (line, col), code, datavars in parser.errors
    )
    return PageScan(
        path=path,
        links=tuple(scanner.links),
        ids=frozenset(scanner.ids),
        duplicate_ids=tuple(scanner.duplicates),
        title=scanner.title,
        lang=scanner.lang,
        has_html_tag=scanner.has_html_tag,
        redirect=scanner.redirect,
        parse_errors=errors,
    )


def _html5_message(code: str, datavars: Mapping[str, object] | None) -> str:
    template = HTML5_MESSAGES.get(code)
    if template is None:
        return code
    try:
        return template % dict(datavars or {})
    except (KeyError, TypeError, ValueError):
        return template
