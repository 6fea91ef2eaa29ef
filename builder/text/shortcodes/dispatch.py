"""`preprocess`: a body's tags to their handlers, Hugo's shortcodes and Jekyll's Liquid tags."""

from __future__ import annotations

import re

from . import hugo, liquid
from .context import Context
from .scanner import Preprocessed, Scanner, literal

_OPENER = re.compile(r"\{[{%]")
_ESCAPED = re.compile(r"\{\{([<%])/\*(.*)\*/([>%])\}\}", re.DOTALL)


def preprocess(body: str, body_line: int, context: Context | None = None) -> Preprocessed:
    """Run, resolve or report every Liquid tag and Hugo shortcode in a Markdown body.

    body_line is the file line of body's first line: every position reported is
    in file coordinates. Line breaks are kept, so the result's lines match the file's.
    """
    if "{" not in body or not _OPENER.search(body):  # `in` on one char is a fast memchr
        return Preprocessed(body, [], [], (), ())
    return Scanner(body, body_line, context or Context(), handle).run()


def handle(s: Scanner, start: int, end: int, kind: str, inner: str) -> int:
    """One tag: the second half of a shortcode around Markdown, an escaped shortcode, or the rest."""
    if kind != "shortcode":
        return liquid.tag(s, start, end, inner)
    if start in s.pending:
        close_end, html, block = s.pending.pop(start)
        s.fragment(html, start, close_end, block)
        return close_end
    if inner.startswith("/*") and inner.endswith("*/"):
        # Hugo's way of writing a shortcode literally: {{</* x */>}} shows {{< x >}}.
        s.emit(literal(_ESCAPED.sub(lambda m: "{{" + m.group(1) + m.group(2) + m.group(3) + "}}",
                                    s.body[start:end])))
        return end
    return hugo.shortcode(s, start, end, inner)
