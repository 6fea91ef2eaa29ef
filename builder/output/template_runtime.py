"""Jinja's runtime, made cheaper for a build's hundreds of thousands of pages, with the same output.

Three places where Jinja spends per value, call or import what a build of 10,000 articles repeats
millions of times: the escape every `{{ … }}` prints through (`output_escape`), the way a template
calls a plain function (`ThemeContext`), and the key set of a template's globals that every import
of a partial checks (`ThemeEnvironment`). `templates.Renderer` uses the environment; importing this
module sets the escape, before any template is compiled.
"""

from __future__ import annotations

from collections import ChainMap
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, MutableMapping

import jinja2
import jinja2.runtime
from markupsafe import escape

try:
    from markupsafe import _escape_inner   # markupsafe 3's escaping without the Markup around it
except ImportError:   # pragma: no cover - an older or newer markupsafe: its public escape
    def _escape_inner(text: str, /) -> str:
        return str.__str__(escape(text))


def output_escape(value: Any, /) -> str:
    """`markupsafe.escape` for what a template prints: the same text, as a plain str.

    Jinja compiles each `{{ … }}` of an autoescaped template to `escape(value)`, the name its
    compiled templates import from `jinja2.runtime`, and uses that name for nothing else: the
    result is only joined into the page (or into a block's or macro's text, which Jinja marks
    safe itself). markupsafe's escape wraps every result in a `Markup`, whose constructor is
    Python code: 2.1 million of them for the pages of 10,000 articles, 12-18 % of rendering."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is None:
        return _escape_inner(str(value))
    safe = html()
    return safe if isinstance(safe, str) else str(safe)


# Set before any template is compiled or loaded from the bytecode cache: they bind the name then.
jinja2.runtime.escape = output_escape   # type: ignore[assignment]

_PLAIN_CALLABLES = frozenset({FunctionType, BuiltinFunctionType, MethodType})


class ThemeContext(jinja2.runtime.Context):
    """Jinja's template context, with the way to a plain function shortened.

    Every call a template makes (`url()`, `_()`, a filter's helper) goes through `Context.call`,
    which asks each callable, and the callable's `__call__`, whether it wants the context passed:
    about 1.3 million calls to render the pages of 10,000 articles, 6-8 % of rendering. A plain
    function or method says so by its own `jinja_pass_arg`, the one place asked here; everything
    else (macros, callable objects) takes Jinja's own way."""

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) not in _PLAIN_CALLABLES or getattr(obj, "jinja_pass_arg", None) is not None:
            return super().call(obj, *args, **kwargs)
        if kwargs:   # what Jinja's call drops before calling
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.environment.undefined("value was undefined because a callable raised a StopIteration "
                                              "exception")


class _Globals(ChainMap):
    """A template's globals (its own over the environment's), whose key set is made in C.

    Importing a partial without context, Jinja asks `ctx.globals_keys - template.globals.keys()`;
    on a ChainMap's key view that walks the context's keys one `in` at a time, each through every
    map in Python: 56 µs an import, two or three imports a page."""

    def keys(self) -> Any:
        return set().union(*self.maps)

    def __getitem__(self, key: str) -> Any:
        # Every render copies the globals into its context (`dict(globals)`): one lookup a name.
        own = self.maps[0]
        return own[key] if key in own else self.maps[1][key]


class ThemeEnvironment(jinja2.Environment):
    """Jinja's environment with the theme's context (`ThemeContext`) and its templates' globals a
    `_Globals`."""

    context_class = ThemeContext

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals({} if d is None else d, self.globals)
