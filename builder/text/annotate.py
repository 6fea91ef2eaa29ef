"""A markdown-it plugin that turns glossary terms in an article into annotations.

The core rule runs after markdown-it's own rules (so typographic quotes and
joined text are final) and works on inline tokens' children, like
markdown-it-py's linkify rule: runs of `text`/`softbreak` tokens are searched
with a `Matcher` and split into text + `glossary_open` + text + `glossary_close`.
Headings, code, links (Markdown and raw `<a>`), image alt text, raw HTML and
existing annotations are left alone. Word boundaries are checked against the
neighbouring inline tokens ("**NATO**-Gipfel" is a compound); a multi-word term
only matches within one run, so markup inside it ("Politik der *offenen* Tür")
keeps it from matching.

Per-render state goes through `env`: in `glossary_enabled` (default True) and
`glossary_exclude` (a slug not to annotate, for the term's own page); out
`glossary_terms` (slugs annotated, in order of first use) and `glossary_counts`
(slug → matches in annotatable text, also those not annotated in mode "first").
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping, MutableMapping, NamedTuple, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, isLinkClose, isLinkOpen
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..content.model import Term
from .glossary import Match, Matcher, is_sentence_start

__all__ = ["glossary_plugin", "GlossaryRules", "HtmlPiece", "annotate_pieces", "MODES"]

MODES = ("first", "all")
_RUN_TYPES = frozenset({"text", "softbreak"})
_TAIL = 16  # characters of preceding text kept to decide sentence starts


@dataclass
class _Annotation:
    start: int
    end: int
    slug: str
    number: int
    href: str
    summary: str


@dataclass
class _DocumentState:
    """What one render has annotated so far."""

    mode: str
    exclude: str | None
    terms: Mapping[str, Term]
    term_url: Callable[[str], str]
    annotated: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    number: int = 0
    seen: set[str] = field(default_factory=set)     # `annotated` as a set


def _visible(token: Token) -> str:
    """The text a reader sees for one inline token (for boundaries and sentence starts)."""
    if token.type in ("text", "text_special", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "image":
        return "".join(_visible(child) for child in token.children or [])
    return ""


def _following_text(visible: Sequence[str]) -> list[str]:
    """For each index, the first non-empty visible text at or after it (one pass from the right)."""
    following = [""] * (len(visible) + 1)
    for index in range(len(visible) - 1, -1, -1):
        following[index] = visible[index] or following[index + 1]
    return following


def _run_starts_sentence(tail: str, text: str) -> bool:
    if text[:1].isspace():
        return is_sentence_start(tail + " ", len(tail) + 1)
    return is_sentence_start(tail, len(tail))


def _choose(matches: Sequence[Match], doc: _DocumentState) -> list[_Annotation]:
    """Count the matches and pick those to annotate."""
    chosen: list[_Annotation] = []
    for match in matches:
        slug = match.slug
        if slug == doc.exclude or slug not in doc.terms:
            continue
        doc.counts[slug] = doc.counts.get(slug, 0) + 1
        if slug in doc.seen:
            if doc.mode == "first":
                continue
        else:
            doc.seen.add(slug)
            doc.annotated.append(slug)
        doc.number += 1
        term = doc.terms[slug]
        chosen.append(_Annotation(match.start, match.end, slug, doc.number, doc.term_url(slug),
                                  term.summary or term.term))
    return chosen


def _split_run(run: Sequence[Token], joined: str, annotations: Sequence[_Annotation]) -> list[Token]:
    """Rebuild a run of text/softbreak tokens with annotation tokens around the matches."""
    opens = {a.start: a for a in annotations}
    closes = {a.end: a for a in annotations}
    bounds = sorted(opens.keys() | closes.keys())
    out: list[Token] = []
    level = run[0].level

    def boundary(position: int) -> None:
        nonlocal level
        if position in closes:
            level -= 1
            out.append(_marker("glossary_close", -1, closes[position], level))
        if position in opens:
            out.append(_marker("glossary_open", 1, opens[position], level))
            level += 1

    position = 0
    for token in run:
        length = len(token.content) if token.type == "text" else 1
        start, end = position, position + length
        position = end
        if token.type != "text":
            boundary(start)
            copy = Token(token.type, token.tag, token.nesting, level=level,
                         content=token.content, markup=token.markup)
            out.append(copy)
            continue
        cuts = [start] + [b for b in bounds if start < b < end] + [end]
        for piece_start, piece_end in zip(cuts, cuts[1:]):
            boundary(piece_start)
            if piece_end > piece_start:
                out.append(Token("text", "", 0, level=level, content=joined[piece_start:piece_end]))
    boundary(position)
    return out


def _split_text(level: int, text: str, annotations: Sequence[_Annotation]) -> list[Token]:
    """`_split_run` for a run of one text token: the same tokens, made in one pass."""
    out: list[Token] = []
    position = 0
    for annotation in annotations:  # in order, not overlapping
        if annotation.start > position:
            out.append(Token("text", "", 0, level=level, content=text[position:annotation.start]))
        out.append(_marker("glossary_open", 1, annotation, level))
        out.append(Token("text", "", 0, level=level + 1, content=text[annotation.start:annotation.end]))
        out.append(_marker("glossary_close", -1, annotation, level))
        position = annotation.end
    if position < len(text):
        out.append(Token("text", "", 0, level=level, content=text[position:]))
    return out


def _marker(kind: str, nesting: int, annotation: _Annotation, level: int) -> Token:
    return Token(kind, "span", nesting, level=level, markup="glossary",  # type: ignore[arg-type]
                 meta={"slug": annotation.slug, "number": annotation.number,
                       "href": annotation.href, "summary": annotation.summary})


def _annotate_inline(children: list[Token], matcher: Matcher, doc: _DocumentState) -> list[Token]:
    if len(children) == 1 and children[0].type == "text":
        # A paragraph of plain text (the usual case): one run that starts a sentence, nothing around it.
        annotations = _choose(matcher.find(children[0].content), doc)
        return _split_text(children[0].level, children[0].content, annotations) if annotations else children
    visible = [_visible(token) for token in children]
    following = _following_text(visible)
    out: list[Token] = []
    link_depth = html_link_depth = annotation_depth = 0
    tail = ""
    index = 0
    while index < len(children):
        token = children[index]
        if token.type == "text" and not (link_depth or html_link_depth or annotation_depth):
            stop = index
            while stop < len(children) and children[stop].type in _RUN_TYPES:
                stop += 1
            run = children[index:stop]
            joined = "".join(visible[index:stop])
            matches = matcher.find(joined, sentence_start=_run_starts_sentence(tail, joined),
                                   before=tail[-1:], after=following[stop][:1])
            annotations = _choose(matches, doc)
            if not annotations:
                out.extend(run)
            elif len(run) == 1 and run[0].type == "text":
                out.extend(_split_text(run[0].level, joined, annotations))
            else:
                out.extend(_split_run(run, joined, annotations))
            tail = (tail + joined)[-_TAIL:]
            index = stop
            continue
        if token.type == "link_open":
            link_depth += 1
        elif token.type == "link_close":
            link_depth = max(0, link_depth - 1)
        elif token.type == "glossary_open":
            annotation_depth += 1
        elif token.type == "glossary_close":
            annotation_depth = max(0, annotation_depth - 1)
        elif token.type == "html_inline":
            if isLinkOpen(token.content):
                html_link_depth += 1
            elif isLinkClose(token.content):
                html_link_depth = max(0, html_link_depth - 1)
        out.append(token)
        tail = (tail + visible[index])[-_TAIL:]
        index += 1
    return out


@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    """html.escape for the few strings every annotation repeats (slugs, URLs, summaries)."""
    return html.escape(text)


def _tip_id(slug: str, number: int) -> str:
    # Escaping works character by character, and "gl-tip-" and the number need none.
    return f"gl-tip-{_escaped(slug)}-{number}"


def _open_html(slug: str, number: int, href: str) -> str:
    return (f'<span class="gl"><a class="gl-term" href="{_escaped(href)}"'
            f' data-term="{_escaped(slug)}" aria-describedby="{_tip_id(slug, number)}">')


def _close_html(slug: str, number: int, summary: str) -> str:
    return (f'</a><span class="gl-tip" role="tooltip" id="{_tip_id(slug, number)}">'
            f'{_escaped(summary)}</span></span>')


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    return _open_html(meta["slug"], meta["number"], meta["href"])


def _render_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    return _close_html(meta["slug"], meta["number"], meta["summary"])


# -- annotating rendered HTML (`native_markdown`) -------------------------------------------------

class HtmlPiece(NamedTuple):
    """Part of one inline block's HTML: a run of text (text and soft breaks, escaped) or anything else."""

    html: str
    visible: str        # what a reader sees of it (unescaped text; "\n" for a line break)
    run: bool           # text the glossary may annotate (not in a link, not code)


