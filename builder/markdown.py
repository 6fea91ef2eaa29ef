"""The configured Markdown renderer and the rules that make its output safe and linked.

markdown-it-py with CommonMark plus tables, strikethrough, footnotes,
definition lists, German-transliterated heading ids and typographic quotes.
Core rules added here record what the pipeline needs in `env`:
heading ids (prefixed "h-" so author text cannot clobber DOM globals, numbered
when repeated), links to other content files rewritten to page URLs, and the
body's plain text. Raw HTML (only with `markdown: {html: true}`) passes a
sanitising rule that drops event handlers and javascript:/vbscript:/data: URLs.
"""

from __future__ import annotations

import re
from html import unescape
from html.entities import html5 as _ENTITIES
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .config import MarkdownSettings
from .model import RenderedBody
from .slug import slugify

Plugin = Callable[[MarkdownIt], None]
HEADING_PREFIX = "h-"
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.IGNORECASE)
_CONTENT_LINK = re.compile(r"^(?![a-z][a-z0-9+.-]*:|//|#)([^?#]*\.(?:md|markdown))(#.*)?$", re.IGNORECASE)


def is_safe_url(url: str) -> bool:
    """False for javascript:, vbscript:, data: and file: URLs however they are spelled."""
    return not _UNSAFE_SCHEME.match(_CONTROL.sub("", unquote(url)))


def create_markdown(settings: MarkdownSettings, plugins: Iterable[Plugin] = ()) -> MarkdownIt:
    """A MarkdownIt instance for the site's content, with the given extra plugins."""
    md = MarkdownIt("commonmark", {
        "html": settings.html,
        "typographer": settings.typographer,
        "quotes": settings.quotes,
        "xhtmlOut": False,
        "maxNesting": 40,
    })
    md.enable(["table", "strikethrough"])
    if settings.typographer:
        md.enable(["replacements", "smartquotes"])
    md.use(footnote_plugin, inline=False).use(deflist_plugin)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("content_links", _content_links)
    for plugin in plugins:
        plugin(md)
    md.core.ruler.push("plain_text", _plain_text)
    md.core.ruler.push("sanitize_html", _sanitize_tokens)
    return md


def render_body(md: MarkdownIt, text: str, env: dict[str, Any]) -> RenderedBody:
    """Render one Markdown body; `env` carries per-document inputs and collects outputs."""
    env.setdefault("docId", "n")  # footnote ids "fn-n-1", prefixed like every generated id
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(
        html=html,
        terms=tuple(env.get("glossary_terms", ())),
        term_counts=dict(env.get("glossary_counts", {})),
        links=tuple(env.get("links", ())),
        headings=tuple(env.get("headings", ())),
        text=env.get("text", ""),
    )


def _inline_text(token: Token) -> str:
    """The visible text of an inline token; line breaks become spaces so words stay apart."""
    return "".join(child.content if child.type in ("text", "code_inline") else " "
                   for child in token.children or ()
                   if child.type in ("text", "code_inline", "softbreak", "hardbreak"))


def _heading_ids(state: StateCore) -> None:
    """Give every heading an id from its text: "h-" + slug, numbered when repeated."""
    counts: dict[str, int] = state.env.setdefault("_ids", {})
    issued: set[str] = state.env.setdefault("_issued_ids", set())
    headings = state.env.setdefault("headings", [])
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = _inline_text(tokens[i + 1])
        base = HEADING_PREFIX + (slugify(text) or "abschnitt")
        number = counts.get(base, 1)
        ident = base if number == 1 else f"{base}-{number}"
        while ident in issued:  # "# a", "# a", "# a 2": the third must not reuse "h-a-2"
            number += 1
            ident = f"{base}-{number}"
        counts[base] = number
        issued.add(ident)
        token.attrSet("id", ident)
        headings.append((int(token.tag[1]), ident, text))


