"""The memory ranking keeps per article: flat arrays, not Python objects, so that it stays small
and forked workers reading it share its pages (see `builder.related.ranking`, "Memory")."""

from __future__ import annotations

import gc
import random
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
from test_ranking import NAMES, random_site

from builder.related import features, ranking
from builder.related.features import ArticleSignals
from builder.related.ranking import Ranker, RelatedSettings, canonical_order, rank_related

START = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def _site(size: int) -> list[ArticleSignals]:
    """Articles of 8 terms, 3 tags and 30 counted words each, as on a news site."""
    rng = random.Random(7)
    words = [f"wort{i}" for i in range(3000)]
    terms = [f"begriff-{i}" for i in range(300)]
    tags = [f"Thema {i}" for i in range(40)]
    return [ArticleSignals(f"artikel-{i:05}", START + timedelta(hours=i), tuple(rng.sample(tags, 3)),
                           {t: rng.randrange(1, 5) for t in rng.sample(terms, 8)},
                           {w: rng.randrange(1, 9) for w in rng.sample(words, 30)}, (), ())
            for i in range(size)]


def test_the_ranker_keeps_about_a_kilobyte_per_article() -> None:
    # A dict per article (vectors, weights for reasons, rows of common features) took 3.5 KiB.
    ordered = canonical_order(_site(3000))
    gc.collect()
    tracemalloc.start()
    try:
        ranker = Ranker(ordered, RelatedSettings(), {})
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept / len(ordered) < 1600
    assert ranker.related(0)   # it ranks, all the same


@pytest.mark.parametrize("setting, value", [("COMMON_BLOCK", 7), ("RECENT_ROWS", 3)])
def test_small_blocks_and_caches_rank_alike(monkeypatch: pytest.MonkeyPatch, setting: str, value: int) -> None:
    # Rows of common features are gathered for blocks of articles, and a process keeps some as
    # dicts for the articles it met last: neither may change a result when it is small.
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 8)
    signals = random_site(random.Random(17), 200)
    settings = RelatedSettings(count=4, min_score=0.0)
    expected = rank_related(signals, settings, NAMES)
    monkeypatch.setattr(features if setting == "COMMON_BLOCK" else ranking, setting, value)
    assert rank_related(signals, settings, NAMES) == expected
    assert sum(len(entries) for entries in expected.values()) > 600
