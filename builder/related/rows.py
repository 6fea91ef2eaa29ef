"""Rows of (id, value) pairs per article, stored one after the other in flat arrays (CSR).

Ranking keeps every article's feature vector and its weights for reasons
this way rather than as a dict each: 12 bytes a pair instead of about 70
(a dict slot, a float object, an int object for ids above 256), and no
Python object per pair, so that the ranking workers, which fork from the
parent and read all of it, never touch a reference count in it and so never
copy its pages. The arrays are `array.array`s: a small site never imports
numpy, and a large one reads the same buffers through numpy without a copy
(`builder.related.numpy_scoring`).
"""

from __future__ import annotations

from array import array
from typing import Iterable, Sequence


class Rows:
    """Row r holds the pairs ids[starts[r]:starts[r + 1]] with their values, in the order given."""

    __slots__ = ("starts", "ids", "values")

    def __init__(self, starts: array, ids: array, values: array) -> None:
        self.starts = starts   # 'q': len(self) + 1 offsets into ids and values
        self.ids = ids         # 'i', or 'q' for rows that numpy reads (it indexes faster by those)
        self.values = values   # 'd'

    @classmethod
    def of(cls, ids: Iterable[Sequence[int]], values: Iterable[Sequence[float]], id_type: str = "i") -> Rows:
        """Rows from one sequence of ids and one of values per row (tests, small tables)."""
        rows = RowsBuilder(id_type)
        for row_ids, row_values in zip(ids, values):
            rows.add(row_ids, row_values)
        return rows.build()

    def __len__(self) -> int:
        return len(self.starts) - 1

    def row(self, r: int) -> tuple[array, array]:
        """Row r's ids and values (copies: a row is a few dozen pairs)."""
        start, end = self.starts[r], self.starts[r + 1]
        return self.ids[start:end], self.values[start:end]

    def length(self, r: int) -> int:
        return self.starts[r + 1] - self.starts[r]

    def mapping(self, r: int) -> dict[int, float]:
        """Row r as a dict id -> value."""
        start, end = self.starts[r], self.starts[r + 1]
        return dict(zip(self.ids[start:end], self.values[start:end]))


class RowsBuilder:
    """Rows appended one after the other; `id_type` is the ids' array type code."""

    def __init__(self, id_type: str = "i") -> None:
        self.starts = array("q", [0])
        self.ids = array(id_type)
        self.values = array("d")

    def add(self, ids: Iterable[int], values: Iterable[float]) -> None:
        self.ids.extend(ids)
        self.values.extend(values)
        if len(self.ids) != len(self.values):
            raise ValueError("a row needs as many values as ids")
        self.starts.append(len(self.ids))

    def end_row(self) -> None:
        """End the row whose pairs were appended to `ids` and `values` directly."""
        self.starts.append(len(self.ids))

    def build(self) -> Rows:
        return Rows(self.starts, self.ids, self.values)
