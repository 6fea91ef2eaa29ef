"""Ranking related articles again after an edit, only where the edit can change the result.

`rank_related_again` keeps what one ranking leaves (`RankState`) and, given
the next site, re-ranks only the articles whose ranking an edit can change
(see `_affected`): the result always equals `ranking.rank_related` from
scratch. Settings are read from `builder.related.ranking` at call time, not copied,
so that they stay one set (tests shrink them to make a small site large).
"""

from __future__ import annotations

import hashlib
import marshal
from array import array
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from ..content.config import RelatedSettings
from ..content.model import RelatedEntry
from ..util.garbage_collection import collection_paused
from . import ranking
from .features import ArticleSignals, Features
from .ranking import Ranker, canonical_order
from .workers import rank_positions

if TYPE_CHECKING:
    import numpy as np

SERIAL_RANKING = 1000   # re-ranking at most this many articles is not worth forking workers


DIGEST = 16   # bytes of an article's profile digest
FORMAT = 8    # of RankState and its RelatedEntry (8: with the features built): another format's is not used


@dataclass(frozen=True)
class FeatureKeys:
    """Per article, the keys of its vector's features, in order: one table of keys and each
    article's ids into it, one row after the other (flat arrays, not a tuple per article)."""

    keys: tuple[str, ...]    # feature id (of one ranking) -> its key
    starts: array            # 'q', per article and one more: where its ids start in `ids`
    ids: array               # 'i'

    def of(self, a: int) -> list[str]:
        keys = self.keys
        return [keys[fid] for fid in self.ids[self.starts[a]:self.starts[a + 1]]]

    def moved(self, order: Sequence[int | None]) -> FeatureKeys:
        """The same keys for the articles in `order` (positions in this one; None: no keys)."""
        starts, ids = array("q", [0]), array("i")
        for p in order:
            if p is not None:
                ids.extend(self.ids[self.starts[p]:self.starts[p + 1]])
            starts.append(len(ids))
        return FeatureKeys(self.keys, starts, ids)


@dataclass(frozen=True)
class RankState:
    """What one ranking leaves for the next, to tell which articles an edit can affect.

    An article's own ranking reads, of itself and of every candidate, only
    what its profile holds: its feature vector (by feature key, in order),
    term and tag weights for reasons, date and explicit links. The index of
    all articles is what connects them; see `_affected`. Per article it keeps
    flat arrays, not objects (they are pickled into the build's cache, too).
    """

    context: str                    # format, settings and term names
    slugs: tuple[str, ...]          # in canonical order (see canonical_order)
    digests: bytes                  # per article, DIGEST bytes: the digest of its profile
    features: FeatureKeys           # per article: the keys of its vector
    times: array                    # 'd', per article: its date as a timestamp
    results: tuple[tuple[RelatedEntry, ...], ...]
    # The features themselves, from which the next ranking keeps the rows of articles that did not
    # change (`features.build_features`); None when the ranking was given no digests of articles.
    built: Features | None = None
    linked: bytes = b""             # per article, 1 when it names or is named in `related:`

    def digest(self, a: int) -> bytes:
        return self.digests[a * DIGEST:(a + 1) * DIGEST]


