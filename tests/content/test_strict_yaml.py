"""The strict YAML loader: plain data only, every refusal located by line and column."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import yaml

from builder.content import strict_yaml
from builder.content.strict_yaml import YamlProblem, load_mapping

NO_ALIASES = "YAML anchors and aliases (&name, *name) are not allowed here"
TAG_HINT = "front matter holds plain text, numbers, dates, lists and mappings"

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def problem(text: str) -> tuple[int, int | None, str, str | None]:
    with pytest.raises(YamlProblem) as caught:
        load_mapping(text)
    exc = caught.value
    return exc.line, exc.col, exc.message, exc.hint


@pytest.fixture(params=["libyaml", "pure"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser (when installed) and with PyYAML's pure-Python one."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(strict_yaml, "_Base", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(strict_yaml, "_Base", yaml.SafeLoader)
    return request.param


def test_plain_mapping_with_key_lines() -> None:
    loaded = load_mapping('titel: "Krisentreffen in Genf"\nort:\n  stadt: Genf\n  land: Schweiz\ntags: [NATO, EU]\n')
    assert loaded.data == {"titel": "Krisentreffen in Genf", "ort": {"stadt": "Genf", "land": "Schweiz"},
                           "tags": ["NATO", "EU"]}
    assert loaded.key_lines == {"titel": 1, "ort": 2, "ort.stadt": 3, "ort.land": 4, "tags": 5}


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_mapping("").data == {}
    assert load_mapping("# nur ein Kommentar\n").data == {}


def test_billion_laughs_is_refused_fast(loader: str) -> None:
    started = time.perf_counter()
    assert problem(BILLION_LAUGHS) == (1, 4, NO_ALIASES, "write the value out where it is needed")
    assert time.perf_counter() - started < 1.0


def test_alias_is_refused_where_it_is_used(loader: str) -> None:
    # The anchor alone is refused already: front matter never needs one.
    assert problem("ort: &o Genf\nzweiter_ort: *o\n")[:3] == (1, 6, NO_ALIASES)
    assert problem("ort: Genf\nzweiter_ort: *o\n")[:2] == (2, 14)


def test_merge_keys_are_refused(loader: str) -> None:
    assert problem("basis: &b {ort: Genf}\nartikel:\n  <<: *b\n")[:3] == (1, 8, NO_ALIASES)
    assert problem("artikel:\n  <<: {ort: Genf}\n") == (
        2, 3, "YAML tag 'tag:yaml.org,2002:merge' is not allowed here", TAG_HINT)


@pytest.mark.parametrize(("text", "tag"), [
    ("titel: !!python/object/apply:os.system ['rm -rf /']\n", "tag:yaml.org,2002:python/object/apply:os.system"),
    ("titel: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
    ("titel: !!binary aGFsbG8=\n", "tag:yaml.org,2002:binary"),
    ("titel: !!set {a, b}\n", "tag:yaml.org,2002:set"),
    ("titel: !eigenes Ding\n", "!eigenes"),
])
def test_tags_are_refused(loader: str, text: str, tag: str) -> None:
    assert problem(text) == (1, 8, f"YAML tag '{tag}' is not allowed here", TAG_HINT)


def test_explicit_standard_tags_are_fine() -> None:
    assert load_mapping("plz: !!str 01067\nanzahl: !!int 3\n").data == {"plz": "01067", "anzahl": 3}


def test_yaml_11_booleans_stay_text() -> None:
    data = load_mapping("land: NO\nschalter: on\naus: Off\nja: yes\nnein: No\nwahr: true\nfalsch: FALSE\n").data
    assert data == {"land": "NO", "schalter": "on", "aus": "Off", "ja": "yes", "nein": "No",
                    "wahr": True, "falsch": False}


def test_yaml_11_numbers_stay_text() -> None:
    data = load_mapping("uhrzeit: 10:30\nplz: 01067\nagent: 007\nbinaer: 0b101\n"
                        "tausend: 1_000\nzeit: 1:30.5\n").data
    assert data == {"uhrzeit": "10:30", "plz": "01067", "agent": "007", "binaer": "0b101",
                    "tausend": "1_000", "zeit": "1:30.5"}


def test_plain_numbers_are_numbers() -> None:
    data = load_mapping("seiten: 12\nnichts: 0\nminus: -3\nhex: 0x1F\nanteil: 0.25\nklein: -1.5e-3\n").data
    assert data == {"seiten": 12, "nichts": 0, "minus": -3, "hex": 31, "anteil": 0.25, "klein": -0.0015}


def test_a_huge_integer_stays_text() -> None:
    digits = "9" * 5000
    assert load_mapping(f"zahl: {digits}\n").data == {"zahl": digits}


def test_dates_become_dates() -> None:
    data = load_mapping("datum: 2022-01-26\nzeit: 2022-01-26 19:50:00\n").data
    assert data == {"datum": dt.date(2022, 1, 26), "zeit": dt.datetime(2022, 1, 26, 19, 50)}


@pytest.mark.parametrize(("text", "expected"), [
    ("datum: 2024-13-45\n", (1, 8, "impossible date '2024-13-45': month must be in 1..12")),
    ("titel: x\ndaten:\n  - 2024-01-31\n  - 2024-02-30\n",
     (4, 5, "impossible date '2024-02-30': day is out of range for month")),
    ("datum: 2022-01-26 25:00:00\n", (1, 8, "impossible date '2022-01-26 25:00:00': hour must be in 0..23")),
])
def test_impossible_dates_are_located(text: str, expected: tuple[int, int, str]) -> None:
    assert problem(text) == (*expected, "write a real date, e.g. 2022-01-26")


def test_deep_nesting_is_refused(loader: str) -> None:
    assert problem("a: " + "[" * 10_000 + "\n")[2] == "YAML is nested too deeply"
    block = "".join("  " * depth + f"ebene{depth}:\n" for depth in range(2_000))
    assert problem(block)[:3] == (51, 101, "YAML is nested too deeply")


def test_pure_python_composer_never_recurses_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML's Python composer recurses per level; the event check stops long before."""
    monkeypatch.setattr(strict_yaml, "_Base", yaml.SafeLoader)
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert problem(text)[:3] == (1, 53, "YAML is nested too deeply")


