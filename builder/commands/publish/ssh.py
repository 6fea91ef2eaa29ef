"""Publishing to a server over SSH with the system rsync: releases and an atomic switch.

Layout on the server, below the folder given (`user@host:/srv/site`):

    releases/20240501T101500Z/   one complete site per publish
    current -> releases/…        what the web server's document root points at

Each publish uploads into `releases/<time>.partial` with `--link-dest` against the release
`current` points at (unchanged files become hard links: only changed files travel), renames
it when complete, then switches `current` by renaming a new symlink over it (`mv -T`,
one rename(2)): the web server sees the old site or the new one, never a mix. The last
`keep` releases stay; `rollback_ssh` points `current` at the one before.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

from .common import BUILD_MARKER, PublishError, PublishPlan, existing_site, site_files
from .extras import write_extras
from .settings import SshSettings

_ITEM = re.compile(r"^(\*deleting|[<>ch.][fdLDS][^ ]{9}) +(.+)$")
_MISSING_RSYNC = 97   # the preflight script's exit code when the server has no rsync


@dataclass(frozen=True)
class Release:
    """The server's state: its release folders (oldest first) and the one `current` names."""

    names: tuple[str, ...]
    current: str | None


@dataclass(frozen=True)
class SshResult:
    plan: PublishPlan
    release: str | None = None      # the release now live (None: nothing changed or a dry run)
    previous: str | None = None
    removed_releases: tuple[str, ...] = ()


def parse_destination(destination: str) -> tuple[str, str]:
    """`user@host:/srv/site` → ("user@host", "/srv/site")."""
    host, sep, root = destination.partition(":")
    if not sep or not host or not root.strip("/") or host.startswith("-"):
        raise PublishError(f"{destination!r} is not an SSH destination: write it as USER@HOST:/PATH/TO/SITE")
    return host, root.rstrip("/")


def publish_ssh(site_dir: Path, destination: str, settings: SshSettings, *, extras: dict[str, bytes] | None = None,
                dry_run: bool = False, now: datetime | None = None) -> SshResult:
    """Upload the site as a new release and switch `current` to it; see the module doc."""
    site = existing_site(site_dir)
    host, root = parse_destination(destination)
    _require_tools()
    with _Connection(host, settings) as remote, _staged(site, extras or {}) as source:
        state = remote.state(root, create=not dry_run)
        plan = remote.plan(source, f"{root}/current/") if state.current else _all_files(source)
        if dry_run or (plan.empty and state.current):
            return SshResult(plan, None, state.current)
        name = _release_name(now or datetime.now(timezone.utc), state.names)
        remote.upload(source, root, name, state.current)
        removed = _prunable(state, name, settings.keep)
        _switch(remote, root, name, removed)
        return SshResult(plan, name, state.current, removed)


def rollback_ssh(destination: str, settings: SshSettings) -> SshResult:
    """Point `current` at the release before it; the newer one stays until pruned."""
    host, root = parse_destination(destination)
    _require_tools()
    with _Connection(host, settings) as remote:
        state = remote.state(root, create=False)
        if state.current is None:
            raise PublishError(f"{destination} has no 'current' release: nothing to roll back")
        older = [n for n in state.names if n < state.current]
        if not older:
            raise PublishError(f"{destination}: {state.current} is the oldest release kept; nothing to roll back to")
        _switch(remote, root, older[-1], ())
        return SshResult(PublishPlan(), older[-1], state.current)


def _require_tools() -> None:
    for tool in ("ssh", "rsync"):
        if shutil.which(tool) is None:
            raise PublishError(f"{tool} is not installed on this machine: install it (Debian: "
                               f"apt-get install {'openssh-client' if tool == 'ssh' else 'rsync'})")


