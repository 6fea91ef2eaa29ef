"""Publishing into a local folder: an exact mirror, copying only files whose bytes differ."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .common import PROTECTED, PublishError, PublishPlan, digest, existing_site, site_files

# Files that mark a folder as a site's source, never a publish target.
_SOURCE_MARKERS = ("config.yaml", "content")
# A source folder's own folders (next to its config.yaml): never a target either.
_SOURCE_PARTS = frozenset({"content", "layouts", "static"})


def publish_directory(site_dir: Path, target: Path, *, dry_run: bool = False) -> PublishPlan:
    """Make `target` an exact copy of `site_dir`, writing only files whose bytes differ."""
    site = existing_site(site_dir)
    dest = Path(target).expanduser().resolve()
    _refuse_dangerous_target(site, dest)
    wanted = dict(site_files(site))
    present = dict(site_files(dest)) if dest.exists() else {}
    added, changed = [], []
    for rel, source in wanted.items():
        existing = present.get(rel)
        if existing is None:
            added.append(rel)
        elif not _same_bytes(source, existing):
            changed.append(rel)
    # This includes a file standing where the site needs a folder, and the reverse.
    removed = [rel for rel in present if rel not in wanted]
    plan = PublishPlan(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)))
    if dry_run:
        return plan
    for rel in plan.removed:
        (dest / rel).unlink()
    _remove_empty_dirs(dest)
    for rel in (*plan.added, *plan.changed):
        _copy_atomically(wanted[rel], dest / rel)
    return plan


def _refuse_dangerous_target(site: Path, dest: Path) -> None:
    """Mirroring deletes files: refuse targets where that would destroy other work."""
    reason = None
    if dest == Path(dest.anchor):
        reason = "it is the file system root"
    elif dest == Path.home().resolve():
        reason = "it is the home folder"
    elif dest == site or dest in site.parents:
        reason = f"it contains the built site {site}"
    elif site in dest.parents:
        reason = f"it is inside the built site {site}"
    elif dest == Path.cwd().resolve() or dest in Path.cwd().resolve().parents:
        reason = f"it contains the current folder {Path.cwd().resolve()}"
    elif dest.exists() and not dest.is_dir():
        reason = "it is a file, not a folder"
    elif ".git" in dest.parts:
        reason = "it is inside a .git folder"
    else:
        reason = _source_folder_reason(dest)
    if reason is not None:
        raise PublishError(f"refusing to publish to {dest}: {reason}")


def _source_folder_reason(dest: Path) -> str | None:
    marker = next((m for m in _SOURCE_MARKERS if (dest / m).exists()), None)
    if marker is not None:
        return f"it looks like a source folder (it has {marker})"
    for folder in dest.parents:
        if (folder / "config.yaml").is_file():
            part = dest.relative_to(folder).parts[0]
            if part in _SOURCE_PARTS:
                return f"it is inside the source folder {folder / part}"
    return None


def _same_bytes(a: Path, b: Path) -> bool:
    if b.is_symlink() or a.stat().st_size != b.stat().st_size:
        return False
    return digest(a) == digest(b)


def _remove_empty_dirs(root: Path) -> None:
    for folder, dirs, names in os.walk(root, topdown=False):
        here = Path(folder)
        if here == root or any(part in PROTECTED for part in here.relative_to(root).parts):
            continue
        if not any(here.iterdir()):
            here.rmdir()


def _copy_atomically(source: Path, dest: Path) -> None:
    """Write next to the destination, then rename, so a server never sends half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=dest.parent, prefix=".publish-", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, temp)
        shutil.copymode(source, temp)
        os.replace(temp, dest)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
