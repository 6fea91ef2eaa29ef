"""Shortcode output in a Markdown body: a placeholder in the text, its HTML in the rendered page.

A shortcode's HTML cannot go into the Markdown as it is: raw HTML is off on
most sites, and Markdown would parse it. `preprocess` therefore writes a
placeholder (private-use characters around a number) where the shortcode was
and keeps the HTML as a `Fragment`; `fragments_plugin` turns the placeholders
into tokens that render that HTML untouched (trusted site templates, not
author HTML: no sanitising). A placeholder standing alone on its line is a
block — it ends a paragraph or list item and is never wrapped in `<p>` — any
other is a piece of inline HTML. A block placeholder stands for as many
lines as the shortcode took, so the lines after it keep their numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

OPEN, CLOSE, FILLER = "\ue000", "\ue001", "\ue002"
_PLACEHOLDER = re.compile(OPEN + r"(\d+)" + CLOSE)
_BLOCK_LINE = re.compile(OPEN + r"(\d+)" + CLOSE + r"[ \t]*")
_PARAGRAPH = re.compile(r"<p>" + OPEN + r"(\d+)" + CLOSE + r"</p>\n?")


@dataclass(frozen=True)
class Fragment:
    """The HTML one shortcode (or one half of a paired one) stands for."""

    html: str
    block: bool = False   # alone on its lines: rendered between blocks
    lines: int = 0        # further lines of the body the shortcode took


def placeholder(index: int, fragment: Fragment) -> str:
    """The text that stands for fragment number `index`, with as many line breaks as it replaces.

    A block consumes its empty lines; inside a paragraph each further line holds
    a filler character (an empty line would end the paragraph), removed later.
    """
    mark = f"{OPEN}{index}{CLOSE}"
    if fragment.block:
        return mark + "\n" * fragment.lines
    return mark + ("\n" + FILLER) * fragment.lines


def expand(html: str, fragments: Sequence[Fragment], limit: int | None = None) -> str:
    """HTML with every placeholder in it replaced by its fragment's HTML, nested ones too.

    A shortcode's HTML holds the placeholders of the shortcodes in its inner
    content, which always come earlier in `fragments`; `limit` keeps it so.
    """
    if OPEN not in html and FILLER not in html:
        return html
    limit = len(fragments) if limit is None else limit

    def fragment(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= limit:
            return ""
        return expand(fragments[index].html, fragments, index)

    html = _PARAGRAPH.sub(lambda m: fragment(m) + "\n", html)   # a block that went through Markdown
    return _PLACEHOLDER.sub(fragment, html).replace(FILLER, "")


def fragments_plugin(md: MarkdownIt) -> None:
    """Render the placeholders of `env["fragments"]` as their HTML."""
    md.block.ruler.before("table", "fragment", _block, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.after("inline", "fragments", _inline)
    md.add_render_rule("fragment_block", _render)
    md.add_render_rule("fragment_inline", _render)


def _render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return tokens[idx].content


def _block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line holding only a block placeholder: the fragment, and the lines it stands for."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False   # indented code
    begin = state.bMarks[start] + state.tShift[start]
    if state.src[begin:begin + 1] != OPEN:
        return False
    match = _BLOCK_LINE.fullmatch(state.src, begin, state.eMarks[start])
    fragments = state.env.get("fragments") if isinstance(state.env, dict) else None
    if match is None or not fragments:
        return False
    index = int(match.group(1))
    if index >= len(fragments) or not fragments[index].block:
        return False
    if silent:
        return True
    fragment = fragments[index]
    after = min(start + 1 + fragment.lines, end)
    token = state.push("fragment_block", "", 0)
    token.content = expand(fragment.html, fragments, index) + "\n"
    token.map = [start, after]
    token.block = True
    state.line = after
    return True


def _inline(state: StateCore) -> None:
    """Placeholders inside paragraphs (and headings, table cells, raw HTML) become their HTML."""
    fragments = (state.env.get("fragments") if isinstance(state.env, dict) else None) or ()
    for block in state.tokens:
        if block.type == "html_block" and OPEN in block.content:
            block.content = expand(block.content, fragments)
        if block.type != "inline" or not block.children or (
                OPEN not in block.content and FILLER not in block.content):
            continue
        children: list[Token] = []
        for child in block.children:
            if child.type == "html_inline" and OPEN in child.content:
                child.content = expand(child.content, fragments)
            if child.type != "text" or (OPEN not in child.content and FILLER not in child.content):
                children.append(child)
                continue
            text = child.content.replace(FILLER, "")
            pos = 0
            for match in _PLACEHOLDER.finditer(text):
                if match.start() > pos:
                    children.append(_text(text[pos:match.start()], child))
                index = int(match.group(1))
                token = Token("fragment_inline", "", 0)
                token.content = expand(fragments[index].html, fragments, index) if index < len(fragments) else ""
                children.append(token)
                pos = match.end()
            if pos < len(text):
                children.append(_text(text[pos:], child))
        block.children = children


def _text(content: str, like: Token) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token
