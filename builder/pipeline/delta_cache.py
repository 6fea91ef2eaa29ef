"""A cache dict kept on disk as a base pickle plus a small pickle of what changed since.

Rewriting a 10 MB pickle because one article changed costs more than the
rest of such a build's bookkeeping; an `EntryFile` writes only the entries
that differ from its base file, until they are many, then folds them into a
new base. Both files are replaced atomically, and a fold removes the delta
before it writes the base: a crash between the two leaves the older base
alone, so what is read is always what some earlier save stored, or less.
"""

from __future__ import annotations

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
        header_read, base = read_pickle(path, (None, {}))
        if header_read != header:
            base = {}
        self._base: dict[str, V] = base
        self.entries: dict[str, V] = dict(base)
        delta_header, changed, removed = read_pickle(self.delta_path, (None, {}, ()))
        if base and delta_header == header:
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
            write_pickle(self.delta_path, (self.header, changed, removed))  # type: ignore[arg-type]
            return
        assert self.delta_path is not None
        self.delta_path.unlink(missing_ok=True)
        write_pickle(self.path, (self.header, self.entries))
        self._base = dict(self.entries)
