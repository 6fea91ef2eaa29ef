"""Bodies in the common subset of Markdown, rendered by markdown-it-pyrs (markdown-it in Rust).

markdown-it-py takes about 280 µs to parse and render a benchmark article; its Rust port gives
the same HTML in about 50. What our core rules add to markdown-it-py's tokens (heading ids,
links to content files, glossary annotations, the plain text) is done here on the HTML the
port returns, which holds only tags it made: text is escaped, and raw HTML is off.

A body takes this path only inside the subset both renderers agree on, which is what news
prose uses: paragraphs, headings, emphasis, links, lists, quotes, code, tables, rules. Anything
else goes to markdown-it-py and `render` returns None:
- raw HTML, images and figures, footnotes, definition lists, shortcodes;
- under the typographer, single quotes that pair (the port's quotes are English, and its
  closing one is the apostrophe), and straight quotes beside code spans, tables or typographic
  quotes (the port turns them in code, and not in cells);
- a link the site's `is_safe_url` refuses (the port's check is narrower), and a link to a
  content file that does not exist (its error needs the line).
The port has no wheel for every Python; without it every body goes to markdown-it-py.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, MutableMapping

from ..content.config import MarkdownSettings
from ..content.model import RenderedBody
from .annotate import GlossaryRules, HtmlPiece, annotate_pieces
from .markdown import content_link, heading_id, is_safe_url

try:
    from markdown_it_pyrs import MarkdownIt as _RustMarkdownIt
except ImportError:  # pragma: no cover - no wheel for this interpreter
    _RustMarkdownIt = None

_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
          "autolink", "backticks", "emphasis", "entity", "escape", "link", "newline",
          "table", "strikethrough"]
# "<" (raw HTML, autolinks), "![" (images and figures), "[^" (footnotes), the placeholder
# characters of shortcodes. Tested with `in`, 3 µs each for an article: a regex alternation
# scans ten times slower.
_OUTSIDE = ("<", "![", "[^", "\ue000", "\ue001", "\ue002")
# With the typographer, the port's double quotes are its English ones, turned into the site's,
# and a single quote that pairs with none is the apostrophe both write. Not beside typographic
# quotes of the text's own (they would be turned too), code spans (the port turns quotes in them)
# or tables (the port leaves quotes in cells straight).
_BESIDE_QUOTES = ("`", "|", "\u201c", "\u201d", "\u2018", "\u2019")
_OPENING_SINGLE = "\u2018"   # in the port's HTML: single quotes that pair
# A line opening with ":" or "~" and a space (in a list or a quote too): a definition list's
# definition. Searched from "\n": "(?:^|\n)" would make the scan twenty times slower.
_DEFINITION = re.compile(r"\n[ \t>]*[:~][ \t]")
_FIRST_DEFINITION = re.compile(r"[ \t>]*[:~][ \t]")
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)([^>]*)>")
_HREF = re.compile(r' href="([^"]*)"')
_INLINE_BLOCKS = frozenset({"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE_TAGS = frozenset({"a", "em", "strong", "s", "code", "br"})


def available() -> bool:
    """Whether the Rust renderer is installed."""
    return _RustMarkdownIt is not None


def _unescape(text: str) -> str:
    """The inverse of markdown-it's escapeHtml, the only escaping in the port's text."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class NativeMarkdown:
    """The fast path of `markdown.render_body` for one site's settings (raw HTML off)."""

    def __init__(self, settings: MarkdownSettings, glossary: GlossaryRules | None = None) -> None:
        assert _RustMarkdownIt is not None and not settings.html
        self.md = _RustMarkdownIt("zero").enable_many(
            _RULES + (["replacements", "smartquotes"] if settings.typographer else []))  # type: ignore[arg-type]
        self.typographer = settings.typographer
        self.outside = _OUTSIDE
        self.quotes = {0x201C: settings.quotes[0], 0x201D: settings.quotes[1]}
        self.glossary = glossary

    def takes(self, text: str) -> bool:
        """Whether `text` is inside the subset (the shortcodes aside)."""
        return (not any(mark in text for mark in self.outside) and not _DEFINITION.search(text)
                and not _FIRST_DEFINITION.match(text)
                and not (self.typographer and ('"' in text or "'" in text)
                         and any(mark in text for mark in _BESIDE_QUOTES)))

    def render(self, text: str, env: MutableMapping[str, Any]) -> RenderedBody | None:
        """`text` rendered as markdown-it-py renders it with our rules, or None when it is outside the subset."""
        if not self.takes(text) or env.get("fragments"):
            return None
        html = self.md.render(text, xhtml=False)
        if self.typographer and "'" in text and _OPENING_SINGLE in html:
            return None
        if self.typographer and '"' in text:
            html = html.translate(self.quotes)
        scratch: dict[str, Any] = dict(env)   # left as it was if markdown-it-py has to render after all
        links = [_unescape(href) for href in _HREF.findall(html)]
        if not all(map(is_safe_url, links)):
            return None
        rewritten = [content_link(scratch, href, 0) for href in links]
        if scratch.get("link_errors"):
            return None
        doc = self.glossary.document(scratch) if self.glossary is not None else None
        if not scratch.get("glossary_enabled", True):
            doc = None
        out: list[str] = []
        texts: list[str] = []
        hrefs = iter(rewritten)
        for opening, pieces in _blocks(html, out):
            visible = "".join(piece.visible for piece in pieces).replace("\n", " ")
            texts.append(visible)
            if opening[1] == "h" and opening[2].isdigit():
                out.append(f'{opening[:3]} id="{_escape(heading_id(scratch, int(opening[2]), visible))}"'
                           f'{opening[3:]}')
                out += _with_hrefs(pieces, hrefs)
            elif doc is not None:
                out.append(opening)
                out += annotate_pieces(_with_hrefs_pieces(pieces, hrefs), self.glossary, doc)  # type: ignore[arg-type]
            else:
                out.append(opening)
                out += _with_hrefs(pieces, hrefs)
        env.update(scratch)
        return RenderedBody(
            html="".join(out),
            terms=tuple(scratch.get("glossary_terms", ())),
            term_counts=dict(scratch.get("glossary_counts", {})),
            links=tuple(scratch.get("links", ())),
            headings=tuple(scratch.get("headings", ())),
            text="\n".join(texts),
        )


