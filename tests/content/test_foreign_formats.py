"""Jekyll and Hugo front matter: TOML/JSON splitting and parsing, key mapping, dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from builder.content.dates import parse_date
from builder.content.foreign_formats import CompatError, load_front_matter, split_front_matter_formats
from builder.content.foreign_keys import date_from_filename, normalize_keys

BERLIN = ZoneInfo("Europe/Berlin")
PLUS_ONE = timezone(timedelta(hours=1))

HUGO_TOML_POST = """\
+++
title = "Außenminister beraten in Genf"
date = 2022-01-21T17:30:00+01:00
lastmod = 2022-01-22
description = "Blinken und Lawrow vereinbaren weitere Gespräche."
categories = ["Diplomatie"]
tags = ["Ukraine-Krise", "USA"]
draft = false
aliases = ["/alt/genf-treffen"]

[params]
kicker = "Ukraine-Krise"
+++

Im Streit über die Sicherheitslage in Osteuropa bleibt der Gesprächsfaden intakt.
"""

HUGO_JSON_POST = """\
{
  "title": "Die Antwort aus Washington",
  "date": "2022-01-26T19:00:00+01:00",
  "author": "Lena Hoffmann",
  "tags": ["USA", "Russland"]
}

Die US-Regierung hat ihre schriftliche Antwort übergeben.
"""


# ---------------------------------------------------------------------------
# split_front_matter_formats

def test_toml_front_matter_is_split_with_the_body_line() -> None:
    kind, raw, body, body_line = split_front_matter_formats(HUGO_TOML_POST)

    assert kind == "toml"
    assert raw.startswith('title = "Außenminister beraten in Genf"\n')
    assert raw.endswith('kicker = "Ukraine-Krise"\n')
    assert body == ("\nIm Streit über die Sicherheitslage in Osteuropa bleibt der "
                    "Gesprächsfaden intakt.\n")
    assert body_line == 14
    assert HUGO_TOML_POST.split("\n")[body_line - 1] == body.split("\n")[0]


def test_json_front_matter_is_split_after_the_closing_brace() -> None:
    kind, raw, body, body_line = split_front_matter_formats(HUGO_JSON_POST)

    assert kind == "json"
    assert raw.startswith("{\n") and raw.endswith('["USA", "Russland"]\n}')
    assert body == "\nDie US-Regierung hat ihre schriftliche Antwort übergeben.\n"
    assert body_line == 7


def test_json_front_matter_with_braces_in_strings_ends_at_the_real_closing_brace() -> None:
    text = '{"title": "Klammern } und { im Titel"}\nText mit {Klammer}.\n'

    assert split_front_matter_formats(text) == (
        "json", '{"title": "Klammern } und { im Titel"}', "Text mit {Klammer}.\n", 2)


@pytest.mark.parametrize("text", [
    "---\ntitle: Jekyll\n---\nText\n",
    "Nur Text ohne Vorspann.\n",
    "{{< youtube abc >}}\nText\n",
    "{% include kasten.html %}\n",
    "",
])
def test_other_texts_are_left_to_the_caller(text: str) -> None:
    assert split_front_matter_formats(text) is None


def test_unclosed_toml_front_matter_is_an_error_on_line_one() -> None:
    with pytest.raises(CompatError) as info:
        split_front_matter_formats('+++\ntitle = "Offen"\n\nText ohne Ende.\n')

    assert (info.value.line, info.value.col) == (1, None)
    assert info.value.message == "front matter opened with '+++' on line 1 is never closed"
    assert info.value.hint == "add a line with '+++' after the front matter"


def test_unclosed_json_front_matter_is_an_error_on_line_one() -> None:
    with pytest.raises(CompatError) as info:
        split_front_matter_formats('{\n  "title": "Offen"\n\nText\n')

    assert (info.value.line, info.value.message) == (
        1, "front matter opened with '{' on line 1 is never closed")


def test_text_after_the_closing_brace_is_an_error_with_its_column() -> None:
    with pytest.raises(CompatError) as info:
        split_front_matter_formats('{\n  "title": "Genf"\n}  Text beginnt hier\n')

    assert (info.value.line, info.value.col) == (3, 4)
    assert info.value.message == "unexpected text after the JSON front matter"
    assert info.value.hint == "start the body on a new line after the closing '}'"


# ---------------------------------------------------------------------------
# load_front_matter

def test_toml_front_matter_is_parsed_with_file_lines() -> None:
    _, raw, _, _ = split_front_matter_formats(HUGO_TOML_POST)

    meta, lines = load_front_matter("toml", raw, 2)

    assert meta["title"] == "Außenminister beraten in Genf"
    assert meta["date"] == datetime(2022, 1, 21, 17, 30, tzinfo=PLUS_ONE)
    assert meta["lastmod"] == date(2022, 1, 22)
    assert meta["params"] == {"kicker": "Ukraine-Krise"}
    assert lines == {"title": 2, "date": 3, "lastmod": 4, "description": 5, "categories": 6,
                     "tags": 7, "draft": 8, "aliases": 9, "params": 11, "params.kicker": 12}


def test_toml_key_lines_skip_multiline_strings_and_tables() -> None:
    raw = ('title = "Zusammenfassung"\n'
           'summary = """\n'
           'tags = nicht wirklich\n'
           '"""\n'
           'menu.main.weight = 3\n'
           '[[resources]]\n'
           'title = "Bild"\n')

    meta, lines = load_front_matter("toml", raw, 2)

    assert meta["summary"] == "tags = nicht wirklich\n"
    assert lines == {"title": 2, "summary": 3, "menu": 6, "resources": 7}