class _Connection:
    """ssh and rsync to one host over one shared connection (ControlMaster)."""

    def __init__(self, host: str, settings: SshSettings) -> None:
        self.host, self.settings = host, settings
        self.folder = Path(tempfile.mkdtemp(prefix="bp-"))   # short: a socket path has ~100 bytes
        options = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ControlMaster=auto",
                   "-o", f"ControlPath={self.folder}/%C", "-o", "ControlPersist=60"]
        if settings.port:
            options += ["-p", str(settings.port)]
        if settings.identity_file:
            options += ["-i", str(Path(settings.identity_file).expanduser()), "-o", "IdentitiesOnly=yes"]
        if settings.known_hosts:
            options += ["-o", f"UserKnownHostsFile={Path(settings.known_hosts).expanduser()}"]
        for option in settings.options:
            options += ["-o", option]
        self.ssh = ["ssh", *options]

    def __enter__(self) -> "_Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run([*self.ssh, "-O", "exit", self.host], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, script: str) -> str:
        """Run a POSIX shell script on the server; its output, or an explained PublishError."""
        done = subprocess.run([*self.ssh, self.host, script], capture_output=True, text=True)
        if done.returncode == _MISSING_RSYNC:
            raise PublishError(f"rsync is not installed on {self.host}: install it there (Debian: apt-get install "
                               "rsync) or name its path in 'publish.ssh.rsync_path'")
        if done.returncode != 0:
            raise explain(self.host, done.returncode, done.stderr)
        return done.stdout

    def rsync(self, args: Sequence[str]) -> str:
        command = ["rsync", "-rlp", "--checksum", "-8", "--chmod=D755,F644", "--out-format=%i %n",
                   f"--exclude=/{BUILD_MARKER}", "-e", shlex.join(self.ssh), *args]
        if self.settings.rsync_path:
            command.insert(1, f"--rsync-path={self.settings.rsync_path}")
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise explain(self.host, done.returncode, done.stderr)
        return done.stdout

    def state(self, root: str, *, create: bool) -> Release:
        """Check the server (login, host key, rsync) and read its releases."""
        q = shlex.quote(root)
        rsync = shlex.quote(self.settings.rsync_path or "rsync")
        script = (f"command -v {rsync} >/dev/null 2>&1 || [ -x {rsync} ] || exit {_MISSING_RSYNC}; "
                  + (f"mkdir -p {q}/releases && rm -rf {q}/releases/*.partial; " if create else "")
                  + f"if [ -e {q}/current ] && [ ! -L {q}/current ]; then echo notlink; fi; "
                  + f"if [ -L {q}/current ]; then echo \"current $(readlink {q}/current)\"; fi; "
                  + f"for d in {q}/releases/*; do [ -d \"$d\" ] && echo \"release ${{d##*/}}\"; done; true")
        output = self.run(script)
        if "notlink" in output.split():
            raise PublishError(f"{self.host}:{root}/current exists and is not a symlink: move it aside (the "
                               "publish makes 'current' a link to the live release) and point the web server "
                               f"at {root}/current")
        names, current = [], None
        for line in output.splitlines():
            kind, _, value = line.partition(" ")
            if kind == "release" and not value.endswith(".partial"):
                names.append(value)
            elif kind == "current":
                current = value.rstrip("/").rsplit("/", 1)[-1]
        return Release(tuple(sorted(names)), current if current in names else None)

    def plan(self, source: Path, dest: str) -> PublishPlan:
        """What differs between the local site and a folder on the server (an rsync dry run)."""
        output = self.rsync(["--dry-run", "--delete", f"{source}/", f"{self.host}:{dest}"])
        return _parse_items(output)

    def upload(self, source: Path, root: str, name: str, previous: str | None) -> None:
        """Send the site into releases/<name>.partial, then rename it to releases/<name>."""
        link = [f"--link-dest=../{previous}"] if previous else []
        self.rsync([*link, f"{source}/", f"{self.host}:{root}/releases/{name}.partial/"])
        q = shlex.quote(f"{root}/releases/{name}")
        self.run(f"mv {q}.partial {q}")


def _switch(remote: _Connection, root: str, name: str, prune: Sequence[str]) -> None:
    """Point `current` at releases/<name> in one rename, then remove old releases."""
    q = shlex.quote(root)
    target = shlex.quote(f"releases/{name}")
    script = (f"cd {q} && [ -d {target} ] && ln -sfn {target} .current.tmp && mv -T .current.tmp current"
              + "".join(f" && rm -rf {shlex.quote(f'releases/{old}')}" for old in prune))
    remote.run(script)


def _prunable(state: Release, new: str, keep: int) -> tuple[str, ...]:
    """Releases beyond the newest `keep` (the new one counted), never the one live before."""
    names = sorted({*state.names, new})
    return tuple(n for n in names[:-keep] if n not in (new, state.current))


def _release_name(now: datetime, taken: Sequence[str]) -> str:
    base = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name, count = base, 1
    while name in taken:
        name, count = f"{base}-{count}", count + 1
    return name


def _parse_items(output: str) -> PublishPlan:
    added, changed, removed = [], [], []
    for line in output.splitlines():
        found = _ITEM.match(line)
        if not found or found.group(2).endswith("/"):
            continue
        flags, path = found.groups()
        if flags == "*deleting":
            removed.append(path)
        elif flags[0] in "<>c" or flags[1] == "L":
            (added if "+++" in flags else changed).append(path)
    return PublishPlan(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)))


def _all_files(source: Path) -> PublishPlan:
    return PublishPlan(tuple(sorted(rel for rel, _ in site_files(source) if rel != BUILD_MARKER)))


@contextmanager
def _staged(site: Path, extras: dict[str, bytes]) -> Iterator[Path]:
    """The site itself, or (with extras) a hard-linked copy of it with the extras added."""
    if not extras:
        yield site
        return
    stage = Path(tempfile.mkdtemp(prefix=".publish-stage-", dir=site.parent))
    try:
        for rel, path in site_files(site):
            dest = stage / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                os.symlink(os.readlink(path), dest)
                continue
            try:
                os.link(path, dest)
            except OSError:
                shutil.copy2(path, dest)
        for rel in extras:
            (stage / rel).unlink(missing_ok=True)   # never write through a hard link into the build
        write_extras(extras, stage)
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def explain(host: str, code: int, stderr: str) -> PublishError:
    """An ssh or rsync failure as a message that says what is wrong and what to do."""
    text = stderr.strip()
    if "REMOTE HOST IDENTIFICATION HAS CHANGED" in text or "Host key verification failed" in text:
        return PublishError(
            f"the SSH host key of {host} does not match the one in known_hosts (or is not known yet), so nothing "
            "was sent: if the server's key really changed, check its fingerprint with the server's administrator, "
            f"then run 'ssh-keygen -R {host.rpartition('@')[2]}' and connect once with ssh; for a new server add "
            "its key to ~/.ssh/known_hosts (or 'publish.ssh.known_hosts')")
    if "Permission denied" in text:
        return PublishError(f"{host} refused the login: check the user name, the key ('publish.ssh.identity_file' "
                            f"or --identity-file, or your ssh agent) and the server's authorized_keys ({text})")
    if any(s in text for s in ("Connection refused", "Could not resolve", "timed out", "No route to host")):
        return PublishError(f"cannot reach {host}: check the host name, 'publish.ssh.port' and the network ({text})")
    if code in (12, 127) and "command not found" in text or "rsync: not found" in text:
        return PublishError(f"rsync is not installed on {host}: install it there (Debian: apt-get install rsync)")
    return PublishError(f"ssh to {host} failed (exit code {code}): {text or 'no message'}")
