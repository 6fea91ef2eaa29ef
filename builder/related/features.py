"""The features of related-article ranking: every article's weighted vector and their inverted index.

Each article becomes a sparse vector over one id space of features: its
glossary terms, its tags (by slug) and its best words, each weighted by the
square root of its share in the score (see `builder.related.ranking`), so that the
dot product of two vectors is their content score. The inverted index maps
each feature to the articles having it: rare features by postings to walk,
common ones by each article's row of common features and by date order.
Everything per article is kept in flat arrays (`builder.related.rows`), not
in a dict per article.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
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
    with another's is their content score, and the half-weights of its terms and tags (for reasons)."""

    vectors: Rows           # feature id -> weight, in the order the article's features were found
    terms: Rows             # term's feature id -> sqrt(rarity * salience)
    tags: Rows              # tag's feature id -> sqrt(rarity)
    tag_spellings: array    # 'i', per pair of `tags`: the tag as the article writes it, in `spellings`
    spellings: list[str]    # every spelling of a tag (first spelling per article wins)
    keys: list[str]         # feature id -> "t:slug", "g:slug" or "w:word"


def build_features(ordered: Sequence[ArticleSignals], settings: RelatedSettings, text_features: int) -> Features:
    """The features of `ordered` (positions as given); its `text_features` best words are an article's text."""
    n = rounded_count(len(ordered))
    tag_cache: dict[str, str] = {}
    tag_names = [_tag_keys(s, tag_cache) for s in ordered]
    term_df: Counter[str] = Counter()
    tag_df: Counter[str] = Counter()
    word_df: Counter[str] = Counter()
    word_counts = [_positive(signal.words) for signal in ordered]
    term_counts = [_positive(signal.terms) for signal in ordered]
    for terms, names, words in zip(term_counts, tag_names, word_counts):
        term_df.update(terms.keys())
        tag_df.update(names.keys())
        word_df.update(words.keys())
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

    vectors, term_rows, tag_rows = RowsBuilder(), RowsBuilder(), RowsBuilder()
    # Bound methods: this loop appends a few million times on a large site.
    add_id, add_weight = vectors.ids.append, vectors.values.append
    add_term, add_term_weight = term_rows.ids.append, term_rows.values.append
    add_tag, add_tag_weight = tag_rows.ids.append, tag_rows.values.append
    tag_spellings = array("i")
    add_spelling = tag_spellings.append
    spelling_ids: dict[str, int] = {}
    for term_count, names, word_count in zip(term_counts, tag_names, word_counts):
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
            spelling = spelling_ids.get(written)
            if spelling is None:
                spelling = spelling_ids[written] = len(spelling_ids)
            add_spelling(spelling)
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
        vectors.end_row()
        term_rows.end_row()
        tag_rows.end_row()
    keys = [f"t:{k}" for k in term_ids] + [f"g:{k}" for k in tag_ids] + [f"w:{k}" for k in word_ids]
    return Features(vectors.build(), term_rows.build(), tag_rows.build(), tag_spellings, list(spelling_ids), keys)


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