def _annotated_html(text: str, annotations: Sequence[_Annotation]) -> str:
    """A run's HTML with its annotations: what `_split_text` and the render rules make of it."""
    out: list[str] = []
    position = 0
    for a in annotations:
        out += (escapeHtml(text[position:a.start]), _open_html(a.slug, a.number, a.href),
                escapeHtml(text[a.start:a.end]), _close_html(a.slug, a.number, a.summary))
        position = a.end
    out.append(escapeHtml(text[position:]))
    return "".join(out)


def annotate_pieces(pieces: Sequence[HtmlPiece], rules: "GlossaryRules", doc: "_DocumentState") -> list[str]:
    """The HTML of one inline block's pieces with its glossary terms annotated, as the token rule
    annotates an inline token: the same boundaries, sentence starts and choices."""
    if len(pieces) == 1:
        return [annotate_run(pieces[0].html, pieces[0].visible, rules, doc) if pieces[0].run else pieces[0].html]
    following = _following_text([piece.visible for piece in pieces])
    out: list[str] = []
    tail = ""
    for index, (piece_html, visible, run) in enumerate(pieces):
        out.append(annotate_run(piece_html, visible, rules, doc, tail, following[index + 1][:1])
                   if run else piece_html)
        tail = (tail + visible)[-_TAIL:]
    return out


