"""Tests for builder.related.workers: ranking over forked workers, entries handed back as bytes."""

from __future__ import annotations

import random

import pytest
from test_ranking import NAMES, random_site

from builder.related import ranking
from builder.related.ranking import RelatedSettings, rank_related


@pytest.mark.parametrize("many_common", [1, 1_000])
def test_entries_handed_back_by_workers_equal_those_of_one_process(
        monkeypatch: pytest.MonkeyPatch, many_common: int) -> None:
    # Workers marshal positions, scores and reasons; the parent makes the entries with the slugs.
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 8)
    monkeypatch.setattr(ranking, "MANY_COMMON", many_common)   # numpy's way, or the walk's
    signals = random_site(random.Random(21), 300)
    settings = RelatedSettings(count=4, min_score=0.0)
    alone = rank_related(signals, settings, NAMES, jobs=1)
    shared = rank_related(signals, settings, NAMES, jobs=2)
    assert shared == alone
    assert list(shared) == list(alone)
    entries = [entry for found in shared.values() for entry in found]
    assert len(entries) > 1000
    # Equal reasons are one tuple, and a name one string, however many entries show them.
    reasons = [entry.reasons for entry in entries if entry.reasons]
    assert len({id(shown) for shown in reasons}) == len(set(reasons)) < len(reasons)
    names = [name for shown in reasons for name in shown]
    assert len({id(name) for name in names}) == len(set(names))
    # The slugs are the articles' own strings.
    slug_of = {signal.slug: signal.slug for signal in signals}
    assert all(entry.slug is slug_of[entry.slug] for entry in entries)
