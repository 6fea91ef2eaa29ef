"""Tests for builder.related.rows: rows of (id, value) pairs in flat arrays."""

from __future__ import annotations

import pytest

from builder.related.rows import Rows, RowsBuilder


def test_rows_keep_their_pairs_in_the_order_given() -> None:
    rows = Rows.of([[7, 2, 9], [], [4]], [[0.5, 0.25, 1.0], [], [2.0]])
    assert len(rows) == 3
    assert [list(part) for part in rows.row(0)] == [[7, 2, 9], [0.5, 0.25, 1.0]]
    assert [list(part) for part in rows.row(1)] == [[], []]
    assert rows.mapping(2) == {4: 2.0}
    assert [rows.length(r) for r in range(3)] == [3, 0, 1]
    assert list(rows.mapping(0)) == [7, 2, 9]


def test_rows_can_be_appended_to_directly_and_take_wide_ids() -> None:
    builder = RowsBuilder("q")
    builder.ids.extend([2 ** 40, 3])
    builder.values.extend([1.5, 2.5])
    builder.end_row()
    builder.end_row()
    rows = builder.build()
    assert rows.ids.typecode == "q"
    assert rows.mapping(0) == {2 ** 40: 1.5, 3: 2.5}
    assert rows.mapping(1) == {}


def test_a_row_needs_as_many_values_as_ids() -> None:
    with pytest.raises(ValueError, match="as many values as ids"):
        RowsBuilder().add([1, 2], [0.5])
