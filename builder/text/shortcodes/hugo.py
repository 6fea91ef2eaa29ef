"""Hugo's shortcodes: the site's own templates first (as in Hugo, they override), then Hugo's built-in ones.

Built in: `figure` and the embeds (`youtube`, `vimeo`, `x`/`twitter`/`tweet`,
`instagram`, `gist`, our `embed`) become Markdown images, so that the image
pipeline and the privacy placeholders of `builder.text.embeds` render them;
`highlight` a code block; `details` a `<details>` around its Markdown;
`param` a front matter value (or a site param from `extra:`); `ref` and
`relref` the URL of the page they name (absolute and relative, as Hugo's);
`comment` nothing.

A shortcode whose template uses `inner` has a closing tag, as in Hugo. With
`{{% %}}` its inner content is Markdown, rendered in place when the opening
and closing tags both stand on lines of their own (or both inside one
paragraph) and the template shows `inner` once; otherwise rendered apart.
With `{{< >}}` `inner` is the text as written, its shortcodes run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any, Callable

from markupsafe import Markup

from ..embeds import embed_address
from .arguments import ArgumentError, Arguments, hugo_arguments, text
from .highlight import code_block, deindent, hugo_options, inline_code
from .scanner import Scanner, literal
from .templates import MARKER, HtmlInner, RawInner, TemplateFailure

_SHORTCODE_OPEN = re.compile(r"\{\{[<%]")
_SELF_CLOSING = re.compile(r"(?:^|\s)/$")
_END_HIGHLIGHT = re.compile(r"\{\{([<%])\s*/\s*highlight\s*([>%])\}\}")
_POSITIONAL = {"youtube": ("id",), "vimeo": ("id",), "instagram": ("id",), "tweet": ("id",),
               "vimeo_simple": ("id",), "instagram_simple": ("id",),
               "gist": ("user", "id", "file"), "x": ("user", "id"), "twitter": ("user", "id"),
               "twitter_simple": ("user", "id")}


@dataclass(frozen=True)
class Call:
    """One shortcode as written: `{{< name params >}}` or `{{% name params %}}`."""

    name: str
    args: Arguments
    markup: str          # "<" or "%"
    start: int
    end: int
    text: str
    self_closing: bool   # {{< name />}}

    def closing(self) -> str:
        return f"{{{{{self.markup} /{self.name} {'>' if self.markup == '<' else '%'}}}}}"


def shortcode(s: Scanner, start: int, end: int, inner: str) -> int:
    """Run the shortcode at body[start:end] (inner: the text between its delimiters)."""
    text_ = s.body[start:end]
    self_closing = _SELF_CLOSING.search(inner) is not None   # {{< x />}}; not {{< x https://a/ >}}
    words = (inner[:-1] if self_closing else inner).split(None, 1)
    if not words:
        return s.leave(start, end, "shortcode")
    name, rest = words[0], (words[1] if len(words) > 1 else "")
    if name.startswith("/"):   # {{< /name >}}, also written {{</ name >}}
        closed = (name[1:] or rest).split()[0] if (name[1:] or rest).split() else ""
        known = closed in BUILT_IN or s.context.templates.shortcode(closed) is not None
        return s.leave(start, end, "shortcode", hint="a closing tag without its opening tag" if known else None)
    s.consulted.update(f"layouts/{folder}/{name}.html" for folder in ("shortcodes", "_shortcodes"))
    try:
        args = hugo_arguments(rest)
    except ArgumentError as exc:
        return s.fail(start, end, f"'{text_}' {exc}")
    call = Call(name, args, text_[2], start, end, text_, self_closing)
    path = s.context.templates.shortcode(name)
    if path is not None:
        return _site_shortcode(s, call, path)
    handler = BUILT_IN.get(name)
    if handler is None:
        return s.leave(start, end, "shortcode", hint=f"write layouts/shortcodes/{name}.html (a Jinja template) "
                       "to run it; see the README's 'Shortcodes'")
    done = handler(s, call)
    return done if done is not None else s.leave(start, end, "shortcode")


def find_closer(s: Scanner, call: Call) -> tuple[int, int] | None:
    """Where the closing tag of call is (same-named shortcodes in between nest), or None."""
    depth, pos = 1, call.end
    while (match := _SHORTCODE_OPEN.search(s.body, pos)) is not None:
        code = s.code_range(match.start())
        if code is not None:
            pos = code[1]
            continue
        found = s.tag_at(match.start(), remember=False)
        if found is None:
            pos = match.start() + 1
            continue
        end, _, inner = found
        pos = end
        if inner.startswith("/*"):
            continue
        words = inner.lstrip("/").split()
        if not words or words[0] != call.name:
            continue
        if inner.startswith("/"):
            depth -= 1
            if depth == 0:
                return match.start(), end
        elif _SELF_CLOSING.search(inner) is None:
            depth += 1
    return None


def in_place(s: Scanner, call: Call, close: tuple[int, int], render: Callable[[Markup], str]) -> int:
    """A shortcode around Markdown: its HTML before and after the inner content, which stays in
    the body (lines, glossary notes, links as everywhere else); or, where that cannot be, the
    inner content rendered apart and the whole shortcode one piece of HTML."""
    cs, ce = close
    opener_block, closer_block = s.standalone(call.start, call.end), s.standalone(cs, ce)
    if (opener_block == closer_block and (opener_block or not s.blank_line_between(call.end, cs))
            and not s.in_html_block(call.start)):
        html = render(HtmlInner(MARKER))
        if html.count(MARKER) == 1:
            before, after = html.split(MARKER)
            s.fragment(before, call.start, call.end, opener_block)
            s.pending[cs] = (ce, after, closer_block)
            return call.end
    inner = s.scan(call.end, cs)
    return _around(s, call, close, lambda text: render(HtmlInner(s.markdownify(text, block=opener_block))), inner)


def _never_closed(s: Scanner, call: Call) -> int:
    return s.fail(call.start, call.end, f"'{call.text}' is never closed by '{call.closing()}' "
                  f"(or written self-closing: {{{{{call.markup} {call.name} /{call.markup}}}}})")


def _site_shortcode(s: Scanner, call: Call, path: str) -> int:
    templates = s.context.templates
    line, col = s.position(call.start)
    s.ordinal += 1
    variables = {"name": call.name, "params": call.args.params, "get": call.args.get,
                 "is_named_params": call.args.is_named, "ordinal": s.ordinal - 1,
                 "position": f"{s.context.source}:{line}:{col}", "page": s.page_view, "site": s.site_view}

    def render(inner: Markup) -> str:
        return templates.render(path, {**variables, "inner": inner}, s.markdownify)

    try:
        if call.self_closing or not templates.takes_inner(path):
            s.fragment(render(RawInner("")), call.start, call.end)
            return call.end
        close = find_closer(s, call)
        if close is None:
            return _never_closed(s, call)
        if call.markup == "%":
            return in_place(s, call, close, render)
    except TemplateFailure as exc:
        return _failed(s, call, f"shortcode '{call.name}': {exc}")
    return _around(s, call, close, lambda inner: render(RawInner(inner)), s.scan(call.end, close[0]))


def _around(s: Scanner, call: Call, close: tuple[int, int], render: Callable[[str], str], inner: str) -> int:
    """The whole shortcode, its inner content already scanned, as one piece of HTML."""
    try:
        s.fragment(render(inner), call.start, close[1])
    except TemplateFailure as exc:
        s.error(call.start, f"shortcode '{call.name}': {exc}")
        s.emit(literal(call.text) + inner + literal(s.body[close[0]:close[1]]))
    return close[1]


def _failed(s: Scanner, call: Call, message: str) -> int:
    """A template that failed: an error at the tag; the tags (and what is between them) as written."""
    s.error(call.start, message)
    close = None if call.self_closing else find_closer(s, call)
    if close is None:
        s.emit(literal(call.text))
        return call.end
    s.emit(literal(call.text) + s.scan(call.end, close[0]) + literal(s.body[close[0]:close[1]]))
    return close[1]


# -- built in ------------------------------------------------------------------

def _markdown_image(s: Scanner, call: Call) -> int | None:
    """figure and the embeds: a Markdown image (an `embed:` address for embeds), on the tag's lines."""
    if s.in_html_block(call.start):
        return None   # Markdown images do not work inside raw HTML
    named = {key: text(value) for key, value in call.args.named}
    for key, value in zip(_POSITIONAL.get(call.name, ()), call.args.positional):
        named.setdefault(key, text(value))
    image = _figure(named) if call.name == "figure" else _embed(call.name, named)
    if image is None:
        return None
    s.emit_lines(image, call.start, call.end)
    return call.end