def test_recursion_error_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(yaml, "compose", explode)
    assert problem("a: 1\n") == (1, None, "YAML is nested too deeply", None)


def test_fifty_levels_are_still_fine() -> None:
    text = "a: " + "[" * 49 + "1" + "]" * 49 + "\n"
    value = load_mapping(text).data["a"]
    for _ in range(48):
        value = value[0]
    assert value == [1]


@pytest.mark.parametrize(("text", "where", "libyaml_says", "pyyaml_says", "hint"), [
    ("titel: Genf\nort: [Genf\n", (3, 1), "did not find expected ',' or ']'",
     "expected ',' or ']', but got '<stream end>'", "a list in [ ] is not closed, or an item needs quotes"),
    ('titel: "Genf\n', (2, 1), "found unexpected end of stream", "found unexpected end of stream",
     "a quote or bracket is not closed"),
    ("titel: Genf\n\tort: Paris\n", (2, 1), "found a tab character that violates indentation",
     "found character '\\t' that cannot start any token", "indent with spaces, not tabs"),
    ("titel: Genf: Gespräche\n", (1, 12), "mapping values are not allowed in this context",
     "mapping values are not allowed here", 'a value containing ": " needs quotes, e.g. title: "Genf: Gespräche"'),
    ("titel: @dpa\n", (1, 8), "found character that cannot start any token",
     "found character '@' that cannot start any token", "a value starting with @, ` or % needs quotes"),
    ("titel: Genf\nort {Paris\n", (3, 1), "could not find expected ':'", "could not find expected ':'",
     "each line needs 'key: value'; check quotes and indentation"),
])
def test_syntax_errors_are_located_with_a_hint(loader: str, text: str, where: tuple[int, int],
                                               libyaml_says: str, pyyaml_says: str, hint: str) -> None:
    message = libyaml_says if loader == "libyaml" else pyyaml_says
    assert problem(text) == (*where, f"invalid YAML: {message}", hint)


def test_control_characters_are_located(loader: str) -> None:
    assert problem("titel: Genf\nort: Zürich \x07\n") == (
        2, 13, "invalid YAML: the character U+0007 is not allowed",
        "remove the control character or write it as an escape in double quotes")


def test_escaped_control_characters_in_double_quotes_are_data() -> None:
    assert load_mapping('titel: "a\\tb"\n').data == {"titel": "a\tb"}


def test_unicode_line_breaks_are_refused_with_the_editor_line() -> None:
    assert problem("titel: Genf\nort: Zürich\u2028Bern\n") == (
        2, 12, "the character U+2028 (a Unicode line break) is not allowed in YAML here",
        "replace it with a space or an ordinary line break")
    assert problem("titel: \"a\x85b\"\n")[:2] == (1, 10)


@pytest.mark.parametrize(("text", "expected"), [
    ("- Genf\n- Paris\n", (1, 1)),
    ("Genf\n", (1, 1)),
    ("\n\n'nur Text'\n", (3, 1)),
])
def test_documents_that_are_not_mappings(text: str, expected: tuple[int, int]) -> None:
    assert problem(text) == (*expected, "front matter must be a mapping of keys to values",
                             "write 'key: value' lines, e.g. 'title: \"…\"'")


def test_keys_must_be_text_and_unique() -> None:
    assert problem("titel: a\n2022: b\n")[:3] == (2, 1, "keys must be text, got 2022")
    assert problem("~: a\n")[:3] == (1, 1, "keys must be text, got None")
    assert problem("titel: a\nort: b\ntitel: c\n")[:3] == (3, 1, "duplicate key 'titel' (first on line 1)")


def test_unhashable_nested_key_is_a_problem() -> None:
    assert problem("ort:\n  ? [a, b]\n  : c\n")[2].startswith("invalid YAML: found unhashable key")


def test_lines_can_start_later_in_a_file() -> None:
    loaded = load_mapping("titel: Genf\nort:\n  stadt: Genf\n", first_line=2)
    assert loaded.key_lines == {"titel": 2, "ort": 3, "ort.stadt": 4}
    with pytest.raises(YamlProblem) as caught:
        load_mapping("titel: a\nort: b\ntitel: c\n", first_line=2)
    assert (caught.value.line, caught.value.col, caught.value.message) == (
        4, 1, "duplicate key 'titel' (first on line 2)")


def test_nesting_on_one_line_is_located_too(loader: str) -> None:
    assert problem("titel: Genf\nliste:\n" + "- " * 5_000 + "x\n")[:3] == (3, 99, "YAML is nested too deeply")
