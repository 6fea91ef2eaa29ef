"""Where a Markdown body has code: fenced and indented blocks, inline code spans (and raw HTML blocks).

Tags in code are shown as written, the way a reader of a tutorial expects;
only what Hugo and Jekyll themselves undo in code is undone there (see
`code_text`).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# Only the block structure is needed to find code; inline parsing would double the cost.
_BLOCK_PARSER = MarkdownIt("commonmark").disable(["inline", "text_join"])
_BACKTICKS = re.compile(r"`+")
_ESCAPE_OR_BACKTICKS = re.compile(r"\\.|`+", re.DOTALL)
# Hugo's way of showing a shortcode: {{</* x */>}} is shown as {{< x >}}, in code too.
_HUGO_ESCAPE = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)


def code_ranges(body: str, html: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sorted, disjoint [start, end) offsets of code blocks and inline code spans
    (and, into `html`, those of raw HTML blocks)."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)] + [len(body)]

    def offset(line: int) -> int:
        return line_starts[min(line, len(line_starts) - 1)]

    ranges: list[tuple[int, int]] = []
    for token in _BLOCK_PARSER.parse(body):
        if token.map is None:
            continue
        first, last = token.map
        if token.type in ("fence", "code_block"):
            ranges.append((offset(first), offset(last)))
        elif token.type == "html_block" and html is not None:
            html.append((offset(first), offset(last)))
        elif token.type == "inline":
            start = offset(first)
            ranges += [(start + a, start + b)
                       for a, b in code_spans(body[start:offset(last)])]
    ranges.sort()
    return ranges


def code_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of CommonMark code spans: a backtick run up to the next run as long."""
    spans: list[tuple[int, int]] = []
    if "`" not in text:
        return spans
    pos = 0
    while (run := _ESCAPE_OR_BACKTICKS.search(text, pos)) is not None:
        pos = run.end()
        if run.group().startswith("\\"):
            continue  # an escaped backtick opens nothing
        width = len(run.group())
        closing = next((m for m in _BACKTICKS.finditer(text, run.end())
                        if m.end() - m.start() == width), None)
        if closing is not None:
            spans.append((run.start(), closing.end()))
            pos = closing.end()
    return spans


def code_text(code: str) -> str:
    """A piece of code as Hugo or Jekyll would show it.

    Hugo shows `{{</* x */>}}` as `{{< x >}}` everywhere, code included; Jekyll
    runs Liquid before Markdown, so `{% raw %}…{% endraw %}` in a code block
    shows only what is between them. Everything else stays as written, and
    line breaks are kept.
    """
    if "{" not in code:
        return code
    code = _HUGO_ESCAPE.sub(lambda m: "{{" + m.group(1) + m.group(2) + m.group(3) + "}}", code)
    return _RAW.sub(lambda m: m.group(1), code)

