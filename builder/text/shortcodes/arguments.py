"""The parameters of a Hugo shortcode and of a Jekyll include, read as those generators read them.

Hugo: `{{< name a "b c" `d` >}}` (positional) or `{{< name x=1 y="z" >}}`
(named), never both; unquoted `true`/`false` and numbers are typed,
quoted values stay text. Jekyll: `{% include file.html a="x" b='y' c=page.z %}`,
where an unquoted value names a variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_HUGO_TOKEN = re.compile(r"""\s*(?:([\w.-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`=]+)""")
_LIQUID_TOKEN = re.compile(r"""\s*([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"']+)""")
_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ESCAPED = re.compile(r"\\(.)")


class ArgumentError(ValueError):
    """Parameters Hugo or Jekyll would refuse; the message says why."""


@dataclass(frozen=True)
class Arguments:
    """A shortcode's parameters: a list (positional) or a mapping (named), as Hugo's `.Params`."""

    positional: tuple[Any, ...] = ()
    named: tuple[tuple[str, Any], ...] = ()

    @property
    def is_named(self) -> bool:
        return bool(self.named)

    @property
    def params(self) -> list[Any] | dict[str, Any]:
        return dict(self.named) if self.named else list(self.positional)

    def get(self, key: int | str) -> Any:
        """Hugo's `.Get`: by position or by name; the other kind of key gives None, a missing one ""."""
        if isinstance(key, bool) or not isinstance(key, (int, str)):
            return None
        if isinstance(key, int):
            if self.named:
                return None
            return self.positional[key] if 0 <= key < len(self.positional) else ""
        if self.positional:
            return None
        return dict(self.named).get(key, "")

    def value(self, *keys: int | str, default: str = "") -> str:
        """The first of these parameters that is given and not empty, as text."""
        for key in keys:
            found = self.get(key)
            if found not in (None, ""):
                return text(found)
        return default


def text(value: Any) -> str:
    """A parameter as text the way Go's templates print it (true, 3, 2.5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def hugo_arguments(source: str) -> Arguments:
    """The parameters after a shortcode's name; ArgumentError when they cannot be read."""
    positional: list[Any] = []
    named: list[tuple[str, Any]] = []
    pos, source = 0, source.rstrip()
    while pos < len(source):
        match = _HUGO_TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            raise ArgumentError(f"cannot read the parameters at '{source[pos:].strip()[:30]}'")
        name, raw = match.group(1), match.group(2)
        (named.append((name, _hugo_value(raw))) if name else positional.append(_hugo_value(raw)))
        pos = match.end()
    if named and positional:
        raise ArgumentError("mixes named and positional parameters; Hugo takes one kind or the other")
    return Arguments(tuple(positional), tuple(named))


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: m.group(1), text) if "\\" in text else text


def _hugo_value(raw: str) -> Any:
    if raw.startswith('"'):
        return _unescape(raw[1:-1])
    if raw.startswith("`"):
        return raw[1:-1]
    if raw in ("true", "false"):
        return raw == "true"
    if _INT.fullmatch(raw):
        return int(raw)
    if _FLOAT.fullmatch(raw):
        return float(raw)
    return raw


@dataclass(frozen=True)
class Variable:
    """An unquoted Liquid value: the name of a variable such as `page.title`."""

    name: str


def liquid_arguments(source: str) -> dict[str, Any]:
    """`a="x" b='y' c=page.z` → {"a": "x", "b": "y", "c": Variable("page.z")}."""
    found: dict[str, Any] = {}
    pos, source = 0, source.rstrip()
    while pos < len(source):
        match = _LIQUID_TOKEN.match(source, pos)
        if match is None:
            raise ArgumentError(f"cannot read the parameters at '{source[pos:].strip()[:30]}'")
        name, raw = match.group(1), match.group(2)
        if raw[:1] in "\"'":
            found[name] = _unescape(raw[1:-1])
        elif _INT.fullmatch(raw):
            found[name] = int(raw)
        elif raw in ("true", "false"):
            found[name] = raw == "true"
        else:
            found[name] = Variable(raw)
        pos = match.end()
    return found