def test_toml_syntax_error_names_the_file_line_and_column() -> None:
    raw = 'title = "Genf"\nkicker Ukraine-Krise\n'

    with pytest.raises(CompatError) as info:
        load_front_matter("toml", raw, 2)

    assert (info.value.line, info.value.col) == (3, 8)
    assert info.value.message == (
        "invalid TOML front matter: Expected '=' after a key in a key/value pair")
    assert info.value.hint == 'write one `key = value` per line, strings in quotes: title = "…"'


def test_toml_error_at_the_end_names_the_last_line() -> None:
    with pytest.raises(CompatError) as info:
        load_front_matter("toml", 'title = "Genf"\nsummary = """Noch offen\n', 2)

    assert (info.value.line, info.value.col) == (3, None)
    assert info.value.message == "invalid TOML front matter: Unterminated string"


def test_json_front_matter_is_parsed_with_file_lines() -> None:
    _, raw, _, _ = split_front_matter_formats(HUGO_JSON_POST)

    meta, lines = load_front_matter("json", raw, 1)

    assert meta == {"title": "Die Antwort aus Washington", "date": "2022-01-26T19:00:00+01:00",
                    "author": "Lena Hoffmann", "tags": ["USA", "Russland"]}
    assert lines == {"title": 2, "date": 3, "author": 4, "tags": 5}


def test_json_key_lines_ignore_nested_keys_and_escaped_quotes() -> None:
    raw = '{"title": "Ein \\"Zitat\\"",\n "params": {"title": "innen"},\n "tags": ["a"]}'

    meta, lines = load_front_matter("json", raw, 1)

    assert meta["title"] == 'Ein "Zitat"'
    assert lines == {"title": 1, "params": 2, "tags": 3}


def test_json_syntax_error_names_the_file_line_and_column() -> None:
    raw = '{\n  "title": "Genf",\n  "tags" ["USA"]\n}'

    with pytest.raises(CompatError) as info:
        load_front_matter("json", raw, 1)

    assert (info.value.line, info.value.col) == (3, 10)
    assert info.value.message == "invalid JSON front matter: Expecting ':' delimiter"


def test_json_syntax_error_after_yaml_style_offset() -> None:
    with pytest.raises(CompatError) as info:
        load_front_matter("json", "{\n  'title': 'Genf'\n}", 5)

    assert (info.value.line, info.value.col) == (6, 3)
    assert info.value.message == (
        "invalid JSON front matter: Expecting property name enclosed in double quotes")


# ---------------------------------------------------------------------------
# normalize_keys

