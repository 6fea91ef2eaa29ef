"""The manifest of an output folder: which file holds which fingerprint, and which build wrote it.

A build compares it with its pages to write only what changed; it vouches only
for the folder whose marker it names, so another build's (or an interrupted
one's) folder is never taken for this one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .write import marker_identity

MANIFEST_FORMAT = 3


@dataclass(frozen=True)
class Manifest:
    """What a destination holds, as the build that wrote it left it."""

    marker: str              # that build's marker identity: the manifest describes no other folder
    search: bool             # the build had search on (its shards' files are listed in `files` too)
    files: dict[str, str]    # output path (or a file group's key) → fingerprint, every file but the marker
    # A group's key → its output paths, as JSON: parsed only when asked, since a build that changes
    # nothing never needs them (a site of photos has thousands of groups of twenty files).
    groups_json: str = "{}"

    @classmethod
    def of(cls, marker: str, search: bool, files: dict[str, str], groups: Mapping[str, str]) -> "Manifest":
        """A manifest of `files`, with each group's output paths joined by newlines in `groups`."""
        return cls(marker, search, files, json.dumps(dict(groups)))

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {key: tuple(paths.split("\n")) for key, paths in json.loads(self.groups_json).items()}


def read_manifest(path: Path, destination: Path) -> Manifest | None:
    """The manifest of the build that wrote `destination`, or None when there is none or it is stale."""
    try:
        text = path.read_text(encoding="utf-8")
        head, _, groups = text.partition("\n")   # JSON without indent has no raw newline
        data = json.loads(head)
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("files"), dict)
            or not groups.startswith("{")):
        return None
    marker = marker_identity(destination)
    if marker is None or data.get("marker") != marker:
        return None
    return Manifest(marker, bool(data.get("search")), data["files"], groups)


def write_manifest(path: Path, manifest: Manifest) -> None:
    """The manifest in two lines: what a build always reads, then the groups it reads when files changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    head = json.dumps({"format": MANIFEST_FORMAT, "marker": manifest.marker, "search": manifest.search,
                       "files": manifest.files})
    tmp.write_text(f"{head}\n{manifest.groups_json}", encoding="utf-8")
    tmp.replace(path)


def restore_manifest(path: Path, previous: Manifest | None) -> None:
    """Put back the manifest of the destination's previous build, or none."""
    try:
        if previous is not None:
            write_manifest(path, previous)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass   # a stale manifest names a marker the destination does not carry: it is ignored
