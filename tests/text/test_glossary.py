"""Glossary matching rules, glossary checks, summaries and German sorting."""

from __future__ import annotations

import os
import pickle
from types import MappingProxyType

import pytest

from builder.content.model import Term
from builder.text.collation import german_sort_key, index_letter
from builder.text.glossary import Match, Matcher, is_sentence_start
from builder.text.glossary_terms import check_glossary, summary_from_markdown


def term(slug: str, name: str, *aliases: str, line: int = 2, alias_lines: dict[str, int] | None = None,
         **options: object) -> Term:
    return Term(slug=slug, term=name, aliases=aliases, summary=f"Erklärung zu {name}", body="",
                source=f"content/glossary/{slug}.md", line=line,
                alias_lines=MappingProxyType(alias_lines or {}), **options)  # type: ignore[arg-type]


def found(matcher: Matcher, text: str, **kwargs: object) -> list[tuple[str, str]]:
    """(matched text, slug) pairs, so assertions show what was found."""
    return [(text[m.start:m.end], m.slug) for m in matcher.find(text, **kwargs)]  # type: ignore[arg-type]


NATO = term("nato", "NATO", "Nordatlantikpakt")
OSTERWEITERUNG = term("nato-osterweiterung", "NATO-Osterweiterung")
KREML = term("kreml", "Kreml")
FORMAT = term("normandie-format", "Normandie-Format")


# --- whole words -----------------------------------------------------------

def test_match_offsets_point_into_the_text() -> None:
    matcher = Matcher([KREML])
    assert matcher.find("Im Kreml wird beraten.") == [Match(3, 8, "kreml")]


def test_no_match_inside_a_longer_word() -> None:
    matcher = Matcher([KREML])
    assert found(matcher, "Der Kremlchef und der Kreml") == [("Kreml", "kreml")]
    assert found(matcher, "Ex-Kreml") == []


def test_hyphen_compounds_are_one_word() -> None:
    matcher = Matcher([NATO])
    assert found(matcher, "Der NATO-Gipfel tagt.") == []
    assert found(matcher, "Die Anti-NATO-Proteste") == []
    assert found(matcher, "NATO- und EU-Staaten") == []
    assert found(matcher, "Die NATO – und nur sie.") == [("NATO", "nato")]


def test_longest_match_wins_where_terms_overlap() -> None:
    matcher = Matcher([NATO, OSTERWEITERUNG])
    assert found(matcher, "Die NATO-Osterweiterung beschäftigt die NATO.") == [
        ("NATO-Osterweiterung", "nato-osterweiterung"), ("NATO", "nato")]


def test_longest_match_among_multi_word_terms() -> None:
    union = term("union", "Union")
    eu = term("eu", "Europäische Union", "EU")
    matcher = Matcher([union, eu])
    assert found(matcher, "Die Europäische Union und die Union") == [
        ("Europäische Union", "eu"), ("Union", "union")]


def test_umlauts_and_sharp_s_are_word_characters() -> None:
    amt = term("aussenministerium", "Außenministerium")
    tuer = term("politik-der-offenen-tuer", "Politik der offenen Tür")
    matcher = Matcher([amt, tuer])
    text = "Das Außenministerium verteidigt die Politik der offenen Tür; die Außenministeriumssprecherin schweigt."
    assert found(matcher, text) == [("Außenministerium", "aussenministerium"),
                                    ("Politik der offenen Tür", "politik-der-offenen-tuer")]
    assert found(matcher, "Politik der offenen Türen") == []


def test_aliases_match_as_their_term() -> None:
    matcher = Matcher([NATO])
    assert found(matcher, "Der Nordatlantikpakt wächst.") == [("Nordatlantikpakt", "nato")]


def test_multi_word_form_matches_across_line_break_and_no_break_space() -> None:
    tuer = term("politik-der-offenen-tuer", "Politik der offenen Tür")
    matcher = Matcher([tuer])
    assert found(matcher, "die Politik der offenen\nTür") == [("Politik der offenen\nTür", tuer.slug)]
    assert found(matcher, "die Politik der\u00a0offenen Tür") == [("Politik der\u00a0offenen Tür", tuer.slug)]


def test_boundary_context_from_neighbouring_text() -> None:
    matcher = Matcher([NATO])
    assert found(matcher, "NATO", after="-Gipfel") == []
    assert found(matcher, "NATO", before="Anti-") == []
    assert found(matcher, "NATO", before=" ", after=" ") == [("NATO", "nato")]


