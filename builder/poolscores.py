"""The scores of a whole pool of related-article candidates at once, with numpy.

On a large site most of an article's features are "common" (see
`builder.related`): shared by so many articles that ranking looks up their
weights in each candidate of a pool instead of walking their postings. At
10,000 articles of the build benchmark that is about 12 common features for
each of about 46 candidates, some 550 multiply-adds per article: a sparse
matrix-vector product, which numpy does in a few calls where a Python loop
took twice as long. The closeness in date is applied in the same way, and
only the candidates that can still make the list are handed back, to be
scored exactly as every other candidate is.
"""

from __future__ import annotations

from itertools import chain
from typing import Mapping, Sequence

import numpy as np

# Scores are compared after rounding to 9 decimals, and numpy's exp2 may differ from math's
# in the last bit: a candidate this close below the cut-off is handed back all the same.
MARGIN = 1e-8


class CommonRows:
    """Every article's common features and their weights, as the rows of a sparse matrix."""

    def __init__(self, features: Sequence[Sequence[int]], weights: Sequence[Sequence[float]],
                 size: int, ages: Sequence[float]) -> None:
        """`features[a]` and `weights[a]` are article a's common features (ids below `size`)
        and their weights; `ages[a]` is its date in half-lives (empty without date weight)."""
        self.lengths = np.fromiter(map(len, features), np.intp, len(features))
        self.starts = np.cumsum(self.lengths) - self.lengths
        total = int(self.lengths.sum())
        self.features = np.fromiter(chain.from_iterable(features), np.intp, total)
        self.weights = np.fromiter(chain.from_iterable(weights), np.float64, total)
        self.ages = np.asarray(ages, dtype=np.float64)
        self.query = np.zeros(size)  # one article's common weights by feature id, zero between calls

    def shares(self, members: np.ndarray, query: Mapping[int, float]) -> np.ndarray:
        """Per member, the dot product of its row with `query` (feature id -> weight)."""
        count = len(members)
        lengths = self.lengths[members]
        ends = np.cumsum(lengths)
        entries = np.repeat(self.starts[members] - (ends - lengths), lengths)
        entries += np.arange(int(ends[-1]) if count else 0)
        ids = list(query)
        self.query[ids] = list(query.values())
        products = self.query[self.features[entries]] * self.weights[entries]
        self.query[ids] = 0.0
        # bincount adds each member's products one after the other, in the row's order.
        return np.bincount(np.repeat(np.arange(count), lengths), weights=products, minlength=count)

    def shortlist(self, pool: Mapping[int, float], query: Mapping[int, float], needed: int,
                  floor: float, age: float, date_weight: float) -> list[tuple[int, float]]:
        """(member, its score before closeness in date) for the members of `pool` that can be
        among the `needed` best and reach `floor`, once closeness in date is applied.

        `pool` maps each member to its score over the rare features; `query` holds
        the ranked article's common features, whose share is added to it.
        """
        count = len(pool)
        members = np.fromiter(pool, np.intp, count)
        totals = np.fromiter(pool.values(), np.float64, count) + self.shares(members, query)
        scores = totals
        if date_weight:
            scores = totals * (1.0 + date_weight * np.exp2(-np.abs(age - self.ages[members])))
        cut = floor
        if count > needed:
            cut = max(cut, float(np.partition(scores, count - needed)[count - needed]))
        kept = np.flatnonzero(scores >= cut - MARGIN)
        return list(zip(members[kept].tolist(), totals[kept].tolist()))
