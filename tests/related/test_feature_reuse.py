"""Tests for builder.related.features: features built from the last ones equal features built from scratch."""

from __future__ import annotations

import pickle
import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from test_ranking import NAMES, START, random_site, sig
from test_reranking import _edit

from builder.related import features, ranking, reranking
from builder.related.features import ArticleSignals, Features, build_features
from builder.related.ranking import RelatedSettings, canonical_order, rank_related
from builder.related.reranking import rank_related_again


def digests(signals: list[ArticleSignals]) -> dict[str, str]:
    """What the link stage's digests stand for: each article's terms, tags and words, in their order."""
    return {s.slug: repr((tuple(s.terms.items()), s.tags, tuple(s.words.items()))) for s in signals}


def plain(built: Features) -> tuple[Any, ...]:
    """Everything ranking reads of features, as comparable values."""
    return (*(bytes(rows.starts) + bytes(rows.ids) + bytes(rows.values)
              for rows in (built.vectors, built.terms, built.tags)),
            bytes(built.tag_spellings), built.spellings, built.keys)


def kept_counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many articles kept their rows, per build_features call."""
    counts: list[int] = []
    original = features._kept_rows

    def counted(*args: Any) -> list[int] | None:
        kept = original(*args)
        counts.append(sum(q >= 0 for q in kept) if kept is not None else 0)
        return kept
    monkeypatch.setattr(features, "_kept_rows", counted)
    return counts


@pytest.mark.parametrize("seed", range(8))
def test_features_built_from_the_last_ones_equal_features_built_from_scratch(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Exact dfs up to 3 (not 16): weights move with the edits, so some kept rows must be built again.
    monkeypatch.setattr(features, "EXACT_DF", 3)
    kept = kept_counts(monkeypatch)
    rng = random.Random(seed)
    signals = [replace(s, date=START + timedelta(days=rng.randrange(0, 30))) for s in random_site(rng, 120)]
    settings = RelatedSettings()
    last = build_features(canonical_order(signals), settings, ranking.TEXT_FEATURES, None, digests(signals))
    for step in range(12):
        signals = _edit(rng, signals, step)
        ordered = canonical_order(signals)
        again = build_features(ordered, settings, ranking.TEXT_FEATURES, last, digests(signals))
        assert plain(again) == plain(build_features(ordered, settings, ranking.TEXT_FEATURES)), step
        last = pickle.loads(pickle.dumps(again, protocol=pickle.HIGHEST_PROTOCOL))   # as the cache keeps them
    assert sum(kept) > 0 and min(kept) < len(signals)   # rows were kept, and some built again


def test_an_article_whose_feature_weight_changed_is_built_again(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = kept_counts(monkeypatch)
    # 17 articles with "gipfel": its df is rounded from 17 on, so one more changes its weight (and rarity's N).
    signals = [sig(f"a{i:02}", i, words={"gipfel": 2, f"wort{i}": 1}) for i in range(17)]
    signals += [sig(f"b{i:02}", 20 + i, words={f"anderes{i}": 1}) for i in range(30)]
    settings = RelatedSettings()
    first = build_features(canonical_order(signals), settings, ranking.TEXT_FEATURES, None, digests(signals))
    edited = [*signals[:-1], sig("b29", 49, words={"gipfel": 1})]   # the df of "gipfel" becomes 18, rounded 19
    ordered = canonical_order(edited)
    again = build_features(ordered, settings, ranking.TEXT_FEATURES, first, digests(edited))
    assert plain(again) == plain(build_features(ordered, settings, ranking.TEXT_FEATURES))
    assert kept[1] == 29   # the "b" articles but the edited one: every "gipfel" article was built again


def test_without_digests_or_with_other_settings_every_row_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = kept_counts(monkeypatch)
    signals = random_site(random.Random(3), 60)
    ordered = canonical_order(signals)
    first = build_features(ordered, RelatedSettings(), ranking.TEXT_FEATURES, None, digests(signals))
    build_features(ordered, RelatedSettings(), ranking.TEXT_FEATURES, first, digests(signals))
    build_features(ordered, RelatedSettings(), ranking.TEXT_FEATURES, first)
    build_features(ordered, RelatedSettings(weight_tags=2.0), ranking.TEXT_FEATURES, first, digests(signals))
    build_features(ordered, RelatedSettings(), ranking.TEXT_FEATURES + 1, first, digests(signals))
    assert kept[1:] == [60, 0, 0, 0]


@pytest.mark.parametrize("seed", range(4))
def test_ranking_with_digests_equals_ranking_from_scratch(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 12)
    monkeypatch.setattr(ranking, "POOL_MAX", 6)
    monkeypatch.setattr(ranking, "DATE_NEIGHBOURS", 2)
    kept = kept_counts(monkeypatch)
    rng = random.Random(seed)
    signals = [replace(s, date=START + timedelta(days=rng.randrange(0, 30))) for s in random_site(rng, 150)]
    settings = RelatedSettings(count=4, min_score=0.0)
    _, state = rank_related_again(signals, settings, NAMES, None, digests=digests(signals))
    for step in range(10):
        signals = _edit(rng, signals, step)
        state = pickle.loads(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        result, state = rank_related_again(signals, settings, NAMES, state, digests=digests(signals))
        assert result == rank_related(signals, settings, NAMES)
        # Profile digests kept with the rows equal those made anew (dates and `related:` edits included).
        assert state.digests == reranking._profile_digests(ranking.Ranker(canonical_order(signals), settings, NAMES))
    assert max(kept) > 100


def test_an_article_no_longer_named_in_related_gets_its_digest_made_again() -> None:
    signals = [sig(f"a{i:02}", i, tags=("Krise",), words={"gipfel": 1, f"wort{i}": 2}) for i in range(30)]
    signals[3] = replace(signals[3], related=("a07",))
    settings = RelatedSettings()
    _, state = rank_related_again(signals, settings, NAMES, None, digests=digests(signals))
    signals[3] = replace(signals[3], related=())   # neither a03 nor a07 has explicit links now
    result, state = rank_related_again(signals, settings, NAMES, state, digests=digests(signals))
    assert state.digests == reranking._profile_digests(ranking.Ranker(canonical_order(signals), settings, NAMES))
    assert result == rank_related(signals, settings, NAMES)