def test_punctuation_and_quotes_are_boundaries() -> None:
    matcher = Matcher([KREML])
    assert found(matcher, "„Kreml“, (Kreml) und Kreml.") == [("Kreml", "kreml")] * 3


# --- case ------------------------------------------------------------------

def test_case_is_exact_by_default() -> None:
    matcher = Matcher([NATO])
    assert found(matcher, "Die Nato und die nato") == []


def test_capitalised_first_letter_matches_at_sentence_start() -> None:
    dpa = term("dpa", "dpa")
    matcher = Matcher([dpa])
    text = "Dpa meldet es. Dpa bestätigt! Dpa? Quelle: Dpa und nicht Dpa, aber dpa."
    expected = [0, text.index("Dpa bestätigt"), text.index("Dpa?"), text.index("Dpa und"), text.index("dpa.")]
    assert [m.start for m in matcher.find(text)] == expected
    assert found(matcher, "Dpa meldet", sentence_start=False) == []
    assert found(matcher, "Er sagte: „Dpa irrt.“ Dpa") == [("Dpa", "dpa"), ("Dpa", "dpa")]


def test_sentence_start_helper() -> None:
    assert is_sentence_start("Ende. Anfang", 6)
    assert is_sentence_start("Ende.“ „Anfang", 8)
    assert not is_sentence_start("Ende,Anfang", 5)
    assert not is_sentence_start("Ende.Anfang", 5)
    assert is_sentence_start("  Anfang", 2, True)
    assert not is_sentence_start("Anfang", 0, False)


def test_case_insensitive_term_matches_any_case() -> None:
    afd = term("afd", "AfD", case_sensitive=False)
    matcher = Matcher([afd])
    assert found(matcher, "AfD, afd, AFD und Afd; aber nicht AfDler") == [
        ("AfD", "afd"), ("afd", "afd"), ("AFD", "afd"), ("Afd", "afd")]


def test_case_sensitive_term_beats_case_insensitive_one_on_the_same_text() -> None:
    rat = term("rat", "Rat")
    rat_any = term("rat-any", "rat", case_sensitive=False)
    matcher = Matcher([rat_any, rat])
    assert found(matcher, "Der Rat tagt") == [("Rat", "rat")]
    assert found(matcher, "Der RAT tagt") == [("RAT", "rat-any")]


def test_sentence_variant_never_beats_exact_form_of_another_term() -> None:
    lower = term("dpa", "dpa")
    upper = term("dpa-gmbh", "Dpa")
    matcher = Matcher([lower, upper])
    assert found(matcher, "Dpa meldet") == [("Dpa", "dpa-gmbh")]


# --- inflection --------------------------------------------------------------

def test_inflection_off_needs_aliases() -> None:
    matcher = Matcher([FORMAT])
    assert found(matcher, "die Regeln des Normandie-Formats") == []


def test_inflection_on_matches_suffixes_of_the_last_word() -> None:
    abkommen = term("abkommen", "Abkommen")
    matcher = Matcher([FORMAT, abkommen], inflect=True)
    assert found(matcher, "die Regeln des Normandie-Formats") == [("Normandie-Formats", FORMAT.slug)]
    assert found(matcher, "die Normandie-Formate und des Abkommens") == [
        ("Normandie-Formate", FORMAT.slug), ("Abkommens", "abkommen")]
    assert found(matcher, "den Normandie-Formaten") == [("Normandie-Formaten", FORMAT.slug)]


def test_inflection_needs_the_word_to_end_after_the_suffix() -> None:
    matcher = Matcher([FORMAT], inflect=True)
    assert found(matcher, "die Normandie-Formatsitzung und die Normandie-Formaten-Runde") == []
    assert found(matcher, "den Normandie-Formatern.") == [("Normandie-Formatern", FORMAT.slug)]


def test_inflection_of_case_insensitive_term() -> None:
    nato = term("nato", "Nato", case_sensitive=False)
    matcher = Matcher([nato], inflect=True)
    assert found(matcher, "die Natos, die NATOS und natos") == [
        ("Natos", "nato"), ("NATOS", "nato"), ("natos", "nato")]


def test_inflection_does_not_handle_umlaut_plurals() -> None:
    vertrag = term("vertrag", "Vertrag")
    matcher = Matcher([vertrag], inflect=True)
    assert found(matcher, "Die Verträge und des Vertrages") == [("Vertrages", "vertrag")]


def test_inflection_of_acronyms_only_takes_s() -> None:
    bnd = term("bnd", "BND")
    matcher = Matcher([bnd], inflect=True)
    assert found(matcher, "des BNDs, nicht BNDen") == [("BNDs", "bnd")]


