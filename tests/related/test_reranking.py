"""Tests for builder.related.reranking: ranking again after edits equals ranking from scratch, for less."""

from __future__ import annotations

import pickle
import random
from dataclasses import replace
from datetime import timedelta

import pytest
from test_ranking import NAMES, NO_DATE, START, random_site, sig, slugs

from builder.related import ranking, reranking
from builder.related.features import ArticleSignals
from builder.related.ranking import RelatedSettings, rank_related
from builder.related.reranking import rank_related_again


def _edit(rng: random.Random, signals: list[ArticleSignals], step: int = 0) -> list[ArticleSignals]:
    """One editor's change to one to three articles: terms, words, tags, date or `related:`;
    a new article (named in others' `related:` at times) or a deleted one."""
    edited = list(signals)
    template = random_site(rng, len(signals) + 3)   # up to three new ones
    for change in range(rng.randrange(1, 4)):
        position = rng.randrange(len(edited))
        other = template[position]
        kind = rng.choice(["terms", "words", "tags", "date", "ranked", "same", "new", "gone"])
        if kind == "new":
            edited.append(replace(other, slug=f"neu-{step}-{change}", date=START + timedelta(days=rng.randrange(0, 30)),
                                  related=tuple(rng.sample([s.slug for s in edited], rng.randrange(0, 2)))))
            continue
        if kind == "gone":
            del edited[position]
            continue
        current = edited[position]
        if kind == "terms":
            current = replace(current, terms=other.terms)
        elif kind == "words":
            current = replace(current, words=other.words)
        elif kind == "tags":
            current = replace(current, tags=other.tags)
        elif kind == "date":
            current = replace(current, date=START + timedelta(days=rng.randrange(0, 30)))
        elif kind == "ranked":
            current = replace(current, related=tuple(rng.sample([s.slug for s in signals], rng.randrange(0, 3))))
        edited[position] = current
    return edited


@pytest.mark.parametrize("seed", range(12))
def test_incremental_ranking_equals_ranking_from_scratch(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small caps and whole-day dates (many ties) make common features, date windows
    # and shifting postings appear on a small site.
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 12)
    monkeypatch.setattr(ranking, "POOL_MAX", 6)
    monkeypatch.setattr(ranking, "DATE_NEIGHBOURS", 2)
    monkeypatch.setattr(ranking, "MANY_COMMON", 3 if seed % 2 else 1_000)  # numpy's way, or not
    rng = random.Random(seed)
    signals = [replace(s, date=START + timedelta(days=rng.randrange(0, 30))) for s in random_site(rng, 150)]
    settings = RelatedSettings(count=4, min_score=0.0)
    _, state = rank_related_again(signals, settings, NAMES, None)
    for step in range(15):
        signals = _edit(rng, signals, step)
        result, state = rank_related_again(signals, settings, NAMES, state)
        assert result == rank_related(signals, settings, NAMES)


def test_an_edit_re_ranks_only_the_articles_it_can_affect(monkeypatch: pytest.MonkeyPatch) -> None:
    ranked: list[int] = []
    original = ranking.Ranker.ranked
    monkeypatch.setattr(ranking.Ranker, "ranked", lambda self, a: ranked.append(a) or original(self, a))
    signals = [sig(f"artikel-{i:03}", i, tags=(f"thema-{i % 40}",), words={f"wort{i % 50}": 2, "gemeinsam": 1})
               for i in range(400)]
    _, state = rank_related_again(signals, RelatedSettings(), NAMES, None)
    assert len(ranked) == 400
    ranked.clear()
    signals[7] = replace(signals[7], terms={"kreml": 2})
    result, _ = rank_related_again(signals, RelatedSettings(), NAMES, state)
    assert 7 in ranked and len(ranked) < 40
    assert result == rank_related(signals, RelatedSettings(), NAMES)


def test_a_new_date_moves_an_article_without_ranking_everything_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Articles are ranked in date order: a new date moves article 7 to the end of that order.
    ranked: list[str] = []
    original = ranking.Ranker.ranked
    monkeypatch.setattr(ranking.Ranker, "ranked",
                        lambda self, a: ranked.append(self.slugs[a]) or original(self, a))
    signals = [sig(f"artikel-{i:03}", i, tags=(f"thema-{i % 40}",), words={f"wort{i % 50}": 2})
               for i in range(400)]
    _, state = rank_related_again(signals, RelatedSettings(), NAMES, None)
    ranked.clear()
    signals[7] = replace(signals[7], date=START + timedelta(days=500))
    result, _ = rank_related_again(signals, RelatedSettings(), NAMES, state)
    assert "artikel-007" in ranked and len(ranked) < 40
    assert result == rank_related(signals, RelatedSettings(), NAMES)


