"""Code blocks from Hugo's `highlight` shortcode and Jekyll's `{% highlight %}` tag.

Without options the block is exactly what a fenced code block gives
(`<pre><code class="language-go">`), so the theme styles both alike. Line
numbers (`linenos`, Jekyll's `linenos`) and highlighted lines (`hl_lines`,
Jekyll's `mark_lines`) wrap each line in a span that the stylesheet numbers
with a CSS counter (numbers are not copied with the code); `linenostart`
starts the count elsewhere. Colouring by language is left to the theme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from markdown_it.common.utils import escapeHtml   # what a fenced block uses: the same bytes

_RANGE = re.compile(r"(\d+)(?:-(\d+))?")
_OPTION = re.compile(r"(\w+)\s*=\s*(\[[^\]]*\]|\"[^\"]*\"|[^,]*)")


@dataclass(frozen=True)
class CodeOptions:
    language: str = ""
    line_numbers: bool = False
    start: int = 1
    marked: frozenset[int] = frozenset()   # line numbers as shown (counting from `start`)


def hugo_options(language: str, options: str) -> CodeOptions:
    """`{{< highlight go "linenos=table,hl_lines=2 4-5,linenostart=10" >}}`."""
    found = {key.lower(): value.strip().strip('"') for key, value in _OPTION.findall(options)}
    start = int(found["linenostart"]) if found.get("linenostart", "").isdigit() else 1
    numbers = found.get("linenos", "false").lower() not in ("false", "")
    # Hugo counts hl_lines from the first line of the block, whatever linenostart says.
    marked = frozenset(n + start - 1 for n in line_set(found.get("hl_lines", "")))
    return CodeOptions(language, numbers, start, marked)


def jekyll_options(language: str, words: list[str], named: dict[str, str]) -> CodeOptions:
    """`{% highlight ruby linenos mark_lines="1 2" %}`."""
    return CodeOptions(language, "linenos" in words or "linenos" in named, 1,
                       frozenset(line_set(str(named.get("mark_lines", "")))))


def line_set(spec: str) -> set[int]:
    """"2 4-6" or "[2, \"4-6\"]" → {2, 4, 5, 6}."""
    found: set[int] = set()
    for match in _RANGE.finditer(spec):
        first = int(match.group(1))
        last = int(match.group(2) or first)
        found.update(range(first, min(last, first + 10_000) + 1))
    return found


def deindent(code: str, indent: str) -> str:
    """Each line without the indentation of the opening tag (Hugo's InnerDeindent)."""
    if not indent:
        return code
    return "".join(line[len(indent):] if line.startswith(indent) else line
                   for line in code.splitlines(keepends=True))


def code_block(code: str, options: CodeOptions) -> str:
    """The HTML of a code block: the code escaped, in `<pre><code class="language-…">`."""
    code = code.strip("\r\n")
    language = options.language.strip()
    attrs = f' class="language-{escape(language)}"' if language else ""
    if not code:
        return f"<pre><code{attrs}></code></pre>"
    if not options.line_numbers and not options.marked:
        return f"<pre><code{attrs}>{escapeHtml(code)}\n</code></pre>"
    lines = code.split("\n")
    spans = []
    for number, line in enumerate(lines, start=options.start):
        kind = "line hl" if number in options.marked else "line"
        spans.append(f'<span class="{kind}">{escapeHtml(line)}\n</span>')
    classes = "code-lines" + (" code-linenos" if options.line_numbers else "")
    counter = f' style="counter-reset: line {options.start - 1}"' if options.start != 1 else ""
    return f'<pre class="{classes}"{counter}><code{attrs}>{"".join(spans)}</code></pre>'


def inline_code(code: str, language: str) -> str:
    """A highlight that does not stand on lines of its own: inline code."""
    attrs = f' class="language-{escape(language)}"' if language else ""
    return f"<code{attrs}>{escapeHtml(code.strip())}</code>"
