"""Ranking related articles over forked worker processes, and the entries they hand back.

The workers fork from the parent once it has built the `Ranker`
(`builder.related.ranking`), and read all of it: its flat arrays touch no
reference count, so their pages stay shared. What a worker hands back for an
article is `Ranker.ranked` marshalled into one bytes object (positions, not
slugs): every object the parent unpickles while the workers run lands in a
page it shares with them, and that page then is copied — at 100,000 articles
entries handed back as objects made 150 MiB of each worker's memory its own,
bytes 6 MiB. The parent makes the entries when they are read (`Ranked`),
after the pool has ended and after the caller has let the ranker go.
"""

from __future__ import annotations

import marshal
from array import array
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from ..content.model import RelatedEntry
from ..util.parallel import map_indices

if TYPE_CHECKING:
    from .ranking import Ranker

RENEW_RANKERS_AFTER = 16   # chunks a ranking worker takes before a new fork replaces it


class Ranked:
    """Position -> related entries of the ranked articles: `made` ones, or `packed` ones (bytes
    from the workers, in the order of `positions`) made when `items` reads them."""

    def __init__(self, slugs: Sequence[str], positions: Sequence[int], packed: list[bytes],
                 made: dict[int, tuple[RelatedEntry, ...]] | None = None) -> None:
        self._slugs = slugs
        self._positions = positions
        self._packed = packed
        self._made = made or {}

    def items(self) -> Iterator[tuple[int, tuple[RelatedEntry, ...]]]:
        """(position, entries) for every ranked article, once: each article's bytes go as it is read."""
        yield from self._made.items()
        slugs, packed = self._slugs, self._packed
        # One tuple per distinct list of reasons and one string per name, not one per entry.
        shown: dict[tuple[str, ...], tuple[str, ...]] = {}
        names: dict[str, str] = {}
        for a in reversed(self._positions[:len(packed)]):
            entries = []
            for b, score, reasons, explicit in marshal.loads(packed.pop()):
                seen = shown.get(reasons)
                if seen is None:
                    seen = shown[reasons] = tuple([names.setdefault(name, name) for name in reasons])
                entries.append(RelatedEntry(slugs[b], score, seen, explicit))
            yield a, tuple(entries)


def _rank_packed(state: tuple[Ranker, array], index: int) -> bytes:
    """A worker's result for one article: `Ranker.ranked`, marshalled."""
    ranker, positions = state
    return marshal.dumps(ranker.ranked(positions[index]))


def rank_positions(ranker: Ranker, positions: list[int], jobs: int,
                   meanwhile: Callable[[], None] | None = None) -> Ranked:
    """The related entries of each of `positions`, shared out to `jobs` processes.

    The result keeps no reference to `ranker`: a caller that lets it go before reading the
    entries frees its arrays before the entries are made. `meanwhile` runs in this process while
    the workers rank (`map_indices`); not at all when there are none.
    """
    ordered = array("i", sorted(positions, key=ranker.ranking_order))
    if jobs <= 1:
        return Ranked((), (), [], {a: ranker.related(a) for a in ordered})
    # Built here, the numpy index is one copy that every worker reads (numpy arrays are
    # never written by reading them), and numpy is imported once, not by every worker.
    ranker.scorer  # noqa: B018 - a cached property, computed for the workers to share
    # Workers are renewed all the same: what they allocate goes with them (see map_indices).
    packed = map_indices(_rank_packed, (ranker, ordered), len(ordered), jobs, renew_after=RENEW_RANKERS_AFTER,
                         meanwhile=meanwhile)
    return Ranked(ranker.slugs, ordered, packed)
