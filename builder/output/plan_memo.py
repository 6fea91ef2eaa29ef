"""Fingerprints kept from one plan to the next: by page in the preview, by group of pages in files too.

The preview plans every page of the site after each edit, to find the few
whose fingerprints changed. Hashing the inputs of 175,000 pages takes two
seconds at 100,000 articles, although almost none of them changed. A
`PlanMemo` keeps, by output path, what each article page's fingerprint was
made of (the objects themselves, compared by identity first and by value
after) and the fingerprint; and, by group, the fingerprints of all the pages
of one listing or one term (`group`): the archive's 5,000 pages are one
comparison of its list of articles. A page or group whose inputs compare
equal, and whose listed articles' cards are not among those that changed,
keeps its fingerprints.

The cards are compared once per plan for the whole site; a change of the
settings digest (configuration, theme, menus) forgets every page.

`pipeline.stored_plan` keeps the groups and the cards in files for the
next build from the command line.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Iterable, Mapping

Prints = tuple[str, ...]


class PlanMemo:
    """Fingerprints by output path, with the inputs (`key`) they were made of; and by group."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Any, str]] = {}     # of the last plan that finished
        self._usable: dict[str, tuple[Any, str]] = {}   # what this plan may take from it
        self._next: dict[str, tuple[Any, str]] = {}
        self._groups: dict[str, tuple[Any, Prints]] = {}   # the same three for groups
        self._usable_groups: dict[str, tuple[Any, Prints]] = {}
        self._next_groups: dict[str, tuple[Any, Prints]] = {}
        self._asked: tuple[Any, Any] = (None, None)      # the last group's key and token
        self._settings = ""                             # of the last plan that finished
        self._cards: Mapping[str, str] = {}
        self._pending: tuple[str, Mapping[str, str]] = ("", {})
        self.changed: set[str] = set()   # slugs whose card differs from the last plan's
        self.reused = 0                  # fingerprints taken from the memo in this plan

    def start(self, settings: str, cards: Mapping[str, str]) -> None:
        """Begin a plan of a site with this settings digest and these cards (article slug → card)."""
        same = settings == self._settings
        self._usable = self._kept if same else {}
        self._usable_groups = self._groups if same else {}
        old = self._cards
        self.changed = {slug for slug, card in cards.items() if old.get(slug) != card}
        self.changed.update(slug for slug in old if slug not in cards)
        self._pending = (settings, cards)
        self._next, self._next_groups, self.reused = {}, {}, 0

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

    def group(self, name: str, key: Any, slugs: Collection[str]) -> Prints | None:
        """The fingerprints of a group of pages (a listing's, a term's) when `key` equals the last plan's
        and no card of `slugs` changed; else None, and the caller makes them and calls `keep_group`.

        `key` must hold every input of the group's fingerprints except the settings digest and the
        cards of `slugs`, and `name` must say what the group is ("term:kreml").
        """
        token = self._token(key)
        self._asked = (key, token)
        kept = self._usable_groups.get(name)
        if kept is not None and kept[0] == token and (not self.changed or self.changed.isdisjoint(slugs)):
            self.reused += len(kept[1])
            self._next_groups[name] = kept
            return kept[1]
        return None

    def keep_group(self, name: str, key: Any, prints: Prints) -> None:
        asked, token = self._asked
        self._next_groups[name] = (token if asked is key else self._token(key), prints)

    def _token(self, key: Any) -> Any:
        """What is kept of a group's key, and compared with the next plan's (here the key itself)."""
        return key

    def finish(self) -> None:
        """The plan is complete: its pages are what the next plan compares with."""
        self._kept, self._usable, self._next = self._next, {}, {}
        self._groups, self._usable_groups, self._next_groups = self._next_groups, {}, {}
        self._settings, self._cards = self._pending
