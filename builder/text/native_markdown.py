"""Bodies in the common subset of Markdown, rendered by markdown-it-pyrs (markdown-it in Rust).

markdown-it-py takes about 280 µs to parse and render a benchmark article; its Rust port gives
the same HTML in about 50. What our core rules add to markdown-it-py's tokens (heading ids,
links to content files, glossary annotations, the plain text) is done here on the HTML the
port returns, which holds only tags it made: text is escaped, and raw HTML is off.

A body takes this path only inside the subset both renderers agree on, which is what news
prose uses: paragraphs, headings, emphasis, links, lists, quotes, code, rules. Anything else
goes to markdown-it-py and `render` returns None:
- raw HTML, images and figures, footnotes, definition lists, shortcodes, NUL characters;
- tables (the port lets a table run on over a line that markdown-it-py starts a list with,
  and leaves quotes in cells straight), runs of three tildes (fences, and strikethrough
  markers the two pair differently), a block quote beside a list item (markdown-it-py ends a
  quote's paragraph at some list items that the port takes for its continuation);
- under the typographer: code spans and backtick fences (the port turns quotes and replaces
  "(c)" or "--" inside code spans); single quotes other than an apostrophe between two
  letters (the port's quotes are English, its closing one is the apostrophe, and it decides
  some cases otherwise); double quotes the port pairs across two blocks; quotes beside "&",
  "(c)", "(r)", "(tm)", "+-" or typographic quotes (the port does not turn them next to an
  entity, and turns them before it replaces);
- a link the site's `is_safe_url` refuses (the port's check is narrower), a link with a
  no-break space or a line break in its address (markdown-it-py strips one at its end), a
  link to a content file that does not exist (its error needs the line);
- a paragraph, heading or list item that opens or ends with white space other than spaces
  and tabs (markdown-it-py strips it with `str.strip()`, the port keeps it), and code that
  ends the text without a line break (the port adds one).
The port has no wheel for every Python; without it every body goes to markdown-it-py.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, MutableMapping

from markdown_it.common.utils import escapeHtml

from ..content.config import MarkdownSettings
from ..content.model import RenderedBody
from ..content.sources import unix_line_ends
from .annotate import GlossaryRules, HtmlPiece, annotate_pieces
from .markdown import content_link, heading_id, is_safe_url

try:
    from markdown_it_pyrs import MarkdownIt as _RustMarkdownIt
except ImportError:  # pragma: no cover - no wheel for this interpreter
    _RustMarkdownIt = None

_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
          "autolink", "backticks", "emphasis", "entity", "escape", "link", "newline",
          "strikethrough"]
# "<" (raw HTML, autolinks), "![" (images and figures), "[^" (footnotes), "|" (tables), "~~~",
# NUL (markdown-it-py reads it as U+FFFD before the emphasis, the port after), and the characters
# that open a shortcode's placeholder or fill its lines. Tested with `in`, 3 µs each
# for an article: a regex alternation scans ten times slower.
_OUTSIDE = ("<", "![", "[^", "|", "~~~", "\0", "\ue000", "\ue002")
# With the typographer, the port's double quotes are its English ones, turned into the site's,
# and a single quote that pairs with none is the apostrophe both write. Not beside typographic
# quotes of the text's own (they would be turned too) or "&" (the port does not look across an
# entity for the letter before a quote).
_BESIDE_QUOTES = ("&", "\u201c", "\u201d", "\u2018", "\u2019")
# A single quote with no letter on one side; between two letters both write an apostrophe.
_LOOSE_SINGLE = re.compile(r"(?<![^\W\d_])'|'(?![^\W\d_])")
# What the typographer replaces by a symbol (not by punctuation, which quotes treat alike).
_REPLACED_SYMBOL = re.compile(r"\((?:c|r|tm)\)|\+-", re.IGNORECASE)
_EMPTY_QUOTE = ("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
# In a link's address: a no-break space or a line break, which markdown-it-py strips at its end.
_ENCODED_SPACES = ("%C2%A0", "%0A")
# A line opening with ":" or "~" and a space (in a list or a quote too): a definition list's
# definition. Searched from "\n": "(?:^|\n)" would make the scan twenty times slower.
_DEFINITION = re.compile(r"\n[ \t>]*[:~][ \t]")
_LIST_ITEM = re.compile(r"\n[ \t>]*(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|\n|$)")
_FIRST_DEFINITION = re.compile(r"[ \t>]*[:~][ \t]")
_SPLIT = re.compile(r"(<[^>]*>)")   # the port's text never holds "<" or ">": both are escaped
_HREF = re.compile(r' href="([^"]*)"')
_BLOCK_OPENINGS = frozenset({"<p>", "<li>", "<td>", "<th>", "<h1>", "<h2>", "<h3>", "<h4>", "<h5>", "<h6>"})
_INLINE = frozenset({"</a>", "<em>", "</em>", "<strong>", "</strong>", "<s>", "</s>", "<code>", "</code>", "<br>"})


def available() -> bool:
    """Whether the Rust renderer is installed."""
    return _RustMarkdownIt is not None


def _unescape(text: str) -> str:
    """The inverse of markdown-it's escapeHtml, the only escaping in the port's text."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


