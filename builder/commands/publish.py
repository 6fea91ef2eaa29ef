"""Publish a built site: mirror it into a folder, or commit it to a git branch and push.

Both report a `PublishPlan` (what was, or with `dry_run` would be, added, changed
and removed) so `--dry-run` can show it before anything is touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

# Never published, never deleted inside the target (a gh-pages checkout keeps its .git).
_PROTECTED = frozenset({".git"})
# Files that mark a folder as a site's source, never a publish target.
_SOURCE_MARKERS = ("config.yaml", "content")
# A source folder's own folders (next to its config.yaml): never a target either.
_SOURCE_PARTS = frozenset({"content", "layouts", "static"})
_DEFAULT_IDENTITY = {"name": "builder", "email": "builder@localhost"}


class PublishError(Exception):
    """Publishing was refused or failed; the message says why."""


@dataclass(frozen=True)
class PublishPlan:
    """Site-relative POSIX paths, sorted, that a publish adds, changes and removes."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        """`+ path`, `~ path`, `- path`: the plan as a `--dry-run` prints it."""
        return ([f"+ {p}" for p in self.added] + [f"~ {p}" for p in self.changed]
                + [f"- {p}" for p in self.removed])


# --- folder -----------------------------------------------------------------

def publish_directory(site_dir: Path, target: Path, *, dry_run: bool = False) -> PublishPlan:
    """Make `target` an exact copy of `site_dir`, writing only files whose bytes differ."""
    site = _existing_site(site_dir)
    dest = Path(target).expanduser().resolve()
    _refuse_dangerous_target(site, dest)
    wanted = dict(_files(site))
    present = dict(_files(dest)) if dest.exists() else {}
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


def _existing_site(site_dir: Path) -> Path:
    site = Path(site_dir).expanduser().resolve()
    if not site.is_dir():
        raise PublishError(f"built site {site} does not exist: run the build first")
    return site


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


def _files(root: Path) -> Iterable[tuple[str, Path]]:
    """(relative POSIX path, path) of every file below root but .git; symlinks count as files."""
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in _PROTECTED]
        for name in dirs:
            if (here / name).is_symlink():   # not followed by os.walk: a file to us
                names.append(name)
        for name in names:
            path = here / name
            yield path.relative_to(root).as_posix(), path


def _same_bytes(a: Path, b: Path) -> bool:
    if b.is_symlink() or a.stat().st_size != b.stat().st_size:
        return False
    return _digest(a) == _digest(b)


def _digest(path: Path) -> bytes:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


def _remove_empty_dirs(root: Path) -> None:
    for folder, dirs, names in os.walk(root, topdown=False):
        here = Path(folder)
        if here == root or any(part in _PROTECTED for part in here.relative_to(root).parts):
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


# --- git --------------------------------------------------------------------

def publish_git(site_dir: Path, remote: str, *, branch: str = "gh-pages", cname: str | None = None,
                message: str = "Publish site", dry_run: bool = False) -> PublishPlan:
    """Commit the site as the next commit of `branch` on `remote` and push it.

    Works in a temporary bare repository with its own index, so the current
    repository's branches, index and working tree are never touched.
    """
    site = _existing_site(site_dir)
    url = _remote_url(remote)
    with tempfile.TemporaryDirectory(prefix="builder-publish-") as temp:
        git = _Git(Path(temp) / "repo.git", Path(temp) / "index")
        git("init", "--quiet", "--bare", str(git.git_dir))
        git.ensure_identity()
        parent = _fetch_branch(git, url, branch)
        tree = _write_tree(git, site, cname)
        if parent is not None and git("rev-parse", f"{parent}^{{tree}}") == tree:
            return PublishPlan()
        plan = _tree_diff(git, parent, tree)
        if dry_run:
            return plan
        commit = git("commit-tree", tree, *(["-p", parent] if parent else []), "-m", message)
        git("push", "--quiet", url, f"{commit}:refs/heads/{branch}")
        return plan


class _Git:
    """Runs git against one temporary repository and index, with a clean environment."""

    def __init__(self, git_dir: Path, index: Path) -> None:
        self.git_dir = git_dir
        self.env = _git_env(index)

    def __call__(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        command = ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"]
        if args[0] != "init":
            command += ["--git-dir", str(self.git_dir)]
        try:
            done = subprocess.run([*command, *args], input=input, capture_output=True, env=self.env)
        except FileNotFoundError as exc:
            raise PublishError("git is not installed") from exc
        if check and done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip()
            raise PublishError(f"git {args[0]} failed: {detail}")
        return done.stdout.decode(errors="replace").strip()

    def ensure_identity(self) -> None:
        """Fall back to a neutral author when neither git config nor the environment names one."""
        for key in ("name", "email"):
            if self("config", "--get", f"user.{key}", check=False):
                continue
            for role in ("AUTHOR", "COMMITTER"):
                self.env.setdefault(f"GIT_{role}_{key.upper()}", _DEFAULT_IDENTITY[key])


def _git_env(index: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE")}
    env["GIT_INDEX_FILE"] = str(index)
    env["GIT_TERMINAL_PROMPT"] = "0"   # fail instead of waiting for a password
    return env


def _remote_url(remote: str) -> str:
    """A local path made absolute, a URL as is, or the URL of a remote of the current repo."""
    if "://" in remote or (":" in remote and not Path(remote).exists()):
        return remote
    if "/" in remote or remote.startswith((".", "~")) or Path(remote).exists():
        return str(Path(remote).expanduser().resolve())
    done = subprocess.run(["git", "remote", "get-url", remote], capture_output=True)
    if done.returncode != 0:
        raise PublishError(f"unknown remote {remote!r}: not a path, a URL or a remote of this repository")
    return done.stdout.decode().strip()


def _fetch_branch(git: _Git, url: str, branch: str) -> str | None:
    """Fetch the remote branch into the temporary repository; its head, or None if new."""
    heads = git("ls-remote", "--heads", url, f"refs/heads/{branch}")
    if not heads:
        return None
    git("fetch", "--quiet", "--no-tags", url, f"+refs/heads/{branch}:refs/heads/{branch}")
    return git("rev-parse", f"refs/heads/{branch}")


def _write_tree(git: _Git, site: Path, cname: str | None) -> str:
    """Store the site's files (plus .nojekyll and CNAME) as blobs and return the tree id."""
    files = sorted(_files(site))
    paths = [str(path) for _rel, path in files]
    blobs = git("hash-object", "-w", "--no-filters", "--stdin-paths",
                input="".join(p + "\n" for p in paths).encode()).split() if paths else []
    entries = {rel: (_mode(path), blob) for (rel, path), blob in zip(files, blobs)}
    extra = {".nojekyll": b""}
    if cname:
        extra["CNAME"] = cname.strip().encode() + b"\n"
    for name, data in extra.items():
        entries[name] = ("100644", git("hash-object", "-w", "--stdin", input=data))
    index_info = "".join(f"{mode} {blob}\t{rel}\0" for rel, (mode, blob) in entries.items())
    git("read-tree", "--empty")
    git("update-index", "-z", "--add", "--index-info", input=index_info.encode())
    return git("write-tree")


def _mode(path: Path) -> str:
    return "100755" if os.access(path, os.X_OK) else "100644"


def _tree_diff(git: _Git, parent: str | None, tree: str) -> PublishPlan:
    if parent is None:
        listing = git("ls-tree", "-r", "-z", "--name-only", tree)
        return PublishPlan(added=tuple(sorted(p for p in listing.split("\0") if p)))
    output = git("diff-tree", "-r", "-z", "--no-renames", "--name-status", f"{parent}^{{tree}}", tree)
    fields = [f for f in output.split("\0") if f]
    kinds: Mapping[str, list[str]] = {"A": [], "M": [], "D": []}
    for status, path in zip(fields[::2], fields[1::2]):
        kinds.get(status[0], kinds["M"]).append(path)   # T (type change) counts as changed
    return PublishPlan(tuple(sorted(kinds["A"])), tuple(sorted(kinds["M"])), tuple(sorted(kinds["D"])))
