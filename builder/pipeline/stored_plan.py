"""The plan memo of builds from the command line: groups of fingerprints kept in a file.

A build plans every page to find those an edit changed. At 100,000 articles
the 75,000 pages of listings and terms took 1.7 s of an edit's 11 s, though
an edit of an article's text reaches none of them. `StoredPlanMemo` keeps,
for each group (a listing's pages, a term's pages, see `output.plan_memo`),
a digest of what its fingerprints are made of and the fingerprints, and the
cards of the plan, for the next build: a group whose digest and cards are
the same keeps its fingerprints. Article pages are fingerprinted each time
(their inputs take little less than the fingerprint to gather).
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import Any, Callable, Iterable

from ..output.plan_memo import PlanMemo
from .delta_cache import EntryFile

FORMAT = "plan memo/2"   # a change of how fingerprints are made must change this


_SETTINGS = "\0settings"   # the entry of the plan's settings digest; groups are "g:name", cards "c:slug"


class StoredPlanMemo(PlanMemo):
    """A plan memo whose groups and cards the next build reads from `folder`.

    Groups, cards and the settings are entries of one `EntryFile`, so that what a build reads
    is always one plan's, also when two builds of the site run at once."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._file: EntryFile[Any] = EntryFile(folder / "plan.pickle", FORMAT)
        entries = self._file.entries
        settings = entries.get(_SETTINGS)
        if isinstance(settings, str) and settings:
            groups: dict[str, Any] = {}
            cards: dict[str, str] = {}
            for name, value in entries.items():
                if name.startswith("g:"):
                    groups[name[2:]] = value
                elif name.startswith("c:"):
                    cards[name[2:]] = value
            self._settings, self._groups, self._cards = settings, groups, cards

    def fingerprint(self, path: str, key: Any, slugs: Iterable[str], compute: Callable[[], str]) -> str:
        return compute()

    def _token(self, key: Any) -> bytes:
        return _digest(key)

    def save(self) -> None:
        """Keep the last finished plan for the next build (of the entries, only what changed is written)."""
        if not self._settings:
            return
        entries: dict[str, Any] = {_SETTINGS: self._settings}
        entries.update((f"g:{name}", group) for name, group in self._groups.items())
        entries.update((f"c:{slug}", card) for slug, card in self._cards.items())
        self._file.save(entries)


def _digest(key: Any) -> bytes:
    try:
        data = b"m" + marshal.dumps(key, 2)
    except ValueError:   # not plain data
        data = b"r" + repr(key).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()
