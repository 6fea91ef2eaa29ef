"""Liquid tags and Hugo shortcodes in Markdown bodies: resolved, unwrapped or shown as written.

We do not run Jekyll's Liquid or Hugo's shortcodes. `preprocess` resolves the
link tags (`{% link %}`, `{% post_url %}`, `{{< ref >}}`, `{{< relref >}}`) to our
URLs, unwraps `{% raw %}` blocks, turns `highlight` blocks into fenced code,
Hugo's `figure` into a Markdown image and its embeds (`youtube`, `vimeo`, `x`,
`instagram`, `gist`, and our `embed`) into privacy placeholders (see
`builder.text.embeds`), and leaves every other tag in the text, encoded so that
Markdown prints it literally, reporting it for one warning. Code (fenced and indented blocks,
inline code spans) is never touched.
"""

from __future__ import annotations

import bisect
import posixpath
import re
import string
from dataclasses import dataclass
from typing import Callable, Mapping

from markdown_it import MarkdownIt

from .embeds import embed_address

__all__ = ["PageIndex", "TemplateTag", "literal", "preprocess"]

Resolver = Callable[[str], str | None]
Error = tuple[int, int, str]


@dataclass(frozen=True)
class TemplateTag:
    """A Liquid tag or Hugo shortcode left in the text as written."""

    line: int   # 1-based file line of the tag's first character
    col: int    # 1-based column of the tag's first character
    text: str   # the tag as written
    kind: str   # "liquid" | "shortcode"

    @property
    def message(self) -> str:
        """The warning for this tag, e.g. "Liquid tag '{% include x.html %}' is not executed; …"."""
        what = "Liquid tag" if self.kind == "liquid" else "Hugo shortcode"
        return f"{what} '{' '.join(self.text.split())}' is not executed; shown as written"


# Openers, longest first: (opener, closer, kind).
_DELIMITERS = (("{{<", ">}}", "shortcode"), ("{{%", "%}}", "shortcode"),
               ("{{", "}}", "liquid"), ("{%", "%}", "liquid"))
