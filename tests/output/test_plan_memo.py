"""A plan memo keeps a page's fingerprint only while everything the fingerprint covers is unchanged."""

from __future__ import annotations

from builder.output.plan_memo import PlanMemo


class Computer:
    """Stands in for a fingerprint: counts how often it is made."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"print {self.calls}"


def _plan(memo: PlanMemo, cards: dict[str, str], key: object, compute: Computer, settings: str = "s",
          finish: bool = True) -> str:
    memo.start(settings, cards)
    print_ = memo.fingerprint("tags/a/index.html", ("listing", key), ("x", "y"), compute)
    if finish:
        memo.finish()
    return print_


def test_a_page_whose_key_and_listed_cards_are_unchanged_keeps_its_fingerprint() -> None:
    memo, compute = PlanMemo(), Computer()
    cards = {"x": "1", "y": "2", "z": "3"}
    first = _plan(memo, cards, "k", compute)
    assert _plan(memo, dict(cards), "k", compute) == first
    assert _plan(memo, {**cards, "z": "changed"}, "k", compute) == first   # z is not on the page
    assert compute.calls == 1 and memo.reused == 1


def test_a_changed_key_a_changed_card_or_new_settings_make_it_again() -> None:
    memo, compute = PlanMemo(), Computer()
    cards = {"x": "1", "y": "2"}
    _plan(memo, cards, "k", compute)
    assert _plan(memo, cards, "other key", compute) == "print 2"
    assert _plan(memo, {"x": "1", "y": "new title"}, "other key", compute) == "print 3"
    assert _plan(memo, {"x": "1"}, "other key", compute) == "print 4"   # y is gone
    assert _plan(memo, {"x": "1"}, "other key", compute, settings="new theme") == "print 5"
    assert _plan(memo, {"x": "1"}, "other key", compute, settings="new theme") == "print 5"


def test_a_plan_that_did_not_finish_leaves_the_last_finished_one_to_compare_with() -> None:
    memo, compute = PlanMemo(), Computer()
    _plan(memo, {"x": "1", "y": "2"}, "k", compute)
    # Planning stopped half way (an exception): its cards must not become the ones compared with.
    _plan(memo, {"x": "1", "y": "3"}, "k", compute, finish=False)
    assert _plan(memo, {"x": "1", "y": "3"}, "k", compute) == "print 3"


def _plan_group(memo: PlanMemo, cards: dict[str, str], key: object, settings: str = "s") -> tuple[str, ...] | None:
    """A plan with one group of two pages, listing x and y; None when the memo had no fingerprints for it."""
    memo.start(settings, cards)
    kept = memo.group("listing:/themen/a/", ("listing", key), ("x", "y"))
    if kept is None:
        memo.keep_group("listing:/themen/a/", ("listing", key), (f"print {key} {cards.get('y')}", "page 2"))
    memo.finish()
    return kept


def test_a_group_keeps_its_fingerprints_while_its_key_and_listed_cards_stay_the_same() -> None:
    memo = PlanMemo()
    cards = {"x": "1", "y": "2", "z": "3"}
    assert _plan_group(memo, cards, "k") is None
    assert _plan_group(memo, {**cards, "z": "new"}, "k") == ("print k 2", "page 2")   # z is not listed
    assert memo.reused == 2
    assert _plan_group(memo, {**cards, "z": "new"}, "other") is None
    assert _plan_group(memo, {**cards, "y": "new title"}, "other") is None
    assert _plan_group(memo, {**cards, "y": "new title"}, "other") == ("print other new title", "page 2")
    assert _plan_group(memo, {**cards, "y": "new title"}, "other", settings="new theme") is None