def test_hugo_post_keys_map_onto_ours() -> None:
    _, raw, _, _ = split_front_matter_formats(HUGO_TOML_POST)
    meta, lines = load_front_matter("toml", raw, 2)

    out, out_lines, warnings = normalize_keys(meta, lines)

    assert out == {
        "title": "Außenminister beraten in Genf",
        "date": datetime(2022, 1, 21, 17, 30, tzinfo=PLUS_ONE),
        "updated": date(2022, 1, 22),
        "summary": "Blinken und Lawrow vereinbaren weitere Gespräche.",
        "tags": ["Ukraine-Krise", "USA", "Diplomatie"],
        "draft": False,
        "aliases": ["/alt/genf-treffen/"],
        "kicker": "Ukraine-Krise",
    }
    assert out_lines == {"title": 2, "date": 3, "updated": 4, "summary": 5, "tags": 7,
                         "draft": 8, "aliases": 9, "kicker": 12}
    assert warnings == []


def _top_level_lines(yaml_text: str, first_line: int) -> dict[str, int]:
    """What the YAML loader reports: each top-level key's file line."""
    return {line.split(":")[0]: number
            for number, line in enumerate(yaml_text.split("\n"), start=first_line)
            if line[:1].isalpha()}


def test_jekyll_post_keys_map_onto_ours() -> None:
    text = """\
layout: post
title: "Sanktionen im Gespräch"
date: 2022-01-24 09:15:00 +0100
excerpt: "Die EU prüft neue Sanktionen."
author: Jonas Weber
categories: Politik Wirtschaft
category: Europa
tags: [EU]
published: false
permalink: /nachrichten/sanktionen.html
redirect_from:
  - /2022/01/24/sanktionen/
  - alt/sanktionen
comments: true
"""
    meta = yaml.safe_load(text)
    lines = _top_level_lines(text, 2)

    out, out_lines, warnings = normalize_keys(meta, lines)

    assert out == {
        "layout": "post",
        "title": "Sanktionen im Gespräch",
        "date": "2022-01-24 09:15:00 +0100",
        "summary": "Die EU prüft neue Sanktionen.",
        "authors": ["Jonas Weber"],
        "tags": ["EU", "Politik", "Wirtschaft", "Europa"],
        "draft": True,
        "url": "/nachrichten/sanktionen/",
        "aliases": ["/nachrichten/sanktionen.html", "/2022/01/24/sanktionen/", "/alt/sanktionen/"],
        "comments": True,
    }
    assert out_lines == {"layout": 2, "title": 3, "date": 4, "summary": 5, "authors": 6,
                         "tags": 9, "draft": 10, "url": 11, "aliases": 11, "comments": 15}
    assert warnings == []


def test_hugo_params_count_as_top_level_keys_and_lose_against_them() -> None:
    raw = ('title = "Genf"\n'
           'kicker = "Diplomatie"\n'
           '[params]\n'
           'kicker = "Ukraine-Krise"\n'
           'description = "Kurz gesagt"\n'
           '[params.bild]\n'
           'datei = "genf.jpg"\n')
    meta, lines = load_front_matter("toml", raw, 2)

    out, out_lines, warnings = normalize_keys(meta, lines)

    assert out == {"title": "Genf", "kicker": "Diplomatie", "summary": "Kurz gesagt",
                   "bild": {"datei": "genf.jpg"}}
    assert out_lines == {"title": 2, "kicker": 3, "summary": 6, "bild": 4}
    assert warnings == [(5, "both 'kicker' and 'params.kicker' given; using 'kicker'")]


def test_the_input_mapping_is_not_changed() -> None:
    meta = {"description": "Kurzfassung", "categories": ["Politik"]}
    lines = {"description": 2, "categories": 3}

    normalize_keys(meta, lines)

    assert meta == {"description": "Kurzfassung", "categories": ["Politik"]}
    assert lines == {"description": 2, "categories": 3}


