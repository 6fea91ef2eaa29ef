"""Feed content: an article's rendered body turned into clean reading for feed readers.

The page shows each glossary term with a tooltip holding its definition; a
feed reader (or a browser's reader mode) shows no CSS, so the definition would
stand in the middle of the sentence. `clean_feed_html` keeps the term as a plain
link to its term page and drops the tooltip, scripts, buttons and form
controls, every `data-*`/`aria-*`/`role` attribute, turns `<picture>` into one
plain `<img src alt>` (the fallback's largest width) and makes every `href`
and `src` absolute against the article's URL (the base URL may have a sub path,
and feeds have no `xml:base` readers honour). It streams the body through the
standard library's HTML parser: html5lib took 5 ms a body, half of a cold
build's feeds; the bodies are the builder's own, balanced HTML.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin

# Elements dropped with everything inside them.
_DROP = frozenset({"script", "noscript", "style", "template", "button", "input", "select", "textarea",
                   "form", "iframe", "object", "embed", "dialog"})
# Attributes dropped from every element (the annotator's, the theme's, lazy loading, responsive images).
_DROP_ATTRIBUTES = frozenset({"class", "role", "id", "style", "tabindex", "srcset", "sizes", "loading",
                              "decoding", "fetchpriority", "hidden", "onclick", "onload", "onerror"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "poster"})
_IMG_ATTRIBUTES = ("src", "alt", "width", "height", "title")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


def clean_feed_html(body: str, page_url: str) -> str:
    """Body HTML → feed HTML: plain term links, no tooltip or script markup, absolute URLs, plain images.

    `page_url` is the article's absolute URL; relative links (and `#footnote`
    anchors) resolve against it.
    """
    cleaner = _Cleaner(page_url)
    cleaner.feed(body)
    cleaner.close()
    return "".join(cleaner.out).strip()


def _absolute(value: str, page_url: str) -> str:
    value = value.strip()
    if value.lower().startswith(("javascript:", "vbscript:", "data:text")):
        return ""
    return urljoin(page_url, value)


class _Cleaner(HTMLParser):
    """One pass over the body, writing the clean HTML to `out`."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.out: list[str] = []
        self.stack: list[str] = []   # per open element: "keep", "skip" (tag unwrapped), "drop", "picture"
        self.dropping = 0            # depth inside a dropped element
        self.caption = 0             # depth inside a figcaption: text only

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        void = tag in _VOID
        if self.dropping:
            if not void:
                self.dropping += 1
            return
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag in _DROP or "gl-tip" in classes or values.get("role") == "tooltip":
            if not void:
                self.dropping = 1
            return
        if self.stack and self.stack[-1] == "picture":
            if tag == "img":
                self.out.append(self._img(values))
            if not void:
                self.stack.append("drop-inner")
                self.dropping = 1
            return
        if tag == "picture" or (tag == "span" and "gl" in classes) or (self.caption and tag != "figcaption"):
            if not void:
                self.stack.append("picture" if tag == "picture" else "skip")
            return
        if tag == "img":
            self.out.append(self._img(values))
            return
        if tag == "figcaption":
            self.caption += 1
        self.out.append(self._tag(tag, attrs))
        if not void:
            self.stack.append("keep")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.dropping:
            self.dropping -= 1
            if self.dropping == 0 and self.stack and self.stack[-1] == "drop-inner":
                self.stack.pop()
            return
        if not self.stack:
            return   # an end tag without its start: nothing to close
        kind = self.stack.pop()
        if kind == "keep":
            if tag == "figcaption":
                self.caption -= 1
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        kept = []
        for name, value in attrs:
            lowered = name.lower()
            if lowered in _DROP_ATTRIBUTES or lowered.startswith(("data-", "aria-", "on")) or self.caption:
                continue
            if lowered in _URL_ATTRIBUTES:
                value = _absolute(value or "", self.page_url)
            kept.append(f' {name}="{escape(value or "")}"')
        return f"<{tag}{''.join(kept)}>"

    def _img(self, values: dict[str, str | None]) -> str:
        """A plain `<img src alt>` (with its size, if known) in place of a responsive one."""
        parts = []
        for name in _IMG_ATTRIBUTES:
            value = values.get(name)
            if value is None and name == "alt":
                value = ""
            if value is not None:
                value = _absolute(value, self.page_url) if name == "src" else value
                parts.append(f' {name}="{escape(value)}"')
        return f"<img{''.join(parts)} />"
