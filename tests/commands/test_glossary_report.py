"""The glossary report: unused terms, bare articles, usage, collisions, candidates."""

from __future__ import annotations

import json
from types import MappingProxyType

from builder.commands.glossary_report import (
    Candidate,
    TermUsage,
    format_report_json,
    format_report_text,
    glossary_report,
)
from builder.content.model import Term


def term(slug: str, name: str, *aliases: str, alias_lines: dict[str, int] | None = None) -> Term:
    return Term(slug=slug, term=name, aliases=aliases, summary="", body="",
                source=f"content/glossary/{slug}.md", line=2,
                alias_lines=MappingProxyType(alias_lines or {}))


NATO = term("nato", "NATO")
KREML = term("kreml", "Kreml")
OSZE = term("osze", "OSZE")
FORMAT = term("normandie-format", "Normandie-Format", "NATO", alias_lines={"NATO": 3})
TERMS = [NATO, KREML, OSZE, FORMAT]

TEXTS = {
    "content/articles/a.md": "Der Kreml und die NATO. Regierung tagt. Beim NATO-Gipfel sprach der Kanzler.",
    "content/articles/b.md": "Die NATO plant den NATO-Gipfel mit dem Kanzler am Montag.",
    "content/articles/c.md": "Zum NATO-Gipfel reist der Kanzler. Regierung schweigt. Die Ölpreise steigen.",
    "content/articles/d.md": "Der Kanzler tagt mit der Regierung. Die Ölpreise fallen. Die Kremls Linie.",
}
USAGE = {
    "content/articles/a.md": {"kreml": 1, "nato": 2},
    "content/articles/b.md": {"nato": 2},
    "content/articles/c.md": {"nato": 1},
    "content/articles/d.md": {"kreml": 1},
}
ANNOTATED = {
    "content/articles/a.md": ["kreml", "nato"],
    "content/articles/b.md": ["nato"],
    "content/articles/c.md": [],
}


def report():  # type: ignore[no-untyped-def]
    return glossary_report(TERMS, USAGE, ANNOTATED, TEXTS, min_articles=3)


def test_terms_never_used() -> None:
    assert report().unused_terms == (
        TermUsage("normandie-format", "Normandie-Format", 0, 0), TermUsage("osze", "OSZE", 0, 0))


def test_articles_without_annotations_include_those_missing_from_annotated() -> None:
    assert report().articles_without_annotations == ("content/articles/c.md", "content/articles/d.md")


def test_usage_per_term_sorted_by_articles_then_matches() -> None:
    assert report().usage == (
        TermUsage("nato", "NATO", 2, 5),
        TermUsage("kreml", "Kreml", 1, 2),
        TermUsage("normandie-format", "Normandie-Format", 0, 0),
        TermUsage("osze", "OSZE", 0, 0),
    )


def test_collisions_come_from_check_glossary() -> None:
    assert [str(d) for d in report().collisions] == [
        "content/glossary/normandie-format.md:3: error: alias 'NATO' is already claimed by "
        "content/glossary/nato.md:2"]


def test_candidates_are_frequent_capitalised_words_without_entry() -> None:
    # "Regierung" stands only at sentence starts but in d.md, "Ölpreise" in two articles,
    # "Montag" is a stop word, "Kremls" is an inflected form of a term.
    assert report().candidates == (Candidate("Kanzler", 4), Candidate("NATO-Gipfel", 3))


def test_min_articles_lowers_the_bar() -> None:
    low = glossary_report(TERMS, USAGE, ANNOTATED, TEXTS, min_articles=2)
    assert low.candidates == (Candidate("Kanzler", 4), Candidate("NATO-Gipfel", 3), Candidate("Ölpreise", 2))


def test_text_format() -> None:
    assert format_report_text(report()) == """\
Glossary report: 4 terms, 4 articles

Terms never used (2):
  Normandie-Format (normandie-format)
  OSZE (osze)

Articles without annotations (2):
  content/articles/c.md
  content/articles/d.md

Annotations per term (4):
  NATO (nato): annotated in 2 articles, 5 matches
  Kreml (kreml): annotated in 1 article, 2 matches
  Normandie-Format (normandie-format): annotated in 0 articles, 0 matches
  OSZE (osze): annotated in 0 articles, 0 matches

Alias collisions (1):
  content/glossary/normandie-format.md:3: error: alias 'NATO' is already claimed by content/glossary/nato.md:2

Candidate terms (in 3 or more articles, no entry) (2):
  Kanzler: 4 articles
  NATO-Gipfel: 3 articles
"""


def test_text_format_says_none_for_empty_sections() -> None:
    empty = glossary_report([], {}, {}, {})
    assert format_report_text(empty) == (
        "Glossary report: 0 terms, 0 articles\n\n"
        "Terms never used (0):\n  none\n\n"
        "Articles without annotations (0):\n  none\n\n"
        "Annotations per term (0):\n  none\n\n"
        "Alias collisions (0):\n  none\n\n"
        "Candidate terms (in 3 or more articles, no entry) (0):\n  none\n")


def test_json_format() -> None:
    data = json.loads(format_report_json(report()))
    assert data["unused_terms"] == [
        {"slug": "normandie-format", "term": "Normandie-Format", "articles": 0, "matches": 0},
        {"slug": "osze", "term": "OSZE", "articles": 0, "matches": 0}]
    assert data["articles_without_annotations"] == ["content/articles/c.md", "content/articles/d.md"]
    assert data["usage"][0] == {"slug": "nato", "term": "NATO", "articles": 2, "matches": 5}
    assert data["collisions"] == [{
        "path": "content/glossary/normandie-format.md", "line": 3, "col": None, "severity": "error",
        "message": "alias 'NATO' is already claimed by content/glossary/nato.md:2", "hint": None}]
    assert data["candidates"] == [{"word": "Kanzler", "articles": 4, "variants": []},
                                  {"word": "NATO-Gipfel", "articles": 3, "variants": []}]
    assert data["terms"] == 4 and data["articles"] == 4 and data["min_articles"] == 3
    assert "Ölpreise" not in format_report_json(report())


def test_forms_of_terms_and_stop_words_are_no_candidates() -> None:
    words = {c.word for c in glossary_report(TERMS, USAGE, ANNOTATED, TEXTS, min_articles=1).candidates}
    assert {"Linie", "Regierung", "Kanzler"} <= words
    assert words.isdisjoint({"Kremls", "Kreml", "NATO", "Montag", "Die", "Der", "Zum", "Beim"})


def test_inflected_candidates_join_their_shortest_form() -> None:
    texts = {
        "a.md": "Gespräche mit Russland über die Ukraine.",
        "b.md": "Die Haltung Russlands zur Ukraine.",
        "c.md": "Die Politik Russlands und die Gespräche in der Ukraine.",
        "d.md": "Ein Gespräch in Genf.",
    }
    result = glossary_report([], {}, {}, texts, min_articles=3)
    assert result.candidates == (Candidate("Russland", 3, ("Russlands",)), Candidate("Ukraine", 3))
    assert "  Russland: 3 articles (also Russlands)\n" in format_report_text(result)


def test_words_at_line_starts_count_as_sentence_initial() -> None:
    texts = {name: f"Heute\nVerhandlungen in Genf\n„Gespräche laufen“, sagt {who}."
             for name, who in (("a.md", "Lawrow"), ("b.md", "Lawrow"), ("c.md", "Lawrow"))}
    assert glossary_report([], {}, {}, texts).candidates == (Candidate("Genf", 3), Candidate("Lawrow", 3))