@pytest.mark.parametrize("ours, foreign, target", [
    ("summary", "description", "summary"),
    ("summary", "excerpt", "summary"),
    ("updated", "lastmod", "updated"),
    ("authors", "author", "authors"),
    ("url", "permalink", "url"),
])
def test_our_key_wins_over_a_conflicting_foreign_key(ours: str, foreign: str, target: str) -> None:
    meta = {ours: "/unser/wert/", foreign: "/fremder/wert/"}

    out, lines, warnings = normalize_keys(meta, {ours: 4, foreign: 7})

    assert foreign not in out
    assert out[target] in ("/unser/wert/", ["/unser/wert/"])
    assert lines == {target: 4}
    assert warnings == [(7, f"both '{ours}' and '{foreign}' given; using '{ours}'")]


def test_equal_values_under_both_names_are_no_conflict() -> None:
    meta = {"summary": "Gleicher Text", "description": "Gleicher Text"}

    out, _, warnings = normalize_keys(meta, {"summary": 2, "description": 3})

    assert out == {"summary": "Gleicher Text"}
    assert warnings == []


def test_description_wins_over_excerpt_when_there_is_no_summary() -> None:
    meta = {"description": "Aus Hugo", "excerpt": "Aus Jekyll"}

    out, lines, warnings = normalize_keys(meta, {"description": 2, "excerpt": 3})

    assert out == {"summary": "Aus Hugo"}
    assert lines == {"summary": 2}
    assert warnings == [(3, "both 'description' and 'excerpt' given; using 'description'")]


@pytest.mark.parametrize("author, authors", [
    ("Lena Hoffmann", ["Lena Hoffmann"]),
    (["Lena Hoffmann", "Jonas Weber"], ["Lena Hoffmann", "Jonas Weber"]),
    ({"name": "Lena Hoffmann", "twitter": "lenah"}, ["Lena Hoffmann"]),
])
def test_author_becomes_authors(author: object, authors: list[str]) -> None:
    out, lines, _ = normalize_keys({"author": author}, {"author": 5})

    assert out == {"authors": authors}
    assert lines == {"authors": 5}


def test_a_single_string_under_authors_becomes_a_list() -> None:
    out, _, _ = normalize_keys({"authors": "Lena Hoffmann"}, {})

    assert out == {"authors": ["Lena Hoffmann"]}


@pytest.mark.parametrize("published, draft", [(False, True), (True, False)])
def test_published_becomes_draft(published: bool, draft: bool) -> None:
    out, lines, warnings = normalize_keys({"published": published}, {"published": 6})

    assert out == {"draft": draft}
    assert lines == {"draft": 6}
    assert warnings == []


def test_draft_wins_over_a_contradicting_published() -> None:
    out, lines, warnings = normalize_keys({"draft": False, "published": False},
                                          {"draft": 2, "published": 3})

    assert out == {"draft": False}
    assert lines == {"draft": 2}
    assert warnings == [(3, "both 'draft' and 'published' given; using 'draft'")]


def test_agreeing_draft_and_published_give_no_warning() -> None:
    out, _, warnings = normalize_keys({"draft": True, "published": False}, {})

    assert (out, warnings) == ({"draft": True}, [])


def test_hugo_publish_date_is_the_date_because_it_decides_when_a_post_appears() -> None:
    out, lines, _ = normalize_keys({"publishDate": "2022-01-26"}, {"publishDate": 3})
    assert (out, lines) == ({"date": "2022-01-26"}, {"date": 3})

    both, lines, warnings = normalize_keys({"date": "2022-01-25", "publishDate": "2099-01-26"},
                                           {"date": 2, "publishDate": 3})
    assert (both, lines, warnings) == ({"date": "2099-01-26"}, {"date": 3}, [])


def test_hugo_expiry_date_is_our_expiry_date() -> None:
    out, lines, _ = normalize_keys({"expiryDate": "2022-01-26"}, {"expiryDate": 4})
    assert (out, lines) == ({"expiry_date": "2022-01-26"}, {"expiry_date": 4})


def test_categories_are_kept_apart_when_folding_is_off() -> None:
    meta = {"tags": ["Genf"], "categories": ["Diplomatie"], "category": "Europa"}

    out, lines, _ = normalize_keys(meta, {"tags": 2, "categories": 3, "category": 4},
                                   fold_categories=False)

    assert out == meta
    assert lines == {"tags": 2, "categories": 3, "category": 4}