def _figure(named: dict[str, str]) -> str | None:
    src = named.get("src", "")
    if not src:
        return None
    caption = named.get("caption") or named.get("title") or ""
    credit = named.get("attr", "")
    title = f' "{literal(caption)}"' if caption else ""
    attrs = f'{{credit="{literal(credit)}"}}' if credit else ""
    image = f"![{literal(named.get('alt', ''))}](<{src}>{title}){attrs}"
    link = named.get("link", "")
    return f"[{image}](<{link}>)" if link else image


def _embed(name: str, named: dict[str, str]) -> str | None:
    address = embed_address(name, named)
    return None if address is None else f"![{literal(named.get('title', ''))}](<{address}>)"


def _highlight(s: Scanner, call: Call) -> int | None:
    close = _END_HIGHLIGHT.search(s.body, call.end)   # code: no tag inside counts
    if close is None:
        return _never_closed(s, call)
    language, options = call.args.value(0, "lang"), call.args.value(1, "options")
    block = s.standalone(call.start, call.end) and s.standalone(close.start(), close.end())
    if block:
        first = s.body.find("\n", call.end) + 1
        last = s.body.rfind("\n", 0, close.start()) + 1
        code = deindent(s.body[first:last] if first <= last else "", s.indentation(call.start))
        html = code_block(code, hugo_options(language, options))
    else:
        html = inline_code(s.body[call.end:close.start()], language)
    s.fragment(html, call.start, close.end(), block)
    return close.end()


