"""Ranking related articles again after an edit, only where the edit can change the result.

`rank_related_again` keeps what one ranking leaves (`RankState`) and, given
the next site, re-ranks only the articles whose ranking an edit can change
(see `_affected`): the result always equals `ranking.rank_related` from
scratch. Settings are read from `builder.related.ranking` at call time, not copied,
so that they stay one set (tests shrink them to make a small site large).
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..content.config import RelatedSettings
from ..content.model import RelatedEntry
from ..util.garbage_collection import collection_paused
from . import ranking
from .features import ArticleSignals
from .ranking import Ranker, canonical_order
from .workers import rank_positions

SERIAL_RANKING = 1000   # re-ranking at most this many articles is not worth forking workers


@dataclass(frozen=True)
class RankState:
    """What one ranking leaves for the next, to tell which articles an edit can affect.

    An article's own ranking reads, of itself and of every candidate, only
    what its profile holds: its feature vector (by feature key, in order),
    term and tag weights for reasons, date and explicit links. The index of
    all articles is what connects them; see `_affected`.
    """

    context: str                               # settings and term names
    slugs: tuple[str, ...]                     # in canonical order (see canonical_order)
    digests: tuple[bytes, ...]                 # per article: digest of its profile
    features: tuple[tuple[str, ...], ...]      # per article: the keys of its vector
    times: tuple[float, ...]                   # per article: its date as a timestamp
    results: tuple[tuple[RelatedEntry, ...], ...]


def rank_related_again(signals: Sequence[ArticleSignals], settings: RelatedSettings,
                       term_names: Mapping[str, str], previous: RankState | None, *, jobs: int = 1
                       ) -> tuple[dict[str, tuple[RelatedEntry, ...]], RankState]:
    """`rank_related`, re-ranking only the articles whose result can differ from `previous`.

    The result always equals a ranking from scratch: an article is re-ranked
    when its profile changed, or when a changed article is, was or could
    become one of its candidates (`_affected`). Without a usable `previous`
    (other settings, terms or articles), every article is ranked.
    """
    with collection_paused():  # as in rank_related
        ordered = canonical_order(signals)
        ranker = Ranker(ordered, settings, term_names)
        context = hashlib.blake2b(repr((settings, sorted(term_names.items()))).encode("utf-8", "surrogatepass"),
                                  digest_size=16).hexdigest()
        slugs = tuple(signal.slug for signal in ordered)
        keys = ranker.features.keys
        features = tuple(tuple(map(keys.__getitem__, ranker.vectors.row(a)[0])) for a in range(len(ordered)))
        digests = tuple(_profile_digest(ranker, a, features[a]) for a in range(len(ordered)))
        todo: list[int] | None = None
        if previous is not None and previous.context == context:
            previous = _in_order(previous, slugs)
            if previous is not None:
                todo = _affected(previous, ranker, digests, features)
        if todo is None:
            results: list[tuple[RelatedEntry, ...]] = [()] * len(ordered)
            todo = list(range(len(ordered)))
            workers = jobs
        else:
            results = list(previous.results)  # type: ignore[union-attr]
            # A pool of processes costs more than ranking a few hundred articles.
            workers = jobs if len(todo) > SERIAL_RANKING else 1
        times = tuple(ranker.times)
        ranked = rank_positions(ranker, todo, workers)
        del ranker   # its arrays go before the entries are made
        for position, entries in ranked.items():
            results[position] = entries
        state = RankState(context, slugs, digests, features, times, tuple(results))
        return dict(zip(slugs, results)), state


def _in_order(previous: RankState, slugs: tuple[str, ...]) -> RankState | None:
    """`previous` with its articles in the order of `slugs` (an edited date moves one);
    None unless it has the same articles."""
    if previous.slugs == slugs:
        return previous
    place = {slug: position for position, slug in enumerate(previous.slugs)}
    if len(place) != len(slugs) or not all(slug in place for slug in slugs):
        return None
    moved = [place[slug] for slug in slugs]
    return RankState(previous.context, slugs,
                     tuple(previous.digests[p] for p in moved),
                     tuple(previous.features[p] for p in moved),
                     tuple(previous.times[p] for p in moved),
                     tuple(previous.results[p] for p in moved))


def _profile_digest(ranker: Ranker, a: int, keys: tuple[str, ...]) -> bytes:
    """Everything ranking reads of article a, as a digest: its vector by feature `keys` (ids shift)."""
    features = ranker.features
    names = features.keys
    tags = features.tags
    start, end = tags.starts[a], tags.starts[a + 1]
    term_ids, term_weights = features.terms.row(a)
    profile = (
        list(zip(keys, ranker.vectors.row(a)[1])),
        list(zip(map(names.__getitem__, term_ids), term_weights)),
        list(zip(map(names.__getitem__, tags.ids[start:end]), tags.values[start:end],
                 map(features.spellings.__getitem__, features.tag_spellings[start:end]))),
        ranker.times[a],
        [ranker.slugs[b] for b in ranker.own[a]],
        sorted(ranker.slugs[b] for b in ranker.incoming[a]),
    )
    # marshal (format 2: no back-references, so equal values give equal bytes) is several times
    # faster than repr on floats; this runs for every article on every ranking.
    return hashlib.blake2b(marshal.dumps(profile, 2), digest_size=16).digest()


def _affected(previous: RankState, ranker: Ranker, digests: Sequence[bytes],
              features: Sequence[tuple[str, ...]]) -> list[int] | None:
    """Positions whose ranking may differ from `previous`, sorted; None when re-ranking all is cheaper.

    With C the articles whose profile changed, article a is re-ranked when
    * a is in C;
    * a shares with some b in C a feature that is rare before or after: a walks
      its postings (or did), which hold b's weight — or b itself;
    * a has a common feature h of some b in C (before or after) and a is close
      in date to b in h's date order, before or after: b is or was among a's
      date neighbours, or its arrival or departure shifts them;
    * a names b in `related:` or is named by it (explicit entries carry b's score).
    The rest read only unchanged profiles and unchanged postings, so their
    previous result is what a full ranking would give.
    """
    changed = [a for a, (old, new) in enumerate(zip(previous.digests, digests)) if old != new]
    if len(changed) * 10 > len(digests):
        return None
    affected = set(changed)
    if not changed:
        return []
    index = ranker.index
    fid_of = {key: fid for fid, key in enumerate(ranker.features.keys)}
    changed_set = set(changed)
    old_holders_changed: dict[str, list[int]] = defaultdict(list)
    for b in changed:
        for key in previous.features[b]:
            old_holders_changed[key].append(b)
    seen: set[str] = set()
    for b in changed:
        for key in (*previous.features[b], *features[b]):
            if key in seen:
                continue
            seen.add(key)
            fid = fid_of.get(key)
            new_holders = list(index.holders[fid]) if fid is not None else []
            old_holders = [h for h in new_holders if h not in changed_set] + old_holders_changed.get(key, [])
            if len(new_holders) <= ranking.POSTINGS_CAP or len(old_holders) <= ranking.POSTINGS_CAP:
                affected.update(new_holders)  # old holders are these and changed ones
                continue
            affected.update(_near_in_date(new_holders, ranker.times, changed_set))
            affected.update(_near_in_date(old_holders, previous.times, changed_set))
        affected.update(ranker.own[b])
        affected.update(ranker.incoming[b])
    return sorted(affected)


def _near_in_date(holders: list[int], times: Sequence[float], changed: set[int]) -> set[int]:
    """Holders of a common feature whose date-neighbour window holds a changed one, or could.

    A window is the DATE_NEIGHBOURS articles either side of a date's place in
    the date order; it holds the one at place p only for dates between the
    (p - DATE_NEIGHBOURS - 1)th and (p + DATE_NEIGHBOURS)th of the order.
    Taking two more either side (and every article of a tied date) is safely more.
    """
    dated = sorted(holders, key=lambda h: (times[h], h))
    stamps = [times[h] for h in dated]
    reach = ranking.DATE_NEIGHBOURS + 2
    found: set[int] = set()
    for place, holder in enumerate(dated):
        if holder in changed:
            low = bisect.bisect_left(stamps, stamps[max(0, place - reach)])
            high = bisect.bisect_right(stamps, stamps[min(len(dated) - 1, place + reach)])
            found.update(dated[low:high])
    return found
