"""The features of related-article ranking: every article's weighted vector and their inverted index.

Each article becomes a sparse vector over one id space of features: its
glossary terms, its tags (by slug) and its best words, each weighted by the
square root of its share in the score (see `builder.related.ranking`), so that the
dot product of two vectors is their content score. The inverted index maps
each feature to the articles having it: rare features by postings to walk,
common ones by lookups and date order.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Mapping, Sequence

from ..content.config import RelatedSettings
from ..util.slug import tag_slug

EXACT_DF = 16           # dfs above this are rounded (see rounded_df)


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


def rounded_df(df: int, n: int) -> int:
    """df, exact up to EXACT_DF and above rounded to a quarter octave (steps of about 19%),
    never above the number of articles n.

    The weights of a feature's articles all follow from its df, so an exact df
    would make an edit that adds "Regierung" to one article change the weight
    of every article having it, and all of those would be ranked again. A
    rounded df changes only when it crosses a step, about once in (df / 5)
    edits: the expected number of articles whose weights an edit changes stays
    small whatever the site's size, at a cost in precision (within 10% of df,
    a tenth of an IDF at most) no ranking notices.
    """
    if df <= EXACT_DF:
        return df
    return min(n, round(2.0 ** (round(math.log2(df) * 4) / 4)))


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
    """Per article (by position): the half-weights of its terms and tags (for reasons)
    and its feature vector, whose dot product with another's is their content score."""

    term_weights: list[dict[str, float]]   # term slug -> sqrt(rarity * salience)
    tag_weights: list[dict[str, float]]    # tag slug -> sqrt(rarity)
    tag_names: list[dict[str, str]]        # tag slug -> tag as written
    vectors: list[dict[int, float]]        # feature id -> weight
    keys: list[str]                        # feature id -> "t:slug", "g:slug" or "w:word"


def build_features(ordered: Sequence[ArticleSignals], settings: RelatedSettings, text_features: int) -> Features:
    """The features of `ordered` (positions as given); its `text_features` best words are an article's text."""
    n = len(ordered)
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

    term_weights, tag_weights, vectors = [], [], []
    for term_count, names, word_count in zip(term_counts, tag_names, word_counts):
        vector: dict[int, float] = {}
        terms: dict[str, float] = {}
        for slug, count in term_count.items():
            fid, root_rarity = term_ids[slug]
            terms[slug] = weight = root_rarity * math.sqrt(count / (count + 1))
            if term_scale and weight:
                vector[fid] = term_scale * weight
        tags: dict[str, float] = {}
        for key in names:
            fid, root_rarity = tag_ids[key]
            tags[key] = root_rarity
            if tag_scale and root_rarity:
                vector[fid] = tag_scale * root_rarity
        if text_scale and word_count:
            best = sorted([(-_sublinear[count] * word_idf[word], word)
                           for word, count in word_count.items()])[:text_features]
            scale = -text_scale / math.hypot(*[weight for weight, _ in best])
            for weight, word in best:
                vector[word_ids[word][0]] = weight * scale
        vectors.append(vector)
        term_weights.append(terms)
        tag_weights.append(tags)
    keys = [f"t:{k}" for k in term_ids] + [f"g:{k}" for k in tag_ids] + [f"w:{k}" for k in word_ids]
    return Features(term_weights, tag_weights, tag_names, vectors, keys)


@dataclass(frozen=True)
class Index:
    """The inverted index: feature id -> the articles having it.

    A rare feature (at most `cap` articles, see `build_index`) has its postings as two
    parallel arrays, which are walked. A common feature has instead a dict
    article -> weight for exact lookups, and its articles ordered by date so
    that those closest in date to an article can be proposed as candidates.
    A feature of one article finds nothing and has empty postings. Per
    article, its common features and their weights.
    """

    holders: list[array]                         # feature -> article positions, all of them
    articles: list[array]                        # rare feature -> article positions
    weights: list[array]                         # rare feature -> their weights
    common: list[dict[int, float] | None]        # common feature -> article -> weight
    by_date: list[tuple[array, array] | None]    # common feature -> (times, articles)
    common_ids: list[list[int]]                  # article -> its common features
    common_weights: list[list[float]]            # article -> their weights


def build_index(vectors: Sequence[Mapping[int, float]], size: int, times: Sequence[float], cap: int) -> Index:
    """The index of `size` features over `vectors`, whose positions are in date order (`times`);
    a feature of more than `cap` articles is common."""
    ids: list[list[int]] = [[] for _ in range(size)]
    weights: list[list[float]] = [[] for _ in range(size)]
    for article, vector in enumerate(vectors):
        for fid, weight in vector.items():
            ids[fid].append(article)
            weights[fid].append(weight)
    empty_ids, empty_weights = array("i"), array("d")
    holders = [array("i", found) for found in ids]
    articles: list[array] = [empty_ids] * size
    rare_weights: list[array] = [empty_weights] * size
    common: list[dict[int, float] | None] = [None] * size
    by_date: list[tuple[array, array] | None] = [None] * size
    common_ids: list[list[int]] = [[] for _ in vectors]
    common_weights: list[list[float]] = [[] for _ in vectors]
    for fid in range(size):
        df = len(ids[fid])
        if 2 <= df <= cap:
            articles[fid], rare_weights[fid] = holders[fid], array("d", weights[fid])
        elif df > cap:
            common[fid] = dict(zip(ids[fid], weights[fid]))
            # Positions follow date order already (see related.canonical_order).
            by_date[fid] = (array("d", [times[article] for article in ids[fid]]), holders[fid])
            for article, weight in zip(ids[fid], weights[fid]):
                common_ids[article].append(fid)
                common_weights[article].append(weight)
    return Index(holders, articles, rare_weights, common, by_date, common_ids, common_weights)
