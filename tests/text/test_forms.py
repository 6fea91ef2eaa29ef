"""German term forms: what the lexicon and the rules generate, what is dropped, how forms are cached."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from builder.content.config import GlossarySettings, SiteConfig
from builder.content.model import Term
from builder.content.validate import LoadOptions, load_term
from builder.text import forms as forms_module
from builder.text import lexicon as lexicon_module
from builder.text.forms import (CACHE_FILE, Form, forms_key, glossary_forms, literal_forms, phrase_forms,
                                shared_forms, uses_declension)


def lexicon_installed() -> None:
    """Skip without the german-nouns package (fail under CI, where `make test` installs it)."""
    if lexicon_module.data_file() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("german-nouns is missing on CI")
        pytest.skip("german-nouns not installed: pip install --no-deps german-nouns")


@pytest.fixture(autouse=True)
def fresh_memo() -> None:
    forms_module.forget()


def term(slug: str, name: str, *aliases: str, **options: object) -> Term:
    return Term(slug=slug, term=name, aliases=aliases, summary="", body="", source=f"content/glossary/{slug}.md",
                alias_lines=MappingProxyType({}), **options)  # type: ignore[arg-type]


def texts(phrase: str) -> dict[str, Form]:
    """The generated forms of one phrase, kept ones only, by text."""
    return {f.text: f for f in phrase_forms([phrase])[phrase] if not f.dropped}


# --- the lexicon's forms ------------------------------------------------------------------------

def test_umlaut_plurals_and_genitives_come_from_the_lexicon() -> None:
    lexicon_installed()
    assert {"Räte", "Räten", "Rates", "Rats"} <= set(texts("Rat"))
    assert {"Verträge", "Verträgen", "Vertrags", "Vertrages"} <= set(texts("Vertrag"))
    assert {"Bündnisse", "Bündnisses", "Bündnissen"} <= set(texts("Bündnis"))
    assert texts("Rat")["Räte"].rule == "lexicon: Rat (nominativ plural)"


def test_weak_nouns_take_their_n_forms() -> None:
    lexicon_installed()
    assert set(texts("Diplomat")) == {"Diplomaten"}
    assert "Präsidenten" in texts("Präsident")


def test_a_word_written_in_the_plural_finds_its_singular() -> None:
    lexicon_installed()
    assert "Sanktion" in texts("Sanktionen")
    assert "Friedensverhandlung" in texts("Friedensverhandlungen")


def test_a_form_that_is_another_word_is_dropped_with_the_reason() -> None:
    lexicon_installed()
    rate = {f.text: f for f in phrase_forms(["Rat"])["Rat"]}["Rate"]
    assert rate.dropped == "also a form of 'Rate'"
    assert "Raten" not in {f.text for f in phrase_forms(["Rat"])["Rat"]}


def test_nominalised_adjectives_keep_their_feminine_forms() -> None:
    lexicon_installed()
    assert {"Abgeordnete", "Abgeordneten"} <= set(texts("Abgeordneter"))


def test_compound_the_lexicon_lacks_declines_by_its_longest_known_last_part() -> None:
    lexicon_installed()
    found = texts("Bündnisfall")
    assert {"Bündnisfälle", "Bündnisfällen", "Bündnisfalls"} <= set(found)
    assert found["Bündnisfälle"].rule == "lexicon: Fall (nominativ plural), last part of Bündnisfall"


def test_hyphen_compound_declines_its_last_part() -> None:
    lexicon_installed()
    assert {"INF-Verträge", "INF-Vertrages"} <= set(texts("INF-Vertrag"))


def test_compound_without_a_plural_in_its_entry_takes_its_last_parts_plural() -> None:
    lexicon_installed()
    assert "Atomwaffensperrverträge" in texts("Atomwaffensperrvertrag")


# --- adjectives and phrases -----------------------------------------------------------------------

def test_adjectives_decline_with_the_head_strong_weak_and_mixed() -> None:
    lexicon_installed()
    assert "Europäischen Union" in texts("Europäische Union")
    krieg = texts("Kalter Krieg")
    assert {"Kalten Krieges", "Kalten Kriegs", "Kalten Krieg", "Kalte Krieg", "Kaltem Krieg"} <= set(krieg)
    assert "Kalter Kriegen" not in krieg and "Kalte Krieges" not in krieg


def test_a_plural_name_keeps_to_the_plural() -> None:
    lexicon_installed()
    nationen = texts("Vereinte Nationen")
    assert "Vereinten Nationen" in nationen
    assert not any(form.endswith("Nation") for form in nationen)


def test_adjectives_of_a_compound_head_follow_its_last_parts_gender() -> None:
    lexicon_installed()
    gruppe = texts("Trilaterale Kontaktgruppe")
    assert {"Trilateralen Kontaktgruppe", "Trilateraler Kontaktgruppe", "Trilateralen Kontaktgruppen"} <= set(gruppe)
    assert "Trilateralem Kontaktgruppe" not in gruppe   # -em is masculine or neuter


def test_lower_case_adjectives_decline_too() -> None:
    lexicon_installed()
    assert "territorialen Integrität" in texts("territoriale Integrität")
    assert "roten Linien" in texts("rote Linie")


def test_neuter_and_nominalised_modifiers() -> None:
    lexicon_installed()
    assert {"Europäischen Parlaments", "Europäischem Parlament"} <= set(texts("Europäisches Parlament"))
    assert "Deutschen Presse-Agentur" in texts("Deutsche Presse-Agentur")   # "Deutsche" is also a noun


def test_modifiers_that_are_no_adjectives_stay() -> None:
    lexicon_installed()
    assert set(texts("Minsker Abkommen")) == {"Minsker Abkommens"}   # -er is no neuter ending
    senat = texts("Berliner Senat")                                   # "Berliner" is a noun
    assert "Berliner Senats" in senat and not any(form.startswith("Berlinen") for form in senat)


def test_head_first_phrases_inflect_at_the_head_only() -> None:
    lexicon_installed()
    lissabon = texts("Vertrag von Lissabon")
    assert {"Vertrags von Lissabon", "Vertrages von Lissabon", "Verträge von Lissabon"} <= set(lissabon)
    assert all(form.endswith(" von Lissabon") for form in lissabon)
    assert all(form.endswith(" der offenen Tür") for form in texts("Politik der offenen Tür"))
    assert "Rats der Europäischen Union" in texts("Rat der Europäischen Union")


def test_what_is_no_noun_phrase_keeps_its_written_form() -> None:
    lexicon_installed()
    assert phrase_forms(["um Rat bitten", "dpa", "Außen- und Sicherheitspolitik"]) == {
        "um Rat bitten": (), "dpa": (), "Außen- und Sicherheitspolitik": ()}


# --- rules where the lexicon has nothing -------------------------------------------------------------

class NoLexicon:
    """A lexicon that knows no word: only the rules apply."""

    def entries(self, lemmas: object) -> dict:
        return {}

    def lemmas_with_forms(self, forms: object) -> dict:
        return {}


@pytest.mark.parametrize(("word", "expected", "rule"), [
    ("XQZ", {"XQZs"}, "rule: an acronym takes a genitive -s"),
    ("Quorkgruppe", {"Quorkgruppen"}, "rule: -e takes -n"),
    ("Quorkung", {"Quorkungen"}, "rule: -ung, -heit, -keit, -schaft, -ion, -tät, -ik, -enz, -anz take -en"),
    ("Quorknis", {"Quorknisse", "Quorknisses", "Quorknissen"}, "rule: -nis takes -se, -ses, -sen"),
    ("Quorkat", {"Quorkats"}, "rule: a genitive -s"),
    ("Quorkas", set(), ""),
])
def test_rules_apply_where_the_lexicon_has_nothing(word: str, expected: set[str], rule: str) -> None:
    found = phrase_forms([word], NoLexicon())[word]
    assert {f.text for f in found} == expected
    assert all(f.rule == rule for f in found)


def test_adjective_before_an_unknown_head_takes_every_ending() -> None:
    found = {f.text for f in phrase_forms(["Rote Quorkat"], NoLexicon())["Rote Quorkat"]}
    assert {"Roten Quorkat", "Roter Quorkats", "Rotem Quorkat"} <= found


# --- per glossary -------------------------------------------------------------------------------------

def test_listed_forms_are_matched_and_beat_the_homograph_rule() -> None:
    lexicon_installed()
    rat = term("rat", "Rat", listed_forms=("Rate",))
    found = glossary_forms([rat], declension=True)["rat"]
    assert "Rate" in {f.text for f in found.forms}
    assert "Rate" not in {f.text for f in found.dropped}


def test_not_forms_drop_a_generated_form() -> None:
    lexicon_installed()
    found = glossary_forms([term("rat", "Rat", not_forms=("Räten",))], declension=True)["rat"]
    assert "Räten" not in {f.text for f in found.forms}
    assert Form("Räten", "lexicon: Rat (dativ plural)", "listed in not_forms:") in found.dropped


def test_exclude_phrases_are_declined_as_well() -> None:
    lexicon_installed()
    found = glossary_forms([term("sr", "Sicherheitsrat", exclude=("Nationaler Sicherheitsrat",))],
                           declension=True)["sr"]
    assert {"Nationaler Sicherheitsrat", "Nationalen Sicherheitsrates"} <= set(found.exclude)


def test_inflect_false_keeps_a_term_exact() -> None:
    lexicon_installed()
    found = glossary_forms([term("rat", "Rat", inflect=False, listed_forms=("Räte",))], declension=True)["rat"]
    assert [f.text for f in found.forms] == ["Räte"] and not found.declined


def test_without_declension_only_listed_forms_and_excludes_as_written() -> None:
    bund = term("b", "Bündnis", listed_forms=("Bündnisse",), exclude=("Bündnis 90",))
    assert glossary_forms([bund], declension=False) == {"b": literal_forms(bund)}
    assert literal_forms(bund).exclude == ("Bündnis 90",)


def test_german_sites_decline_by_default_others_do_not() -> None:
    assert uses_declension(SiteConfig(language="de"))
    assert uses_declension(SiteConfig(language="de-AT"))
    assert not uses_declension(SiteConfig(language="en"))
    assert not uses_declension(SiteConfig(language="de", glossary=GlossarySettings(declension=False)))


def test_shared_forms_are_warned_about() -> None:
    lexicon_installed()
    terms = [term("raete", "Räte"), term("rat", "Rat"), term("eu", "Europäische Union")]
    warnings = shared_forms(terms, glossary_forms(terms, declension=True))
    by_form = {w.message.split("'")[1]: w for w in warnings}
    assert {"räte", "rat", "rates", "räten"} <= set(by_form)   # "Räte" is a form of "Rat" and back
    assert all(w.severity == "warning" and w.path == "content/glossary/rat.md" for w in warnings)  # the later file
    assert by_form["räte"].message.startswith("form 'räte' of term 'Rat' (lexicon: Rat (nominativ plural)) "
                                              "is also a form of 'Räte' (name, content/glossary/raete.md:1)")


def test_names_two_terms_share_are_left_to_check_glossary() -> None:
    terms = [term("a", "Rat"), term("b", "Rat")]
    assert shared_forms(terms, glossary_forms(terms, declension=False)) == []


# --- caching --------------------------------------------------------------------------------------------

def refuse_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the lexicon was read")
    monkeypatch.setattr(lexicon_module.Lexicon, "__init__", refuse)


def test_a_new_process_reads_forms_from_the_file_not_the_lexicon(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon_installed()
    terms = [term("eu", "Europäische Union", exclude=("Europäische Union der Bürger",)), term("rat", "Rat")]
    cold = glossary_forms(terms, declension=True, cache_dir=tmp_path)
    stored = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))
    assert stored["key"] == forms_key(True) and "Europäische Union" in stored["phrases"]
    forms_module.forget()   # as in a new process
    refuse_lexicon(monkeypatch)
    assert glossary_forms(terms, declension=True, cache_dir=tmp_path) == cold


def test_editing_forms_or_not_forms_never_reads_the_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon_installed()
    terms = [term("rat", "Rat")]
    glossary_forms(terms, declension=True)
    refuse_lexicon(monkeypatch)
    edited = [replace(terms[0], listed_forms=("Rate",), not_forms=("Räten",))]
    found = glossary_forms(edited, declension=True)["rat"]
    assert "Rate" in {f.text for f in found.forms} and "Räten" not in {f.text for f in found.forms}


def test_a_new_phrase_reads_the_lexicon_for_that_phrase(tmp_path: Path) -> None:
    lexicon_installed()
    glossary_forms([term("rat", "Rat")], declension=True, cache_dir=tmp_path)
    found = glossary_forms([term("rat", "Rat"), term("kk", "Kalter Krieg")], declension=True, cache_dir=tmp_path)
    assert "Kalten Krieges" in {f.text for f in found["kk"].forms}
    stored = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))["phrases"]
    assert set(stored) == {"Rat", "Kalter Krieg"}


def test_a_file_of_another_lexicon_version_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon_installed()
    (tmp_path / CACHE_FILE).write_text(json.dumps(
        {"key": "forms 0; german-nouns 0.1", "phrases": {"Rat": [["Ratz", "made up", ""]]}}), encoding="utf-8")
    found = glossary_forms([term("rat", "Rat")], declension=True, cache_dir=tmp_path)["rat"]
    assert "Ratz" not in {f.text for f in found.forms} and "Räte" in {f.text for f in found.forms}


def test_the_cache_key_names_the_rules_and_the_lexicon_version() -> None:
    lexicon_installed()
    key = forms_key(True)
    assert key.startswith(f"forms {forms_module.FORMS_VERSION}; german-nouns ")
    assert forms_key(False) == "exact"


def test_without_the_package_only_rules_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon_module, "data_file", lambda: None)
    assert forms_key(True).endswith("; none")
    found = glossary_forms([term("q", "Kontaktgruppe")], declension=True)["q"]
    assert [(f.text, f.rule) for f in found.forms] == [("Kontaktgruppen", "rule: -e takes -n")]


# --- front matter ---------------------------------------------------------------------------------------

def test_term_files_take_forms_not_forms_and_exclude() -> None:
    text = ('---\nterm: "Rat"\naliases: ["Ratsversammlung"]\nforms: ["Rate"]\nnot_forms: ["Räten"]\n'
            'exclude: ["um Rat", "Rat suchen"]\n---\n\nEin Gremium.\n')
    loaded, problems = load_term("content/glossary/rat.md", text, LoadOptions(tz=ZoneInfo("Europe/Berlin")))
    assert problems == [] and loaded is not None
    assert loaded.aliases == ("Ratsversammlung",)   # the term page shows aliases only
    assert (loaded.listed_forms, loaded.not_forms, loaded.exclude) == (("Rate",), ("Räten",), ("um Rat", "Rat suchen"))
    assert "forms" not in loaded.extra


def test_forms_must_be_a_list_of_text() -> None:
    text = '---\nterm: "Rat"\nforms: {a: 1}\n---\n'
    loaded, problems = load_term("content/glossary/rat.md", text, LoadOptions(tz=ZoneInfo("Europe/Berlin")))
    assert loaded is None
    assert [p.message for p in problems] == ["'forms' must be a list of text, got a mapping"]
