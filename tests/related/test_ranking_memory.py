"""The memory ranking keeps per article: flat arrays, not Python objects, so that it stays small
and forked workers reading it share its pages (see `builder.related.ranking`, "Memory")."""

from __future__ import annotations

import gc
import random
import tracemalloc
from datetime import datetime, timedelta, timezone

from builder.related.features import ArticleSignals
from builder.related.ranking import Ranker, RelatedSettings, canonical_order

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