@pytest.mark.parametrize("change", ["new", "gone"])
def test_a_new_or_deleted_article_re_ranks_only_the_articles_it_can_affect(
        change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ranked = _recording(monkeypatch)
    # Tag and word of 40 articles each, whose rounded df (38) stays when one comes or goes, like the
    # rounded number of articles (430): no other article's weights change.
    signals = [sig(f"artikel-{i:03}", i, tags=(f"thema-{i % 10}",), words={f"wort{i % 10}": 2, "gemeinsam": 1},
                   related=("artikel-007",) if i == 300 else ())
               for i in range(400)]
    _, state = rank_related_again(signals, RelatedSettings(), NAMES, None)
    ranked.clear()
    if change == "new":
        signals.append(sig("neu", 7.5, tags=("thema-7",), words={"wort7": 3, "gemeinsam": 1}))
    else:
        del signals[7]   # artikel-300 names it: its explicit entry goes
    result, _ = rank_related_again(signals, RelatedSettings(), NAMES, state)
    # The 40 sharing its rare tag and word, its neighbours in date among those having "gemeinsam";
    # for the deleted one also artikel-300 (it named it), with the 40 sharing its tag and word.
    assert 0 < len(ranked) < (60 if change == "new" else 100) and ("neu" in ranked) == (change == "new")
    assert ("artikel-300" in ranked) == (change == "gone")
    assert result == rank_related(signals, RelatedSettings(), NAMES)
    assert ("neu" in slugs(result["artikel-017"])) == (change == "new")
    assert ("artikel-007" in slugs(result["artikel-300"])) == (change == "new")


def test_a_date_window_is_checked_from_either_end_of_a_tied_date(monkeypatch: pytest.MonkeyPatch) -> None:
    # One common feature, so candidates come from date windows alone (one neighbour either side).
    # "b" is the first of five articles of day 11 and in a's window; it moves to day 30, which
    # puts it last among them in today's positions, three places further from a than it was.
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 3)
    monkeypatch.setattr(ranking, "DATE_NEIGHBOURS", 1)
    signals = [sig(slug, day, words={"gemeinsam": 1})
               for slug, day in (("p", 9), ("a", 10), ("b", 11), ("x1", 11), ("x2", 11), ("x3", 11), ("x4", 11),
                                 *((f"z{i}", 40 + i) for i in range(10)))]   # (one edit in ten, or all are ranked)
    settings = RelatedSettings(count=2, min_score=0.0)
    before, state = rank_related_again(signals, settings, NAMES, None)
    assert "b" in slugs(before["a"])
    signals[2] = replace(signals[2], date=START + timedelta(days=30))
    ranked = _recording(monkeypatch)
    result, _ = rank_related_again(signals, settings, NAMES, state)
    assert "a" in ranked and len(ranked) < len(signals)
    assert slugs(result["a"]) == ["x1", "p"]
    assert result == rank_related(signals, settings, NAMES)


def test_other_settings_terms_or_articles_give_the_ranking_from_scratch() -> None:
    signals = random_site(random.Random(5), 80)
    _, state = rank_related_again(signals, RelatedSettings(), NAMES, None)
    for settings, changed, names in ((RelatedSettings(count=3), signals, NAMES),
                                     (RelatedSettings(), signals[:-1], NAMES),
                                     (RelatedSettings(), signals, {**NAMES, "kreml": "Moskau"})):
        result, _ = rank_related_again(changed, settings, names, state)
        assert result == rank_related(changed, settings, names)


@pytest.mark.parametrize("naming", ["a names b", "b names a"])
def test_an_explicit_entry_is_re_scored_when_the_other_article_changes(
        naming: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "POSTINGS_CAP", 3)
    # a and b share only "nato", a common term, and are far apart in date: only the
    # explicit link ties a's entry to b's weight for the term.
    signals = [sig("a", 0, terms={"nato": 1}, related=("b",) if naming == "a names b" else ()),
               sig("b", 90, terms={"nato": 1}, related=("a",) if naming == "b names a" else ()),
               *(sig(f"nato-{i}", 40 + i, terms={"nato": 1}) for i in range(6)),
               *(sig(f"sport-{i}", 40, tags=("Sport",)) for i in range(20))]
    _, state = rank_related_again(signals, NO_DATE, NAMES, None)
    signals[1] = replace(signals[1], terms={"nato": 3})
    result, _ = rank_related_again(signals, NO_DATE, NAMES, state)
    assert result["a"][0].slug == "b"
    assert result == rank_related(signals, NO_DATE, NAMES)


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ranked: list[str] = []
    original = ranking.Ranker.ranked
    monkeypatch.setattr(ranking.Ranker, "ranked", lambda self, a: ranked.append(self.slugs[a]) or original(self, a))
    return ranked