def test_term_inflect_overrides_site_default() -> None:
    off = term("normandie-format", "Normandie-Format", inflect=False)
    on = term("abkommen", "Abkommen", inflect=True)
    assert found(Matcher([off], inflect=True), "des Normandie-Formats") == []
    assert found(Matcher([on], inflect=False), "des Abkommens") == [("Abkommens", "abkommen")]


def test_exact_form_of_another_term_beats_inflected_form() -> None:
    rat = term("rat", "Rat")
    rate = term("rate", "Rate")
    matcher = Matcher([rat, rate], inflect=True)
    assert found(matcher, "die erste Rate, des Rates") == [("Rate", "rate"), ("Rates", "rat")]


def test_inflected_form_at_sentence_start() -> None:
    dpa = term("dpa", "dpa")
    matcher = Matcher([dpa], inflect=True)
    assert found(matcher, "Dpas Meldung") == [("Dpas", "dpa")]


# --- German forms (generated by builder.text.forms) -----------------------------

def german(*terms: Term) -> Matcher:
    """A matcher with German forms, for the tests below (which need the german-nouns lexicon)."""
    from builder.text.forms import glossary_forms
    from builder.text.lexicon import data_file
    if data_file() is None:   # fail under CI, where german-nouns must be installed
        if os.environ.get("CI") == "true":
            pytest.fail("german-nouns is missing on CI")
        pytest.skip("german-nouns not installed: pip install --no-deps german-nouns")
    return Matcher(terms, inflect=True, forms=glossary_forms(terms, declension=True))


EU = term("eu", "Europäische Union", "EU")
RAT = term("rat", "Rat", exclude=("um Rat",))
EUROPAEISCHER_RAT = term("europaeischer-rat", "Europäischer Rat")


def test_declined_adjectives_and_umlaut_plurals_match() -> None:
    matcher = german(EU, RAT, term("kk", "Kalter Krieg"))
    assert found(matcher, "Die Räte der Europäischen Union nach dem Ende des Kalten Krieges") == [
        ("Räte", "rat"), ("Europäischen Union", "eu"), ("Kalten Krieges", "kk")]


def test_the_longest_term_wins_in_every_case() -> None:
    matcher = german(RAT, EUROPAEISCHER_RAT)
    assert found(matcher, "im Europäischen Rat, des Europäischen Rates, der Rat") == [
        ("Europäischen Rat", "europaeischer-rat"), ("Europäischen Rates", "europaeischer-rat"), ("Rat", "rat")]


def test_homographs_of_generated_forms_do_not_match() -> None:
    matcher = german(RAT)
    assert found(matcher, "Die Rate steigt, die Raten sinken, der Rat tagt.") == [("Rat", "rat")]


def test_generated_forms_take_no_inflect_suffixes() -> None:
    assert found(german(RAT), "die Rate und die Rater") == []


def test_written_form_of_another_term_beats_a_generated_form() -> None:
    raete = term("raete", "Räte")   # e.g. the councils of 1918
    matcher = german(RAT, raete)
    assert found(matcher, "Die Räte tagten, der Rat nicht.") == [("Räte", "raete"), ("Rat", "rat")]


def test_lower_case_term_in_a_declined_form_matches_at_a_sentence_start() -> None:
    matcher = german(term("ti", "territoriale Integrität"))
    assert found(matcher, "Klar. Territorialer Integrität misst man Wert bei, der Territorialen Integrität") == [
        ("Territorialer Integrität", "ti")]


def test_exclude_phrase_blocks_its_term_only() -> None:
    buendnis = term("buendnis", "Bündnis", exclude=("Bündnis 90",))
    neunzig = term("b90", "Bündnis 90/Die Grünen")
    matcher = german(buendnis, RAT)
    assert found(matcher, "Bündnis 90 und das Bündnis; sie bat um Rat, der Rat tagt") == [
        ("Bündnis", "buendnis"), ("Rat", "rat")]
    assert found(german(buendnis, neunzig), "Bündnis 90/Die Grünen") == [("Bündnis 90/Die Grünen", "b90")]


def test_exclude_phrase_is_matched_in_its_declined_forms() -> None:
    unsr = term("unsr", "UN-Sicherheitsrat", "Sicherheitsrat", exclude=("Nationaler Sicherheitsrat",))
    matcher = german(unsr)
    assert found(matcher, "Der Sprecher des Nationalen Sicherheitsrates und der Sicherheitsrat") == [
        ("Sicherheitsrat", "unsr")]
    assert found(matcher, "Nationaler Sicherheitsrat. Im Sicherheitsrat") == [("Sicherheitsrat", "unsr")]


