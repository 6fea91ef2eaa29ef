"""Tests for builder.related.ranking: ranking, reasons, the index and ranking again after edits."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from builder.content.model import RelatedEntry
from builder.related import features, ranking
from builder.related.features import ArticleSignals
from builder.related.ranking import RelatedSettings, rank_related

START = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
NAMES = {"normandie-format": "Normandie-Format", "kreml": "Kreml", "nato": "NATO",
         "minsker-abkommen": "Minsker Abkommen", "osze": "OSZE"}
NO_DATE = RelatedSettings(weight_date=0.0)
ANY_SCORE = RelatedSettings(weight_date=0.0, min_score=0.0)


def sig(slug: str, day: float = 0, *, tags: tuple[str, ...] = (), terms: dict[str, int] | None = None,
        words: dict[str, int] | None = None, related: tuple[str, ...] = (),
        links: tuple[str, ...] = ()) -> ArticleSignals:
    return ArticleSignals(slug=slug, date=START + timedelta(days=day), tags=tags,
                          terms=terms or {}, words=words or {}, related=related, links=links)


def slugs(entries: tuple[RelatedEntry, ...]) -> list[str]:
    return [entry.slug for entry in entries]


def rarity(df: int, n: int) -> float:
    return math.log((n + 1) / df) / math.log((n + 1) / 2)


# --------------------------------------------------------------------------- ranking

def test_every_article_is_a_key_even_without_relations() -> None:
    result = rank_related([sig("kreml-gipfel", terms={"kreml": 1}), sig("bundesliga")],
                          RelatedSettings(), NAMES)
    assert result == {"bundesliga": (), "kreml-gipfel": ()}


def test_explicit_entries_come_first_in_order_and_in_both_directions() -> None:
    signals = [
        sig("waffenruhe", related=("gipfel-paris", "minsk-2015"), terms={"osze": 2}),
        sig("gipfel-paris"),
        sig("minsk-2015"),
        sig("kommentar", related=("waffenruhe",)),           # names waffenruhe: shown there too
        sig("beobachter", terms={"osze": 3}),                 # only scored
    ]
    result = rank_related(signals, RelatedSettings(), NAMES)
    assert slugs(result["waffenruhe"]) == ["gipfel-paris", "minsk-2015", "kommentar", "beobachter"]
    assert [e.explicit for e in result["waffenruhe"]] == [True, True, True, False]
    # The other direction: every article named by waffenruhe shows it, explicitly.
    for other in ("gipfel-paris", "minsk-2015", "kommentar"):
        assert result[other][0] == RelatedEntry("waffenruhe", 0.0, (), True)
    assert slugs(result["beobachter"]) == ["waffenruhe"]
    assert result["beobachter"][0].explicit is False


def test_explicit_entries_are_listed_even_below_min_score_and_carry_their_score() -> None:
    signals = [sig("a", related=("b",), terms={"kreml": 1}), sig("b", terms={"kreml": 1})]
    result = rank_related(signals, RelatedSettings(min_score=5.0), NAMES)
    expected = round(1.0 * 1 * 0.5 * (1 + 0.2), 9)   # rarity 1, sal(1) = 1/2, same day
    assert result["a"] == (RelatedEntry("b", expected, ("Kreml",), True),)
    assert result["b"] == (RelatedEntry("a", expected, ("Kreml",), True),)


def test_unknown_and_self_references_in_related_are_ignored() -> None:
    result = rank_related([sig("a", related=("a", "gibts-nicht", "b", "b")), sig("b")],
                          RelatedSettings(), NAMES)
    assert slugs(result["a"]) == ["b"]
    assert slugs(result["b"]) == ["a"]


def test_rare_shared_term_beats_common_one() -> None:
    signals = [
        sig("ukraine-gespraeche", terms={"nato": 1, "normandie-format": 1}),
        sig("nato-treffen", terms={"nato": 1}),
        sig("normandie-runde", terms={"normandie-format": 1}),
        *(sig(f"nato-{i}", terms={"nato": 1}) for i in range(5)),
    ]
    result = rank_related(signals, ANY_SCORE, NAMES)["ukraine-gespraeche"]
    assert slugs(result) == ["normandie-runde", "nato-0", "nato-1", "nato-2", "nato-3"]
    n = len(signals)
    assert result[0].score == pytest.approx(rarity(2, n) * 0.5)
    assert result[1].score == pytest.approx(rarity(7, n) * 0.5)
    assert result[1].score < result[0].score
    # With the default threshold the common term alone is not enough.
    assert slugs(rank_related(signals, NO_DATE, NAMES)["ukraine-gespraeche"]) == ["normandie-runde"]


def test_term_mentions_raise_the_score() -> None:
    signals = [sig("a", terms={"kreml": 3}), sig("oft", terms={"kreml": 3}),
               sig("einmal", terms={"kreml": 1})]
    result = rank_related(signals, NO_DATE, NAMES)["a"]
    n = 3
    assert [(e.slug, e.score) for e in result] == [
        ("oft", pytest.approx(rarity(3, n) * 0.75)),
        ("einmal", pytest.approx(rarity(3, n) * math.sqrt(0.75 * 0.5)))]


def test_shared_tags_count_by_rarity_and_match_by_slug() -> None:
    signals = [
        sig("a", tags=("Außenpolitik", "Ukraine")),
        sig("b", tags=("Aussenpolitik",)),          # same tag, other spelling
        sig("c", tags=("Ukraine",)),
        sig("d", tags=("Ukraine",)),
        sig("e", tags=("Ukraine",)),
    ]
    result = rank_related(signals, NO_DATE, NAMES)["a"]
    assert slugs(result) == ["b", "c", "d", "e"]   # rarer tag first; then slug order
    assert result[0].score == pytest.approx(0.5 * rarity(2, 5))
    assert result[1].score == pytest.approx(0.5 * rarity(4, 5))
    assert result[0].reasons == ("Außenpolitik",)   # as this article writes it
    assert rank_related(signals, NO_DATE, NAMES)["b"][0].reasons == ("Aussenpolitik",)


def test_text_similarity_is_the_tf_idf_cosine() -> None:
    signals = [
        sig("a", words={"waffenruhe": 3, "donbass": 2, "verhandlung": 1}),
        sig("b", words={"waffenruhe": 2, "donbass": 2}),
        sig("c", words={"bundesliga": 3, "tabelle": 2}),
        sig("d", words={"waffenruhe": 1, "tabelle": 1}),
    ]
    result = rank_related(signals, NO_DATE, NAMES)
    assert slugs(result["a"]) == ["b", "d"]
    assert slugs(result["c"]) == ["d"]

    def idf(df: int) -> float:
        return 1 + math.log(5 / (df + 1))

    a = {"waffenruhe": (1 + math.log(3)) * idf(3), "donbass": (1 + math.log(2)) * idf(2),
         "verhandlung": idf(1)}
    b = {"waffenruhe": (1 + math.log(2)) * idf(3), "donbass": (1 + math.log(2)) * idf(2)}
    cosine = sum(a[w] * b[w] for w in b) / math.hypot(*a.values()) / math.hypot(*b.values())
    assert result["a"][0].score == pytest.approx(cosine)
    assert result["a"][0].reasons == ()


def test_only_the_best_words_are_text_features(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "TEXT_FEATURES", 2)
    signals = [sig("a", words={"kreml": 5, "waffenruhe": 4, "tabelle": 1}),
               sig("b", words={"tabelle": 1})]
    assert rank_related(signals, NO_DATE, NAMES)["a"] == ()   # "tabelle" is a's third word


def test_closer_date_ranks_higher_by_the_half_life() -> None:
    settings = RelatedSettings(weight_date=0.2, date_half_life_days=30)
    signals = [sig("a", 100, terms={"kreml": 1}), sig("fern", 300, terms={"kreml": 1}),
               sig("nah", 98, terms={"kreml": 1})]
    result = rank_related(signals, settings, NAMES)["a"]
    assert slugs(result) == ["nah", "fern"]
    ratio = (1 + 0.2 * 0.5 ** (2 / 30)) / (1 + 0.2 * 0.5 ** (200 / 30))
    assert result[0].score / result[1].score == pytest.approx(ratio, rel=1e-6)


def test_same_day_alone_is_not_a_relation() -> None:
    signals = [sig("a", 0, terms={"kreml": 1}), sig("b", 0, tags=("Sport",))]
    assert rank_related(signals, RelatedSettings(weight_date=1.0), NAMES) == {"a": (), "b": ()}


def test_nothing_below_min_score_is_listed_even_if_the_list_stays_short() -> None:
    signals = [sig("a", terms={"kreml": 1}), sig("b", terms={"kreml": 1}),
               sig("c", terms={"kreml": 1}), sig("d", tags=("Sport",))]
    score = rank_related(signals, NO_DATE, NAMES)["a"][0].score
    assert score == pytest.approx(rarity(3, 4) * 0.5)
    at_threshold = rank_related(signals, replace(NO_DATE, min_score=score), NAMES)
    assert slugs(at_threshold["a"]) == ["b", "c"]
    above = rank_related(signals, replace(NO_DATE, min_score=score + 1e-6), NAMES)
    assert above["a"] == ()


def test_count_limits_the_list() -> None:
    signals = [sig(f"artikel-{i}", terms={"kreml": 1}) for i in range(8)]
    result = rank_related(signals, replace(ANY_SCORE, count=3), NAMES)
    assert all(len(entries) == 3 for entries in result.values())
    assert rank_related(signals, replace(ANY_SCORE, count=0), NAMES)["artikel-0"] == ()


def test_a_count_beyond_the_pool_still_fills_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "POOL_MAX", 2)
    signals = [sig(f"artikel-{i}", terms={"kreml": 1}) for i in range(12)]
    result = rank_related(signals, replace(ANY_SCORE, count=10), NAMES)
    assert all(len(entries) == 10 for entries in result.values())


def test_explicit_entries_count_towards_the_limit() -> None:
    signals = [sig("a", related=("x", "y"), terms={"kreml": 1}), sig("x"), sig("y"),
               sig("b", terms={"kreml": 1}), sig("c", terms={"kreml": 1})]
    assert slugs(rank_related(signals, RelatedSettings(count=3), NAMES)["a"]) == ["x", "y", "b"]
    assert slugs(rank_related(signals, RelatedSettings(count=1), NAMES)["a"]) == ["x"]


def test_ties_break_by_date_then_slug() -> None:
    signals = [sig("a", 10, terms={"kreml": 1}), sig("zeta", 5, terms={"kreml": 1}),
               sig("beta", 5, terms={"kreml": 1}), sig("neu", 9, terms={"kreml": 1})]
    result = rank_related(signals, ANY_SCORE, NAMES)["a"]
    assert len({entry.score for entry in result}) == 1
    assert slugs(result) == ["neu", "beta", "zeta"]


def test_result_does_not_depend_on_input_order() -> None:
    signals = random_site(random.Random(7), 40)
    expected = rank_related(signals, RelatedSettings(), NAMES)
    assert any(expected.values())
    shuffler = random.Random(1)
    for _ in range(5):
        shuffled = signals[:]
        shuffler.shuffle(shuffled)
        assert rank_related(shuffled, RelatedSettings(), NAMES) == expected


def test_duplicate_slugs_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate article slug 'a'"):
        rank_related([sig("a"), sig("a")], RelatedSettings(), NAMES)


# --------------------------------------------------------------------------- reasons

def test_reasons_name_the_weightiest_terms_then_the_shared_tags() -> None:
    signals = [
        sig("a", tags=("Ukraine", "Diplomatie"),
            terms={"normandie-format": 2, "kreml": 1, "nato": 1, "osze": 1}),
        sig("b", tags=("Ukraine",),
            terms={"normandie-format": 2, "kreml": 1, "nato": 1, "osze": 1}),
        sig("c", terms={"nato": 1, "osze": 1}),
        sig("d", terms={"nato": 1}),
    ]
    entry = rank_related(signals, RelatedSettings(), NAMES)["a"][0]
    assert entry.slug == "b"
    # normandie-format: rare and mentioned twice; kreml: rare; osze: in 3; nato: in 4 (left out).
    assert entry.reasons == ("Normandie-Format", "Kreml", "OSZE", "Ukraine")
    assert "Gemeinsam: " + ", ".join(entry.reasons[:2]) == "Gemeinsam: Normandie-Format, Kreml"


def test_reasons_leave_out_tags_on_most_articles_and_name_at_most_two() -> None:
    everywhere = ("Ukraine-Krise",)
    signals = [
        sig("a", tags=everywhere + ("Diplomatie", "Genf", "USA"), terms={"kreml": 1}),
        sig("b", tags=everywhere + ("Diplomatie", "Genf", "USA"), terms={"kreml": 1}),
        *[sig(f"x{i}", tags=everywhere) for i in range(8)],
    ]
    reasons = rank_related(signals, RelatedSettings(), NAMES)["a"][0].reasons
    assert reasons[0] == "Kreml" and len(reasons) == 3
    assert "Ukraine-Krise" not in reasons and set(reasons[1:]) <= {"Diplomatie", "Genf", "USA"}


def test_a_common_tag_is_still_the_reason_when_it_is_the_only_one() -> None:
    signals = [sig(f"x{i}", words={"gipfel": 2}, tags=("Ukraine-Krise",)) for i in range(4)]
    reasons = rank_related(signals, RelatedSettings(min_score=0.0), NAMES)["x0"][0].reasons
    assert reasons == ("Ukraine-Krise",)


def test_reasons_fall_back_to_the_slug_and_skip_a_tag_named_like_a_term() -> None:
    signals = [sig("a", tags=("Kreml",), terms={"kreml": 1, "unbekannt": 1}),
               sig("b", tags=("Kreml",), terms={"kreml": 1, "unbekannt": 1})]
    assert rank_related(signals, RelatedSettings(), NAMES)["a"][0].reasons == ("Kreml", "unbekannt")


# --------------------------------------------------------------------------- the index

def random_site(rng: random.Random, size: int) -> list[ArticleSignals]:
    vocabulary = ["waffenruhe", "donbass", "kreml", "gipfel", "pipeline", "sanktionen", "grenze",
                  "haushalt", "rente", "streik", "bahn", "wahl", "koalition", "klima", "hitze"]
    terms = list(NAMES) + ["bundestag", "ezb"]
    tags = ["Ukraine", "Europa", "Wirtschaft", "Klima", "Außenpolitik"]
    return [sig(f"artikel-{i:03}", rng.uniform(0, 90),
                tags=tuple(rng.sample(tags, rng.randrange(0, 3))),
                terms={t: rng.randrange(1, 4) for t in rng.sample(terms, rng.randrange(0, 4))},
                words={w: rng.randrange(1, 6) for w in rng.sample(vocabulary, rng.randrange(0, 7))})
            for i in range(size)]


def _exhaustive(signals: list[ArticleSignals], settings: RelatedSettings
                ) -> dict[str, list[tuple[float, str]]]:
    """Every pair scored by the documented formula, written independently of the module."""
    def nearest(count: int) -> int:  # above 16, to the nearest power of 2 ** (1/4)
        return count if count <= 16 else round(2 ** (round(math.log2(count) * 4) / 4))

    n = nearest(len(signals))

    def rounded(df: int) -> int:  # at most n
        return min(n, nearest(df))

    df_terms = {t: rounded(sum(t in s.terms for s in signals)) for s in signals for t in s.terms}
    df_tags = {g: rounded(sum(g in s.tags for s in signals)) for s in signals for g in s.tags}
    df_words = {w: rounded(sum(w in s.words for s in signals)) for s in signals for w in s.words}

    def text_vector(s: ArticleSignals) -> dict[str, float]:
        weights = {w: (1 + math.log(c)) * (1 + math.log((n + 1) / (df_words[w] + 1)))
                   for w, c in s.words.items()}
        best = sorted(weights, key=lambda w: (-weights[w], w))[:ranking.TEXT_FEATURES]
        return {w: weights[w] for w in best}

    vectors = {s.slug: text_vector(s) for s in signals}
    result: dict[str, list[tuple[float, str]]] = {}
    for a in signals:
        scored = []
        for b in signals:
            if a is b:
                continue
            terms = sum(rarity(df_terms[t], n) * math.sqrt(a.terms[t] / (a.terms[t] + 1)
                                                           * b.terms[t] / (b.terms[t] + 1))
                        for t in a.terms.keys() & b.terms.keys())
            tags = sum(rarity(df_tags[g], n) for g in set(a.tags) & set(b.tags))
            va, vb = vectors[a.slug], vectors[b.slug]
            dot = sum(va[w] * vb[w] for w in va.keys() & vb.keys())
            text = dot / math.hypot(*va.values()) / math.hypot(*vb.values()) if dot else 0.0
            content = (settings.weight_terms * terms + settings.weight_tags * tags
                       + settings.weight_text * text)
            days = abs((a.date - b.date).total_seconds()) / 86400
            score = content * (1 + settings.weight_date * 2 ** (-days / settings.date_half_life_days))
            if score > 0 and score >= settings.min_score:
                scored.append((score, b.slug, b.date))
        scored.sort(key=lambda item: (-round(item[0], 9), -item[2].timestamp(), item[1]))
        result[a.slug] = [(score, slug) for score, slug, _ in scored[:settings.count]]
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_index_finds_the_same_as_scoring_every_pair(seed: int) -> None:
    signals = random_site(random.Random(seed), 60)
    settings = RelatedSettings()
    reference = _exhaustive(signals, settings)
    result = rank_related(signals, settings, NAMES)
    for slug, expected in reference.items():
        assert [(e.slug, e.score) for e in result[slug]] == [
            (other, pytest.approx(score)) for score, other in expected]


def test_common_features_do_not_propose_candidates_but_still_count(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 3)
    signals = [sig("a", tags=("Europa",), terms={"kreml": 1}),
               sig("b", tags=("Europa",), terms={"kreml": 1}),
               *(sig(f"europa-{i}", tags=("Europa",)) for i in range(4))]
    result = rank_related(signals, NO_DATE, NAMES)
    # "Europa" (6 articles) is common: b is found through the term, and the tag adds to its score.
    assert result["a"][0].slug == "b"
    assert result["a"][0].score == pytest.approx(rarity(2, 6) * 0.5 + 0.5 * rarity(6, 6))
    # europa-0 shares only the common tag: its date neighbours with the tag are candidates,
    # but a tag all six articles have is worth little, so nothing reaches the threshold.
    assert result["europa-0"] == ()


@pytest.mark.parametrize("settings, listed", [
    (RelatedSettings(count=4, min_score=0.0), 400),
    (RelatedSettings(count=3, min_score=0.4, weight_date=0.0), 250),
])
def test_many_common_features_give_the_same_ranking_whichever_way_they_are_added(
        monkeypatch: pytest.MonkeyPatch, settings: RelatedSettings, listed: int) -> None:
    # A cap of 8 on 120 articles makes nearly every feature common; from MANY_COMMON on,
    # numpy adds up the pool's shares and shortlists it (builder.related.numpy_scoring) instead of
    # the features' dicts and scoring every member.
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 8)
    signals = random_site(random.Random(9), 120)
    results = []
    for many in (1, 1_000):
        monkeypatch.setattr(ranking, "MANY_COMMON", many)
        results.append(rank_related(signals, settings, NAMES))
    assert results[0] == results[1]
    assert sum(len(entries) for entries in results[0].values()) > listed


def test_workers_scoring_with_numpy_rank_as_one_process_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each worker builds numpy's index for itself (Ranker.scorer is built on first use).
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 8)
    monkeypatch.setattr(ranking, "MANY_COMMON", 1)
    signals = random_site(random.Random(12), 300)
    settings = RelatedSettings(count=4, min_score=0.0)
    alone = rank_related(signals, settings, NAMES, jobs=1)
    assert rank_related(signals, settings, NAMES, jobs=2) == alone
    assert sum(len(entries) for entries in alone.values()) > 1000


def test_common_features_alone_propose_the_articles_closest_in_date(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 3)
    monkeypatch.setattr(ranking, "DATE_NEIGHBOURS", 2)
    # "Europa" is common (6 > 3 articles) and all a has: only date neighbours are candidates.
    signals = [sig("a", 50, tags=("Europa",)),
               *(sig(f"europa-tag-{day}", day, tags=("Europa",)) for day in (10, 20, 48, 49, 70)),
               *(sig(f"sport-{i}", 50, tags=("Sport",)) for i in range(5))]
    settings = RelatedSettings(count=5, min_score=0.0)
    result = rank_related(signals, settings, NAMES)["a"]
    # Two on either side in date: 48 and 49 before, 70 after (a itself is skipped).
    assert slugs(result) == ["europa-tag-49", "europa-tag-48", "europa-tag-70"]
    closeness = 1 + 0.2 * 2 ** (-1 / 30)
    assert result[0].score == pytest.approx(0.5 * rarity(6, 11) * closeness)


def test_document_frequencies_are_exact_when_small_and_rounded_in_steps_when_large() -> None:
    assert [features.rounded_df(df, 10_000) for df in range(1, 17)] == list(range(1, 17))
    large = [features.rounded_df(df, 10_000) for df in range(17, 10_001)]
    assert large == sorted(large) and len(set(large)) == 38     # quarter octaves from 2 ** 4 to 2 ** 13.25
    assert all(abs(r - df) / df < 0.1 for df, r in enumerate(large, start=17))
    assert features.rounded_df(100, 100) == 100   # never more than there are articles
