"""A strict YAML loader for front matter and config: plain data only, with line numbers.

Front matter needs no anchors, aliases or tags; refusing them also stops alias
bombs and `!!python` objects. Nesting depth is checked on the event stream,
before anything recursive runs. YAML 1.1 surprises are read as text, as YAML 1.2
would: `on`/`NO` stay strings (only true/false are booleans), and `1:30`,
`007` or `1_000` stay as written instead of becoming 90, 7 and 1000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import LocatedError

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(LocatedError):
    """A YAML document we refuse, with a 1-based line and column inside the document."""


@dataclass(frozen=True)
class LoadedYaml:
    """A YAML mapping and the line (1-based, in the document) of each key ("a", "a.b")."""

    data: dict[str, Any]
    key_lines: dict[str, int]


_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_ALLOWED_TAGS = frozenset({
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    _BOOL_TAG, "tag:yaml.org,2002:null", _TIMESTAMP_TAG,
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
})
_MAX_DEPTH = 50


_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
_TOO_DEEP = "YAML is nested too deeply"
_NO_ALIASES = "YAML anchors and aliases (&name, *name) are not allowed here"


def load_mapping(text: str, *, first_line: int = 1) -> LoadedYaml:
    """Parse `text` as one YAML mapping of plain data; raise YamlProblem otherwise.

    `first_line` is the file line of the text's first line (2 for front
    matter after '---'): every line reported, in errors, messages and
    key_lines, is a file line.
    """
    try:
        return _load_mapping(text, first_line - 1)
    except YamlProblem as exc:
        raise YamlProblem(exc.line + first_line - 1, exc.col, exc.message, exc.hint) from None


def _load_mapping(text: str, shift: int) -> LoadedYaml:
    odd_break = _ODD_BREAK.search(text)
    if odd_break:  # YAML counts these as line breaks, editors do not: line numbers would drift
        before = text[:odd_break.start()]
        raise YamlProblem(before.count("\n") + 1, odd_break.start() - before.rfind("\n"),
                          f"the character U+{ord(odd_break.group()):04X} (a Unicode line break) is not allowed "
                          "in YAML here", hint="replace it with a space or an ordinary line break")
    try:
        if _may_hold_aliases_or_deep_nesting(text):
            _check_events(text)
        node = yaml.compose(text, Loader=_Base)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:
            # libyaml's scanner hit its own limit while reading ahead; the pure
            # parser's events name the level that is too deep, as everywhere else.
            try:
                _check_events(text, yaml.SafeLoader)
            except yaml.YAMLError:
                pass
            raise YamlProblem(line, col, _TOO_DEEP) from None
        raise YamlProblem(line, col, f"invalid YAML: {problem}", hint=_syntax_hint(problem)) from None
    except (yaml.reader.ReaderError, UnicodeError) as exc:  # libyaml: surrogates are UnicodeEncodeError
        line, col, character = _unprintable(text, getattr(exc, "position", 0))
        raise YamlProblem(line, col, f"invalid YAML: the character U+{character:04X} is not allowed",
                          hint="remove the control character or write it as an escape in double quotes") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, None, _TOO_DEEP) from None
    if node is None:
        return LoadedYaml({}, {})
    if not isinstance(node, yaml.MappingNode):
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                          "front matter must be a mapping of keys to values",
                          hint="write 'key: value' lines, e.g. 'title: \"…\"'")
    _vet(node, 0, set())
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = _construct(key_node)
        if not isinstance(key, str):
            raise YamlProblem(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                              f"keys must be text, got {key!r}")
        if key in data:
            raise YamlProblem(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                              f"duplicate key '{key}' (first on line {key_lines[key] + shift})")
        data[key] = _construct(value_node)
        key_lines[key] = key_node.start_mark.line + 1
        _nested_lines(value_node, key, key_lines)
    return LoadedYaml(data, {key: line + shift for key, line in key_lines.items()})


def _may_hold_aliases_or_deep_nesting(text: str) -> bool:
    """Whether the event check is needed: anchors need "&", aliases "*", and nesting depth
    cannot exceed the number of lines, flow brackets and "- "/"? " indicators.
    Typical front matter skips a second parse."""
    # "- - - x" and "? ? x" nest on one line, so they count like brackets.
    return ("&" in text or "*" in text
            or text.count("\n") + text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
            >= _MAX_DEPTH)


_SYNTAX_HINTS = (
    ("mapping values are not allowed", 'a value containing ": " needs quotes, e.g. title: "Genf: Gespräche"'),
    ("tab character", "indent with spaces, not tabs"),
    ("'\\t'", "indent with spaces, not tabs"),
    ("cannot start any token", "a value starting with @, ` or % needs quotes"),
    ("unexpected end of stream", "a quote or bracket is not closed"),
    ("expected ',' or ']'", "a list in [ ] is not closed, or an item needs quotes"),
    ("expected ',' or '}'", "a mapping in { } is not closed, or a value needs quotes"),
    ("could not find expected ':'", "each line needs 'key: value'; check quotes and indentation"),
)


def _syntax_hint(problem: str) -> str | None:
    """A hint for the YAML mistakes people make most in front matter."""
    return next((hint for marker, hint in _SYNTAX_HINTS if marker in problem), None)


def _check_events(text: str, loader: type | None = None) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream (iterative, alias-free)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader or _Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise YamlProblem(mark.line + 1, mark.column + 1, _NO_ALIASES,
                              hint="write the value out where it is needed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_DEPTH:
                mark = event.start_mark
                raise YamlProblem(mark.line + 1, mark.column + 1, _TOO_DEEP)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _unprintable(text: str, position: int) -> tuple[int, int, int]:
    """Line, column and code point of the character the reader refused.

    libyaml reports byte offsets, PyYAML character offsets; finding the
    character ourselves gives the same answer for both.
    """
    match = yaml.reader.Reader.NON_PRINTABLE.search(text)
    offset = match.start() if match else max(position, 0)
    character = ord(text[offset]) if offset < len(text) else 0
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1, character


def _nested_lines(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    """Record "parent.child" key lines of nested mappings, and "parent[2]" lines of mappings in
    lists ("sections[2].slug"), for errors that point at an entry of a list."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            if isinstance(item, yaml.MappingNode):
                lines[f"{prefix}[{index}]"] = item.start_mark.line + 1
                _nested_lines(item, f"{prefix}[{index}]", lines)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            path = f"{prefix}.{key_node.value}"
            lines[path] = key_node.start_mark.line + 1
            _nested_lines(value_node, path, lines)


