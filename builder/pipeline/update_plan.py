"""How a build brings its destination up to date: leave it, patch it in place, or swap in a new tree.

The choice needs only the manifest of the previous build and the new build's
file list (output path → fingerprint); no file of the destination is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Mapping

from ..output.manifest import Manifest
from ..output.write import can_patch
from .search_stage import lists_search_files

# A build that changes at most this many files, or this share of them, patches the destination in
# place; more changes build a whole new tree and swap it in, which then costs less.
IN_PLACE_ALWAYS = 1000
IN_PLACE_SHARE = 0.5

Update = Literal["unchanged", "patch", "new tree"]


def choose_update(destination: Path, files: Mapping[str, str], search: bool, previous: Manifest | None,
                  changed: list[str], deleted: list[str]) -> Update:
    """What to do with `destination`, given the new files and the changed and deleted paths.

    `previous` is the manifest of the build that wrote the destination, or None.
    """
    if previous is None:
        return "new tree"
    if previous.search == search and previous.files == files:
        return "unchanged"
    # A patch needs a destination that holds exactly what the manifest says.
    small = len(changed) + len(deleted) <= max(IN_PLACE_ALWAYS, IN_PLACE_SHARE * len(files))
    if (small and lists_search_files(previous.files, previous.search)
            and not file_in_the_way(files, changed, previous.files) and can_patch(destination)):
        return "patch"
    return "new tree"


def deleted_files(files: Mapping[str, str], groups: Mapping[str, str], previous: Manifest | None) -> list[str]:
    """The output files of the previous build that this one no longer makes.

    `files` holds a group's key (which starts with "/", unlike an output path) in place of
    its files; `groups` (its paths joined by newlines) and the manifest's own say which files
    each group made.
    """
    if previous is None:
        return []
    stale = [path for path, print_ in previous.files.items() if files.get(path) != print_]
    old_groups = previous.groups() if any(path.startswith("/") for path in stale) else {}
    gone: list[str] = []
    for path in stale:
        if path in old_groups:   # a group changed or went: the files it no longer makes
            kept = set(groups[path].split("\n")) if path in groups else set()
            gone.extend(part for part in old_groups[path] if part not in kept)
        elif path not in files:
            gone.append(path)
    return gone


def file_in_the_way(files: Mapping[str, str], changed: list[str], old: Mapping[str, str]) -> bool:
    """Whether a changed path and another path of the site need one name as a file and as a folder.

    A whole new tree reports that as the write error it is; a patch would only meet it while applying.
    """
    for path in changed:
        parent = path.rpartition("/")[0]
        while parent:
            if parent in files:
                return True
            parent = parent.rpartition("/")[0]
    # A new path is a folder of another when that one starts with it and a slash.
    folders = tuple(f"{path}/" for path in changed if path not in old)
    return bool(folders) and any(path.startswith(folders) for path in files)
