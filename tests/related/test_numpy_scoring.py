"""Tests for builder.related.numpy_scoring: a pool found, its common shares and its shortlist, against plain Python."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from builder.related.numpy_scoring import PoolScorer
from builder.related.rows import Rows

ARTICLES = 80
RARE = 25     # feature ids 0..24 are rare: their postings are walked
COMMON = 15   # ids 25..39 are common: looked up per candidate


def _scorer(rng: random.Random, date_weight: float = 0.0) -> tuple[PoolScorer, dict, dict, list[float]]:
    """A random index: per rare feature its articles (in order, as the index keeps them), per
    article its common features (in id order, every fifth article none), weights, ages."""
    postings = [sorted(rng.sample(range(ARTICLES), rng.randint(0, 9))) for _ in range(RARE)]
    postings += [[] for _ in range(COMMON)]
    common = [[] if a % 5 == 0 else sorted(rng.sample(range(RARE, RARE + COMMON), rng.randint(1, 8)))
              for a in range(ARTICLES)]
    weight = {(f, a): rng.uniform(0.01, 1.0) for f, row in enumerate(postings) for a in row}
    weight.update({(f, a): rng.uniform(0.01, 1.0) for a, row in enumerate(common) for f in row})
    ages = [rng.uniform(0.0, 6.0) for _ in range(ARTICLES)] if date_weight else []
    scorer = PoolScorer(postings, [[weight[f, a] for a in row] for f, row in enumerate(postings)],
                        Rows.of(common, [[weight[f, a] for f in row] for a, row in enumerate(common)], "q"), ages)
    holders = {f: row for f, row in enumerate(postings)}
    return scorer, holders, weight, ages


def _query(rng: random.Random, a: int, ids: range, weight: dict) -> dict[int, float]:
    """Some features of article a, with a's weights (made up where a lacks them)."""
    return {f: weight.get((f, a), rng.uniform(0.01, 1.0)) for f in rng.sample(ids, 6)}


def _walk(a: int, rare: dict[int, float], neighbours: list[int], holders: dict, weight: dict) -> dict[int, float]:
    """The walk of the Python ranking: each article's products added one after the other."""
    dots: dict[int, float] = {}
    for f, wa in rare.items():
        for b in holders[f]:
            dots[b] = dots.get(b, 0.0) + wa * weight[f, b]
    for b in neighbours:
        dots.setdefault(b, 0.0)
    dots.pop(a, None)
    return dots


def _share(b: int, query: dict[int, float], weight: dict) -> float:
    total = 0.0
    for f in range(RARE, RARE + COMMON):
        if (f, b) in weight:
            total += query.get(f, 0.0) * weight[f, b]
    return total


def test_found_are_the_articles_a_walk_finds_with_the_same_dot_products() -> None:
    rng = random.Random(3)
    scorer, holders, weight, _ = _scorer(rng)
    for a in range(0, ARTICLES, 3):
        rare = _query(rng, a, range(RARE), weight)
        neighbours = rng.sample(range(ARTICLES), 4)
        members, dots = scorer.found(a, rare, neighbours)
        assert dict(zip(members.tolist(), dots.tolist())) == _walk(a, rare, neighbours, holders, weight)


def test_shares_are_each_members_dot_product_with_the_query() -> None:
    rng = random.Random(4)
    scorer, holders, weight, _ = _scorer(rng)
    for _ in range(20):
        members = rng.sample(range(ARTICLES), rng.randint(1, 40))
        query = _query(rng, 0, range(RARE, RARE + COMMON), weight)
        shares = scorer.shares(np.array(members), query)
        assert shares.tolist() == [_share(b, query, weight) for b in members]
    assert not scorer.query.any()  # the scratch vector is left zero for the next article


@pytest.mark.parametrize("date_weight", [0.0, 0.5])
@pytest.mark.parametrize("floor", [0.0, 0.8])
def test_the_shortlist_holds_every_candidate_that_can_make_the_list(date_weight: float, floor: float) -> None:
    rng = random.Random(int(date_weight * 10 + floor * 100))
    scorer, holders, weight, ages = _scorer(rng, date_weight)
    left_out = 0
    for a in range(ARTICLES):
        rare = _query(rng, a, range(RARE), weight)
        common = _query(rng, a, range(RARE, RARE + COMMON), weight)
        neighbours = rng.sample(range(ARTICLES), 4)
        needed = rng.randint(1, 6)
        totals = {b: dot + _share(b, common, weight)
                  for b, dot in _walk(a, rare, neighbours, holders, weight).items()}
        closeness = {b: 1.0 + date_weight * math.exp2(-abs(ages[a] - ages[b])) if date_weight else 1.0
                     for b in totals}
        scores = {b: round(total * closeness[b], 9) for b, total in totals.items()}
        reaching = sorted((score for score in scores.values() if score >= floor), reverse=True)
        cut = max(reaching[needed - 1] if len(reaching) >= needed else floor, floor)
        shortlist = dict(scorer.shortlist(a, rare, common, neighbours, needed, floor, date_weight))
        # Every candidate scoring at least the needed-th best is there, with its exact total...
        assert {b for b, score in scores.items() if score >= cut} <= shortlist.keys()
        assert all(shortlist[b] == totals[b] for b in shortlist)
        # ... and no other, but for ties within the margin.
        assert all(scores[b] >= cut - 1e-8 for b in shortlist)
        left_out += len(totals) - len(shortlist)
    assert left_out > ARTICLES


def test_an_article_finding_nothing_has_an_empty_shortlist() -> None:
    scorer, _, _, _ = _scorer(random.Random(5))
    assert scorer.shortlist(0, {}, {30: 1.0}, [], 3, 0.0, 0.0) == []
