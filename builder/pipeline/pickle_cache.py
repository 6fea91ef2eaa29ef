"""Pickled cache files: read leniently (a missing or stale file only costs time), written atomically."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

_STALE = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError)


def read_pickle(path: Path | None, default: Any) -> Any:
    """The value stored at `path`, or `default` when there is none, it cannot be read,
    or it is not shaped like `default` (a cache written by an older layout)."""
    if path is None:
        return default
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
    except _STALE:
        return default
    if type(value) is not type(default) or (isinstance(value, tuple) and len(value) != len(default)):
        return default
    return value


def write_pickle(path: Path, value: Any) -> None:
    """Store `value` at `path` through a temporary file, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