def test_listed_forms_and_excludes_work_without_german_forms() -> None:
    rat = term("rat", "Rat", listed_forms=("Räte",), exclude=("um Rat",))
    assert found(Matcher([rat]), "Die Räte baten um Rat, der Rat half") == [("Räte", "rat"), ("Rat", "rat")]


def test_soft_hyphens_inside_a_term_are_matched_through() -> None:
    matcher = german(EU, term("buendnis", "Bündnis"))
    text = "Die Bünd\u00adnisse der Euro\u00adpäischen Union"
    assert found(matcher, text) == [("Bünd\u00adnisse", "buendnis"), ("Euro\u00adpäischen Union", "eu")]


def test_soft_hyphen_in_the_glossary_is_ignored() -> None:
    assert found(Matcher([term("b", "Bünd\u00adnis")]), "das Bündnis") == [("Bündnis", "b")]


def test_no_break_spaces_and_hyphens_inside_a_term() -> None:
    matcher = german(EU, term("unsr", "UN-Sicherheitsrat"))
    assert found(matcher, "der Europäischen\u00a0Union und des UN\u2011Sicherheitsrats") == [
        ("Europäischen\u00a0Union", "eu"), ("UN\u2011Sicherheitsrats", "unsr")]


def test_compounds_still_do_not_match() -> None:
    matcher = german(term("kreml", "Kreml"), NATO, RAT)
    assert found(matcher, "Kremlchef, NATO-Gipfel, Ratspräsident, Räteverfassung und Kremls") == [("Kremls", "kreml")]


def test_matcher_with_german_forms_survives_pickling() -> None:
    matcher = german(EU, RAT)
    copy = pickle.loads(pickle.dumps(matcher))
    text = "Die Räte der Europäischen Union baten um Rat."
    assert copy.find(text) == matcher.find(text) == [Match(4, 8, "rat"), Match(13, 31, "eu")]


# --- building ------------------------------------------------------------------

def test_matcher_survives_pickling() -> None:
    matcher = Matcher([NATO, OSTERWEITERUNG, term("afd", "AfD", case_sensitive=False)], inflect=True)
    copy = pickle.loads(pickle.dumps(matcher))
    text = "NATO-Osterweiterung, NATOs, afd"
    assert copy.find(text) == matcher.find(text)
    assert found(copy, text) == [("NATO-Osterweiterung", "nato-osterweiterung"), ("NATOs", "nato"), ("afd", "afd")]


def test_empty_glossary_and_empty_text() -> None:
    assert Matcher([]).find("Die NATO") == []
    assert Matcher([NATO]).find("") == []


# --- check_glossary --------------------------------------------------------------

def test_duplicate_term_names_are_case_insensitive() -> None:
    a = term("a", "NATO", line=2)
    b = term("b", "Nato", line=3)
    assert [str(d) for d in check_glossary([b, a])] == [
        "content/glossary/b.md:3: error: duplicate term 'Nato', already defined in content/glossary/a.md:2"]


def test_alias_claimed_by_two_terms_names_both_places() -> None:
    a = term("a", "Nordatlantikpakt", "NATO", line=2, alias_lines={"NATO": 4})
    b = term("b", "Atlantisches Bündnis", "NATO", line=2, alias_lines={"NATO": 3})
    assert [str(d) for d in check_glossary([a, b])] == [
        "content/glossary/b.md:3: error: alias 'NATO' is already claimed by content/glossary/a.md:4"]


def test_alias_equal_to_another_term() -> None:
    a = term("a", "NATO", line=2)
    b = term("b", "Atlantisches Bündnis", "NATO", line=2, alias_lines={"NATO": 3})
    assert [str(d) for d in check_glossary([b, a])] == [
        "content/glossary/b.md:3: error: alias 'NATO' is already claimed by content/glossary/a.md:2"]


def test_term_equal_to_an_earlier_alias() -> None:
    a = term("a", "Nordatlantikpakt", "NATO", line=2, alias_lines={"NATO": 5})
    b = term("b", "NATO", line=2)
    assert [str(d) for d in check_glossary([a, b])] == [
        "content/glossary/b.md:2: error: term 'NATO' is already claimed as an alias by content/glossary/a.md:5"]