def _details(s: Scanner, call: Call) -> int | None:
    close = find_closer(s, call)
    if close is None:
        return _never_closed(s, call)
    a = call.args
    attrs = "".join(f' {key}="{escape(a.value(key))}"' for key in ("class", "name") if a.value(key))
    if a.get("open") in (True, "true", 1):
        attrs += " open"
    if a.value("title"):
        attrs += f' title="{escape(a.value("title"))}"'
    summary = s.markdownify(a.value("summary", default="Details"), block=False)
    return in_place(s, call, close,
                    lambda inner: f"<details{attrs}>\n<summary>{summary}</summary>\n{inner}\n</details>")


def _comment(s: Scanner, call: Call) -> int | None:
    if call.self_closing:
        s.fragment("", call.start, call.end)
        return call.end
    close = find_closer(s, call)
    if close is None:
        return _never_closed(s, call)
    s.fragment("", call.start, close[1])
    return close[1]


def _param(s: Scanner, call: Call) -> int | None:
    key = call.args.value(0)
    if not key:
        return s.fail(call.start, call.end, f"'{call.text}' names no parameter")
    value = s.page_view.param(key)
    if value is None:
        return s.fail(call.start, call.end, f"'{call.text}': '{key}' is neither in the front matter "
                      "nor under 'extra:' in config.yaml")
    s.emit_lines(literal(_shown(value)), call.start, call.end)
    return call.end


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, datetime):
        return value.isoformat()
    return text(value)


def _ref(s: Scanner, call: Call) -> int | None:
    s.link(call.start, call.end, call.args.value("path", 0), "hugo", absolute=call.name == "ref")
    return call.end


BUILT_IN: dict[str, Callable[[Scanner, Call], int | None]] = {
    **{name: _markdown_image for name in ("figure", "youtube", "vimeo", "x", "twitter", "tweet", "instagram",
                                          "gist", "embed", "vimeo_simple", "twitter_simple", "instagram_simple")},
    "highlight": _highlight, "details": _details, "comment": _comment, "param": _param,
    "ref": _ref, "relref": _ref,
}