def _with_hrefs_pieces(pieces: list[HtmlPiece], hrefs: Iterator[str | None]) -> list[HtmlPiece]:
    return [piece._replace(html=_replace_href(piece.html, hrefs)) if piece.html.startswith("<a ") else piece
            for piece in pieces]


def _with_hrefs(pieces: list[HtmlPiece], hrefs: Iterator[str | None]) -> list[str]:
    return [_replace_href(piece.html, hrefs) if piece.html.startswith("<a ") else piece.html for piece in pieces]


def _replace_href(tag: str, hrefs: Iterator[str | None]) -> str:
    """An `<a>` tag with the next rewritten href, if its link goes to a content file."""
    href = next(hrefs)
    if href is None:
        return tag
    return _HREF.sub(lambda _: f' href="{_escape(href)}"', tag, count=1)


def _blocks(html: str, out: list[str]) -> Iterator[tuple[str, list[HtmlPiece]]]:
    """The inline blocks of the port's HTML, as (opening tag, pieces); what lies between them goes
    to `out` as it is. A block is what markdown-it keeps in one inline token: the content of a
    paragraph, heading, table cell or tight list item."""
    position = 0
    opening: str | None = None
    pieces: list[HtmlPiece] = []
    link = code = 0
    in_pre = False
    for match in _TAG.finditer(html):
        text = html[position:match.start()]
        position = match.end()
        closing, name, tag = match.group(1), match.group(2), match.group(0)
        if in_pre:
            out.append(text + tag)
            in_pre = not (closing and name == "pre")
            continue
        if opening is not None and name in _INLINE_TAGS:
            if text:
                pieces += _text_pieces(text, link, code, pieces)
            if name == "a":
                link += -1 if closing else 1
            elif name == "code":
                code += -1 if closing else 1
            pieces.append(HtmlPiece(tag, "\n" if name == "br" else "", False))
            continue
        if opening is not None:
            # A block's last line break is the renderer's, not the inline content's.
            content = text.rstrip("\n")
            if content:
                pieces += _text_pieces(content, link, code, pieces)
            yield opening, _trimmed(pieces)
            out.append(text[len(content):])
            opening, pieces = None, []
        else:
            out.append(text)
        if name in _INLINE_BLOCKS and not closing:
            opening = tag
            link = code = 0
        else:
            out.append(tag)
            in_pre = name == "pre" and not closing
    if opening is not None:   # never: the port closes what it opens
        yield opening, _trimmed(pieces)
    out.append(html[position:])


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