def _content_links(state: StateCore) -> None:
    """Rewrite links to other content files ("andere-seite.md#x") to their page URLs.

    env["resolve_link"](target) gives the site path or None; unknown targets are
    appended to env["link_errors"] as (line, message). Every internal link found
    lands in env["links"].
    """
    resolve = state.env.get("resolve_link")
    links: list[str] = state.env.setdefault("links", [])
    errors: list[tuple[int, str]] = state.env.setdefault("link_errors", [])
    line = 0
    for block in state.tokens:
        if block.map:
            line = block.map[0]
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type != "link_open":
                continue
            href = str(token.attrGet("href") or "")
            match = _CONTENT_LINK.match(href)
            if not match:
                if href.startswith("/"):  # a site path, perhaps already under the base path
                    base = state.env.get("base_path", "/")
                    path = href.split("#")[0]
                    links.append("/" + path[len(base):] if path.startswith(base) else path)
                continue
            target, anchor = unquote(match.group(1)), match.group(2) or ""
            url = resolve(target) if resolve else None
            if url is None:
                errors.append((line, f"link to '{target}' points to no article or term"))
                continue
            links.append(url)
            token.attrSet("href", state.env.get("url_for", _identity)(url) + anchor)


def _identity(path: str) -> str:
    return path


def _plain_text(state: StateCore) -> None:
    """The body's words as plain text, for related articles and search."""
    parts: list[str] = []
    for block in state.tokens:
        if block.type == "inline":
            parts.append(_inline_text(block))
        elif block.type in ("fence", "code_block"):
            continue
    state.env["text"] = "\n".join(parts)


# -- raw HTML ---------------------------------------------------------------
#
# With `markdown: {html: true}` authors may write HTML; what they paste must
# still not carry script in attributes. Each tag is tokenized the way HTML5
# browsers do it and rebuilt from what was checked: event handlers (on*) and
# srcdoc go, URL attributes with javascript:/vbscript:/data: go, any value
# naming javascript: or vbscript: goes. Values are re-escaped (also < and >)
# and unterminated tags are escaped, so no tag can hide from this pass
# whatever state the browser is in. <script> contents are left alone: a
# script element is an explicit author decision that html: true allows.

_SPACE = "\t\n\f\r "
_TAG_OPEN = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_SCRIPT_END = re.compile(r"</script[\t\n\f\r />]", re.IGNORECASE)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_ASCII_ALNUM_OR_EQ = re.compile(r"[A-Za-z0-9=]")
_ANYWHERE_UNSAFE = re.compile(r"(?:javascript|vbscript):", re.IGNORECASE)
_URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data",
    "codebase", "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "usemap", "icon", "classid",
    "archive", "profile", "itemtype", "values", "to", "from", "by", "content",
})
_SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
_DROPPED_ATTRIBUTES = frozenset({"srcdoc", "http-equiv"})

Attribute = tuple[str, "str | None"]


def sanitize_html(html: str) -> str:
    """Raw HTML with event handlers and unsafe URLs removed from every tag."""
    out: list[str] = []
    pos = 0
    while (match := _TAG_OPEN.search(html, pos)) is not None:
        out.append(html[pos:match.start()])
        parsed = _read_attributes(html, match.end())
        if parsed is None:  # unterminated: it would swallow the page after it
            out.append("&lt;")
            pos = match.start() + 1
            continue
        attributes, self_closing, end = parsed
        name = match.group(2)
        if match.group(1):
            out.append(f"</{name}>")  # browsers ignore attributes on end tags
            pos = end
            continue
        kept = _safe_attributes(attributes)
        out.append("<" + name + "".join(_attribute_html(a) for a in kept) + ("/>" if self_closing else ">"))
        pos = end
        if name.lower() == "script":
            close = _SCRIPT_END.search(html, pos)
            stop = close.start() if close else len(html)
            out.append(html[pos:stop])
            pos = stop
    out.append(html[pos:])
    return "".join(out)


