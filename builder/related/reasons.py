"""Why an article is related to another: the terms and tags both share, as a reader sees them.

The reasons of an entry are the shared terms, weightiest first (at most
MAX_TERM_REASONS), then the shared tags (at most MAX_TAG_REASONS), each
named as the article written about writes it. A tag named like a shared term
says nothing new, and a tag on most articles ("Ukraine-Krise" on a Ukraine
site) explains nothing, so neither is listed while anything better is.
"""

from __future__ import annotations

from functools import cached_property
from typing import Mapping

from .features import Features

MAX_TERM_REASONS = 3
MAX_TAG_REASONS = 2
MIN_TAG_REASON_RARITY = 0.25  # rarity of a tag on about a third of the articles


class Reasons:
    """The reasons of entries, read from the features' rows of term and tag weights.

    Each process keeps the weights of the article it last explained as dicts: the
    entries of one article are explained one after the other.
    """

    def __init__(self, features: Features, term_names: Mapping[str, str]) -> None:
        self.features = features
        self.term_names = term_names
        self._last: tuple[int, dict[int, float], dict[int, tuple[float, str]]] = (-1, {}, {})

    @cached_property
    def _term_labels(self) -> list[str]:
        """Term's feature id (terms come first) -> its name as shown (its slug if unnamed)."""
        labels = []
        for key in self.features.keys:
            if not key.startswith("t:"):
                break
            labels.append(self.term_names.get(key[2:], key[2:]))
        return labels

    def _weights(self, a: int) -> tuple[int, dict[int, float], dict[int, tuple[float, str]]]:
        """a, its term weights and its tags' weights and spellings (as a writes them), by feature id."""
        features = self.features
        tags, spellings = features.tags, features.spellings
        start, end = tags.starts[a], tags.starts[a + 1]
        written = map(spellings.__getitem__, features.tag_spellings[start:end])
        self._last = (a, features.terms.mapping(a),
                      dict(zip(tags.ids[start:end], zip(tags.values[start:end], written))))
        return self._last

    def of(self, a: int, b: int) -> tuple[str, ...]:
        """Why b is related to a: shared terms (weightiest first), then shared tags, as displayed names."""
        features = self.features
        known = self._last
        _, ta, ga = known if known[0] == a else self._weights(a)
        names: list[str] = []
        terms = features.terms
        start, end = terms.starts[b], terms.starts[b + 1]
        if ta and start != end:   # b's weights are read where they lie, not made into a dict
            labels = self._term_labels
            ranked = [(-ta[t] * weight, labels[t])
                      for t, weight in zip(terms.ids[start:end], terms.values[start:end]) if t in ta]
            if len(ranked) == 1:
                names = [ranked[0][1]]
            elif ranked:
                ranked.sort()
                names = [name for _, name in ranked[:MAX_TERM_REASONS]]
        tags = features.tags
        start, end = tags.starts[b], tags.starts[b + 1]
        shared = [ga[k] for k in tags.ids[start:end] if k in ga] if ga else ()
        if shared:   # (a's weight, a's spelling) of each tag both have
            tagged = ([shared[0][1]] if len(shared) == 1
                      else [tag for _, tag in sorted([(-weight, tag) for weight, tag in shared])])
            if names:  # a tag named like a shared term says nothing new
                seen = {name.casefold() for name in names}
                tagged = [tag for tag in tagged if tag.casefold() not in seen]
            weight_of = {tag: weight for weight, tag in shared}
            telling = [tag for tag in tagged if weight_of[tag] >= MIN_TAG_REASON_RARITY]
            names += (telling or ([] if names else tagged))[:MAX_TAG_REASONS]
        return tuple(names)
