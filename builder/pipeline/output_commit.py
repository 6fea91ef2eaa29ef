"""The last step of a build: the search index's files beside the written pages, the manifest, the swap.

`site_writing` writes the pages into a staged tree (or patch) and describes what is left to do as a
`Commit`; whoever holds the search index's listing then commits it, the build's process itself or,
for a search build whose last shards are indexed after the pages (`search_tail`), the process that
started it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostics
from ..output.manifest import Manifest, restore_manifest, write_manifest
from ..output.write import PatchOutput, StagedOutput
from .search_stage import SearchIndex
from .update_plan import deleted_files


@dataclass
class Commit:
    """Pages written into a staged tree or patch, waiting for the search index's files."""

    destination: Path                       # as the build was asked for it (for messages)
    staged: StagedOutput | PatchOutput
    manifest_file: Path | None              # None: a build without the cache keeps no manifest
    previous: Manifest | None               # the destination's manifest before this build
    files: dict[str, str]                   # output path → fingerprint: the pages and file groups
    groups: dict[str, str]                  # a file group's key → its output paths (`Manifest.of`)
    written: list[str]                      # a patch's files (a new tree is swapped in whole: none)
    search: bool

    @property
    def marker(self) -> str:
        """The identity of the marker the destination carries once committed."""
        return self.staged.marker


def write_failure(staged: StagedOutput | PatchOutput, destination: Path, problems: Diagnostics,
                  exc: OSError) -> None:
    """Drop the staged output after a file system error, and say so."""
    staged.abort()
    problems.error(str(destination), None, f"cannot write the site: {exc.strerror or exc}",
                   hint="check free disk space and permissions; the previous output is unchanged")


def commit_output(commit: Commit, found: SearchIndex | None, problems: Diagnostics) -> bool:
    """Add the search files, write the manifest and put the new output in place; False, with the
    destination untouched, when the build has errors or the file system fails."""
    staged, old = commit.staged, commit.previous.files if commit.previous else {}
    try:
        files = {**commit.files, **(found.files if found else {})}
        deleted = deleted_files(files, commit.groups, commit.previous)
        written = commit.written + (found.write(staged, old) if found else [])
        if problems.errors:
            staged.abort()
            return False
        if commit.manifest_file:
            # Written before the commit point: should the commit not complete, the marker differs.
            write_manifest(commit.manifest_file, Manifest.of(staged.marker, commit.search, files, commit.groups))
        try:
            if isinstance(staged, PatchOutput):
                staged.commit(written, deleted)
            else:
                staged.commit()
        except OSError:
            if commit.manifest_file:   # the commit was undone: the previous manifest describes the destination again
                restore_manifest(commit.manifest_file, commit.previous)
            raise
    except OSError as exc:
        write_failure(staged, commit.destination, problems, exc)
        return False
    except BaseException:
        staged.abort()
        raise
    return True
