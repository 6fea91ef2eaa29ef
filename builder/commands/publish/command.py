"""`python -m builder publish …`: which target, then publish the built site and report.

The CLI builds and checks first (`commands/cli.py`); this module picks the target from the
words given and config.yaml, runs it, prints the plan or the changed URLs, and hands those
URLs to `publish.purge_command` for the CDN.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from .common import PublishError, PublishPlan
from .directory import publish_directory
from .extras import extra_files
from .git import publish_git
from .redirects import source_url
from .settings import PublishSettings, SshSettings

KINDS = ("git", "directory", "s3", "ssh")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
USAGE = ("say where to publish: 'publish git REMOTE', 'publish directory PATH', 'publish s3 s3://BUCKET/PREFIX', "
         "'publish ssh USER@HOST:/PATH' or 'publish rollback ssh USER@HOST:/PATH' (or a 'publish:' section in "
         "config.yaml with 'target' and its location)")


class UsageError(PublishError):
    """The command line (or config.yaml) does not say a usable target."""


@dataclass(frozen=True)
class Target:
    kind: str
    location: str
    rollback: bool = False


@dataclass(frozen=True)
class Options:
    """The publish flags of the command line; None means "as config.yaml says"."""

    dry_run: bool = False
    branch: str | None = None
    max_deletes: int | None = None
    precompress: bool = False
    port: int | None = None
    identity_file: str | None = None
    ssh_options: tuple[str, ...] = ()
    keep: int | None = None


def resolve_target(words: Sequence[str], settings: PublishSettings) -> Target:
    """`[rollback] [KIND [LOCATION]]`, completed from config.yaml's `publish:` section."""
    words = list(words)
    rollback = bool(words) and words[0] == "rollback"
    if rollback:
        words.pop(0)
    if len(words) > 2:
        raise UsageError(f"too many words after 'publish': {' '.join(words)}")
    kind = words[0] if words else settings.target
    if kind not in KINDS:
        raise UsageError(f"unknown publish target {kind!r}: {USAGE}" if kind else USAGE)
    location = words[1] if len(words) > 1 else _configured_location(kind, settings)
    if not location:
        raise UsageError(USAGE)
    if rollback and kind != "ssh":
        raise UsageError("only 'ssh' targets keep releases to roll back to: 'publish rollback ssh USER@HOST:/PATH'")
    return Target(kind, location, rollback)


def _configured_location(kind: str, settings: PublishSettings) -> str | None:
    return {"git": settings.remote, "directory": settings.path, "s3": settings.s3.url,
            "ssh": settings.ssh.destination}[kind]


def ssh_settings(settings: PublishSettings, options: Options) -> SshSettings:
    """config.yaml's `publish.ssh`, overridden by the flags given."""
    ssh = settings.ssh
    if options.keep is not None and options.keep < 2:
        raise UsageError("--keep must be 2 or more: the live release and one to roll back to")
    return replace(ssh, port=options.port or ssh.port, identity_file=options.identity_file or ssh.identity_file,
                   options=(*ssh.options, *options.ssh_options), keep=options.keep or ssh.keep)


def publish_built(target: Target, site: Path, settings: PublishSettings, options: Options, *,
                  base_url: str, base_path: str) -> int:
    """Publish the built folder `site` to `target`; print the outcome; an exit code."""
    try:
        plan, note = _publish(target, site, settings, options, base_path)
    except PublishError as exc:
        print(f"publish failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    urls = changed_urls(plan, base_url)
    if options.dry_run or target.kind in ("git", "directory"):
        for line in plan.lines():
            print(line)
    else:
        for url in urls:
            print(url)
    verb = "would change" if options.dry_run else "changed"
    print(f"publish {verb} {len(plan.added)} added, {len(plan.changed)} changed, {len(plan.removed)} removed"
          + (f"; {note}" if note else ""))
    if settings.purge_command and urls and not options.dry_run:
        try:
            run_purge(settings.purge_command, urls)
        except PublishError as exc:
            print(f"publish done, but the CDN purge failed: {exc}", file=sys.stderr)
            return EXIT_FAILED
    return EXIT_OK


def _publish(target: Target, site: Path, settings: PublishSettings, options: Options,
             base_path: str) -> tuple[PublishPlan, str]:
    if target.kind == "git":
        plan = publish_git(site, target.location, branch=options.branch or settings.branch, cname=settings.cname,
                           dry_run=options.dry_run)
        return plan, ""
    if target.kind == "directory":
        return publish_directory(site, Path(target.location), dry_run=options.dry_run), ""
    if target.kind == "s3":
        from .s3 import publish_s3
        result = publish_s3(site, target.location, settings.s3, base_path=base_path,
                            redirect_files=settings.redirect_files, precompress=options.precompress,
                            dry_run=options.dry_run, max_deletes=options.max_deletes)
        return result.plan, f"{result.unchanged} unchanged in s3://{result.bucket}/{result.prefix}"
    extras = extra_files(site, base_path=base_path, redirects=settings.redirect_files,
                         precompress=options.precompress)
    from .ssh import publish_ssh
    done = publish_ssh(site, target.location, ssh_settings(settings, options), extras=extras,
                       dry_run=options.dry_run)
    if done.release is None:
        return done.plan, f"live release: {done.previous}" if done.previous else ""
    return done.plan, f"release {done.release} is live (was {done.previous or 'none'})"


def run_rollback(target: Target, settings: PublishSettings, options: Options) -> int:
    """`publish rollback ssh …`: point `current` back at the previous release."""
    from .ssh import rollback_ssh
    try:
        done = rollback_ssh(target.location, ssh_settings(settings, options))
    except PublishError as exc:
        print(f"rollback failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"rolled back {target.location}: release {done.release} is live again (was {done.previous})")
    return EXIT_OK


def changed_urls(plan: PublishPlan, base_url: str) -> list[str]:
    """The public URLs a publish changed (added, changed, removed), `a/index.html` as `a/`."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    urls = {base + quote(source_url(rel, ""), safe="/~") for rel in (*plan.added, *plan.changed, *plan.removed)}
    return sorted(urls)


def run_purge(command: str, urls: Sequence[str]) -> None:
    """Run the CDN purge command: `{urls}` is replaced by the URLs, else they go to its stdin.

    Environment variables in the command are expanded (`$CDN_TOKEN`), so no secret needs
    to be written into config.yaml. No shell is involved.
    """
    argv = shlex.split(os.path.expandvars(command))
    if not argv:
        raise PublishError("'publish.purge_command' is empty")
    stdin = None
    if any("{urls}" in arg for arg in argv):
        expanded: list[str] = []
        for arg in argv:
            if arg == "{urls}":
                expanded += urls
            else:
                expanded.append(arg.replace("{urls}", " ".join(urls)))
        argv = expanded
    else:
        stdin = "".join(url + "\n" for url in urls)
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    except OSError as exc:
        raise PublishError(f"cannot run {argv[0]!r} ({exc}); with many URLs pass them on stdin "
                           "(leave '{urls}' out of 'publish.purge_command')") from None
    if done.stdout:
        print(done.stdout, end="")
    if done.returncode != 0:
        raise PublishError(f"'{command}' exited with {done.returncode}: {done.stderr.strip()}")
