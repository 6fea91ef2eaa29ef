"""The configured Markdown renderer and the rules that make its output safe and linked.

markdown-it-py with CommonMark plus tables, strikethrough, footnotes,
definition lists, German-transliterated heading ids and typographic quotes.
Core rules added here record what the pipeline needs in `env`:
heading ids (prefixed "h-" so author text cannot clobber DOM globals, numbered
when repeated), links to other content files rewritten to page URLs, and the
body's plain text.
"""

from __future__ import annotations

import re
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
    return md


def render_body(md: MarkdownIt, text: str, env: dict[str, Any]) -> RenderedBody:
    """Render one Markdown body; `env` carries per-document inputs and collects outputs."""
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
    return "".join(child.content for child in token.children or ()
                   if child.type in ("text", "code_inline"))


def _heading_ids(state: StateCore) -> None:
    """Give every heading an id from its text: "h-" + slug, numbered when repeated."""
    used: dict[str, int] = state.env.setdefault("_ids", {})
    headings = state.env.setdefault("headings", [])
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = _inline_text(tokens[i + 1])
        base = HEADING_PREFIX + (slugify(text) or "abschnitt")
        count = used.get(base, 0)
        used[base] = count + 1
        ident = base if count == 0 else f"{base}-{count + 1}"
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
