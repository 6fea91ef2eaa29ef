"""Splitting the search index into shards that an edit does not reshuffle.

Pagefind has no incremental mode: changing one page means indexing its whole
index again. So the site's records go into shards, each indexed on its own and
merged in the browser (`mergeIndex`). A record's shard depends only on the
record and on the records of its own period, never on the rest of the site:

  articles   by publication year; a year whose bodies exceed the budget splits
             into halves, a half into quarters, a quarter into months, a month
             into hash buckets
  terms      one shard "begriffe" (hash buckets past the budget)
  pages      pages and author pages, one shard "seiten" (likewise)

Editing an article changes the digest of its own shard only; a new article
adds to its period's shard. The budget is counted in bytes of body HTML, what
indexing costs in time and in Pagefind's memory (benchmarks/bench_search.py
measures both, and the query time, which grows with the number of shards).

A query costs every shard a fetch and an index chunk, so the budget doubles as
the site grows past AIMED_SHARDS budgets' worth of bodies: the number of shards
stays near AIMED_SHARDS at any size, and the shards change only when the site's
size crosses a power of two (then every shard is indexed once again).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence, overload

from ..util.digests import fingerprint
from .search_records import SearchRecord

# Chosen from benchmarks/bench_search.py on 10,000 articles (13.3 KB of body HTML each, the tooltips'
# markup included): 3 MB made 92 monthly shards, 6 MB 32 quarterly ones, 12 MB 16 half-years. From 92
# to 32 shards a query took 2.5 times less time; an edit's peak memory grew from 230 to 327 MiB (PSS,
# all processes) and stays below 400 MiB, which 16 shards (427 MiB) do not.
BUDGET = 6_000_000
RECORD_COST = 500            # what a record costs beyond its body: title, lines, Pagefind's own
AIMED_SHARDS = 64           # at 100,000 articles 366 shards of 6 MB made a query take 1.5 s
MAX_BUCKETS = 4096
FORMAT = "shards/1"          # changes when records, their HTML or the split change meaning


@dataclass(frozen=True)
class Shard:
    """One independently indexed part of the search index, in its own folder under pagefind/."""

    name: str                         # folder name: "2022", "2022-h1", "2022-q1", "2022-01", "begriffe", "seiten-h2-1"
    records: Sequence[SearchRecord]   # by URL, the order Pagefind numbers them in (a tuple, or packed)
    primary: bool                     # the bundle the others are merged into: it carries Pagefind's runtime
    digest: str                       # of everything its index files are made from


def cost(records: Iterable[SearchRecord]) -> int:
    if isinstance(records, PackedRecords):
        return records.cost
    return sum(record.size + RECORD_COST for record in records)


class PackedRecords(Sequence[SearchRecord]):
    """A shard's records pickled into one string of bytes, unpacked each time they are read.

    A process that indexes a large site's shards one after the other (`pipeline.search_tail`)
    holds them so, and Pagefind's feeder unpacks one shard at a time: at 100,000 articles that
    process held 314 MiB while it indexed with the records as objects, 217-241 MiB packed."""

    __slots__ = ("data", "cost", "count")

    def __init__(self, records: Sequence[SearchRecord]) -> None:
        self.data = pickle.dumps(tuple(records), protocol=pickle.HIGHEST_PROTOCOL)
        self.cost = cost(records)
        self.count = len(records)

    def _records(self) -> tuple[SearchRecord, ...]:
        records: tuple[SearchRecord, ...] = pickle.loads(self.data)
        return records

    def __iter__(self) -> Iterator[SearchRecord]:
        return iter(self._records())

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> SearchRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SearchRecord]: ...

    def __getitem__(self, index: int | slice) -> SearchRecord | Sequence[SearchRecord]:
        return self._records()[index]

    def __getstate__(self) -> tuple[bytes, int, int]:
        return self.data, self.cost, self.count

    def __setstate__(self, state: tuple[bytes, int, int]) -> None:
        self.data, self.cost, self.count = state


def site_budget(total: int, base: int | None = None) -> int:
    """The budget for a site whose records cost `total`: `base` (BUDGET) doubled until
    AIMED_SHARDS budgets hold the whole site."""
    budget = BUDGET if base is None else base
    while total > budget * AIMED_SHARDS:
        budget *= 2
    return budget


def _half(record: SearchRecord) -> str:
    assert record.date is not None
    return f"{record.date.year}-h{(record.date.month - 1) // 6 + 1}"


def _quarter(record: SearchRecord) -> str:
    assert record.date is not None
    return f"{record.date.year}-q{(record.date.month - 1) // 3 + 1}"


def _month(record: SearchRecord) -> str:
    assert record.date is not None
    return f"{record.date.year}-{record.date.month:02d}"


# Halving where the calendar allows: a period just over the budget makes two shards, not three small ones.
LEVELS: tuple[Callable[[SearchRecord], str], ...] = (_half, _quarter, _month)


def _bucket(url: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(url.encode("utf-8", "surrogatepass")).digest()[:8], "big") % count


def _buckets(name: str, records: Sequence[SearchRecord], budget: int) -> list[tuple[str, list[SearchRecord]]]:
    """Records split by a hash of their URL into the fewest buckets (a power of two) within the budget."""
    if cost(records) <= budget or len(records) < 2:
        return [(name, list(records))]
    count = 2
    while True:
        groups: list[list[SearchRecord]] = [[] for _ in range(count)]
        for record in records:
            groups[_bucket(record.url, count)].append(record)
        if count >= min(MAX_BUCKETS, len(records)) or all(cost(group) <= budget for group in groups):
            return [(f"{name}-h{count}-{index}", group) for index, group in enumerate(groups) if group]
        count *= 2


def _split(name: str, records: list[SearchRecord], budget: int, level: int) -> list[tuple[str, list[SearchRecord]]]:
    """A period's records as one shard, or split by the next finer period (then by hash) past the budget."""
    if cost(records) <= budget or len(records) < 2:
        return [(name, records)]
    if level == len(LEVELS):
        return _buckets(name, records, budget)
    periods: dict[str, list[SearchRecord]] = {}
    for record in records:
        periods.setdefault(LEVELS[level](record), []).append(record)
    return [part for period in sorted(periods) for part in _split(period, periods[period], budget, level + 1)]


def assign_shards(records: Iterable[SearchRecord], settings: str, budget: int | None = None) -> list[Shard]:
    """The shards of a site's records, the primary one first.

    `settings` names everything else the index files depend on (language, Pagefind's version):
    when it changes, every shard is indexed again. `budget` defaults to `site_budget` of the records.
    """
    records = list(records)
    budget = site_budget(cost(records)) if budget is None else budget
    years: dict[str, list[SearchRecord]] = {}
    terms: list[SearchRecord] = []
    pages: list[SearchRecord] = []
    for record in records:
        if record.date is not None:
            years.setdefault(str(record.date.year), []).append(record)
        elif record.kind == "term":
            terms.append(record)
        else:
            pages.append(record)
    parts = [*_buckets("begriffe", terms, budget), *_buckets("seiten", pages, budget)]
    for year in sorted(years, reverse=True):   # newest first: the order results come in when scores tie
        parts += reversed(_split(year, years[year], budget, 0))
    shards = []
    for position, (name, group) in enumerate(part for part in parts if part[1]):
        ordered = tuple(sorted(group, key=lambda record: record.url))
        primary = position == 0
        digest = fingerprint(FORMAT, settings, name, primary, [record.digest for record in ordered])
        shards.append(Shard(name, ordered, primary, digest))
    return shards