def _read_attributes(html: str, pos: int) -> tuple[list[Attribute], bool, int] | None:
    """Attributes of the tag whose name ends at `pos` (HTML5 tokenizer rules); None if unterminated."""
    attributes: list[Attribute] = []
    n = len(html)
    while True:
        while pos < n and (html[pos] in _SPACE or html[pos] == "/"):
            if html[pos] == "/" and pos + 1 < n and html[pos + 1] == ">":
                return attributes, True, pos + 2
            pos += 1
        if pos >= n:
            return None
        if html[pos] == ">":
            return attributes, False, pos + 1
        start = pos
        pos += 1  # the first character may be "=", which then belongs to the name
        while pos < n and html[pos] not in _SPACE and html[pos] not in "/>=":
            pos += 1
        name = html[start:pos].lower()
        while pos < n and html[pos] in _SPACE:
            pos += 1
        if pos >= n:
            return None
        if html[pos] != "=":
            attributes.append((name, None))
            continue
        pos += 1
        while pos < n and html[pos] in _SPACE:
            pos += 1
        if pos >= n:
            return None
        quote = html[pos]
        if quote in "\"'":
            close = html.find(quote, pos + 1)
            if close == -1:
                return None
            attributes.append((name, _unescape_attribute(html[pos + 1:close])))
            pos = close + 1
        elif quote == ">":
            attributes.append((name, ""))
        else:
            start = pos
            while pos < n and html[pos] not in _SPACE and html[pos] != ">":
                pos += 1
            attributes.append((name, _unescape_attribute(html[start:pos])))


def _unescape_attribute(value: str) -> str:
    """Character references decoded as browsers do in attribute values.

    A legacy named reference without ";" stays as written when a letter, digit
    or "=" follows ("?a=1&copy=2" keeps its "&copy").
    """
    def replace(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref.startswith("#"):
            return unescape(match.group(0))
        for length in range(len(ref), 1, -1):
            name = ref[:length]
            if name in _ENTITIES:
                if not name.endswith(";"):
                    following = ref[length:length + 1] or value[match.end():match.end() + 1]
                    if following and _ASCII_ALNUM_OR_EQ.match(following):
                        return match.group(0)
                return _ENTITIES[name] + ref[length:]
        return match.group(0)

    return _CHARREF.sub(replace, value)


def _safe_attributes(attributes: list[Attribute]) -> list[Attribute]:
    kept: list[Attribute] = []
    seen: set[str] = set()
    for name, value in attributes:
        if name in seen:
            continue  # browsers keep the first of repeated attributes
        seen.add(name)
        if name.startswith("on") or name in _DROPPED_ATTRIBUTES:
            continue
        if value is not None:
            plain = _CONTROL.sub("", unquote(value))
            if _ANYWHERE_UNSAFE.search(plain):
                continue
            if name in _URL_ATTRIBUTES and not _values_safe(value, ";"):
                continue
            if name in _SRCSET_ATTRIBUTES and not _values_safe(value, ","):
                continue
        kept.append((name, value))
    return kept


def _values_safe(value: str, separator: str) -> bool:
    """Every URL in a value is safe: "url", "0;url=...", "a.png 1x, b.png 2x"."""
    for part in value.split(separator):
        candidate = part.strip().split(None, 1)[0] if part.strip() else ""
        candidate = re.sub(r"^url\s*=\s*", "", candidate, flags=re.IGNORECASE)
        if not is_safe_url(candidate) or not is_safe_url(part.strip()):
            return False
    return True


def _attribute_html(attribute: Attribute) -> str:
    name, value = attribute
    if value is None:
        return f" {name}"
    escaped = (value.replace("&", "&amp;").replace('"', "&quot;")
               .replace("<", "&lt;").replace(">", "&gt;"))
    return f' {name}="{escaped}"'


def _sanitize_tokens(state: StateCore) -> None:
    """Run every raw HTML token (block and inline) through sanitize_html."""
    for token in state.tokens:
        if token.type == "html_block":
            token.content = sanitize_html(token.content)
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "html_inline":
                    child.content = sanitize_html(child.content)
