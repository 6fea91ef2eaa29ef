"""Fingerprints kept from one plan to the next, for a process that plans the same site again.

The preview plans every page of the site after each edit, to find the few
whose fingerprints changed. Hashing the inputs of 175,000 pages takes two
seconds at 100,000 articles, although almost none of them changed. A
`PlanMemo` keeps, by output path, what each page's fingerprint was made of
(the objects themselves, compared by identity first and by value after) and
the fingerprint. A page whose inputs compare equal, and whose listed
articles' cards are not among those that changed, keeps its fingerprint.

The cards are compared once per plan for the whole site; a change of the
settings digest (configuration, theme, menus) forgets every page.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping


class PlanMemo:
    """Fingerprints by output path, with the inputs (`key`) they were made of."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Any, str]] = {}     # of the last plan that finished
        self._usable: dict[str, tuple[Any, str]] = {}   # what this plan may take from it
        self._next: dict[str, tuple[Any, str]] = {}
        self._settings = ""                             # of the last plan that finished
        self._cards: Mapping[str, str] = {}
        self._pending: tuple[str, Mapping[str, str]] = ("", {})
        self.changed: set[str] = set()   # slugs whose card differs from the last plan's
        self.reused = 0                  # fingerprints taken from the memo in this plan

    def start(self, settings: str, cards: Mapping[str, str]) -> None:
        """Begin a plan of a site with this settings digest and these cards (article slug → card)."""
        self._usable = self._kept if settings == self._settings else {}
        old = self._cards
        self.changed = {slug for slug, card in cards.items() if old.get(slug) != card}
        self.changed.update(slug for slug in old if slug not in cards)
        self._pending = (settings, cards)
        self._next, self.reused = {}, 0

    def fingerprint(self, path: str, key: Any, slugs: Iterable[str], compute: Callable[[], str]) -> str:
        """The page's fingerprint: kept when `key` equals the last plan's and no card of `slugs` changed.

        `key` must hold every input of `compute` except the settings digest and the cards of `slugs`,
        and start with the kind of page (two kinds of page may claim one path).
        """
        kept = self._usable.get(path)
        if kept is not None and kept[0] == key and (not self.changed or self.changed.isdisjoint(slugs)):
            self.reused += 1
            self._next[path] = kept
            return kept[1]
        print_ = compute()
        self._next[path] = (key, print_)
        return print_

    def finish(self) -> None:
        """The plan is complete: its pages are what the next plan compares with."""
        self._kept, self._usable, self._next = self._next, {}, {}
        self._settings, self._cards = self._pending
