"""Jekyll's Liquid tags in a body: link, post_url, highlight, include and raw; any other is shown as written.

`{% link %}` and `{% post_url %}` become the page's URL (a `{{ site.baseurl }}`
before them goes: our URLs carry the base path); `{% highlight ruby %}…{%
endhighlight %}` a code block; `{% include x.html a="b" %}` renders
`_includes/x.html` as a Jinja template that sees `include.a`, `page` and
`site` (an include ending in `.md` is Markdown); `{% raw %}…{% endraw %}`
shows what is between as written. Output tags (`{{ page.title }}`) and
other statements (`{% if %}`) are not run: Liquid is not Jinja.
"""

from __future__ import annotations

import re
from typing import Any

from .arguments import ArgumentError, Variable, liquid_arguments
from .highlight import code_block, deindent, inline_code, jekyll_options
from .scanner import Scanner
from .templates import TemplateFailure

_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_ENDHIGHLIGHT = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
_BASE_BEFORE_LINK = re.compile(
    r"(?:\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\})+(?=\{%-?\s*(?:link|post_url)\s)")
_NAMED = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|\S+)""")


def tag(s: Scanner, start: int, end: int, inner: str) -> int:
    """Run the Liquid tag at body[start:end] (inner: the text between its delimiters)."""
    base = _BASE_BEFORE_LINK.match(s.body, start)
    if base is not None:
        # Jekyll 3 wrote `{{ site.baseurl }}{% link … %}`; our URLs already have the base.
        return base.end()
    if not s.body.startswith("{%", start):
        return s.leave(start, end, "liquid")   # an output tag: {{ page.title }}
    name, _, args = inner.partition(" ")
    if name == "raw" and not args.strip():
        return _raw(s, start, end)
    if name == "highlight":
        return _highlight(s, start, end, args)
    if name in ("link", "post_url"):
        target = args.strip().strip("\"'")
        if "{{" not in target:
            s.link(start, end, target, "jekyll")
            return end
    if name == "include":
        done = _include(s, start, end, args)
        if done is not None:
            return done
    return s.leave(start, end, "liquid")


def _raw(s: Scanner, start: int, end: int) -> int:
    """Unwrap {% raw %}…{% endraw %}: the inner text as written, not scanned."""
    for close in _ENDRAW.finditer(s.body, end):
        if s.code_range(close.start()) is None:
            s.emit(s.body[end:close.start()])
            return close.end()
    s.error(start, "'{% raw %}' is never closed by '{% endraw %}'")
    s.emit(s.body[end:])
    return len(s.body)


def _highlight(s: Scanner, start: int, end: int, args: str) -> int:
    """`{% highlight ruby linenos mark_lines="1 2" %}` … `{% endhighlight %}`: a code block."""
    close = _ENDHIGHLIGHT.search(s.body, end)   # code: no tag inside counts
    if close is None:
        return s.fail(start, end, f"'{s.body[start:end]}' is never closed by '{{% endhighlight %}}'")
    named = {key: value.strip("\"'") for key, value in _NAMED.findall(args)}
    words = _NAMED.sub(" ", args).split()
    language = words[0] if words else ""
    block = s.standalone(start, end) and s.standalone(close.start(), close.end())
    if block:
        first = s.body.find("\n", end) + 1
        last = s.body.rfind("\n", 0, close.start()) + 1
        code = deindent(s.body[first:last] if first <= last else "", s.indentation(start))
        html = code_block(code, jekyll_options(language, words[1:], named))
    else:
        html = inline_code(s.body[end:close.start()], language)
    s.fragment(html, start, close.end(), block)
    return close.end()


def _include(s: Scanner, start: int, end: int, args: str) -> int | None:
    """`{% include file.html key="value" %}` from the site's `_includes/`; None: not run (a computed name)."""
    file, _, rest = args.strip().partition(" ")
    if not file or "{" in file:
        return None
    s.consulted.add(f"_includes/{file}")
    templates = s.context.templates
    path = templates.include(file)
    if path is None:
        return s.leave(start, end, "liquid", hint=f"there is no file _includes/{file} in the site folder")
    text = s.body[start:end]
    try:
        params = {key: _value(s, value) for key, value in liquid_arguments(rest).items()}
        html = templates.render(path, {"include": params, "page": s.page_view, "site": s.site_view},
                                s.markdownify)
    except (ArgumentError, TemplateFailure) as exc:
        return s.fail(start, end, f"'{text}': {exc}")
    if file.lower().endswith((".md", ".markdown")):
        html = s.markdownify(html, block=s.standalone(start, end))
    s.fragment(html, start, end)
    return end


def _value(s: Scanner, value: Any) -> Any:
    """A parameter's value; an unquoted one names a variable (`page.title`, `site.x`; "" when unknown)."""
    if not isinstance(value, Variable):
        return value
    head, _, rest = value.name.partition(".")
    found = None
    if head == "page" and rest:
        found = s.page_view[rest] if rest not in ("url", "title") else getattr(s.page_view, rest)
    elif head == "site" and rest:
        found = s.site_view[rest] if rest not in ("title", "url", "baseurl") else getattr(s.site_view, rest)
    return "" if found is None else found   # Liquid's nil: prints nothing, loops over nothing
