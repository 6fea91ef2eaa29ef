"""Publishing to a git branch (GitHub Pages): the site becomes the branch's next commit."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping

from .common import PublishError, PublishPlan, existing_site, site_files

_DEFAULT_IDENTITY = {"name": "builder", "email": "builder@localhost"}


def publish_git(site_dir: Path, remote: str, *, branch: str = "gh-pages", cname: str | None = None,
                message: str = "Publish site", dry_run: bool = False) -> PublishPlan:
    """Commit the site as the next commit of `branch` on `remote` and push it.

    Works in a temporary bare repository with its own index, so the current
    repository's branches, index and working tree are never touched.
    """
    site = existing_site(site_dir)
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
    files = sorted(site_files(site))
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
