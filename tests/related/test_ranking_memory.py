"""The memory ranking keeps per article: flat arrays, not Python objects, so that it stays small
and forked workers reading it share its pages (see `builder.related.ranking`, "Memory")."""

from __future__ import annotations

import gc
import random
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from builder.related import ranking
from builder.related.features import ArticleSignals
from builder.related.ranking import Ranker, RelatedSettings, canonical_order, rank_related
from test_ranking import NAMES, random_site

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


@pytest.mark.parametrize("many_common", [1, 1_000])
def test_entries_handed_back_by_workers_equal_those_of_one_process(
        monkeypatch: pytest.MonkeyPatch, many_common: int) -> None:
    # Workers marshal positions, scores and reasons; the parent makes the entries with the slugs.
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 8)
    monkeypatch.setattr(ranking, "MANY_COMMON", many_common)
    signals = random_site(random.Random(21), 300)
    settings = RelatedSettings(count=4, min_score=0.0)
    alone = rank_related(signals, settings, NAMES, jobs=1)
    shared = rank_related(signals, settings, NAMES, jobs=2)
    assert shared == alone
    assert list(shared) == list(alone)
    assert sum(len(entries) for entries in alone.values()) > 1000
    assert any(entry.reasons for entries in alone.values() for entry in entries)
