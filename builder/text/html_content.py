"""Bodies of `.html` content files: HTML already, shown as written (as Hugo and Jekyll show them).

Such a body is not Markdown: it is neither parsed nor annotated with the
glossary, and its Liquid tags and shortcodes are not run (each is reported
once, with its line and column). Its plain text still feeds search and
related articles.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..content.model import RenderedBody

_TAG = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_SKIPPED = frozenset({"script", "style", "template", "noscript"})


class _TextOf(HTMLParser):
    """The visible text of an HTML fragment, with blocks kept apart by spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_body(text: str) -> RenderedBody:
    """An HTML body as it is, with its plain text."""
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    return RenderedBody(html=text, text=" ".join("".join(parser.parts).split()))


def template_tags(text: str, body_line: int) -> list[tuple[int, int, str]]:
    """(file line, column, message) for every Liquid tag or shortcode in an HTML body."""
    found = []
    for match in _TAG.finditer(text):
        before = text[:match.start()]
        line = body_line + before.count("\n")
        col = match.start() - before.rfind("\n")
        kind = "Hugo shortcode" if match.group().startswith(("{{<", "{{%")) else "template tag"
        shown = " ".join(match.group().split())
        found.append((line, col, f"{kind} '{shown}' is not executed in an .html content file; shown as written"))
    return found