def test_consistent_glossary_has_no_diagnostics() -> None:
    a = term("a", "NATO", "Nordatlantikpakt", "NATO")
    b = term("b", "NATO-Osterweiterung")
    assert check_glossary([a, b]) == []


# --- summary_from_markdown ------------------------------------------------------

def test_summary_is_first_paragraph_as_plain_text() -> None:
    body = ("# Überschrift\n\nDas **Normandie-Format** ist ein\n[Gesprächsformat](/x/) von "
            "Deutschland &amp; Frankreich mit `Code` und ![Bild](b.png).\n\nZweiter Absatz.\n")
    assert summary_from_markdown(body) == (
        "Das Normandie-Format ist ein Gesprächsformat von Deutschland & Frankreich mit Code und Bild.")


def test_summary_of_body_without_paragraph_is_empty() -> None:
    assert summary_from_markdown("## Nur eine Überschrift\n") == ""
    assert summary_from_markdown("") == ""


def test_summary_drops_raw_html_and_collapses_whitespace() -> None:
    assert summary_from_markdown("Ein   <b>fetter</b>\n  Satz &quot;hier&quot;.") == 'Ein fetter Satz "hier".'


# --- German sorting ----------------------------------------------------------------

def test_german_sort_key_dictionary_order() -> None:
    words = ["Zoll", "Österreich", "Ostsee", "Ärger", "Abkommen", "Straße", "Strasse", "Strom",
             "über", "Ukraine", "arm", "Arm", "Müller", "Muller", "„Anführung“"]
    assert sorted(words, key=german_sort_key) == [
        "Abkommen", "„Anführung“", "Ärger", "Arm", "arm", "Muller", "Müller", "Österreich", "Ostsee",
        "Strasse", "Straße", "Strom", "über", "Ukraine", "Zoll"]


def test_german_sort_key_is_total_for_ties() -> None:
    assert german_sort_key("Arm") != german_sort_key("arm")
    assert german_sort_key("Arm") < german_sort_key("arm")


@pytest.mark.parametrize("word, letter", [
    ("Äquator", "A"), ("Élysée-Vertrag", "E"), ("Ökologie", "O"), ("über", "U"), ("ẞ", "S"),
    ("9-Euro-Ticket", "#"), ("„Zeitenwende“", "Z"), ("", "#"),
])
def test_index_letter(word: str, letter: str) -> None:
    assert index_letter(word) == letter


# --- properties ---------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = ["NATO", "Kreml", "chef", "-", " ", ". ", "Osterweiterung", "Tür", "offenen", "der",
          "Politik", "s", "e", "„", "“", "\n", "dpa", "Dpa", "ä", "ß", "Außenministerium"]
PROPERTY_TERMS = [NATO, OSTERWEITERUNG, KREML, term("tuer", "Politik der offenen Tür"),
                  term("dpa", "dpa"), term("aa", "Außenministerium", "AA")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.booleans())
def test_matches_are_ordered_whole_words_and_known_forms(pieces: list[str], inflect: bool) -> None:
    text = "".join(pieces)
    forms = {t.slug: t.forms for t in PROPERTY_TERMS}
    end = 0
    for match in Matcher(PROPERTY_TERMS, inflect=inflect).find(text):
        assert end <= match.start < match.end <= len(text)
        end = match.end
        written = " ".join(text[match.start:match.end].split())
        stems = [f for f in forms[match.slug] if written.startswith(f) or written.startswith(f.capitalize())]
        assert stems, written
        if not inflect:
            assert written in forms[match.slug] or (
                written[0].lower() + written[1:] in forms[match.slug] and is_sentence_start(text, match.start))
        for outside in (text[match.start - 1:match.start], text[match.end:match.end + 1]):
            assert not (outside.isalnum() or outside == "-")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.lists(st.integers(0, 200), max_size=4))
def test_soft_hyphens_inside_words_change_no_match(pieces: list[str], where: list[int]) -> None:
    text = "".join(pieces)
    matcher = Matcher(PROPERTY_TERMS)
    inside = sorted({i for i in where if 0 < i < len(text) and text[i - 1].isalpha() and text[i].isalpha()})
    hyphenated = text
    for shift, index in enumerate(inside):
        hyphenated = hyphenated[:index + shift] + "\u00ad" + hyphenated[index + shift:]

    def original(offset: int) -> int:   # where text[offset] is in the hyphenated text
        return offset + sum(1 for i in inside if i <= offset)

    expected = [Match(original(m.start), original(m.end - 1) + 1, m.slug) for m in matcher.find(text)]
    assert matcher.find(hyphenated) == expected