def test_categories_alone_become_tags_without_duplicates() -> None:
    meta = {"categories": ["Diplomatie", "Europa", "Diplomatie", 2022]}

    out, lines, _ = normalize_keys(meta, {"categories": 4})

    assert out == {"tags": ["Diplomatie", "Europa", "2022"]}
    assert lines == {"tags": 4}


@pytest.mark.parametrize("value, url", [
    ("/nachrichten/genf", "/nachrichten/genf/"),
    ("nachrichten//genf/", "/nachrichten/genf/"),
    ("/nachrichten/genf/index.html", "/nachrichten/genf/"),
    ("/", "/"),
])
def test_url_is_normalised(value: str, url: str) -> None:
    out, _, warnings = normalize_keys({"url": value}, {"url": 2})

    assert out == {"url": url}
    assert warnings == []


def test_a_permalink_with_placeholders_is_kept_for_the_loader_to_fill_in() -> None:
    out, _, warnings = normalize_keys({"permalink": "/:categories/:year/:title.html"}, {"permalink": 5})

    assert out == {"url": "/:categories/:year/:title.html"}
    assert warnings == []


@pytest.mark.parametrize("value, problem", [
    ("https://example.org/genf/", "must be a path on this site like '/artikel/mein-beitrag/', "
                                  "got 'https://example.org/genf/'"),
    ("", "must be a path like '/artikel/mein-beitrag/', got ''"),
])
def test_unusable_permalinks_are_dropped_with_a_warning(value: str, problem: str) -> None:
    out, lines, warnings = normalize_keys({"permalink": value, "title": "Genf"},
                                          {"permalink": 5, "title": 2})

    assert out == {"title": "Genf"}
    assert lines == {"title": 2}
    assert warnings == [(5, f"'url' {problem}; using the default URL")]


def test_aliases_and_redirect_from_are_merged() -> None:
    meta = {"aliases": "/alt/genf", "redirect_from": ["/alt/genf/", "/2022/genf.html"]}

    out, lines, _ = normalize_keys(meta, {"aliases": 3, "redirect_from": 4})

    assert out == {"aliases": ["/alt/genf/", "/2022/genf.html"]}
    assert lines == {"aliases": 3}


def test_theme_keys_pass_through_untouched() -> None:
    meta = {"layout": "post", "type": "artikel", "weight": 3, "menu": {"main": {"weight": 2}},
            "toc": True, "comments": False, "sitemap": {"priority": 0.8},
            "image": "/bilder/genf.jpg", "featured_image": "genf.jpg",
            "keywords": ["Genf"], "series": ["Ukraine-Krise"], "slug": "genf"}

    out, lines, warnings = normalize_keys(meta, {"layout": 2})

    assert (out, lines, warnings) == (meta, {"layout": 2}, [])


# ---------------------------------------------------------------------------
# dates

@pytest.mark.parametrize("stem, expected", [
    ("2019-01-05-mein-beitrag", (date(2019, 1, 5), "mein-beitrag")),
    ("2022-01-21-krisentreffen-in-genf", (date(2022, 1, 21), "krisentreffen-in-genf")),
    ("krisentreffen-genf", (None, "krisentreffen-genf")),
    ("2019-01-05", (None, "2019-01-05")),
    ("2019-02-30-kein-tag", (None, "2019-02-30-kein-tag")),
    ("19-01-05-kurz", (None, "19-01-05-kurz")),
])
def test_date_from_filename(stem: str, expected: tuple[date | None, str]) -> None:
    assert date_from_filename(stem) == expected


