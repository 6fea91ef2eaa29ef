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
from dataclasses import dataclass
from html import unescape
from html.entities import html5 as _ENTITIES
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_core import smartquotes as _smartquotes
from markdown_it.rules_core.normalize import normalize as _normalize_newlines
from markdown_it.rules_core.smartquotes import QUOTE_RE
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..content.config import MarkdownSettings
from ..content.model import RenderedBody
from ..util.slug import slugify
from .annotate import GlossaryRules, glossary_plugin
from .figures import figures_plugin
from .shortcodes.fragments import fragments_plugin

Plugin = Callable[[MarkdownIt], None]
HEADING_PREFIX = "h-"
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.IGNORECASE)
_CONTENT_LINK = re.compile(r"^(?![a-z][a-z0-9+.-]*:|//|#)([^?#]*\.(?:md|markdown))(#.*)?$", re.IGNORECASE)


def is_safe_url(url: str) -> bool:
    """False for javascript:, vbscript:, data: and file: URLs however they are spelled."""
    return not _UNSAFE_SCHEME.match(_CONTROL.sub("", unquote(url)))


def create_markdown(settings: MarkdownSettings, plugins: Iterable[Plugin] = (), messages: Any = None,
                    glossary: GlossaryRules | None = None, native: bool = True) -> MarkdownIt:
    """A MarkdownIt instance for the site's content, with the given extra plugins; `messages`
    (`i18n.Messages`) word credits and embed placeholders in the site's language.

    `glossary` annotates the terms. Without extra plugins and raw HTML, and unless `native` is
    False, `render_body` renders what it can with markdown-it-pyrs (`native_markdown`).
    """
    plugins = tuple(plugins)
    md = MarkdownIt("commonmark", {
        "html": settings.html,
        "typographer": settings.typographer,
        "quotes": settings.quotes,
        "xhtmlOut": False,
        "maxNesting": 40,
        "messages": messages,     # read by the figure and embed render rules
    })
    md.enable(["table", "strikethrough"])
    if settings.typographer:
        md.enable(["replacements", "smartquotes"])
        if QUOTE_RE.pattern == r"['\"]":  # the characters _quotes tests for
            md.core.ruler.at("smartquotes", _quotes)
    md.use(footnote_plugin, inline=False).use(deflist_plugin).use(figures_plugin).use(fragments_plugin)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    md.core.ruler.at("normalize", _normalize)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("content_links", _content_links)
    if glossary is not None:
        glossary_plugin(md, glossary.matcher, glossary.terms, term_url=glossary.term_url, mode=glossary.mode)
    for plugin in plugins:
        plugin(md)
    md.core.ruler.push("plain_text", _plain_text)
    md.core.ruler.push("sanitize_html", _sanitize_tokens)
    if native and not plugins and not settings.html:
        from .native_markdown import NativeMarkdown, available   # it imports this module's rules
        if available():
            md.options["native"] = NativeMarkdown(settings, glossary)
    return md


def render_body(md: MarkdownIt, text: str, env: dict[str, Any]) -> RenderedBody:
    """Render one Markdown body; `env` carries per-document inputs and collects outputs."""
    env.setdefault("docId", "n")  # footnote ids "fn-n-1", prefixed like every generated id
    native = md.options.get("native")
    if native is not None and (rendered := native.render(text, env)) is not None:
        return rendered
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


def _normalize(state: StateCore) -> None:
    """markdown-it's own rule, skipped when there is no "\\r" or NUL to replace.

    Loaded content never has either (line ends are normalised, NUL means binary),
    and the skipped rule would copy the whole text just to replace "\\n" by "\\n".
    """
    if "\r" in state.src or "\0" in state.src:
        _normalize_newlines(state)


def _quotes(state: StateCore) -> None:
    """markdown-it's smartquotes rule, run only for bodies with a straight quote.

    The rule searches every inline token with the regex QUOTE_RE; `in` tests for the
    same two characters forty times faster, and text typed with „“ or without
    quotes has none to replace.
    """
    for token in state.tokens:
        if token.type == "inline" and ("'" in token.content or '"' in token.content):
            _smartquotes(state)
            return


def _inline_text(token: Token) -> str:
    """The visible text of an inline token; line breaks become spaces so words stay apart."""
    return "".join(child.content if child.type in ("text", "code_inline") else " "
                   for child in token.children or ()
                   if child.type in ("text", "code_inline", "softbreak", "hardbreak"))


def _heading_ids(state: StateCore) -> None:
    """Give every heading an id from its text: "h-" + slug, numbered when repeated."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", heading_id(state.env, int(token.tag[1]), _inline_text(tokens[i + 1])))


def heading_id(env: dict[str, Any], level: int, text: str) -> str:
    """The id of a heading of `level` with `text`, the document's headings so far in `env`."""
    counts: dict[str, int] = env.setdefault("_ids", {})
    issued: set[str] = env.setdefault("_issued_ids", set())
    base = HEADING_PREFIX + (slugify(text) or "abschnitt")
    number = counts.get(base, 1)
    ident = base if number == 1 else f"{base}-{number}"
    while ident in issued:  # "# a", "# a", "# a 2": the third must not reuse "h-a-2"
        number += 1
        ident = f"{base}-{number}"
    counts[base] = number
    issued.add(ident)
    env.setdefault("headings", []).append((level, ident, text))
    return ident


def _content_links(state: StateCore) -> None:
    """Rewrite links to other content files ("andere-seite.md#x") to their page URLs (`content_link`)."""
    line = 0
    for block in state.tokens:
        if block.map:
            line = block.map[0]
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type == "link_open":
                href = content_link(state.env, str(token.attrGet("href") or ""), line)
                if href is not None:
                    token.attrSet("href", href)


