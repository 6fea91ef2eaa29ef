"""Tests for builder.poolscores: a pool's common shares and shortlist, against plain Python."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from builder.poolscores import CommonRows

SIZE = 30  # feature ids


def _rows(rng: random.Random, articles: int) -> tuple[list[list[int]], list[list[float]]]:
    """Random rows, sorted by feature id as the index keeps them; every fifth one empty."""
    features = [[] if a % 5 == 0 else sorted(rng.sample(range(SIZE), rng.randint(1, 12)))
                for a in range(articles)]
    return features, [[rng.uniform(0.01, 1.0) for _ in row] for row in features]


def _share(features: list[int], weights: list[float], query: dict[int, float]) -> float:
    """One after the other, as the pool's scores must be added up."""
    total = 0.0
    for feature, weight in zip(features, weights):
        total += query.get(feature, 0.0) * weight
    return total


def test_shares_are_each_members_dot_product_with_the_query() -> None:
    rng = random.Random(4)
    features, weights = _rows(rng, 60)
    rows = CommonRows(features, weights, SIZE, [])
    for _ in range(20):
        members = rng.sample(range(60), rng.randint(1, 40))
        query = {f: rng.uniform(0.01, 1.0) for f in rng.sample(range(SIZE), 10)}
        shares = rows.shares(np.array(members), query)
        assert shares.tolist() == [_share(features[b], weights[b], query) for b in members]
    assert not rows.query.any()  # the scratch vector is left zero for the next article


@pytest.mark.parametrize("date_weight", [0.0, 0.5])
@pytest.mark.parametrize("floor", [0.0, 0.8])
def test_the_shortlist_holds_every_member_that_can_make_the_list(date_weight: float, floor: float) -> None:
    rng = random.Random(int(date_weight * 10 + floor * 100))
    features, weights = _rows(rng, 80)
    ages = [rng.uniform(0.0, 6.0) for _ in range(80)]
    rows = CommonRows(features, weights, SIZE, ages)
    kept_some = False
    for _ in range(30):
        a = rng.randrange(80)
        pool = {b: rng.choice([0.0, rng.uniform(0.0, 0.6)]) for b in rng.sample(range(80), 30) if b != a}
        query = {f: rng.uniform(0.01, 1.0) for f in rng.sample(range(SIZE), 8)}
        needed = rng.randint(1, 6)
        totals = {b: dot + _share(features[b], weights[b], query) for b, dot in pool.items()}
        scores = {b: round(total * (1.0 + date_weight * math.exp2(-abs(ages[a] - ages[b]))), 9)
                  for b, total in totals.items()}
        reaching = sorted((score for score in scores.values() if score >= floor), reverse=True)
        cut = reaching[needed - 1] if len(reaching) >= needed else floor
        shortlist = dict(rows.shortlist(pool, query, needed, floor, ages[a], date_weight))
        # Every member scoring at least the needed-th best is there, with its exact total...
        assert {b for b, score in scores.items() if score >= max(cut, floor)} <= shortlist.keys()
        assert all(shortlist[b] == totals[b] for b in shortlist)
        # ... and hardly any other.
        assert all(scores[b] >= max(cut, floor) - 1e-8 for b in shortlist)
        kept_some |= len(shortlist) < len(pool)
    assert kept_some
