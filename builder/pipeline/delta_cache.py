"""A cache dict kept on disk as a base pickle plus a small pickle of what changed since.

Rewriting a 10 MB pickle because one article changed costs more than the
rest of such a build's bookkeeping; an `EntryFile` writes only the entries
that differ from its base file, until they are many, then folds them into a
new base. Both files are replaced atomically, and a fold removes the delta
before it writes the base: a crash between the two leaves the older base
alone, so what is read is always what some earlier save stored, or less.
Each base has a token of its own, which its deltas carry: a delta saved by a
process that read an older base (two builds of one site at once) is not
applied to a newer one, so what is read is never a mix of two saves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Generic, Mapping, TypeVar

from .pickle_cache import read_pickle, write_pickle

V = TypeVar("V")
FOLD_ABOVE = 0.1      # fold the delta into the base once it holds this share of the entries
_MISSING = object()


class EntryFile(Generic[V]):
    """str → V, read from `path` (+ `path`.delta) when they were written under the same `header`."""

    def __init__(self, path: Path | None, header: Any) -> None:
        self.path = path
        self.header = header
        self.delta_path = path.with_name(path.name + ".delta") if path is not None else None
        header_read, token, base = read_pickle(path, (None, "", {}))
        if header_read != header:
            token, base = "", {}
        self._base: dict[str, V] = base
        self._token = token   # of the base read
        self.entries: dict[str, V] = dict(base)
        delta_header, delta_token, changed, removed = read_pickle(self.delta_path, (None, "", {}, ()))
        if base and delta_header == header and delta_token == token:
            self.entries.update(changed)
            for key in removed:
                self.entries.pop(key, None)

    def save(self, entries: Mapping[str, V]) -> None:
        """Store `entries` (unchanged values should be the objects read, so that they compare fast)."""
        self.entries = dict(entries)
        if self.path is None:
            return
        base = self._base
        changed = {key: value for key, value in self.entries.items()
                   if (old := base.get(key, _MISSING)) is not value and old != value}
        removed = [key for key in base if key not in self.entries]
        if base and len(changed) + len(removed) <= FOLD_ABOVE * len(self.entries):
            write_pickle(self.delta_path, (self.header, self._token, changed, removed))  # type: ignore[arg-type]
            return
        assert self.delta_path is not None
        self.delta_path.unlink(missing_ok=True)
        self._token = os.urandom(8).hex()
        write_pickle(self.path, (self.header, self._token, self.entries))
        self._base = dict(self.entries)