def content_link(env: dict[str, Any], href: str, line: int) -> str | None:
    """The href a link to another content file gets, its page's URL, or None to keep `href`.

    env["resolve_link"](target) gives the site path or None; unknown targets are
    appended to env["link_errors"] as (line, message). Every internal link found
    lands in env["links"].
    """
    links: list[str] = env.setdefault("links", [])
    match = _CONTENT_LINK.match(href)
    if not match:
        if href.startswith("/"):  # a site path, perhaps already under the base path
            base = env.get("base_path", "/")
            path = href.split("#")[0]
            links.append("/" + path[len(base):] if path.startswith(base) else path)
        return None
    resolve = env.get("resolve_link")
    target, anchor = unquote(match.group(1)), match.group(2) or ""
    url = resolve(target) if resolve else None
    if url is None:
        env.setdefault("link_errors", []).append((line, f"link to '{target}' points to no article or term"))
        return None
    links.append(url)
    return env.get("url_for", _identity)(url) + anchor


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
# still not carry script in attributes. Every "<" followed by a letter is read
# as a tag the way HTML5 browsers tokenize tags, and the tag is rebuilt from
# what was checked: event handlers (on*), srcdoc and http-equiv go, URL
# attributes with javascript:/vbscript:/data: go, any value naming javascript:
# or vbscript: goes. Kept values keep their quotes and character references
# but never a raw "<" or ">"; from an unterminated tag on, every "<" is
# escaped. So every tag
# a browser can see in the output starts where this pass saw one, whatever
# state the browser is in (text, comment, <textarea>, <script>), and was
# checked. Script elements themselves stay: html: true allows them, as an
# explicit author decision; their text passes through the same tag check.

_SPACE = "\t\n\f\r "
_TAG_OPEN = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
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


@dataclass(frozen=True)
class _Attribute:
    """One attribute as a browser reads it, and how it was written."""

    name: str                 # lower-cased, as the browser stores it
    raw_name: str
    value: str | None         # decoded; None when written without "="
    raw_value: str = ""       # as written, without quotes
    quote: str = ""           # '"', "'" or "" (unquoted)


def sanitize_html(html: str) -> str:
    """Raw HTML with event handlers and unsafe URLs removed from every tag."""
    out: list[str] = []
    pos = 0
    while (match := _TAG_OPEN.search(html, pos)) is not None:
        out.append(html[pos:match.start()])
        parsed = _read_attributes(html, match.end())
        if parsed is None:
            # Unterminated: a browser would read the rest of the page into this tag.
            # Show the rest as text; rescanning from every later "<" would be quadratic.
            out.append(html[match.start():].replace("<", "&lt;"))
            return "".join(out)
        attributes, self_closing, end = parsed
        name = match.group(2)
        if match.group(1):
            out.append(f"</{name}>")  # browsers ignore attributes on end tags
        else:
            kept = _safe_attributes(attributes)
            # "<img src=x />": without the space, "x/" would become the value.
            close = ("/>" if not kept or kept[-1].quote or kept[-1].value is None else " />") if self_closing else ">"
            out.append("<" + name + "".join(_attribute_html(a) for a in kept) + close)
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _read_attributes(html: str, pos: int) -> tuple[list[_Attribute], bool, int] | None:
    """Attributes of the tag whose name ends at `pos` (HTML5 tokenizer rules); None if unterminated."""
    attributes: list[_Attribute] = []
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
        raw_name = html[start:pos]
        while pos < n and html[pos] in _SPACE:
            pos += 1
        if pos >= n:
            return None
        if html[pos] != "=":
            attributes.append(_Attribute(raw_name.lower(), raw_name, None))
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
            raw = html[pos + 1:close]
            pos = close + 1
        elif quote == ">":
            quote, raw = '"', ""
        else:
            start = pos
            while pos < n and html[pos] not in _SPACE and html[pos] != ">":
                pos += 1
            quote, raw = "", html[start:pos]
        attributes.append(_Attribute(raw_name.lower(), raw_name, _unescape_attribute(raw), raw, quote))


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


def _safe_attributes(attributes: list[_Attribute]) -> list[_Attribute]:
    kept: list[_Attribute] = []
    seen: set[str] = set()
    for attribute in attributes:
        name, value = attribute.name, attribute.value
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
        kept.append(attribute)
    return kept


def _values_safe(value: str, separator: str) -> bool:
    """Every URL in a value is safe: "url", "0;url=...", "a.png 1x, b.png 2x"."""
    for part in value.split(separator):
        candidate = part.strip().split(None, 1)[0] if part.strip() else ""
        candidate = re.sub(r"^url\s*=\s*", "", candidate, flags=re.IGNORECASE)
        if not is_safe_url(candidate) or not is_safe_url(part.strip()):
            return False
    return True


def _attribute_html(attribute: _Attribute) -> str:
    """The attribute as written, with "<" and ">" in its value as references (same value, no tag)."""
    if attribute.value is None:
        return f" {attribute.raw_name}"
    raw = attribute.raw_value.replace("<", "&lt;").replace(">", "&gt;")
    return f" {attribute.raw_name}={attribute.quote}{raw}{attribute.quote}"


def _sanitize_tokens(state: StateCore) -> None:
    """Run every raw HTML token (block and inline) through sanitize_html."""
    for token in state.tokens:
        if token.type == "html_block":
            token.content = sanitize_html(token.content)
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "html_inline":
                    child.content = sanitize_html(child.content)