_OPENER = re.compile(r"\{[{%]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_ENDHIGHLIGHT_LIQUID = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
_ENDHIGHLIGHT_HUGO = re.compile(r"\{\{<\s*/highlight\s*>\}\}")
_BASE_BEFORE_LINK = re.compile(
    r"(?:\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\})+(?=\{%-?\s*(?:link|post_url)\s)")
_ARG = re.compile(r"""(?:(\w+)=)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)""")
_PUNCTUATION = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
# Only the block structure is needed to find code; inline parsing would double the cost.
_BLOCK_PARSER = MarkdownIt("commonmark").disable(["inline", "text_join"])


def preprocess(body: str, body_line: int, resolve: Resolver
               ) -> tuple[str, list[TemplateTag], list[Error]]:
    """Resolve link tags, unwrap raw blocks and encode other tags in a Markdown body.

    Returns (new body, tags left as written, errors as (line, col, message)),
    located in file coordinates: body_line is the file line of body's first line.
    Line breaks are preserved, so line numbers of the result match the input.
    """
    if "{" not in body or not _OPENER.search(body):  # `in` on one char is a fast memchr
        return body, [], []
    return _Scanner(body, body_line, resolve).run()


def literal(text: str) -> str:
    """Text that Markdown (and HTML) shows exactly as written.

    ASCII punctuation becomes numeric character references: markdown-it
    decodes them in text and link destinations (and they are exempt from
    emphasis, typographer and block structure), browsers decode them inside
    raw HTML. Backslash escapes would show up verbatim in raw HTML.
    """
    return text.translate(_PUNCTUATION)


class _Scanner:
    """One pass over a body; collects output pieces, tags and errors."""

    def __init__(self, body: str, body_line: int, resolve: Resolver) -> None:
        self.body = body
        self.body_line = body_line
        self.resolve = resolve
        self.html: list[tuple[int, int]] = []   # raw HTML blocks: built-ins stay as written there
        self.code = _code_ranges(body, self.html)
        self.code_starts = [start for start, _ in self.code]
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self.out: list[str] = []
        self.tags: list[TemplateTag] = []
        self.errors: list[Error] = []
        self.found: dict[str, int] = {}  # cache for _next / _next_blank_line

    def run(self) -> tuple[str, list[TemplateTag], list[Error]]:
        body, pos, copied = self.body, 0, 0
        while (match := _OPENER.search(body, pos)) is not None:
            start = match.start()
            code_end = self._code_end(start)
            if code_end is not None:
                pos = code_end
                continue
            found = self._tag_at(start)
            if found is None:
                pos = start + 1
                continue
            end, kind, inner = found
            self.out.append(body[copied:start])
            pos = copied = self._handle(start, end, kind, inner)
        self.out.append(body[copied:])
        return "".join(self.out), self.tags, self.errors

    # -- finding tags -------------------------------------------------------

    def _code_end(self, pos: int) -> int | None:
        """End of the code range containing pos, or None when pos is not code."""
        i = bisect.bisect_right(self.code_starts, pos) - 1
        if i >= 0 and pos < self.code[i][1]:
            return self.code[i][1]
        return None

    def _overlaps_code(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.code_starts, end) - 1
        return i >= 0 and self.code[i][1] > start

    def _tag_at(self, start: int) -> tuple[int, str, str] | None:
        """(end, kind, inner text) of the tag opening at start, or None."""
        for opener, closer, kind in _DELIMITERS:
            if self.body.startswith(opener, start):
                close = self._next(closer, start + len(opener))
                if close < 0 or close > self._next_blank_line(start):
                    return None  # unclosed, or closed only after a blank line
                end = close + len(closer)
                if self._overlaps_code(start, end):
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

    def _position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return self.body_line + index, offset - self.line_starts[index] + 1

    # -- handling them ------------------------------------------------------

    def _handle(self, start: int, end: int, kind: str, inner: str) -> int:
        """Emit the replacement for body[start:end]; return where copying resumes."""
        text = self.body[start:end]
        name, args = (inner.split(None, 1) + [""])[:2]
        opened_as = text[:3]
        statement = text.startswith("{%")  # a Liquid tag, not a {{ … }} output
        base = _BASE_BEFORE_LINK.match(self.body, start)
        if base is not None:
            # Jekyll 3 wrote `{{ site.baseurl }}{% link … %}`; our URLs already have the base.
            return base.end()
        if statement and name == "raw" and not args.strip():
            return self._raw(start, end)
        if name == "highlight" and (statement or opened_as == "{{<"):
            resumed = self._highlight(start, end, args)
            if resumed is not None:
                return resumed
        if statement and name in ("link", "post_url"):
            target = args.strip().strip("\"'")
            if "{{" not in target:
                self._link(start, text, target)
                return end
        if kind == "shortcode" and name in ("ref", "relref"):
            self._link(start, text, _shortcode_target(args))
            return end
        if (kind == "shortcode" and opened_as == "{{<" and name in BUILT_IN
                and not any(a <= start < b for a, b in self.html)):
            image = _built_in(name, args)
            if image is not None:
                self.out.append(image + "\n" * text.count("\n"))   # lines still match the file
                return end
        if kind == "shortcode" and inner.startswith("/*") and inner.endswith("*/"):
            # Hugo's way of writing a shortcode literally: {{</* x */>}} shows {{< x >}}.
            closer = ">}}" if opened_as == "{{<" else "%}}"
            self.out.append(literal(f"{opened_as} {inner[2:-2].strip()} {closer}"))
            return end
        line, col = self._position(start)
        self.tags.append(TemplateTag(line, col, text, kind))
        self.out.append(literal(text))
        return end

    def _raw(self, start: int, end: int) -> int:
        """Unwrap {% raw %}…{% endraw %}: the inner text as written, not scanned."""
        for close in _ENDRAW.finditer(self.body, end):
            if self._code_end(close.start()) is None:
                self.out.append(self.body[end:close.start()])
                return close.end()
        line, col = self._position(start)
        self.errors.append((line, col, "'{% raw %}' is never closed by '{% endraw %}'"))
        self.out.append(self.body[end:])
        return len(self.body)

    def _highlight(self, start: int, end: int, args: str) -> int | None:
        """A highlight block on lines of its own becomes a fenced code block.

        `{% highlight ruby %}…{% endhighlight %}` (Jekyll) and
        `{{< highlight go >}}…{{< /highlight >}}` (Hugo) are code; a fence shows
        them as such. Returns where copying resumes, or None when the tags do
        not stand alone on their lines (then they are ordinary tags).
        """
        body = self.body
        line_start = body.rfind("\n", 0, start) + 1
        indent = body[line_start:start]
        if indent.strip() or not _rest_of_line_blank(body, end):
            return None
        closer = _ENDHIGHLIGHT_LIQUID if body.startswith("{%", start) else _ENDHIGHLIGHT_HUGO
        close = closer.search(body, end)
        if close is None or not _rest_of_line_blank(body, close.end()):
            return None
        close_line_start = body.rfind("\n", 0, close.start()) + 1
        close_indent = body[close_line_start:close.start()]
        if close_indent.strip():
            return None
        code = body[body.index("\n", end) + 1:close_line_start]
        fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(code))])
        language = (args.split() or [""])[0].strip("\"'")
        self.out.append(f"{fence}{language}\n{code}{close_indent}{fence}")  # indent already copied
        return close.end()

    def _link(self, start: int, text: str, target: str) -> None:
        """Replace a link tag by the target page's URL (anchor kept), or report it."""
        path, hash_, anchor = target.partition("#")
        url: str | None
        if not path and anchor:
            url = ""  # Hugo: {{< ref "#abschnitt" >}} is an anchor on this page
        else:
            url = self.resolve(path) if path else None
        if url is None:
            line, col = self._position(start)
            problem = "points to a page that does not exist" if path else "names no page"
            self.errors.append((line, col, f"'{text}' {problem}"))
            self.out.append(literal(text))
            return
        self.out.append(url + hash_ + anchor)


