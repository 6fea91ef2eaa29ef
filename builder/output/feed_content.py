"""Feed content: an article's rendered body turned into clean reading for feed readers.

The page shows each glossary term with a tooltip holding its definition; a
feed reader (or a browser's reader mode) shows no CSS, so the definition would
stand in the middle of the sentence. `clean_feed_html` keeps the term as a plain
link to its term page and drops the tooltip, scripts, buttons and form
controls, every `data-*`/`aria-*`/`role` attribute, turns `<picture>` into one
plain `<img src alt>` (the fallback's largest width) and makes every `href`
and `src` absolute against the article's URL (the base URL may have a sub path,
and feeds have no `xml:base` readers honour).

The bodies are the builder's own, balanced HTML, so one regular expression reads
them (`_Cleaner.feed_own`): text, start tags with double-quoted or bare
attributes, end tags. A body with anything else (a comment, a script, single
quotes, a stray "<") goes through the standard library's HTML parser, whose
events the expression gives for the forms it reads. The parser took 0.44 ms a
body of the benchmark corpus (a third of the CPU time of a cold 1,000-article
build's feeds), the expression 0.17 ms with site paths joined without `urljoin`
(`_absolute`); html5lib took 5 ms.
"""

from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

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
# What `feed_own` reads: a run of text, a start tag, or an end tag. Only ASCII white space separates
# (HTMLParser ends a tag name at no other, but `\s` would), and values hold no "<" or ">".
_PIECE = re.compile(r'([^<]+)'
                    r'|<([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[^\s"\'<>/=]+(?:="[^"<>]*")?)*)[ \t\n\r\f]*(/?)>'
                    r'|</([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*>')
_ATTRIBUTE = re.compile(r'[ \t\n\r\f]+([^\s"\'<>/=]+)(="[^"<>]*")?')
_RAW_TEXT = frozenset({"script", "style"})   # HTMLParser reads their content as text, not as tags
# A path from the site's root that `urljoin` leaves as it is: one "/" between segments, and
# nothing it removes or splits on (white space, controls, backslashes).
_PLAIN_PATH = re.compile(r"(?:/[^/\s\\\x00-\x1f\x7f]+)+/?|/")


def clean_feed_html(body: str, page_url: str) -> str:
    """Body HTML → feed HTML: plain term links, no tooltip or script markup, absolute URLs, plain images.

    `page_url` is the article's absolute URL; relative links (and `#footnote`
    anchors) resolve against it.
    """
    cleaner = _Cleaner(page_url)
    if not cleaner.feed_own(body):
        return _clean_with_parser(body, page_url)
    return "".join(cleaner.out).strip()


def _clean_with_parser(body: str, page_url: str) -> str:
    """`clean_feed_html` for any HTML, read by the standard library's parser."""
    cleaner = _Cleaner(page_url)
    cleaner.feed(body)
    cleaner.close()
    return "".join(cleaner.out).strip()


def _attribute_value(quoted: str) -> str | None:
    """`="…"` → its text with character references resolved, as HTMLParser gives it; "" → None (bare)."""
    if not quoted:
        return None
    value = quoted[2:-1]
    return unescape(value) if "&" in value else value


def _absolute(value: str, page_url: str, origin: str = "") -> str:
    """`value` resolved against `page_url`; "" for script URLs. `origin` is `page_url`'s scheme and
    host, given to resolve a plain site path ("/glossar/nato/", most links of a body) without
    `urljoin`, which would return the same for it, five times slower."""
    value = value.strip()
    if value.lower().startswith(("javascript:", "vbscript:", "data:text")):
        return ""
    if origin and _PLAIN_PATH.fullmatch(value) and "/." not in value:
        return origin + value
    return urljoin(page_url, value)


def _origin(page_url: str) -> str:
    """`https://host` of an absolute URL; "" otherwise."""
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


class _Cleaner(HTMLParser):
    """One pass over the body, writing the clean HTML to `out`."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.origin = _origin(page_url)
        self.out: list[str] = []
        self.stack: list[str] = []   # per open element: "keep", "skip" (tag unwrapped), "drop", "picture"
        self.dropping = 0            # depth inside a dropped element
        self.caption = 0             # depth inside a figcaption: text only

    def feed_own(self, body: str) -> bool:
        """Clean `body` if it holds only what `_PIECE` reads, with the events HTMLParser would give;
        False at the first piece it does not read (what was cleaned until then is no use)."""
        match_at = _PIECE.match
        position, end = 0, len(body)
        while position < end:
            match = match_at(body, position)
            if match is None:
                return False
            position = match.end()
            text, tag, attributes, closed, end_tag = match.groups()
            if text is not None:
                self.handle_data(unescape(text) if "&" in text else text)
            elif end_tag is not None:
                self.handle_endtag(end_tag.lower())
            else:
                tag = tag.lower()
                if tag in _RAW_TEXT:
                    return False
                attrs = [(name.lower(), _attribute_value(quoted)) for name, quoted in _ATTRIBUTE.findall(attributes)]
                if closed:
                    self.handle_startendtag(tag, attrs)
                else:
                    self.handle_starttag(tag, attrs)
        return True

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
                value = _absolute(value or "", self.page_url, self.origin)
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
                value = _absolute(value, self.page_url, self.origin) if name == "src" else value
                parts.append(f' {name}="{escape(value)}"')
        return f"<img{''.join(parts)} />"