def test_a_pickled_state_serves_the_next_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    # A build keeps the state in its cache folder: pickled flat arrays, read back by the next build.
    ranked = _recording(monkeypatch)
    signals = [sig(f"artikel-{i:03}", i, tags=(f"thema-{i % 40}",), words={f"wort{i % 50}": 2})
               for i in range(400)]
    _, state = rank_related_again(signals, RelatedSettings(), NAMES, None)
    state = pickle.loads(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    ranked.clear()
    # Article 7 gets a term and a new date (so the state's arrays are put in the new order).
    signals[7] = replace(signals[7], terms={"kreml": 2}, date=START + timedelta(days=500))
    result, state = rank_related_again(signals, RelatedSettings(), NAMES, state)
    assert "artikel-007" in ranked and len(ranked) < 40
    assert result == rank_related(signals, RelatedSettings(), NAMES)
    assert state.features.of(state.slugs.index("artikel-007"))[:1] == ["t:kreml"]


def test_a_state_of_another_format_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    ranked = _recording(monkeypatch)
    signals = random_site(random.Random(8), 80)
    _, state = rank_related_again(signals, RelatedSettings(), NAMES, None)
    monkeypatch.setattr(reranking, "FORMAT", reranking.FORMAT + 1)   # as a newer builder reads it
    ranked.clear()
    result, _ = rank_related_again(signals, RelatedSettings(), NAMES, state)
    assert len(ranked) == 80
    assert result == rank_related(signals, RelatedSettings(), NAMES)


def _digests(signals: list[ArticleSignals]) -> dict[str, bytes]:
    ranker = ranking.Ranker(ranking.canonical_order(signals), RelatedSettings(), NAMES)
    made = reranking._profile_digests(ranker)
    size = reranking.DIGEST
    return {slug: made[a * size:(a + 1) * size] for a, slug in enumerate(ranker.slugs)}


def test_a_profile_digest_changes_with_everything_ranking_reads_of_the_article_and_nothing_else() -> None:
    base = [sig("a", 1, tags=("Krise", "NATO"), terms={"nato": 2, "kreml": 1}, words={"gipfel": 3, "genf": 1}),
            sig("b", 2, tags=("NATO",), terms={"nato": 1}, words={"gipfel": 1}),
            sig("c", 3, tags=("Krise",), terms={"kreml": 2}, words={"genf": 2})]
    before = _digests(base)
    # Another article's words arrive first: feature ids shift, a's profile does not.
    shifted = _digests([sig("0", 0, words={"zoll": 1, "wahl": 2})] + base)
    assert shifted["a"] == before["a"]
    changes = {
        "a term's count": replace(base[0], terms={"nato": 3, "kreml": 1}),
        "a word": replace(base[0], words={"gipfel": 3, "genf": 1, "wahl": 1}),
        "a tag's spelling": replace(base[0], tags=("Krise", "Nato")),
        "the order of its tags": replace(base[0], tags=("NATO", "Krise")),
        "its date": replace(base[0], date=base[0].date + timedelta(minutes=1)),
        "its related": replace(base[0], related=("c",)),
    }
    for what, edited in changes.items():
        assert _digests([edited, *base[1:]])["a"] != before["a"], what
    named = _digests([base[0], replace(base[1], related=("a",)), base[2]])   # b names a: a's incoming
    assert named["a"] != before["a"] and named["c"] == before["c"]


def _near_in_date_by_hand(holders: list[int], times: list[float], changed: set[int]) -> set[int]:
    """`reranking._near_in_date` as it was written first, a holder at a time."""
    import bisect
    dated = sorted(holders, key=lambda h: (times[h], h))
    stamps = [times[h] for h in dated]
    reach = ranking.DATE_NEIGHBOURS + 2
    found: set[int] = set()
    for place, holder in enumerate(dated):
        if holder in changed:
            first = bisect.bisect_left(stamps, stamps[place])
            last = bisect.bisect_right(stamps, stamps[place]) - 1
            low = bisect.bisect_left(stamps, stamps[max(0, first - reach)])
            high = bisect.bisect_right(stamps, stamps[min(len(dated) - 1, last + reach)])
            found.update(dated[low:high])
    return found


@pytest.mark.parametrize("seed", range(6))
def test_date_neighbours_of_changed_holders_are_found_as_one_at_a_time_would(seed: int) -> None:
    """Holders in any order, tied dates, changed ones among them or not, none at all."""
    import numpy as np
    from array import array
    rng = random.Random(seed)
    times = [float(rng.randrange(40)) for _ in range(300)]   # many ties
    for _ in range(30):
        holders = rng.sample(range(300), rng.randrange(0, 120))
        changed = set(rng.sample(range(300), rng.randrange(0, 6)))
        expected = _near_in_date_by_hand(holders, times, changed)
        found = reranking._near_in_date(holders, array("d", times), np.fromiter(changed, np.int64, len(changed)))
        assert found == expected
        assert all(isinstance(h, int) for h in found)


def test_the_command_line_starts_without_numpy() -> None:
    """numpy is imported where related articles are ranked again, not when the builder starts: a build
    with nothing to rank (a small site, an edit of a text, nothing changed) does without its 40 ms."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", "import sys, builder.commands.cli, builder.pipeline.build, "
                           "builder.pipeline.incremental; print('numpy' in sys.modules)"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