BUILT_IN = frozenset({"figure", "youtube", "vimeo", "x", "twitter", "tweet", "instagram", "gist", "embed"})
_POSITIONAL = {"youtube": ("id",), "vimeo": ("id",), "instagram": ("id",), "tweet": ("id",),
               "gist": ("user", "id"), "x": ("user", "id"), "twitter": ("user", "id")}


def _built_in(name: str, args: str) -> str | None:
    """Hugo's built-in `figure` and embed shortcodes as a Markdown image: a photo, or an
    `embed:` address that `builder.text.embeds` renders as a privacy placeholder."""
    named: dict[str, str] = {}
    positional: list[str] = []
    for key, value in _ARG.findall(args):
        value = value[1:-1] if value[:1] in "\"`" else value
        if key:
            named[key] = value
        else:
            positional.append(value)
    for key, value in zip(_POSITIONAL.get(name, ()), positional):
        named.setdefault(key, value)
    if name == "figure":
        src = named.get("src", "")
        if not src:
            return None
        caption = named.get("caption") or named.get("title") or ""
        credit = named.get("attr", "")
        title = f' "{literal(caption)}"' if caption else ""
        attrs = f'{{credit="{literal(credit)}"}}' if credit else ""
        return f"![{literal(named.get('alt', ''))}](<{src}>{title}){attrs}"
    address = embed_address(name, named)
    if address is None:
        return None
    return f"![{literal(named.get('title', ''))}](<{address}>)"


def _rest_of_line_blank(body: str, pos: int) -> bool:
    """Whether only blanks follow pos up to the line's end (and there is a line end)."""
    newline = body.find("\n", pos)
    return newline >= 0 and not body[pos:newline].strip()


def _shortcode_target(args: str) -> str:
    """The page a ref/relref names: its `path=` argument or first positional one."""
    positional: list[str] = []
    for match in _ARG.finditer(args):
        name, value = match.group(1), match.group(2)
        if value[:1] in "\"`" and len(value) >= 2:
            value = value[1:-1]
        if name == "path":
            return value
        if name is None:
            positional.append(value)
    return positional[0] if positional else ""


# ---------------------------------------------------------------------------
# Finding the page a link tag names

_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-(.+)$")
_SUFFIXES = (".md", ".markdown")


class PageIndex:
    """Finds a page by what Jekyll and Hugo link tags name (pure: built from a mapping).

    url_of_source maps source paths relative to the site folder
    ("content/articles/2022-01-21-genf.md") to page URLs. A target matches, in
    this order: a path relative to the linking file, to `content/` or to the
    site folder; Jekyll's `_posts/<name>`; a file name; a file stem (a bundle's
    `x/index.md` counts as `x`); a Jekyll post name with or without its date.
    Names that fit several pages match none (Hugo calls such refs ambiguous).
    """

    def __init__(self, url_of_source: Mapping[str, str], content_dir: str = "content") -> None:
        self.urls = dict(url_of_source)
        self.content_dir = content_dir
        self.by_name: dict[str, str | None] = {}
        for source in sorted(self.urls):
            folder, name = posixpath.split(source)
            stem, suffix = posixpath.splitext(name)
            if stem in ("index", "_index") and suffix in _SUFFIXES:
                stem = posixpath.basename(folder)  # Hugo page bundle: the folder names the page
            undated = _DATED.match(stem)
            keys = {name, stem, *((undated.group(1),) if undated else ())}
            for key in keys:
                self.by_name[key] = None if key in self.by_name else source

    def resolve(self, target: str, source: str | None = None) -> str | None:
        """The URL of the page target names (anchor not included), or None."""
        target = target.strip()
        if not target:
            return None
        relative = target.lstrip("/")
        candidates = [posixpath.join(self.content_dir, relative), relative]
        if source is not None and not target.startswith("/"):
            candidates.insert(0, posixpath.join(posixpath.dirname(source), target))
        for candidate in candidates:
            candidate = posixpath.normpath(candidate)
            for path in (candidate, *(candidate + s for s in _SUFFIXES)):
                if path in self.urls:
                    return self.urls[path]
        name = posixpath.basename(relative.removeprefix("_posts/"))
        stem = posixpath.splitext(name)[0] if name.endswith(_SUFFIXES) else name
        for key in (name, stem, *((m.group(1),) if (m := _DATED.match(stem)) else ())):
            found = self.by_name.get(key)
            if found is not None:
                return self.urls[found]
            if key in self.by_name:
                return None  # ambiguous
        return None


# ---------------------------------------------------------------------------
# Where the code is

def _code_ranges(body: str, html: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
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
                       for a, b in _code_spans(body[start:offset(last)])]
    ranges.sort()
    return ranges


_BACKTICKS = re.compile(r"`+")
_ESCAPE_OR_BACKTICKS = re.compile(r"\\.|`+", re.DOTALL)


def _code_spans(text: str) -> list[tuple[int, int]]:
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