@pytest.mark.parametrize("text, expected", [
    ("2022-01-21T17:30:00+01:00", datetime(2022, 1, 21, 17, 30, tzinfo=PLUS_ONE)),
    ("2022-01-21 17:30:00+01:00", datetime(2022, 1, 21, 17, 30, tzinfo=PLUS_ONE)),
    ("2022-01-21T17:30:00+0100", datetime(2022, 1, 21, 17, 30, tzinfo=PLUS_ONE)),
    ("2022-01-21 17:30:00 +0100", datetime(2022, 1, 21, 17, 30, tzinfo=PLUS_ONE)),
    ("2022-01-21 17:30:00 -0500", datetime(2022, 1, 21, 17, 30,
                                           tzinfo=timezone(timedelta(hours=-5)))),
    ("2022-01-21T16:30:00Z", datetime(2022, 1, 21, 16, 30, tzinfo=timezone.utc)),
    ("2022-01-21T17:30:00.250+01:00", datetime(2022, 1, 21, 17, 30, 0, 250000, tzinfo=PLUS_ONE)),
    ("2022-01-21T17:30", datetime(2022, 1, 21, 17, 30, tzinfo=BERLIN)),
    ("2022-07-21 17:30:00", datetime(2022, 7, 21, 17, 30, tzinfo=BERLIN)),
    ("2022-01-21", datetime(2022, 1, 21, tzinfo=BERLIN)),
    ("  2022-01-21  ", datetime(2022, 1, 21, tzinfo=BERLIN)),
])
def test_parse_date_strings(text: str, expected: datetime) -> None:
    parsed = parse_date(text, BERLIN)

    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_naive_dates_get_the_sites_timezone_with_summer_time() -> None:
    assert parse_date("2022-07-21 12:00:00", BERLIN).utcoffset() == timedelta(hours=2)
    assert parse_date("2022-01-21 12:00:00", BERLIN).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("line, expected", [
    # Jekyll's form is a str for YAML, quoted or not; with a colon in the offset YAML
    # already gives an aware datetime, without an offset a naive one.
    ("date: 2022-01-24 09:15:00 +0100", datetime(2022, 1, 24, 9, 15, tzinfo=PLUS_ONE)),
    ('date: "2022-01-24 09:15:00 +0100"', datetime(2022, 1, 24, 9, 15, tzinfo=PLUS_ONE)),
    ("date: 2022-01-24 09:15:00 +01:00", datetime(2022, 1, 24, 9, 15, tzinfo=PLUS_ONE)),
    ("date: 2022-01-24 09:15:00", datetime(2022, 1, 24, 9, 15, tzinfo=BERLIN)),
    ("date: 2022-01-24", datetime(2022, 1, 24, tzinfo=BERLIN)),
])
def test_parse_date_from_yaml_values(line: str, expected: datetime) -> None:
    parsed = parse_date(yaml.safe_load(line)["date"], BERLIN)

    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_parse_date_from_toml_values() -> None:
    meta, _ = load_front_matter("toml", "a = 2022-01-24T09:15:00+01:00\n"
                                        "b = 2022-01-24T09:15:00\nc = 2022-01-24\n", 2)

    assert parse_date(meta["a"], BERLIN).utcoffset() == timedelta(hours=1)
    assert parse_date(meta["b"], BERLIN) == datetime(2022, 1, 24, 9, 15, tzinfo=BERLIN)
    assert parse_date(meta["c"], BERLIN) == datetime(2022, 1, 24, tzinfo=BERLIN)


@pytest.mark.parametrize("value, message", [
    ("gestern", 'must be an ISO 8601 date, got "gestern"'),
    ("24.01.2022", 'must be an ISO 8601 date, got "24.01.2022"'),
    ("2022-01-24 9 Uhr", 'must be an ISO 8601 date, got "2022-01-24 9 Uhr"'),
    (20220124, "must be an ISO 8601 date, got 20220124"),
    (True, "must be an ISO 8601 date, got True"),
    ("2022-02-30", 'must be an ISO 8601 date, got "2022-02-30" (day is out of range for month)'),
    ("2022-01-24 25:00", 'must be an ISO 8601 date, got "2022-01-24 25:00" '
                         "(hour must be in 0..23)"),
    ("2022-01-24 10:00 +2500", 'must be an ISO 8601 date, got "2022-01-24 10:00 +2500" '
                               "(offset +2500 is out of range)"),
])
def test_parse_date_rejects_what_is_no_date(value: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(value, BERLIN)

    assert str(info.value) == message