def annotate_run(run_html: str, visible: str, rules: "GlossaryRules", doc: "_DocumentState",
                 tail: str = "", after: str = "") -> str:
    """One run of text (its HTML and what it reads) with its terms annotated; `tail` is the visible
    text before it in its block, `after` the character after it."""
    if not visible:
        return run_html
    matches = rules.matcher.find(visible, sentence_start=_run_starts_sentence(tail, visible),
                                 before=tail[-1:], after=after)
    annotations = _choose(matches, doc)
    return _annotated_html(visible, annotations) if annotations else run_html


@dataclass(frozen=True)
class GlossaryRules:
    """The glossary's matcher and terms, for the token rule and for annotating HTML."""

    matcher: Matcher
    terms: Mapping[str, Term]
    term_url: Callable[[str], str]
    mode: str = "first"
    urls: dict[str, str] = field(default_factory=dict, compare=False)   # term_url's, by slug

    def url(self, slug: str) -> str:
        """`term_url(slug)`, asked once a slug: every annotation of the term links there."""
        url = self.urls.get(slug)
        if url is None:
            url = self.urls[slug] = self.term_url(slug)
        return url

    def document(self, env: MutableMapping[str, Any]) -> "_DocumentState":
        """The state of one render; its choices land in `env` as the token rule leaves them."""
        doc = _DocumentState(self.mode, env.get("glossary_exclude"), self.terms, self.url)
        env["glossary_terms"] = doc.annotated
        env["glossary_counts"] = doc.counts
        return doc


def glossary_plugin(md: MarkdownIt, matcher: Matcher, terms: Mapping[str, Term], *,
                    term_url: Callable[[str], str], mode: str = "first") -> None:
    """Annotate glossary terms: each match links to `term_url(slug)` and shows the summary.

    `mode` "first" annotates a term's first occurrence in a document, "all" every one.
    The annotation tokens carry slug, number, href and summary in `meta`, so the
    render rules need nothing else. A term without summary shows its name.
    """
    if mode not in MODES:
        raise ValueError(f"glossary mode must be one of {', '.join(MODES)}, not {mode!r}")

    rules = GlossaryRules(matcher, terms, term_url, mode)

    def glossary_rule(state: StateCore) -> None:
        doc = rules.document(state.env)
        if not state.env.get("glossary_enabled", True):
            return
        in_heading = False
        for token in state.tokens:
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            elif token.type == "inline" and token.children and not in_heading:
                token.children = _annotate_inline(token.children, matcher, doc)

    md.core.ruler.push("glossary", glossary_rule)
    md.add_render_rule("glossary_open", _render_open)
    md.add_render_rule("glossary_close", _render_close)
