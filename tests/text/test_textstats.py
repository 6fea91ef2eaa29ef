"""Tests for builder.text.textstats: German word tokens and their frequencies."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import marshal
import pickle

from builder.text.textstats import GERMAN_STOP_WORDS, WordCounts, term_frequencies, words


def test_stop_words_are_removed() -> None:
    text = "Der Kanzler und die Ministerin sprachen gestern über die Lage, sagte ein Sprecher."
    assert words(text) == ["kanzler", "ministerin", "sprachen", "gestern", "lage", "sprecher"]


def test_umlauts_and_eszett_are_kept() -> None:
    assert words("Übergangsregierung in Mönchengladbach: Straßensperre") == [
        "übergangsregierung", "mönchengladbach", "straßensperre"]


def test_decomposed_umlauts_are_composed_first() -> None:
    # "Müller" written with u + COMBINING DIAERESIS must be one word, not "mu" + "ller".
    assert words("Mu\u0308ller") == ["müller"]


def test_hyphen_compounds_stay_one_word() -> None:
    assert words("Gespräche im Normandie-Format, Nord-Stream-Pipeline") == [
        "gespräche", "normandie-format", "nord-stream-pipeline"]


def test_soft_and_non_breaking_hyphens() -> None:
    assert words("Bundes\u00adtag und Baden\u2011Württemberg") == ["bundestag", "baden-württemberg"]


def test_digits_and_short_tokens_are_dropped() -> None:
    assert words("2024 tagte der G7-Gipfel mit 45 Staaten, die EU und die USA") == [
        "tagte", "gipfel", "staaten", "usa"]


def test_sub_and_superscript_numbers_stay_in_their_word() -> None:
    # Only decimal digits are dropped: "CO₂" and "km²" stay what they mean.
    assert words("Der CO₂-Ausstoß pro km² sank 2023 um 4 Prozent") == [
        "co₂-ausstoß", "km²", "sank", "prozent"]


def test_a_trailing_hyphen_is_not_a_compound() -> None:
    assert words("Wirtschafts- und Finanzpolitik") == ["wirtschafts", "finanzpolitik"]


def test_stop_word_list_is_lower_case_and_covers_function_words() -> None:
    assert all(word == word.lower() for word in GERMAN_STOP_WORDS)
    for word in ("und", "oder", "nicht", "wurde", "würden", "dass", "daß", "über", "können"):
        assert word in GERMAN_STOP_WORDS
    for word in ("krieg", "regierung", "kreml"):
        assert word not in GERMAN_STOP_WORDS


def test_term_frequencies_counts_most_frequent_first_ties_alphabetical() -> None:
    text = ("Der Kreml bestätigte die Waffenruhe. Die Waffenruhe gilt ab Montag. "
            "Kiew bezweifelt, dass der Kreml die Waffenruhe einhält. Beobachter in Kiew schweigen.")
    assert term_frequencies(text) == {
        "waffenruhe": 3, "kiew": 2, "kreml": 2, "beobachter": 1, "bestätigte": 1,
        "bezweifelt": 1, "einhält": 1, "gilt": 1, "montag": 1, "schweigen": 1}
    assert list(term_frequencies(text, top=2)) == ["waffenruhe", "kiew"]


def test_term_frequencies_of_nothing() -> None:
    assert term_frequencies("und oder aber") == {}
    assert term_frequencies("Kreml", top=0) == {}


def test_words_are_lower_cased() -> None:
    assert words("KREML Kreml kreml") == ["kreml", "kreml", "kreml"]


@given(st.text())
def test_every_word_is_a_lower_case_content_word(text: str) -> None:
    for word in words(text):
        assert len(word) > 2
        assert word == word.lower()
        assert word not in GERMAN_STOP_WORDS
        assert not any(ch.isdecimal() for ch in word)
        assert not word.startswith("-") and not word.endswith("-")


@given(st.text(alphabet="abcäöüßAÄ-_0123²₂ .,\n", max_size=60))
def test_fast_scan_finds_exactly_the_letter_runs(text: str) -> None:
    """words() scans \\w with digits blanked out; it must equal matching runs of letters directly."""
    import re

    letters = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
    expected = [w for w in letters.findall(text.lower()) if len(w) > 2 and w not in GERMAN_STOP_WORDS]
    assert words(text) == expected


@given(st.text(alphabet="abcäöüßAÄİ-_0123²₂ \u00ad\u2011\u0308.,()„“\n\t\xa0\u2003\x1c", max_size=80))
def test_word_counts_count_exactly_the_words(text: str) -> None:
    """word_counts() counts white-space separated tokens and splits the distinct ones that are not
    words as they stand (every kind of white space str.split knows); it must count words() exactly."""
    from collections import Counter

    from builder.text.textstats import word_counts

    assert word_counts(text) == Counter(words(text))


@given(st.lists(st.sampled_from(["kreml", "kiew", "nato", "gipfel", "waffenruhe", "montag", "g7-gipfel",
                                 "berlin", "paris", "rom", "und"]), max_size=60), st.integers(0, 8))
def test_term_frequencies_rank_by_count_then_alphabetically(tokens: list[str], top: int) -> None:
    from collections import Counter

    counts = Counter(words(" ".join(tokens)))
    expected = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top])
    result = term_frequencies(" ".join(tokens), top=top)
    assert result == expected and list(result) == list(expected)


_COUNTS = st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
                          st.integers(min_value=0, max_value=0x10FFFF), max_size=40)


@given(_COUNTS)
def test_packed_word_counts_read_as_the_dict_they_were_made_of(counts: dict[str, int]) -> None:
    packed = WordCounts.of(counts)
    assert packed == counts and dict(packed) == counts
    assert list(packed) == list(counts) and list(packed.items()) == list(counts.items())
    assert list(packed.values()) == list(counts.values()) and len(packed) == len(counts)
    assert pickle.loads(pickle.dumps(packed)) == counts
    for word, count in counts.items():
        assert packed[word] == count


def test_top_words_are_packed_into_two_strings() -> None:
    counts = term_frequencies("Gipfel in Genf. Der Gipfel endete, die Waffenruhe hielt: Gipfel, Genf, Krise.")
    assert list(counts.items())[:2] == [("gipfel", 3), ("genf", 2)]
    packed = WordCounts.of(counts)
    assert isinstance(packed, WordCounts)
    assert (packed.words, packed.counts) == ("\n".join(counts), "\x03\x02" + "\x01" * (len(counts) - 2))
    assert marshal.loads(marshal.dumps((packed.words, packed.counts))) == (packed.words, packed.counts)
    assert WordCounts.of(packed) is packed
    assert WordCounts() == {} and not WordCounts() and list(WordCounts()) == []


def test_what_packing_cannot_hold_stays_a_dict() -> None:
    for counts in ({"zwei\nzeilen": 1}, {"riesig": 0x110000}, {"negativ": -1}):
        kept = WordCounts.of(counts)
        assert type(kept) is dict and kept == counts


def test_a_missing_word_is_a_key_error() -> None:
    packed = WordCounts.of({"gipfel": 2})
    assert "genf" not in packed and packed.get("genf") is None
