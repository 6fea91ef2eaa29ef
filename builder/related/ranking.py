"""Related articles: scoring every candidate and ranking them.

Score of a candidate B for article A
------------------------------------
With N the number of articles and df(x) the number of articles having
feature x (both above 16 rounded to a quarter octave, see
`features.rounded_count` and `features.rounded_df`), the rarity of a shared
term or tag is its IDF scaled to 0..1:

    rarity(x) = ln((N + 1) / df(x)) / ln((N + 1) / 2)
                (1 when only A and B have it, ln(1 + 1/N) / ln((N + 1) / 2) when all do)

    terms(A, B) = sum over shared terms t of rarity(t) * sqrt(sal(count_A(t)) * sal(count_B(t)))
                  with sal(c) = c / (c + 1): a term mentioned often is more central
    tags(A, B)  = sum over shared tags g of rarity(g)       (compared by slug: "Außenpolitik"
                                                             and "Aussenpolitik" are one tag)
    text(A, B)  = cosine of the TF-IDF vectors of both articles' TEXT_FEATURES best words,
                  tf-idf = (1 + ln tf) * (1 + ln((N + 1) / (df + 1))), stop words removed
                  (see `builder.text.textstats`)

    content(A, B) = weight_terms * terms + weight_tags * tags + weight_text * text
    score(A, B)   = content(A, B) * (1 + weight_date * 2 ** (-|days between| / date_half_life_days))

Terms and tags are summed, not cosine-normalised: a cosine would give two
articles whose only term is "NATO" the same 1.0 as two sharing only
"Normandie-Format", undoing the IDF. Closeness in date multiplies instead of
adding, so it strengthens a relation but never creates one: two articles of
the same day with nothing in common score 0. Candidates scoring below
`min_score` are never listed. Scores are rounded to 9 decimals so that equal
scores compare equal.

Order: A's own `related:` entries in their order, then the articles whose
`related:` names A (explicit both ways, best score first), then the best
scored candidates; at most `count` in all. Explicit entries are listed
whatever their score (they carry the computed one, possibly 0). Ties break by
score (desc), date (desc), slug.

Scale
-----
Every content score is a dot product of two sparse per-article vectors (each
feature weighted by the square root of its share above), so it can be
accumulated from an inverted index: for article A only the postings of A's
features are walked, and only articles sharing something are ever scored.

* A feature of more than POSTINGS_CAP articles is "common". Walking its
  postings would make the work per article grow with the site, so it is not
  walked; it still counts in full in the exact score of every candidate.
* The pool of candidates scored exactly: the POOL_MAX best by their score
  over the rare features, plus the 2 * DATE_NEIGHBOURS articles closest in
  date among those having A's DATE_FEATURES strongest common features (found
  by bisection in date-sorted postings). The pool gets the common features'
  share added (looked up in each member's short row of common features) and
  the date factor applied, best first, stopping as soon as none of the rest
  can still make the list.
* For an article with MANY_COMMON or more common features, its rare ones are
  a weak guide to the best candidates, and numpy scores every article they
  find (about 250 at 10,000 articles of the build benchmark) in less time
  than the Python walk takes to choose a pool (`builder.related.numpy_scoring`).
* Only the TEXT_FEATURES best words per article are text features.

The work per article is thus bounded by constants, not by N. The price: a
candidate that owes most of its score to common features can miss the pool
(measured by `benchmarks/bench_related.py --recall` on its synthetic
corpus: about 97% of the exhaustive top 5 at 10,000 articles, all of it at
1,000). With its `--fixed-themes` (no stories: every feature grows with the
site) it is 66%: most articles have too few common features for numpy's way
and too few rare ones to find their best. On the build benchmark's corpus,
where numpy's way applies, it is 99.8%.

Memory
------
Nothing is kept as a Python object per article or per feature of an
article: the vectors, the weights for reasons, each article's row of common
features and the postings are flat arrays (`builder.related.rows`; about
1 KiB per article at 100,000 articles of the build benchmark, where dicts
took 4.7 KiB). Ranking workers fork from the parent and read all of it;
reading an array touches no reference count, so the pages stay shared. They
hand back bytes, not objects (`builder.related.workers`). What a process
makes into dicts for speed is bounded, not per article of the site: the
rows of common features of the last RECENT_ROWS articles it met (articles
ranked one after the other share most candidates; at most about 8 MiB), and
the weights for reasons of the article it ranks.

Edits
-----
`builder.related.reranking` ranks again only the articles whose result an edit can
change, with a result equal to a ranking from scratch. The rounded df and N keep
that set small: one article's edit, a new article or a deleted one rarely
changes another's weights.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from functools import cached_property
from operator import itemgetter, sub
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..content.config import RelatedSettings
from ..content.model import RelatedEntry
from ..util.garbage_collection import collection_paused
from .features import NUMPY_INDEX_PAIRS, ArticleSignals, Features, build_features, build_index
from .reasons import Reasons
from .workers import rank_positions

if TYPE_CHECKING:
    from .numpy_scoring import PoolScorer

TEXT_FEATURES = 10      # words per article used as its text features
POSTINGS_CAP = 100      # a feature of more articles is "common": it does not find candidates
POOL_MAX = 40           # candidates per article found by rare features and scored exactly
                        # (at least 4 * count)
DATE_FEATURES = 1       # a's strongest common feature also proposes candidates: ...
DATE_NEIGHBOURS = 3     # ... this many closest in date on either side
MANY_COMMON = 8         # from this many common features on, numpy scores the pool
RECENT_ROWS = 16384     # articles whose common features a process keeps as dicts (see Ranker._pool)


_by_weight = itemgetter(1)


def uses_numpy(article_count: int) -> bool:
    """Whether ranking this many articles builds its index with numpy: each has its TEXT_FEATURES
    words, so the index holds at least that many (article, feature) pairs per article."""
    return article_count * TEXT_FEATURES >= NUMPY_INDEX_PAIRS


def _strongest(common_features: list[tuple[int, float]]) -> list[int]:
    """The ids of the DATE_FEATURES weightiest of an article's (common feature, weight) pairs, the
    first of equals first."""
    return [fid for fid, _ in sorted(common_features, key=_by_weight, reverse=True)[:DATE_FEATURES]]


# --------------------------------------------------------------------------- ranking

def canonical_order(signals: Iterable[ArticleSignals]) -> list[ArticleSignals]:
    """Signals sorted by date, then slug, so that nothing depends on the caller's order.

    Date order also keeps the data of articles close in date, which share most
    candidates, close in memory and in the index: at 10,000 articles ranking
    takes an eighth less time per article than in slug order (CPU caches).
    """
    ordered = sorted(signals, key=lambda s: (s.date.timestamp(), s.slug))
    seen: set[str] = set()
    for signal in ordered:
        if signal.slug in seen:
            raise ValueError(f"duplicate article slug {signal.slug!r}")
        seen.add(signal.slug)
    return ordered


def _explicit_links(ordered: Sequence[ArticleSignals], position: Mapping[str, int]
                    ) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """Own `related:` targets (in order, known, not self, once) and who names each article
    (ascending); most articles have neither, and share one empty tuple."""
    own: list[tuple[int, ...]] = []
    incoming: dict[int, list[int]] = {}
    for index, signal in enumerate(ordered):
        targets: list[int] = []
        for slug in signal.related:
            target = position.get(slug)
            if target is not None and target != index and target not in targets:
                targets.append(target)
                incoming.setdefault(target, []).append(index)
        own.append(tuple(targets))
    return own, [tuple(incoming.get(index, ())) for index in range(len(ordered))]


class Ranker:
    """Scores candidates for one site; `related(a)` gives article a's entries.

    Per article it keeps flat arrays (dates, features, the index: see `builder.related.rows`),
    a reference to its slug (read in the parent only) and, for the few with explicit links,
    a tuple of positions: no object that ranking workers would touch.
    """

    def __init__(self, ordered: Sequence[ArticleSignals], settings: RelatedSettings,
                 term_names: Mapping[str, str], previous: Features | None = None,
                 digests: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.slugs = [s.slug for s in ordered]   # read in the parent only (see builder.related.workers)
        self.times = array("d", [s.date.timestamp() for s in ordered])
        half_life = settings.date_half_life_days * 86400.0
        self.date_weight = settings.weight_date if half_life > 0 else 0.0
        # Dates in half-lives, so that closeness is 2 ** -|difference|.
        self.ages = array("d", [t / half_life for t in self.times] if self.date_weight else ())
        self.features = build_features(ordered, settings, TEXT_FEATURES, previous, digests)
        self.vectors = self.features.vectors
        self.index = build_index(self.vectors, len(self.features.keys), POSTINGS_CAP)
        self.own, self.incoming = _explicit_links(ordered, {s.slug: i for i, s in enumerate(ordered)})
        # Some rows as dicts, for the articles met last (each process keeps its own).
        self._recent: dict[int, dict[int, float]] = {}
        # Why each entry is related (builder.related.reasons): a bound method, called once per entry.
        self.reasons = Reasons(self.features, term_names).of

    def __len__(self) -> int:
        return len(self.times)

    def _order(self, item: tuple[float, int]) -> tuple[float, float, int]:
        """Sort key: score desc, date desc, slug (positions of one date follow slug order)."""
        return (-item[0], -self.times[item[1]], item[1])

    @cached_property
    def scorer(self) -> PoolScorer | None:
        """The index for numpy, if any article has MANY_COMMON common features.

        Built on first use, so that a small site never imports numpy (50 ms, 15 MiB); ranking
        over workers builds it in the parent before they fork (`workers.rank_positions`), so that they
        share one copy and do not each import numpy.
        """
        index = self.index
        starts = index.common_rows.starts
        if max(map(sub, starts[1:], starts[:-1]), default=0) < MANY_COMMON:
            return None
        from .numpy_scoring import PoolScorer
        return PoolScorer(index.articles, index.weights, index.common_rows, self.ages)

    def ranking_order(self, a: int) -> tuple[int, int]:
        """Sort key for the order of ranking, chosen so that consecutive articles read the same
        data, which then stays in the CPU's caches (the result does not depend on it).

        An article with few common features finds its candidates through the postings of
        its rare ones: a story's articles, close in date, so these go in date order. One
        with MANY_COMMON or more reads its candidates' lists of common features and shares
        most of them with the articles of its topic: these go by their strongest common
        feature (the first of equals), then date. On the build benchmark's corpus (60 topics,
        so nearly every feature is common at 10,000 articles) this takes a fifth off the ranking time.
        """
        shared, weights = self.index.common_rows.row(a)
        if len(shared) < MANY_COMMON:
            return -1, a
        return shared[max(range(len(shared)), key=weights.__getitem__)], a

    def pair_score(self, a: int, b: int) -> float:
        """The exact score of b for a (also used for explicit entries)."""
        (ids_a, weights_a), (ids_b, weights_b) = self.vectors.row(a), self.vectors.row(b)
        if len(ids_b) < len(ids_a):
            ids_a, weights_a, ids_b, weights_b = ids_b, weights_b, ids_a, weights_a
        vb = dict(zip(ids_b, weights_b))
        dot = sum(w * vb[f] for f, w in zip(ids_a, weights_a) if f in vb)
        if self.date_weight:
            dot *= 1.0 + self.date_weight * math.exp2(-abs(self.ages[a] - self.ages[b]))
        return round(dot, 9)

    def date_features(self, a: int) -> list[int]:
        """a's DATE_FEATURES strongest common features: only their holders close in date to a
        are its date neighbours."""
        common = self.index.common
        ids, weights = self.vectors.row(a)
        return _strongest([(fid, wa) for fid, wa in zip(ids, weights) if common[fid]])

    def _date_neighbours(self, a: int, common_features: list[tuple[int, float]]) -> list[int]:
        """The articles closest in date to a among those having its DATE_FEATURES strongest
        common features (the rare features may not see them at all)."""
        found: list[int] = []
        # Positions follow date order: the holders dated before a are those before the first
        # position of a's date.
        first = bisect.bisect_left(self.times, self.times[a])
        for fid in _strongest(common_features):
            dated = self.index.holders[fid]   # in date order
            middle = bisect.bisect_left(dated, first)
            found += [b for b in dated[max(0, middle - DATE_NEIGHBOURS):middle + DATE_NEIGHBOURS + 1] if b != a]
        return found

    def _pool(self, a: int, features: Iterable[tuple[int, float]], common_features: list[tuple[int, float]],
              neighbours: list[int], needed: int) -> Iterable[tuple[int, float]]:
        """(article, exact content score) for the POOL_MAX best by a's rare `features` and a's
        date `neighbours`, found by walking the rare features' postings in Python."""
        index = self.index
        articles, weights, common = index.articles, index.weights, index.common
        partial: dict[int, float] = {}
        get = partial.get
        for fid, wa in features:
            if not common[fid]:
                for b, wb in zip(articles[fid], weights[fid]):
                    partial[b] = get(b, 0.0) + wa * wb
        partial.pop(a, None)
        size = max(POOL_MAX, 4 * needed)
        pool = partial if len(partial) <= size else dict(sorted(partial.items(), key=_by_weight, reverse=True)[:size])
        for b in neighbours:
            if b not in pool:
                pool[b] = get(b, 0.0)
        if common_features:
            # Each member's weights of a's common features are added in the order of a's
            # features, so that every sum is the same float as ever.
            rows = index.common_rows
            recent = self._recent
            for b, total in pool.items():
                weight_of = recent.get(b)
                if weight_of is None:
                    if len(recent) >= RECENT_ROWS:
                        recent.clear()
                    weight_of = recent[b] = rows.mapping(b)
                for fid, wa in common_features:
                    if fid in weight_of:
                        total += wa * weight_of[fid]
                pool[b] = total
        return pool.items()

    def candidates(self, a: int, needed: int) -> list[tuple[float, int]]:
        """(score, article) of scored candidates at least min_score, best first.

        Candidates come from the postings of a's rare features, which give
        their exact score over those features, and from the date neighbours
        sharing a's strongest common feature. The pool (the POOL_MAX best of
        the former, all of the latter) gets the common features' share added
        and the date closeness applied, best first, stopping once no remaining
        one can reach the `needed` best or `min_score`. With MANY_COMMON or
        more common features the rare ones are a weak guide to the best, and
        numpy scores all they find (`builder.related.numpy_scoring`).
        """
        common = self.index.common
        ids, weights = self.vectors.row(a)
        common_features = [(fid, wa) for fid, wa in zip(ids, weights) if common[fid]]
        neighbours = self._date_neighbours(a, common_features)
        date_weight, min_score = self.date_weight, self.settings.min_score
        ranked: Iterable[tuple[int, float]]
        if len(common_features) >= MANY_COMMON:
            scorer = self.scorer
            assert scorer is not None  # a has that many
            rare = {fid: wa for fid, wa in zip(ids, weights) if not common[fid]}
            ranked = scorer.shortlist(a, rare, dict(common_features), neighbours, needed, min_score, date_weight)
        else:
            ranked = self._pool(a, zip(ids, weights), common_features, neighbours, needed)
        ages = self.ages
        age = ages[a] if date_weight else 0.0
        boost = 1.0 + max(date_weight, 0.0)  # the most closeness in date can multiply by
        scored: list[tuple[float, int]] = []
        best: list[float] = []  # min-heap of the `needed` best scores so far
        for b, dot in sorted(ranked, key=_by_weight, reverse=True):
            ceiling = dot * boost + 1e-9  # scores are rounded to 9 decimals
            if ceiling < min_score or (len(best) == needed and ceiling < best[0]):
                break  # closeness in date cannot lift this or any later one high enough
            if date_weight:
                dot *= 1.0 + date_weight * math.exp2(-abs(age - ages[b]))
            score = round(dot, 9)
            if score > 0 and score >= min_score:
                scored.append((score, b))
                if len(best) < needed:
                    heapq.heappush(best, score)
                elif score > best[0]:
                    heapq.heapreplace(best, score)
        scored.sort(key=self._order)
        return scored

    def ranked(self, a: int) -> list[tuple[int, float, tuple[str, ...], bool]]:
        """(article, score, reasons, explicit) for own explicit entries, then incoming explicit
        ones, then the best scored; at most count."""
        count = self.settings.count
        if count <= 0:
            return []
        own = self.own[a]
        explicit = [(self.pair_score(a, b), b) for b in own]
        if self.incoming[a]:
            explicit += sorted(((self.pair_score(a, b), b) for b in self.incoming[a] if b not in own),
                               key=self._order)
        entries = [(b, score, self.reasons(a, b), True) for score, b in explicit[:count]]
        if len(entries) < count:
            taken = {b for _, b in explicit}
            for score, b in self.candidates(a, count + len(taken)):
                if b not in taken:
                    entries.append((b, score, self.reasons(a, b), False))
                    if len(entries) == count:
                        break
        return entries

    def related(self, a: int) -> tuple[RelatedEntry, ...]:
        """Article a's entries: `ranked` with slugs."""
        slugs = self.slugs
        return tuple(RelatedEntry(slugs[b], score, reasons, explicit)
                     for b, score, reasons, explicit in self.ranked(a))


def rank_related(signals: Sequence[ArticleSignals], settings: RelatedSettings,
                 term_names: Mapping[str, str], *, jobs: int = 1) -> dict[str, tuple[RelatedEntry, ...]]:
    """Slug -> its related articles, explicit ones first; every article is a key.

    `term_names` maps glossary slugs to the names shown as reasons. Each
    article's ranking is independent of the others', so `jobs` processes share the work.
    `builder.related.reranking` ranks again after an edit, only where it can change something.
    """
    # Building the features makes hundreds of thousands of short-lived objects and no cycles:
    # collections would walk them and everything the build holds again and again.
    with collection_paused():
        ranker = Ranker(canonical_order(signals), settings, term_names)
        slugs = ranker.slugs
        ranked = rank_positions(ranker, list(range(len(slugs))), jobs)
        del ranker   # its arrays go before the entries are made
        entries = dict(ranked.items())
        return {slug: entries[position] for position, slug in enumerate(slugs)}