class NativeMarkdown:
    """The fast path of `markdown.render_body` for one site's settings (raw HTML off)."""

    def __init__(self, settings: MarkdownSettings, glossary: GlossaryRules | None = None) -> None:
        assert _RustMarkdownIt is not None and not settings.html
        self.md = _RustMarkdownIt("zero").enable_many(
            _RULES + (["replacements", "smartquotes"] if settings.typographer else []))  # type: ignore[arg-type]
        self.typographer = settings.typographer
        self.outside = _OUTSIDE + ("`",) if settings.typographer else _OUTSIDE
        self.quotes = {0x201C: settings.quotes[0], 0x201D: settings.quotes[1]}
        self.paired = (settings.quotes[0], settings.quotes[1])   # to count in each block
        self.glossary = glossary

    def takes(self, text: str) -> bool:
        """Whether `text` (its line ends normalised) is inside the subset, as far as its source tells."""
        for mark in self.outside:
            if mark in text:
                return False
        if _DEFINITION.search(text) or _FIRST_DEFINITION.match(text) or (">" in text and _LIST_ITEM.search(text)):
            return False
        if not self.typographer or ('"' not in text and "'" not in text):
            return True
        return not (any(mark in text for mark in _BESIDE_QUOTES) or _REPLACED_SYMBOL.search(text)
                    or ("'" in text and _LOOSE_SINGLE.search(text))
                    # the counts of `render` could not tell the port's pairs apart
                    or ('"' in text and self.paired[0] == self.paired[1]))

    def render(self, text: str, env: MutableMapping[str, Any]) -> RenderedBody | None:
        """`text` rendered as markdown-it-py renders it with our rules, or None when it is outside the subset."""
        text = unix_line_ends(text)   # as markdown-it-py's normalize rule makes them, before the tests
        if not self.takes(text) or env.get("fragments"):
            return None
        quoted = self.typographer and '"' in text
        html = self.md.render(text, xhtml=False)
        if quoted:
            html = html.translate(self.quotes)
        if _EMPTY_QUOTE[0] in html:   # an empty block quote: the port writes a line break in it
            html = html.replace(*_EMPTY_QUOTE)
        if html.endswith("</code></pre>\n") and not text.endswith("\n"):
            return None   # code that ends the text without a line break: the port adds one
        scratch: dict[str, Any] = dict(env)   # left as it was if markdown-it-py has to render after all
        links = [_unescape(href) for href in _HREF.findall(html)]
        if not all(map(is_safe_url, links)) or any(code in link for link in links for code in _ENCODED_SPACES):
            return None
        rewritten = [content_link(scratch, href, 0) for href in links]
        if scratch.get("link_errors"):
            return None
        doc = self.glossary.document(scratch) if self.glossary is not None else None
        if not scratch.get("glossary_enabled", True):
            doc = None
        parts = _SPLIT.split(html)   # text, tag, text, ..., text
        if links:
            hrefs = iter(rewritten)
            for index in range(1, len(parts), 2):
                if parts[index].startswith("<a "):
                    parts[index] = _replace_href(parts[index], next(hrefs))
        out: list[str] = []
        texts: list[str] = []
        for opening, content in _blocks(parts, out):
            if len(content) == 1:   # one run of text, the common paragraph
                core = content[0].rstrip("\n")
                visible = _unescape(core)
                pieces = [HtmlPiece(core, visible, True)] if core else []
                tail = content[0][len(core):]
            else:
                pieces, tail = _pieces(content)
                visible = "".join(piece.visible for piece in pieces)
            if visible[:1].isspace() or visible[-1:].isspace():
                return None   # white space the port keeps and markdown-it-py's str.strip() takes (U+00A0)
            if quoted and visible.count(self.paired[0]) != visible.count(self.paired[1]):
                return None   # the port paired a quote with one in another block
            visible = visible.replace("\n", " ")
            if pieces or opening != "<li>":   # a loose or empty list item holds no inline content
                texts.append(visible)
            if opening[:2] == "<h" and opening[2].isdigit():
                out.append(f'{opening[:3]} id="{escapeHtml(heading_id(scratch, int(opening[2]), visible))}"'
                           f'{opening[3:]}')
                out += [piece.html for piece in pieces]
            else:
                out.append(opening)
                if doc is not None:
                    out += annotate_pieces(pieces, self.glossary, doc)  # type: ignore[arg-type]
                else:
                    out += [piece.html for piece in pieces]
            out.append(tail)
        env.update(scratch)
        return RenderedBody(
            html="".join(out),
            terms=tuple(scratch.get("glossary_terms", ())),
            term_counts=dict(scratch.get("glossary_counts", {})),
            links=tuple(scratch.get("links", ())),
            headings=tuple(scratch.get("headings", ())),
            text="\n".join(texts),
        )


