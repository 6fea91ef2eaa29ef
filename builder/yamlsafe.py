"""A strict YAML loader for front matter and config: plain data only, with line numbers.

Front matter needs no anchors, aliases or tags; refusing them also stops alias
bombs and `!!python` objects. YAML 1.1 booleans like `on`/`NO` are read as
strings, so `country: NO` stays "NO" (YAML 1.2 behaviour); only true/false are booleans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    """A YAML document we refuse, with a 1-based line and column inside the document."""

    def __init__(self, line: int, col: int | None, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class LoadedYaml:
    """A YAML mapping and the line (1-based, in the document) of each key ("a", "a.b")."""

    data: dict[str, Any]
    key_lines: dict[str, int]


_BOOL_TAG = "tag:yaml.org,2002:bool"
_ALLOWED_TAGS = frozenset({
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    _BOOL_TAG, "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
})
_MAX_DEPTH = 50


def load_mapping(text: str) -> LoadedYaml:
    """Parse `text` as one YAML mapping of plain data; raise YamlProblem otherwise."""
    try:
        node = yaml.compose(text, Loader=_Base)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(line, col, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, None, "YAML is nested too deeply") from None
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
                              f"duplicate key '{key}' (first on line {key_lines[key]})")
        data[key] = _construct(value_node)
        key_lines[key] = key_node.start_mark.line + 1
        _nested_lines(value_node, key, key_lines)
    return LoadedYaml(data, key_lines)


def _nested_lines(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    """Record "parent.child" key lines of nested mappings, for config errors."""
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
    if id(node) in seen:
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                          "YAML anchors and aliases (&name, *name) are not allowed here")
    seen.add(id(node))
    if node.tag not in _ALLOWED_TAGS:
        raise YamlProblem(node.start_mark.line + 1, node.start_mark.column + 1,
                          f"YAML tag '{node.tag}' is not allowed here",
                          hint="front matter holds plain text, numbers, dates, lists and mappings")
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _vet(child, depth + 1, seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _vet(key, depth + 1, seen)
            _vet(value, depth + 1, seen)


_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def _construct_bool(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    if _YAML12_BOOL.match(node.value):
        return node.value.lower() == "true"
    return node.value


_Constructor.add_constructor(_BOOL_TAG, _construct_bool)


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
