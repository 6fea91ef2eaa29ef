"""The scores of a whole pool of related-article candidates at once, with numpy.

On a large site most of an article's features are "common" (see
`builder.related`): shared by so many articles that ranking does not walk
their postings but looks up their weights in each candidate. At 10,000
articles of the build benchmark that is about 12 common features for each
of about 250 candidates that the rare features find: a sparse matrix-vector
product, which numpy does in a few calls where Python loops took longer for
a pool of 40. Walking the rare features' postings, the closeness in date and
the cut-off are done the same way; only the candidates that can still make
the list are handed back, to be scored exactly as every other candidate is.

Sums are added up one after the other in a fixed order (the walk's, for the
rare features), so a candidate's total never depends on which others share
its pool or its process: ranking again after an edit gives the same floats
as ranking from scratch.

Articles' rows of common features are read straight from the index's arrays
(`builder.related.rows`), without a copy.
"""

from __future__ import annotations

from array import array
from itertools import chain
from typing import Mapping, Sequence

import numpy as np

from .rows import Rows

# Scores are compared after rounding to 9 decimals, and numpy's exp2 may differ from math's
# in the last bit: a candidate this close below the cut-off is handed back all the same.
MARGIN = 1e-8


class _Rows:
    """Rows of (column, value) pairs, stored one after the other in two flat arrays (CSR)."""

    def __init__(self, offsets: np.ndarray, columns: np.ndarray, values: np.ndarray) -> None:
        self.starts = offsets[:-1]
        self.lengths = np.diff(offsets)
        self.columns = columns
        self.values = values

    @classmethod
    def of(cls, columns: Sequence[Sequence[int]], values: Sequence[Sequence[float]]) -> _Rows:
        """Rows copied from one sequence of columns and one of values per row."""
        lengths = np.fromiter(map(len, columns), np.intp, len(columns))
        offsets = np.zeros(len(columns) + 1, np.intp)
        np.cumsum(lengths, out=offsets[1:])
        total = int(offsets[-1])
        return cls(offsets, np.fromiter(chain.from_iterable(columns), np.intp, total),
                   np.fromiter(chain.from_iterable(values), np.float64, total))

    @classmethod
    def view(cls, rows: Rows) -> _Rows:
        """`rows`' own arrays, read-only, not copied."""
        if rows.ids.typecode != "q":
            raise ValueError("numpy indexes by 64-bit ids: rows for numpy need them")
        return cls(_read_only(rows.starts, np.longlong), _read_only(rows.ids, np.longlong),
                   _read_only(rows.values, np.float64))

    def entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where `rows`' pairs are in the flat arrays, one row after the other, and each row's length."""
        lengths = self.lengths[rows]
        ends = np.cumsum(lengths)
        entries = np.repeat(self.starts[rows] - (ends - lengths), lengths)
        entries += np.arange(int(ends[-1]) if len(rows) else 0)
        return entries, lengths


def _read_only(buffer: array, dtype: type) -> np.ndarray:
    view = np.frombuffer(buffer, dtype)
    view.flags.writeable = False
    return view


class PoolScorer:
    """The rare features' postings and every article's common features, for numpy."""

    def __init__(self, postings: Sequence[Sequence[int]], posting_weights: Sequence[Sequence[float]],
                 common: Rows, ages: Sequence[float]) -> None:
        """`postings[f]` are the articles of rare feature f (empty for the others), with their
        weights; `common` holds each article's common features (ascending ids) and its weights;
        `ages[a]` is its date in half-lives (empty without date weight)."""
        self.postings = _Rows.of(postings, posting_weights)
        self.common = _Rows.view(common)
        self.ages = np.asarray(ages, dtype=np.float64)
        self.query = np.zeros(len(postings))  # one article's common weights, zero between calls

    def found(self, a: int, rare: Mapping[int, float], neighbours: Sequence[int]
              ) -> tuple[np.ndarray, np.ndarray]:
        """Every article sharing one of a's `rare` features (id -> a's weight) or among its date
        `neighbours`, a itself left out, and each one's dot product with a over the rare features."""
        entries, lengths = self.postings.entries(np.fromiter(rare, np.intp, len(rare)))
        products = self.postings.values[entries] * np.repeat(np.fromiter(rare.values(), np.float64, len(rare)),
                                                             lengths)
        members = np.concatenate((self.postings.columns[entries], np.asarray(neighbours, np.intp)))
        products = np.concatenate((products, np.zeros(len(neighbours))))
        members, where = np.unique(members, return_inverse=True)
        # bincount adds each member's products in the order of a's features, as a walk would.
        dots = np.bincount(where, weights=products, minlength=len(members))
        kept = members != a
        return members[kept], dots[kept]

    def shares(self, members: np.ndarray, query: Mapping[int, float]) -> np.ndarray:
        """Per member, the dot product of its common features with `query` (feature id -> weight)."""
        entries, lengths = self.common.entries(members)
        ids = list(query)
        self.query[ids] = list(query.values())
        products = self.query[self.common.columns[entries]] * self.common.values[entries]
        self.query[ids] = 0.0
        return np.bincount(np.repeat(np.arange(len(members)), lengths), weights=products,
                           minlength=len(members))

    def shortlist(self, a: int, rare: Mapping[int, float], common: Mapping[int, float],
                  neighbours: Sequence[int], needed: int, floor: float, date_weight: float
                  ) -> list[tuple[int, float]]:
        """(candidate, its score before closeness in date) for the candidates of article a
        that can be among the `needed` best and reach `floor`, once closeness in date is applied.

        The candidates are those `found`; `rare` and `common` are a's features of
        either kind, by id, with a's weights.
        """
        members, dots = self.found(a, rare, neighbours)
        if not len(members):
            return []
        totals = dots + self.shares(members, common)
        scores = totals
        if date_weight:
            scores = totals * (1.0 + date_weight * np.exp2(-np.abs(self.ages[a] - self.ages[members])))
        count = len(members)
        cut = floor
        if count > needed:
            cut = max(cut, float(np.partition(scores, count - needed)[count - needed]))
        kept = np.flatnonzero(scores >= cut - MARGIN)
        return list(zip(members[kept].tolist(), totals[kept].tolist()))
