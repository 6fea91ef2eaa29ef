"""The index numpy builds for a large site is the one the Python walk builds, array for array."""

from __future__ import annotations

import random
from array import array

import pytest
from test_ranking import NAMES, random_site
from test_ranking_memory import _site

from builder.related import features, ranking
from builder.related.features import Index, build_features, build_index
from builder.related.numpy_index import numpy_index
from builder.related.ranking import RelatedSettings, canonical_order, rank_related
from builder.related.rows import Rows


def _python_index(vectors: Rows, size: int, cap: int, monkeypatch: pytest.MonkeyPatch) -> Index:
    monkeypatch.setattr(features, "NUMPY_INDEX_PAIRS", 10**12)
    return build_index(vectors, size, cap)


def _assert_same(made: Index, expected: Index) -> None:
    assert made.common == expected.common
    for field in ("holders", "articles", "weights"):
        got, wanted = getattr(made, field), getattr(expected, field)
        assert len(got) == len(wanted)
        assert all(a.typecode == b.typecode and a == b for a, b in zip(got, wanted)), field
    for field in ("starts", "ids", "values"):
        got, wanted = getattr(made.common_rows, field), getattr(expected.common_rows, field)
        assert got.typecode == wanted.typecode and got == wanted, field


@pytest.mark.parametrize("cap", [1, 5, 40, 10**6])
def test_numpy_builds_the_same_index_as_the_python_walk(monkeypatch: pytest.MonkeyPatch, cap: int) -> None:
    vectors = build_features(canonical_order(_site(1500)), RelatedSettings(), ranking.TEXT_FEATURES).vectors
    size = max(vectors.ids) + 3   # two features no article has, at the end
    expected = _python_index(vectors, size, cap, monkeypatch)
    _assert_same(numpy_index(vectors, size, cap), expected)
    assert any(expected.common) == bool(expected.common_rows.ids) == (cap < 1500)


def test_articles_without_features_keep_their_empty_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rows 0, 2 and the last are empty: the rows of common features must have them too.
    vectors = Rows.of([[], [3, 1, 2], [], [2, 0], [1, 2, 3, 0], []],
                      [[], [0.5, 0.25, 1.0], [], [2.0, 0.75], [0.1, 0.2, 0.3, 0.4], []])
    expected = _python_index(vectors, 5, 1, monkeypatch)   # every feature but 4 (no holder) is common
    _assert_same(numpy_index(vectors, 5, 1), expected)
    assert expected.common_rows.starts == array("q", [0, 0, 3, 3, 5, 9, 9])
    assert expected.common_rows.ids == array("q", [1, 2, 3, 0, 2, 0, 1, 2, 3])


def test_ranking_is_the_same_whichever_builds_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 8)
    signals = random_site(random.Random(23), 300)
    settings = RelatedSettings(count=4, min_score=0.0)
    monkeypatch.setattr(features, "NUMPY_INDEX_PAIRS", 10**12)
    expected = rank_related(signals, settings, NAMES)
    monkeypatch.setattr(features, "NUMPY_INDEX_PAIRS", 0)
    assert rank_related(signals, settings, NAMES) == expected
    assert sum(len(entries) for entries in expected.values()) > 900