def _replace_href(tag: str, href: str | None) -> str:
    """An `<a>` tag with its rewritten href, if its link goes to a content file."""
    if href is None:
        return tag
    return _HREF.sub(lambda _: f' href="{escapeHtml(href)}"', tag, count=1)


def _is_block_opening(tag: str) -> bool:
    return tag in _BLOCK_OPENINGS or tag.startswith(("<td ", "<th "))


def _is_inline(tag: str) -> bool:
    return tag in _INLINE or tag.startswith("<a ")


def _blocks(parts: list[str], out: list[str]) -> Iterator[tuple[str, list[str]]]:
    """The inline blocks of the port's HTML (split into text, tag, text, ...), as (opening tag,
    content: text, tag, ..., text); what lies between them goes to `out` as it is. A block is what
    markdown-it keeps in one inline token: the content of a paragraph, heading, table cell or tight
    list item (its opening tag "" where another block in the item comes first). It ends at the
    next tag that is not inline (the port closes what it opens)."""
    out.append(parts[0])
    index, count = 1, len(parts)
    while index < count:
        tag = parts[index]
        if _is_block_opening(tag):
            end = index + 2
            while end < count and _is_inline(parts[end]):
                end += 2
            yield tag, parts[index + 1:end]
            index = end
        elif _is_inline(tag):   # a tight list item's paragraph that opens with markup (see below)
            end = index
            while end < count and _is_inline(parts[end]):
                end += 2
            yield "", ["", *parts[index:end]]
            index = end
        elif tag.startswith("<pre"):   # code blocks: text up to </pre>, whatever it holds
            end = parts.index("</pre>", index)
            out += parts[index:end]
            index = end
        else:
            out.append(tag)
            text = parts[index + 1]
            content = text.lstrip("\n")
            if not content.strip(" \t\n"):
                out.append(text)
                index += 2
                continue
            # Text after a block's end: a tight list item's paragraph after a heading, a rule or a
            # list in it. The line break before it is the renderer's.
            out.append(text[:len(text) - len(content)])
            end = index + 2
            while end < count and _is_inline(parts[end]):
                end += 2
            yield "", [content, *parts[index + 2:end]]
            index = end


def _pieces(content: list[str]) -> tuple[list[HtmlPiece], str]:
    """A block's content as pieces, and the line break after it (the renderer's, not the content's)."""
    pieces: list[HtmlPiece] = []
    link = code = 0
    last = len(content) - 1
    for index, part in enumerate(content):
        if index % 2:   # a tag
            if part.startswith("<a "):
                link += 1
            elif part == "</a>":
                link -= 1
            elif part == "<code>":
                code += 1
            elif part == "</code>":
                code -= 1
            pieces.append(HtmlPiece(part, "\n" if part == "<br>" else "", False))
        elif part:
            text = part.rstrip("\n") if index == last else part
            if text:
                pieces += _text_pieces(text, link, code, pieces)
    tail = content[last][len(content[last].rstrip("\n")):]
    return _trimmed(pieces), tail


def _trimmed(pieces: list[HtmlPiece]) -> list[HtmlPiece]:
    """A block's pieces without the line break the renderer puts after an opening `<li>`."""
    if pieces and pieces[0].visible.startswith("\n") and not pieces[0].html.startswith("<"):
        first = pieces[0]
        rest = first.html.lstrip("\n")
        lead = len(first.html) - len(rest)
        return [HtmlPiece(first.html[:lead], "", False),
                *([HtmlPiece(rest, first.visible[lead:], first.run)] if rest else []), *pieces[1:]]
    return pieces


def _text_pieces(text: str, link: int, code: int, before: list[HtmlPiece]) -> list[HtmlPiece]:
    """Text between two tags. Line breaks that open it are soft breaks outside the run (a run starts
    with a text token), or the end of a hard break ("<br>\\n")."""
    visible = _unescape(text)
    if code:
        return [HtmlPiece(text, visible, False)]
    stripped = text.lstrip("\n")
    lead = len(text) - len(stripped)
    pieces = []
    if lead:
        after_break = bool(before) and before[-1].html == "<br>"
        pieces.append(HtmlPiece(text[:lead], "\n" * (lead - after_break), False))
    if stripped:
        pieces.append(HtmlPiece(stripped, visible[lead:], not link))
    return pieces
