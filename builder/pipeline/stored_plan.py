"""The plan memo of builds from the command line: groups of fingerprints kept in files.

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
from .pickle_cache import read_pickle, write_pickle

FORMAT = "plan memo/1"   # a change of how fingerprints are made must change this


class StoredPlanMemo(PlanMemo):
    """A plan memo whose groups and cards the next build reads from `folder`."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._settings_file = folder / "plan-settings.pickle"
        self._group_file: EntryFile[tuple[bytes, tuple[str, ...]]] = EntryFile(folder / "plan-groups.pickle", FORMAT)
        self._card_file: EntryFile[str] = EntryFile(folder / "plan-cards.pickle", FORMAT)
        layout, settings = read_pickle(self._settings_file, ("", ""))
        if layout == FORMAT and settings:
            self._settings, self._groups, self._cards = settings, self._group_file.entries, self._card_file.entries

    def fingerprint(self, path: str, key: Any, slugs: Iterable[str], compute: Callable[[], str]) -> str:
        return compute()

    def _token(self, key: Any) -> bytes:
        return _digest(key)

    def _same(self, token: Any, key: Any) -> bool:
        return bool(token == _digest(key))

    def save(self) -> None:
        """Keep the last finished plan for the next build (of the entries, only what changed is written)."""
        if not self._settings:
            return
        # The settings go last: files of two plans are never read as one (a plan's settings with
        # another's groups), since a read without these settings uses none of them.
        self._settings_file.unlink(missing_ok=True)
        self._group_file.save(self._groups)
        self._card_file.save(self._cards)
        write_pickle(self._settings_file, (FORMAT, self._settings))


def _digest(key: Any) -> bytes:
    try:
        data = b"m" + marshal.dumps(key, 2)
    except ValueError:   # not plain data
        data = b"r" + repr(key).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()
