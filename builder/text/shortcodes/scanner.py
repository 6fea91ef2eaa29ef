"""One pass over a Markdown body: find each Liquid tag and Hugo shortcode, and hand it to its handler.

Code (fenced and indented blocks, inline code spans) is shown as written,
except for what Hugo and Jekyll undo there too (`code.code_text`). A tag may
not span a blank line. Handlers (`builder.text.shortcodes.hugo`, `.liquid`)
write Markdown to `out` or a placeholder for HTML (`fragment`); a tag nobody
handles is reported and shown as written (`leave`). Line breaks are kept, so
the lines of the result match the file's.
"""

from __future__ import annotations

import bisect
import re
import string
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, NamedTuple

from .code import code_ranges, code_text
from .context import Context, PageView, SiteView
from .fragments import FILLER, Fragment, placeholder

Error = tuple[int, int, str]   # (file line, column, message)
# handle(scanner, start, end, kind, inner) → where copying resumes (at least end)
Handler = Callable[["Scanner", int, int, str, str], int]

_OPENER = re.compile(r"\{[{%]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_PUNCTUATION = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
# Openers, longest first: (opener, closer, kind).
_DELIMITERS = (("{{<", ">}}", "shortcode"), ("{{%", "%}}", "shortcode"),
               ("{{", "}}", "liquid"), ("{%", "%}", "liquid"))


@dataclass(frozen=True)
class TemplateTag:
    """A Liquid tag or Hugo shortcode left in the text as written."""

    line: int   # 1-based file line of the tag's first character
    col: int    # 1-based column of the tag's first character
    text: str   # the tag as written
    kind: str   # "liquid" | "shortcode"
    hint: str | None = None

    @property
    def message(self) -> str:
        """The warning for this tag, e.g. "Liquid tag '{% include x.html %}' is not executed; …"."""
        what = "Liquid tag" if self.kind == "liquid" else "Hugo shortcode"
        return f"{what} '{' '.join(self.text.split())}' is not executed; shown as written"


class Preprocessed(NamedTuple):
    """A body ready for Markdown, and what preprocessing found."""

    text: str                          # the Markdown, with placeholders for shortcode HTML
    tags: list[TemplateTag]            # tags left as written (warnings)
    errors: list[Error]                # located in file coordinates
    fragments: tuple[Fragment, ...]    # the HTML of the placeholders, for env["fragments"]
    templates: tuple[str, ...]         # site paths of the templates the body used or looked for


def literal(text: str) -> str:
    """Text that Markdown (and HTML) shows exactly as written.

    ASCII punctuation becomes numeric character references: markdown-it
    decodes them in text and link destinations (and they are exempt from
    emphasis, typographer and block structure), browsers decode them inside
    raw HTML. Backslash escapes would show up verbatim in raw HTML.
    """
    return text.translate(_PUNCTUATION)


class Scanner:
    """The state of one pass: output pieces, reports, fragments, closing tags still to come."""

    def __init__(self, body: str, body_line: int, context: Context, handle: Handler) -> None:
        self.handle = handle
        self.body = body
        self.body_line = body_line
        self.context = context
        self.html: list[tuple[int, int]] = []   # raw HTML blocks
        self.code = code_ranges(body, self.html)
        self.code_starts = [start for start, _ in self.code]
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self.out: list[str] = []
        self.tags: list[TemplateTag] = []
        self.errors: list[Error] = []
        self.fragments: list[Fragment] = []
        self.pending: dict[int, tuple[int, str, bool]] = {}   # closing tag start → (end, HTML, block)
        self.consulted: set[str] = set()
        self.found: dict[str, int] = {}   # cache for _next / _next_blank_line
        self.ordinal = 0

    def run(self) -> Preprocessed:
        text = self.scan(0, len(self.body))
        for start in sorted(self.pending):
            self.error(start, "this closing tag belongs to a shortcode whose content ends elsewhere")
        return Preprocessed(text, self.tags, self.errors, tuple(self.fragments), tuple(sorted(self.consulted)))

    def scan(self, begin: int, stop: int) -> str:
        """The Markdown for body[begin:stop], every tag in it handled."""
        body, saved, self.out = self.body, self.out, []
        pos = copied = begin
        while (match := _OPENER.search(body, pos, stop)) is not None:
            start = match.start()
            code = self.code_range(start)
            if code is not None:
                first, last = max(code[0], copied), min(code[1], stop)
                shown = code_text(body[first:last])
                if shown != body[first:last]:
                    self.out += [body[copied:first], shown]
                    copied = last
                pos = last
                continue
            found = self.tag_at(start, stop)
            if found is None:
                pos = start + 1
                continue
            end, kind, inner = found
            self.out.append(body[copied:start])
            pos = copied = max(self.handle(self, start, end, kind, inner), end)
        self.out.append(body[copied:stop])
        text, self.out = "".join(self.out), saved
        return text

    # -- finding tags -------------------------------------------------------

    def code_range(self, pos: int) -> tuple[int, int] | None:
        """The code range containing pos, or None when pos is not code."""
        i = bisect.bisect_right(self.code_starts, pos) - 1
        if i >= 0 and pos < self.code[i][1]:
            return self.code[i]
        return None

    def overlaps_code(self, start: int, end: int) -> bool:
        """Whether code holds part of body[start:end]; a code span wholly inside it is a backquoted
        parameter (Hugo reads shortcodes before Markdown), not code."""
        i = bisect.bisect_left(self.code_starts, end) - 1
        while i >= 0 and self.code[i][1] > start:
            first, last = self.code[i]
            if first <= start or last >= end:
                return True
            i -= 1
        return False

    def in_html_block(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.html)

    def tag_at(self, start: int, stop: int | None = None, remember: bool = True) -> tuple[int, str, str] | None:
        """(end, kind, inner text) of the tag opening at start, or None.

        `remember=False` for looking ahead: the remembered positions assume a scan that only moves on.
        """
        stop = len(self.body) if stop is None else stop
        for opener, closer, kind in _DELIMITERS:
            if self.body.startswith(opener, start):
                if remember:
                    close, blank = self._next(closer, start + len(opener)), self._next_blank_line(start)
                else:
                    close = self.body.find(closer, start + len(opener))
                    match = _BLANK_LINE.search(self.body, start)
                    blank = match.start() if match else len(self.body)
                if close < 0 or close > blank or close + len(closer) > stop:
                    return None  # unclosed, or closed only after a blank line
                end = close + len(closer)
                if self.overlaps_code(start, end):
                    return None
                inner = self.body[start + len(opener):close]
                if kind == "liquid":
                    inner = inner.removeprefix("-").removesuffix("-")
                return end, kind, inner.strip()
        return None

    def _next(self, needle: str, pos: int) -> int:
        """body.find(needle, pos), remembered: scanning only moves forward, so a
        body full of unclosed braces still costs linear time."""
        found = self.found.get(needle)
        if found is None or (0 <= found < pos):
            found = self.found[needle] = self.body.find(needle, pos)
        return found if found < 0 or found >= pos else -1

    def _next_blank_line(self, pos: int) -> int:
        found = self.found.get("")
        if found is None or found < pos:
            match = _BLANK_LINE.search(self.body, pos)
            found = self.found[""] = match.start() if match else len(self.body)
        return found

    def position(self, offset: int) -> tuple[int, int]:
        """(file line, column) of an offset in the body."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return self.body_line + index, offset - self.line_starts[index] + 1

    def standalone(self, start: int, end: int) -> bool:
        """Whether body[start:end] has its lines to itself (blanks around it are fine)."""
        line_start = self.body.rfind("\n", 0, start) + 1
        newline = self.body.find("\n", end)
        rest = self.body[end:] if newline < 0 else self.body[end:newline]
        return not self.body[line_start:start].strip() and not rest.strip()

    def indentation(self, start: int) -> str:
        """The blanks before start on its line ("" when something else precedes it)."""
        before = self.body[self.body.rfind("\n", 0, start) + 1:start]
        return before if not before.strip() else ""

    def blank_line_between(self, start: int, end: int) -> bool:
        return _BLANK_LINE.search(self.body, start, end) is not None

    @cached_property
    def page_view(self) -> PageView:
        return PageView(self.context)

    @cached_property
    def site_view(self) -> SiteView:
        return SiteView(self.context.templates)

    # -- writing results ----------------------------------------------------

    def emit(self, markdown: str) -> None:
        self.out.append(markdown)

    def emit_lines(self, markdown: str, start: int, end: int) -> None:
        """Markdown (one line) standing in for body[start:end], padded to as many lines."""
        lines = self.body.count("\n", start, end)
        self.out.append(markdown + ("\n" * lines if self.standalone(start, end) else ("\n" + FILLER) * lines))

    def link(self, start: int, end: int, target: str, style: str, absolute: bool = False) -> None:
        """The URL of the page a link tag names (its anchor kept), or an error at the tag."""
        text = self.body[start:end]
        path, hash_, anchor = target.partition("#")
        url: str | None
        if not path and anchor:
            url = ""  # Hugo: {{< ref "#abschnitt" >}} is an anchor on this page
        else:
            try:
                url = self.context.resolve(path, style) if path.strip() else None
            except LookupError as exc:
                self.fail(start, end, f"'{text}' is ambiguous: {exc.args[0]}")
                return
        if url is None:
            problem = "points to a page that does not exist" if path.strip() else "names no page"
            self.fail(start, end, f"'{text}' {problem}")
            return
        if absolute and url:
            url = self.context.absolute(url)
        self.out.append(url + hash_ + anchor)

    def fragment(self, html: str, start: int, end: int, block: bool | None = None) -> None:
        """Stand body[start:end] in for by this HTML: a block when it has its lines to itself.

        Right after "](" (a link's destination) the output is written as text instead.
        """
        if self.body[max(0, start - 2):start] == "](":
            self.out.append(html.strip())
            return
        if block is None:
            block = self.standalone(start, end)
        found = Fragment(html, block, self.body.count("\n", start, end))
        self.fragments.append(found)
        self.out.append(placeholder(len(self.fragments) - 1, found))

    def leave(self, start: int, end: int, kind: str, hint: str | None = None) -> int:
        """Report a tag nobody runs and show it as written."""
        line, col = self.position(start)
        text = self.body[start:end]
        self.tags.append(TemplateTag(line, col, text, kind, hint))
        self.out.append(literal(text))
        return end

    def error(self, start: int, message: str) -> None:
        line, col = self.position(start)
        self.errors.append((line, col, message))

    def fail(self, start: int, end: int, message: str) -> int:
        """An error at the tag; the tag is shown as written."""
        self.error(start, message)
        self.out.append(literal(self.body[start:end]))
        return end

    def markdownify(self, text: str, block: bool = True) -> str:
        """Markdown rendered on its own (no glossary notes), as Hugo's `markdownify`; a single
        paragraph loses its `<p>` unless `block`."""
        md = self.context.markdown
        if md is None:
            from html import escape
            return escape(text)
        env = {"fragments": self.fragments, "glossary_enabled": False, "docId": f"s{len(self.fragments)}"}
        html = md.render(text, env).strip()
        if not block and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return html