def _vet(node: yaml.Node, depth: int, seen: set[int]) -> None:
    """Refuse anchors/aliases, unknown tags and deep nesting before constructing anything."""
    if depth > _MAX_DEPTH:
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                          "YAML is nested too deeply")
    if id(node) in seen:  # _check_events refused aliases already; this is a second line of defence
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1, _NO_ALIASES)
    seen.add(id(node))
    if node.tag not in _ALLOWED_TAGS:
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                          f"YAML tag '{node.tag}' is not allowed here",
                          hint="front matter holds plain text, numbers, dates, lists and mappings")
    if node.tag == _TIMESTAMP_TAG:
        try:
            _Constructor().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                              f"impossible date '{node.value}': {exc}",
                              hint="write a real date, e.g. 2022-01-26") from None
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _vet(child, depth + 1, seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _vet(key, depth + 1, seen)
            _vet(value, depth + 1, seen)


_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Integers YAML 1.2 and YAML 1.1 agree on, without leading zeros; the rest stays text.
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,99}|0x[0-9a-fA-F]{1,64})$")
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$"
                          r"|^\.(?:nan|NaN|NAN)$")


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def _construct_bool(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    if _YAML12_BOOL.match(node.value):
        return node.value.lower() == "true"
    return node.value


def _construct_int(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    if _PLAIN_INT.match(node.value):
        return constructor.construct_yaml_int(node)
    return node.value  # 007, 0b101, 1_000, 1:30: YAML 1.1 numbers, text in YAML 1.2


def _construct_float(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    if _PLAIN_FLOAT.match(node.value):
        return constructor.construct_yaml_float(node)
    return node.value  # 1_000.5, 1:30.5


_Constructor.add_constructor(_BOOL_TAG, _construct_bool)
_Constructor.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _construct(node: yaml.Node) -> Any:
    """Build plain Python data from a vetted node; impossible dates become YamlProblem."""
    constructor = _Constructor()
    try:
        return constructor.construct_document(node)
    except (ValueError, OverflowError) as exc:
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                          f"invalid value: {exc}") from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or node.start_mark
        raise YamlProblem(mark.line + 1, mark.column + 1, f"invalid YAML: {exc.problem}") from None
