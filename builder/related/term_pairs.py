"""Glossary terms used together: for each term, the terms that share the most articles with it.

A term's page lists its RELATED_TERMS companions. Counting them takes every
pair of terms within every article: 14 million pairs at 100,000 articles of
about a dozen terms each, 1.6 s in Python (a `Counter` per term), on every
build that changes an article's term use or adds one. From PAIRS_FOR_NUMPY
pairs on, numpy counts them: the articles of k terms as one table of k
columns, whose pairs are an outer sum of pair numbers, into a matrix of
counts of at most MATRIX_CELLS (64 MB) at a time. The result is the same.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from typing import Iterable, Mapping, Sequence

RELATED_TERMS = 5
PAIRS_FOR_NUMPY = 200_000   # pairs of terms within articles from which numpy counts them
BLOCK_PAIRS = 2_000_000     # pairs numpy counts at once (8 bytes each)
MATRIX_CELLS = 16_000_000   # counts held at once (4 bytes each)


def related_terms(uses: Iterable[Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Term slug → the RELATED_TERMS terms found in the most articles with it (more first, then in
    code-point order of slugs), from each article's terms; terms never used with another are left out."""
    used = [sorted(set(terms)) for terms in uses]
    used = [terms for terms in used if len(terms) > 1]
    if sum(len(terms) ** 2 for terms in used) >= PAIRS_FOR_NUMPY:
        return _counted_by_numpy(used)
    together: dict[str, Counter[str]] = defaultdict(Counter)
    for terms in used:
        for slug in terms:
            together[slug].update(terms)   # counts the term itself too: dropped below
    return {slug: companions(slug, counts) for slug, counts in together.items()}


def companions(slug: str, counts: Mapping[str, int]) -> tuple[str, ...]:
    """The RELATED_TERMS terms of `counts` (term → articles shared with `slug`, which itself may count)
    found most often, more first, then in code-point order of slugs."""
    return tuple(s for _, s in heapq.nsmallest(RELATED_TERMS + 1, [(-n, other) for other, n in counts.items()])
                 if s != slug)[:RELATED_TERMS]


def _counted_by_numpy(used: Sequence[list[str]]) -> dict[str, tuple[str, ...]]:
    import numpy as np   # a small site does without it (50 ms)

    vocabulary = sorted({slug for terms in used for slug in terms})   # ids in code-point order
    size = len(vocabulary)
    number = {slug: index for index, slug in enumerate(vocabulary)}
    # Articles of k terms make a table of k columns: its pairs are one outer sum away.
    by_length: dict[int, list[list[int]]] = defaultdict(list)
    for terms in used:
        by_length[len(terms)].append([number[slug] for slug in terms])
    tables = [np.array(rows, dtype=np.int64) for rows in by_length.values()]
    del by_length
    related: dict[str, tuple[str, ...]] = {}
    # The counts of a block of terms at a time (one block up to 4,000 terms), so that a glossary
    # of tens of thousands of terms does not make a matrix of billions of counts.
    block = max(1, MATRIX_CELLS // size)
    for low in range(0, size, block):
        high = min(size, low + block)
        counts = np.zeros((high - low) * size, dtype=np.int32)
        one = np.int32(1)
        for table in tables:
            length = table.shape[1]
            step = max(1, BLOCK_PAIRS // (length * length))
            for first in range(0, len(table), step):
                rows = table[first:first + step]
                left = np.broadcast_to(rows[:, :, None], (len(rows), length, length))
                numbers = (left - low) * size + rows[:, None, :]
                if low or high < size:
                    numbers = numbers[(left >= low) & (left < high)]
                np.add.at(counts, numbers.ravel(), one)   # of the counts' type: numpy's fast path
        matrix = counts.reshape(high - low, size)
        for row in range(low, high):
            found = matrix[row - low]
            found[row] = 0   # a term with itself
            others = np.flatnonzero(found)
            best = others[np.lexsort((others, -found[others]))[:RELATED_TERMS]]   # the most, then the lowest id
            related[vocabulary[row]] = tuple(vocabulary[other] for other in best.tolist())
    return related
