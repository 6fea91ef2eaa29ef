"""Splitting front matter from the body, with file line numbers for every problem."""

from __future__ import annotations

import pytest

from builder.content.frontmatter import FrontMatterError, parse

NEVER_CLOSED = "front matter opened with '---' on line 1 is never closed"


def error(text: str) -> tuple[int, int | None, str, str | None]:
    with pytest.raises(FrontMatterError) as caught:
        parse(text)
    exc = caught.value
    return exc.line, exc.col, exc.message, exc.hint


def test_front_matter_and_body_with_lines() -> None:
    fm = parse("---\ntitle: Krisentreffen\ndate: 2022-01-21\n---\nIn Genf treffen sich …\n")
    assert fm.data["title"] == "Krisentreffen"
    assert fm.key_lines == {"title": 2, "date": 3}
    assert fm.body == "In Genf treffen sich …\n"
    assert fm.body_line == 5


def test_delimiters_with_trailing_spaces_and_tabs() -> None:
    fm = parse("--- \ntitle: Genf\n---\t \nText\n")
    assert (fm.data, fm.body, fm.body_line) == ({"title": "Genf"}, "Text\n", 4)


def test_closing_delimiter_at_the_end_of_the_file() -> None:
    fm = parse("---\ntitle: Genf\n---")
    assert (fm.data, fm.body, fm.body_line) == ({"title": "Genf"}, "", 3)


def test_empty_front_matter() -> None:
    fm = parse("---\n---\nNur Text.\n")
    assert (fm.data, fm.key_lines, fm.body, fm.body_line) == ({}, {}, "Nur Text.\n", 3)


def test_no_front_matter_is_all_body() -> None:
    fm = parse("Nur Text.\n\n---\n\nNach einer Linie.\n")
    assert (fm.data, fm.body, fm.body_line) == ({}, "Nur Text.\n\n---\n\nNach einer Linie.\n", 1)


def test_a_longer_rule_is_not_a_delimiter() -> None:
    assert parse("----\ntitle: x\n----\n").data == {}


@pytest.mark.parametrize("text", ["---", "---\n", "---\ntitle: Genf\n", "---\ntitle: Genf\n----\nText\n",
                                  "---\ntitle: Genf\n -- -\n"])
def test_never_closed(text: str) -> None:
    assert error(text) == (1, 1, NEVER_CLOSED, "add a line with '---' after the front matter")


def test_yaml_errors_get_file_lines() -> None:
    # YAML line 3 is file line 4: the opening '---' is line 1.
    assert error("---\ntitle: Genf\ndate: 2022-01-21\ntags: [NATO\n---\nText\n")[:3] == (
        5, 1, "invalid YAML: did not find expected ',' or ']'")


def test_impossible_date_gets_its_file_line() -> None:
    assert error("---\ntitle: Genf\ndate: 2024-13-45\n---\n") == (
        3, 7, "impossible date '2024-13-45': month must be in 1..12", "write a real date, e.g. 2022-01-26")


def test_not_a_mapping() -> None:
    assert error("---\n- Genf\n- Paris\n---\n")[:3] == (2, 1, "front matter must be a mapping of keys to values")


def test_alias_bomb_in_front_matter() -> None:
    assert error("---\ntitle: Genf\na: &a [x, x]\nb: [*a, *a]\n---\n")[:3] == (
        3, 4, "YAML anchors and aliases (&name, *name) are not allowed here")


def test_python_tag_in_front_matter() -> None:
    assert error("---\ntitle: !!python/object/apply:os.system [ls]\n---\n")[:3] == (
        2, 8, "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed here")


def test_duplicate_key_names_the_file_line_of_the_first() -> None:
    assert error("---\ntitle: Genf\ndate: 2022-01-21\ntitle: Paris\n---\n")[:3] == (
        4, 1, "duplicate key 'title' (first on line 2)")


@pytest.mark.parametrize("opening", ["---\ntitle: Genf\ndate: 2022-01-21\n---\n",
                                     "+++\ntitle = \"Genf\"\ndate = 2022-01-21\n+++\n"])
def test_blank_lines_before_the_front_matter_are_skipped_as_hugo_does(opening: str) -> None:
    fm = parse("\n  \n" + opening + "Text.\n")
    assert fm.data["title"] == "Genf"
    assert fm.key_lines["title"] == 4 and fm.body_line == 7 and fm.body == "Text.\n"


def test_an_error_after_skipped_blank_lines_names_the_file_line() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse("\n\n---\ntitle: [Genf\n---\n")
    assert caught.value.line == 5