def rank_related_again(signals: Sequence[ArticleSignals], settings: RelatedSettings,
                       term_names: Mapping[str, str], previous: RankState | None, *, jobs: int = 1,
                       digests: Mapping[str, str] | None = None, meanwhile: Callable[[], None] | None = None
                       ) -> tuple[dict[str, tuple[RelatedEntry, ...]], RankState]:
    """`rank_related`, re-ranking only the articles whose result can differ from `previous`.

    The result always equals a ranking from scratch: an article is re-ranked
    when its profile changed, or when a changed, new or gone article is, was or
    could become one of its candidates (`_affected`). Without a usable `previous`
    (other settings or terms, or many articles new or gone), every article is ranked.

    `digests` (slug -> a digest of the article's terms, tags and words) let the features of
    articles whose digest is unchanged be kept from `previous` (`features.build_features`).
    `meanwhile` runs while worker processes rank, if any do (`workers.rank_positions`).
    """
    with collection_paused():  # as in rank_related
        ordered = canonical_order(signals)
        context = hashlib.blake2b(repr((FORMAT, settings, sorted(term_names.items())))
                                  .encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        built = previous.built if previous is not None and previous.context == context else None
        ranker = Ranker(ordered, settings, term_names, built, digests)
        vectors = ranker.vectors
        # The state shares the vectors' arrays of ids; the ranker goes, they stay.
        state = RankState(context, tuple(ranker.slugs),
                          _profile_digests(ranker, previous if built is not None else None),
                          FeatureKeys(tuple(ranker.features.keys), vectors.starts, vectors.ids), ranker.times, (),
                          ranker.features if digests is not None else None,
                          bytes(bool(own or incoming) for own, incoming in zip(ranker.own, ranker.incoming)))
        todo: list[int] | None = None
        aligned = None
        if previous is not None and previous.context == context:
            aligned = _aligned(previous, state.slugs)
            if aligned is not None:
                todo = _affected(aligned, ranker, state)
        if todo is None or aligned is None:
            results: list[tuple[RelatedEntry, ...]] = [()] * len(ordered)
            todo = list(range(len(ordered)))
            workers = jobs
        else:
            results = list(aligned.state.results[:len(ordered)])
            # A pool of processes costs more than ranking a few hundred articles.
            workers = jobs if len(todo) > SERIAL_RANKING else 1
        ranked = rank_positions(ranker, todo, workers, meanwhile)
        del ranker   # its arrays (but those the state shares) go before the entries are made
        for position, entries in ranked.items():
            results[position] = entries
        return dict(zip(state.slugs, results)), replace(state, results=tuple(results))


@dataclass(frozen=True)
class Aligned:
    """The previous ranking's state at the current positions (an edited date moves an article):
    the current articles first, then those it had that are gone, each at a position of its own
    after them. A new article has no features, times 0 and no result there."""

    state: RankState
    count: int                # current articles: positions from here on are gone ones
    new: frozenset[int]       # current positions the previous ranking did not have


NO_DIGEST = bytes(DIGEST)


def _aligned(previous: RankState, slugs: tuple[str, ...]) -> Aligned | None:
    """`previous` aligned with `slugs`; None when too many articles came or went to be worth it."""
    count = len(slugs)
    if previous.slugs == slugs:
        return Aligned(previous, count, frozenset())
    place = {slug: position for position, slug in enumerate(previous.slugs)}
    order: list[int | None] = [place.pop(slug, None) for slug in slugs]
    new = frozenset(a for a, p in enumerate(order) if p is None)
    if (len(new) + len(place)) * 10 > count:
        return None
    order += place.values()   # the gone ones, in their previous order
    state = RankState(previous.context, slugs + tuple(place),
                      b"".join([NO_DIGEST if p is None else previous.digest(p) for p in order]),
                      previous.features.moved(order),
                      array("d", [0.0 if p is None else previous.times[p] for p in order]),
                      tuple(() if p is None else previous.results[p] for p in order), previous.built,
                      bytes(0 if p is None else previous.linked[p] for p in order))
    return Aligned(state, count, new)


def _profile_digests(ranker: Ranker, previous: RankState | None = None) -> bytes:
    """Every article's `_profile_digest`, one after the other.

    An article whose features kept their rows from `previous`'s (`Features.kept`), with the same date
    and no explicit links then or now, has the digest it had there."""
    features = ranker.features
    names = [_counted(key) for key in features.keys]
    spellings = [_counted(spelling) for spelling in features.spellings]
    kept = features.kept
    if previous is None or not kept:
        return b"".join([_profile_digest(ranker, a, names, spellings) for a in range(len(ranker))])
    times, own, incoming = ranker.times, ranker.own, ranker.incoming
    old_times, old_linked = previous.times, previous.linked
    return b"".join([
        previous.digest(q) if q >= 0 and times[a] == old_times[q] and not (own[a] or incoming[a] or old_linked[q])
        else _profile_digest(ranker, a, names, spellings) for a, q in enumerate(kept)])


def _counted(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(4, "little") + data


def _profile_digest(ranker: Ranker, a: int, names: list[bytes], spellings: list[bytes]) -> bytes:
    """Everything ranking reads of article a, as a digest: its vector, term and tag weights by
    feature key (ids shift from one ranking to the next), its tags' spellings, its date and
    explicit links. `names` and `spellings` hold each key and spelling, length first.

    Made of the arrays' bytes and the keys' bytes (each row's length first), not of a tuple per
    pair: this runs for every article on every ranking, 100,000 times at 100,000 articles."""
    features = ranker.features
    vectors, terms, tags = ranker.vectors, features.terms, features.tags
    v0, v1, t0, t1, g0, g1 = (vectors.starts[a], vectors.starts[a + 1], terms.starts[a], terms.starts[a + 1],
                              tags.starts[a], tags.starts[a + 1])
    name = names.__getitem__
    own, incoming = ranker.own[a], ranker.incoming[a]
    links = b"" if not (own or incoming) else marshal.dumps(
        ([ranker.slugs[b] for b in own], sorted(ranker.slugs[b] for b in incoming)), 2)
    return hashlib.blake2b(b"".join((
        array("q", (v1 - v0, t1 - t0, g1 - g0, len(links))).tobytes(), array("d", (ranker.times[a],)).tobytes(),
        *map(name, vectors.ids[v0:v1]), vectors.values[v0:v1].tobytes(),
        *map(name, terms.ids[t0:t1]), terms.values[t0:t1].tobytes(),
        *map(name, tags.ids[g0:g1]), tags.values[g0:g1].tobytes(),
        *map(spellings.__getitem__, features.tag_spellings[g0:g1]), links,
    )), digest_size=DIGEST).digest()


def _affected(aligned: Aligned, ranker: Ranker, current: RankState) -> list[int] | None:
    """Positions whose ranking may differ from the `aligned` previous one, sorted; None when
    re-ranking all is cheaper.

    With C the articles whose profile changed, new ones and gone ones (whose
    profile is empty now or was before), article a is re-ranked when
    * a is in C;
    * a shares with some b in C a feature that is rare before or after: a walks
      its postings (or did), which hold b's weight — or b itself;
    * a has a common feature h of some b in C (before or after), h is one of a's
      strongest (`Ranker.date_features`, the same before and after for an a not
      in C) and a is close in date to b in h's date order, before or after: b is
      or was among a's date neighbours, or its arrival or departure shifts them
      (a's other common features only add to the scores of candidates found
      otherwise);
    * a names b in `related:` or is named by it (explicit entries carry b's score).
    The rest read only unchanged profiles and unchanged postings, so their
    previous result is what a full ranking would give.
    """
    previous, count, new = aligned.state, aligned.count, aligned.new
    changed = ([] if previous.digests == current.digests else
               [a for a in range(count) if a in new or previous.digest(a) != current.digest(a)])
    changed += range(count, len(previous.slugs))   # the gone ones
    if len(changed) * 10 > count:
        return None
    affected = set(changed)
    if not changed:
        return []
    index = ranker.index
    fid_of = {key: fid for fid, key in enumerate(ranker.features.keys)}
    changed_set = set(changed)
    old_holders_changed: dict[str, list[int]] = defaultdict(list)
    for b in changed:
        for key in previous.features.of(b):
            old_holders_changed[key].append(b)
    seen: set[str] = set()
    strongest: dict[int, list[int]] = {}
    import numpy as np   # here: a site with nothing to rank again does without it (40 ms)
    changed_ids = np.fromiter(changed_set, np.int64, len(changed_set))

    def date_features(a: int) -> list[int]:
        found = strongest.get(a)
        if found is None:
            found = strongest[a] = ranker.date_features(a) if a < count else []
        return found

    for b in changed:
        gone = b >= count
        for key in (*previous.features.of(b), *(() if gone else current.features.of(b))):
            if key in seen:
                continue
            seen.add(key)
            fid = fid_of.get(key)
            new_holders = list(index.holders[fid]) if fid is not None else []
            old_holders = [h for h in new_holders if h not in changed_set] + old_holders_changed.get(key, [])
            if len(new_holders) <= ranking.POSTINGS_CAP or len(old_holders) <= ranking.POSTINGS_CAP:
                affected.update(new_holders)  # old holders are these and changed ones
                continue
            near = _near_in_date(new_holders, ranker.times, changed_ids)
            near |= _near_in_date(old_holders, previous.times, changed_ids)
            affected.update(a for a in near if a in affected or fid in date_features(a))
        if not gone:   # who a gone one named, or was named by, has a changed profile
            affected.update(ranker.own[b])
            affected.update(ranker.incoming[b])
    return sorted(a for a in affected if a < count)


def _near_in_date(holders: Sequence[int], times: array, changed: np.ndarray) -> set[int]:
    """Holders of a common feature whose date-neighbour window holds a changed one, or could.

    A window is the DATE_NEIGHBOURS articles either side of a date's place in
    the date order; it holds the one at place p only for dates between the
    (p - DATE_NEIGHBOURS - 1)th and (p + DATE_NEIGHBOURS)th of the order.
    Taking two more either side (and every article of a tied date) is safely more.
    The changed one's place among the articles of its own date is not known (`holders` of
    a previous ranking are in today's positions, whose order among equal dates may differ
    from the one it had), so the places count from either end of its date.
    By numpy: a common feature's holders are thousands, and a new article has a few hundred such features.
    """
    import numpy as np
    ids = np.asarray(holders, dtype=np.int64)
    stamps = np.frombuffer(times, dtype=np.float64)[ids]
    order = np.lexsort((ids, stamps))   # by date, then by position
    dated, stamps = ids[order], stamps[order]
    places = np.flatnonzero(np.isin(dated, changed))
    if not len(places):
        return set()
    reach = ranking.DATE_NEIGHBOURS + 2
    first = np.searchsorted(stamps, stamps[places], "left")
    last = np.searchsorted(stamps, stamps[places], "right") - 1
    low = np.searchsorted(stamps, stamps[np.maximum(first - reach, 0)], "left")
    high = np.searchsorted(stamps, stamps[np.minimum(last + reach, len(dated) - 1)], "right")
    found: set[int] = set()
    for start, end in zip(low.tolist(), high.tolist()):
        found.update(dated[start:end].tolist())
    return found
