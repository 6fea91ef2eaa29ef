"""glossary-report with German forms: each term's forms and their rules, dropped forms, shared forms.

(Belongs with tests/commands/test_glossary_report.py; kept here by the ownership of this change.)
"""

from __future__ import annotations

import json
import os
from types import MappingProxyType

import pytest

from builder.commands.glossary_report import format_report_json, format_report_text, glossary_report
from builder.content.model import Term
from builder.text import forms as forms_module
from builder.text.forms import glossary_forms
from builder.text.lexicon import data_file


def term(slug: str, name: str, **options: object) -> Term:
    return Term(slug=slug, term=name, aliases=(), summary="", body="", source=f"content/glossary/{slug}.md",
                alias_lines=MappingProxyType({}), **options)  # type: ignore[arg-type]


TERMS = [term("rat", "Rat", exclude=("um Rat",)), term("raete", "Räte"), term("nato", "NATO")]


@pytest.fixture()
def report():  # type: ignore[no-untyped-def]
    if data_file() is None:   # fail under CI, where german-nouns must be installed
        if os.environ.get("CI") == "true":
            pytest.fail("german-nouns is missing on CI")
        pytest.skip("german-nouns not installed: pip install --no-deps german-nouns")
    forms_module.forget()
    return glossary_report(TERMS, {}, {}, {}, forms=glossary_forms(TERMS, declension=True))


def test_text_report_lists_forms_with_their_rules(report) -> None:  # type: ignore[no-untyped-def]
    text = format_report_text(report)
    section = text.split("Forms matched beyond names and aliases (", 1)[1]
    assert "\n  Rat (rat): 4 forms\n    Räte  <- lexicon: Rat (nominativ plural)\n" in section
    assert "\n    not matched: Rate  <- lexicon: Rat (dativ singular); also a form of 'Rate'\n" in section
    assert "\n    never inside: um Rat\n" in section
    assert "NATO (nato)" not in section   # a term without forms is left out


def test_text_report_warns_about_forms_two_terms_share(report) -> None:  # type: ignore[no-untyped-def]
    shared = format_report_text(report).split("Forms two terms share (", 1)[1]
    assert ("content/glossary/rat.md:1: warning: form 'räte' of term 'Rat' (lexicon: Rat (nominativ plural)) "
            "is also a form of 'Räte' (name, content/glossary/raete.md:1)") in shared


def test_json_report_has_forms_and_shared_forms(report) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(format_report_json(report))
    rat = next(entry for entry in data["forms"] if entry["slug"] == "rat")
    assert {"text": "Räte", "rule": "lexicon: Rat (nominativ plural)"} in rat["forms"]
    assert rat["not_matched"] == [{"text": "Rate", "rule": "lexicon: Rat (dativ singular)",
                                   "reason": "also a form of 'Rate'"}]
    assert rat["exclude"] == ["um Rat"]
    assert any(d["message"].startswith("form 'räte'") for d in data["shared_forms"])


def test_without_forms_the_report_is_as_before() -> None:
    text = format_report_text(glossary_report(TERMS, {}, {}, {}))
    assert "Forms matched" not in text and "forms" not in json.loads(format_report_json(
        glossary_report(TERMS, {}, {}, {})))
