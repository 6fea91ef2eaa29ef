"""The features of related-article ranking: every article's weighted vector and their inverted index.

Each article becomes a sparse vector over one id space of features: its
glossary terms, its tags (by slug) and its best words, each weighted by the
square root of its share in the score (see `builder.related.ranking`), so that the
dot product of two vectors is their content score. The inverted index maps
each feature to the articles having it: rare features by postings to walk,
common ones by each article's row of common features and by date order.
Everything per article is kept in flat arrays (`builder.related.rows`), not
in a dict per article.

After an edit, the vectors of the articles it did not touch are those of the
last features with their ids renumbered: building the rows of 100,000 articles
takes a second and a half, copying them a tenth of that (`build_features`'s
`previous`).
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Callable, Mapping, Sequence

from ..content.config import RelatedSettings
from ..util.slug import tag_slug
from .rows import Rows, RowsBuilder

EXACT_DF = 16           # dfs above this are rounded (see rounded_df)
COMMON_BLOCK = 8192     # articles whose rows of common features are gathered at once
NUMPY_INDEX_PAIRS = 100_000   # from this many (article, feature) pairs on, numpy builds the index


@dataclass(frozen=True)
class ArticleSignals:
    """Everything ranking needs about one article."""

    slug: str
    date: datetime                 # timezone-aware
    tags: tuple[str, ...]
    terms: Mapping[str, int]       # glossary term slug -> matches in the text
    words: Mapping[str, int]       # output of textstats.term_frequencies()
    related: tuple[str, ...]       # explicit slugs, in order (already validated)
    links: tuple[str, ...]         # slugs of articles this one links to in its text


class _Sublinear(dict[int, float]):
    """count -> 1 + ln(count), memoised: a word used ten times is not ten times as telling."""

    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count)
        return value


_sublinear = _Sublinear()


def rounded_count(count: int) -> int:
    """`count`, exact up to EXACT_DF and above rounded to a quarter octave (steps of about 19%).

    The number of articles N enters every weight, so an exact N would make a new
    article change the weights of all articles, and all would be ranked again.
    Rounded, N changes once per 19% of growth (at 100,000 articles, once in
    about 16,000 new ones).
    """
    if count <= EXACT_DF:
        return count
    return round(2.0 ** (round(math.log2(count) * 4) / 4))


def rounded_df(df: int, n: int) -> int:
    """df, exact up to EXACT_DF and above rounded to a quarter octave (steps of about 19%),
    never above n (the number of articles, itself rounded: see `rounded_count`).

    The weights of a feature's articles all follow from its df, so an exact df
    would make an edit that adds "Regierung" to one article change the weight
    of every article having it, and all of those would be ranked again. A
    rounded df changes only when it crosses a step, about once in (df / 5)
    edits: the expected number of articles whose weights an edit changes stays
    small whatever the site's size, at a cost in precision (within 10% of df,
    a tenth of an IDF at most) no ranking notices.
    """
    return df if df <= EXACT_DF else min(n, rounded_count(df))


def _rarity(df: int, n: int) -> float:
    """ln((N + 1) / df) / ln((N + 1) / 2): 1 for a feature only two articles share,
    near 0 for one that all articles of a large site have."""
    if n < 2:
        return 1.0
    return min(1.0, math.log((n + 1) / df) / math.log((n + 1) / 2))


def _positive(counts: Mapping[str, int]) -> Mapping[str, int]:
    """`counts` without its zero (or negative) entries; usually `counts` itself."""
    if not counts or min(counts.values()) > 0:
        return counts
    return {key: count for key, count in counts.items() if count > 0}


def _tag_keys(signal: ArticleSignals, cache: dict[str, str]) -> dict[str, str]:
    """Tag slug -> the tag as this article writes it (first spelling wins)."""
    keys: dict[str, str] = {}
    for tag in signal.tags:
        key = cache.get(tag)
        if key is None:
            key = cache[tag] = tag_slug(tag)
        if key and key not in keys:
            keys[key] = tag
    return keys


def _family_index(df: Counter[str], first_id: int, value: Callable[[int], float]
                  ) -> dict[str, tuple[int, float]]:
    """Key -> (feature id, value(df)) for one family; ids follow on from `first_id`."""
    return {key: (first_id + offset, value(count)) for offset, (key, count) in enumerate(df.items())}


@dataclass(frozen=True)
class Features:
    """Per article (by position), as rows of feature id -> weight: its vector, whose dot product
    with another's is their content score, and the half-weights of its terms and tags (for reasons).

    They also keep what they were built from, for the next `build_features` to take the rows
    of articles that did not change (`digests`, `dfs`, `context`)."""

    vectors: Rows           # feature id -> weight, in the order the article's features were found
    terms: Rows             # term's feature id -> sqrt(rarity * salience)
    tags: Rows              # tag's feature id -> sqrt(rarity)
    tag_spellings: array    # 'i', per pair of `tags`: the tag as the article writes it, in `spellings`
    spellings: list[str]    # every spelling of a tag (first spelling per article wins)
    keys: list[str]         # feature id -> "t:slug", "g:slug" or "w:word"
    slugs: tuple[str, ...] = ()     # per position
    digests: tuple[str, ...] = ()   # per position: what its row was built from ("": not known)
    dfs: tuple[Mapping[str, int], ...] = ()   # of terms, tags and words, exact
    context: tuple[float, ...] = ()           # N (rounded), text features and the three scales
    kept: array = field(default_factory=lambda: array("i"))   # per position, the previous features' position
    #                                                            whose rows it kept, or -1; empty: none kept


def build_features(ordered: Sequence[ArticleSignals], settings: RelatedSettings, text_features: int,
                   previous: Features | None = None, digests: Mapping[str, str] | None = None) -> Features:
    """The features of `ordered` (positions as given); its `text_features` best words are an article's text.

    `digests`: slug -> a digest of the article's terms, tags and words as given (the link stage's).
    An article whose digest is the one `previous` was built with, and none of whose features' weights
    changed, keeps its rows: the result is the same as without `previous`, for less work."""
    n = rounded_count(len(ordered))
    tag_cache: dict[str, str] = {}
    tag_names = [_tag_keys(s, tag_cache) for s in ordered]
    word_counts = [_positive(signal.words) for signal in ordered]
    term_counts = [_positive(signal.terms) for signal in ordered]
    # Counted in one call each (a dict iterates its keys), in the order an update per article would:
    # 300,000 updates took 1 s at 100,000 articles.
    term_df: Counter[str] = Counter(chain.from_iterable(term_counts))
    tag_df: Counter[str] = Counter(chain.from_iterable(tag_names))
    word_df: Counter[str] = Counter(chain.from_iterable(word_counts))
    spelling_ids: dict[str, int] = {}
    for written in chain.from_iterable(names.values() for names in tag_names):
        if written not in spelling_ids:
            spelling_ids[written] = len(spelling_ids)
    # One id space: terms, then tags, then words.
    rarity = lambda df: math.sqrt(_rarity(rounded_df(df, n), n))  # noqa: E731
    term_ids = _family_index(term_df, 0, rarity)
    tag_ids = _family_index(tag_df, len(term_ids), rarity)
    word_ids = _family_index(word_df, len(term_ids) + len(tag_ids),
                             lambda df: 1.0 + math.log((n + 1) / (rounded_df(df, n) + 1)))
    word_idf = {word: idf for word, (_, idf) in word_ids.items()}
    term_scale = math.sqrt(max(settings.weight_terms, 0.0))
    tag_scale = math.sqrt(max(settings.weight_tags, 0.0))
    text_scale = math.sqrt(max(settings.weight_text, 0.0))
    keys = [f"t:{k}" for k in term_ids] + [f"g:{k}" for k in tag_ids] + [f"w:{k}" for k in word_ids]
    slugs = tuple(s.slug for s in ordered)
    own_digests = tuple(digests.get(slug, "") for slug in slugs) if digests is not None else ()
    context = (n, text_features, term_scale, tag_scale, text_scale)
    dfs = (term_df, tag_df, word_df)

    vectors, term_rows, tag_rows = RowsBuilder(), RowsBuilder(), RowsBuilder()
    tag_spellings = array("i")

    def add_rows(start: int, end: int) -> None:
        """Build the rows of positions start to end."""
        # Bound methods: this loop appends a few million times on a large site.
        add_id, add_weight = vectors.ids.append, vectors.values.append
        add_term, add_term_weight = term_rows.ids.append, term_rows.values.append
        add_tag, add_tag_weight = tag_rows.ids.append, tag_rows.values.append
        add_spelling = tag_spellings.append
        end_vector, end_terms, end_tags = vectors.end_row, term_rows.end_row, tag_rows.end_row
        for term_count, names, word_count in zip(term_counts[start:end], tag_names[start:end],
                                                 word_counts[start:end]):
            for slug, count in term_count.items():
                fid, root_rarity = term_ids[slug]
                weight = root_rarity * math.sqrt(count / (count + 1))
                add_term(fid)
                add_term_weight(weight)
                if term_scale and weight:
                    add_id(fid)
                    add_weight(term_scale * weight)
            for key, written in names.items():
                fid, root_rarity = tag_ids[key]
                add_tag(fid)
                add_tag_weight(root_rarity)
                add_spelling(spelling_ids[written])
                if tag_scale and root_rarity:
                    add_id(fid)
                    add_weight(tag_scale * root_rarity)
            if text_scale and word_count:
                best = sorted([(-_sublinear[count] * word_idf[word], word)
                               for word, count in word_count.items()])[:text_features]
                scale = -text_scale / math.hypot(*[weight for weight, _ in best])
                for weight, word in best:
                    add_id(word_ids[word][0])
                    add_weight(weight * scale)
            end_vector()
            end_terms()
            end_tags()

    kept = _kept_rows(previous, context, slugs, own_digests, dfs, n, term_counts, tag_names, word_counts)
    if kept is None:
        add_rows(0, len(ordered))
    else:
        assert previous is not None
        fid_of = {key: fid for fid, key in enumerate(keys)}
        old_fids = [fid_of.get(key, -1) for key in previous.keys]
        old_spellings = [spelling_ids.get(written, -1) for written in previous.spellings]
        built = (vectors, term_rows, tag_rows)
        for start, end, old_start in _runs(kept):
            if old_start < 0:
                add_rows(start, end)
                continue
            old_end = old_start + end - start
            for builder, rows in zip(built, (previous.vectors, previous.terms, previous.tags)):
                low, high = rows.starts[old_start], rows.starts[old_end]
                builder.ids.extend(map(old_fids.__getitem__, rows.ids[low:high]))
                builder.values.extend(rows.values[low:high])
                shift = len(builder.ids) - high
                builder.starts.extend([position + shift for position in rows.starts[old_start + 1:old_end + 1]])
            low, high = previous.tags.starts[old_start], previous.tags.starts[old_end]
            tag_spellings.extend(map(old_spellings.__getitem__, previous.tag_spellings[low:high]))
    return Features(vectors.build(), term_rows.build(), tag_rows.build(), tag_spellings, list(spelling_ids), keys,
                    slugs, own_digests, dfs, context, array("i", kept or ()))


def _kept_rows(previous: Features | None, context: tuple[float, ...], slugs: tuple[str, ...],
               digests: tuple[str, ...], dfs: tuple[Mapping[str, int], ...], n: int,
               term_counts: list[Mapping[str, int]], tag_names: list[dict[str, str]],
               word_counts: list[Mapping[str, int]]) -> list[int] | None:
    """Per position, the position in `previous` whose rows it keeps, or -1 where they are built;
    None when nothing is kept."""
    if previous is None or not digests or previous.context != context or not previous.digests:
        return None
    # Features whose weight changed: their rounded df did (N is the same, see `context`).
    moved = [{key for key, df in new.items() if rounded_df(df, n) != rounded_df(old.get(key, 0), n)}
             for new, old in zip(dfs, previous.dfs)]
    moved_terms, moved_tags, moved_words = moved
    old_position = {slug: q for q, slug in enumerate(previous.slugs)}
    old_digests = previous.digests
    kept: list[int] = []
    for p, (slug, digest) in enumerate(zip(slugs, digests)):
        q = old_position.get(slug, -1)
        if q < 0 or not digest or digest != old_digests[q] or (
                (moved_terms and not moved_terms.isdisjoint(term_counts[p]))
                or (moved_tags and not moved_tags.isdisjoint(tag_names[p]))
                or (moved_words and not moved_words.isdisjoint(word_counts[p]))):
            q = -1
        kept.append(q)
    return kept if any(q >= 0 for q in kept) else None


def _runs(kept: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, old start) for each run of positions that keep consecutive old rows, and (start, end, -1)
    for each run of positions built anew."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for p in range(1, len(kept) + 1):
        if p == len(kept) or (kept[p] < 0) != (kept[start] < 0) or (
                kept[p] >= 0 and kept[p] != kept[p - 1] + 1):
            runs.append((start, p, kept[start] if kept[start] >= 0 else -1))
            start = p
    return runs


@dataclass(frozen=True)
class Index:
    """The inverted index: feature id -> the articles having it.

    A rare feature (at most `cap` articles, see `build_index`) has its postings as two
    parallel arrays, which are walked. A common feature is looked up in the
    candidates' rows of common features instead (`common_rows`), and its
    holders, in date order, give the articles closest in date to an article.
    A feature of one article finds nothing and has empty postings.
    """

    holders: list[array]     # feature -> article positions ('i'), all of them, ascending (date order)
    articles: list[array]    # rare feature -> article positions (its holders); empty for the others
    weights: list[array]     # rare feature -> their weights ('d')
    common: bytes            # feature -> 1 if common, else 0
    common_rows: Rows        # article -> its common features (ascending ids, 'q') and their weights


def build_index(vectors: Rows, size: int, cap: int) -> Index:
    """The index of `size` features over `vectors`, whose positions are in date order;
    a feature of more than `cap` articles is common."""
    if len(vectors.ids) >= NUMPY_INDEX_PAIRS:
        from .numpy_index import numpy_index   # a small site does without numpy here (50 ms)
        return numpy_index(vectors, size, cap)
    holders = [array("i") for _ in range(size)]
    weights = [array("d") for _ in range(size)]
    add_holder = [found.append for found in holders]
    add_weight = [found.append for found in weights]
    starts, ids, values = vectors.starts, vectors.ids, vectors.values
    for article in range(len(vectors)):
        start, end = starts[article], starts[article + 1]
        for fid, weight in zip(ids[start:end], values[start:end]):
            add_holder[fid](article)
            add_weight[fid](weight)
    del add_holder, add_weight
    empty_ids, empty_weights = array("i"), array("d")
    common = bytes(len(found) > cap for found in holders)
    common_rows = _common_rows(len(vectors), holders, weights, [fid for fid in range(size) if common[fid]])
    articles: list[array] = [empty_ids] * size
    for fid, found in enumerate(holders):
        if 2 <= len(found) <= cap:
            articles[fid] = found
        else:
            weights[fid] = empty_weights
    return Index(holders, articles, weights, common, common_rows)


def _common_rows(count: int, holders: Sequence[array], weights: Sequence[array], common: Sequence[int]) -> Rows:
    """Per article of `count`, its `common` features in ascending order and their weights,
    gathered feature by feature (from `holders` and `weights`) for a block of articles at a time,
    so that the lists in between stay small."""
    rows = RowsBuilder("q")   # read by numpy (builder.related.numpy_scoring)
    for low in range(0, count, COMMON_BLOCK):
        high = min(count, low + COMMON_BLOCK)
        block_ids: list[list[int]] = [[] for _ in range(low, high)]
        block_weights: list[list[float]] = [[] for _ in range(low, high)]
        for fid in common:
            found = holders[fid]
            first = bisect.bisect_left(found, low)
            last = bisect.bisect_left(found, high, first)
            for article, weight in zip(found[first:last], weights[fid][first:last]):
                block_ids[article - low].append(fid)
                block_weights[article - low].append(weight)
        for row_ids, row_weights in zip(block_ids, block_weights):
            rows.add(row_ids, row_weights)
    return rows.build()
