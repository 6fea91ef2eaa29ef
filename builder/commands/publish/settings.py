"""The `publish:` section of config.yaml, validated into typed settings per target.

`SiteConfig.publish` is a free mapping; this module is its schema. Errors name the file,
the line and the dotted key (`config.yaml:12: 'publish.s3.workers' must be ...`), and a
key that looks like a credential is refused: config.yaml is committed, keys belong in
the environment or in ~/.aws / ~/.ssh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ...content.strict_yaml import YamlProblem, load_mapping
from .common import PublishError
from .headers import CacheRule

CONFIG = "config.yaml"
DEFAULT_MAX_DELETES = 256     # Hugo's maxDeletes
DEFAULT_KEEP = 5

_TOP_KEYS = {"target", "remote", "path", "branch", "cname", "purge_command", "redirect_files", "s3", "ssh"}
_S3_KEYS = {"url", "endpoint", "region", "profile", "addressing_style", "cache", "gzip", "workers",
            "max_deletes", "website_redirects"}
_SSH_KEYS = {"destination", "port", "identity_file", "options", "keep", "known_hosts", "rsync_path"}
_SECRET_KEY = re.compile(r"secret|passw|token|access_?key|credential|private_?key|api_?key|session", re.I)
_SECRET_VALUE = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----")


@dataclass(frozen=True)
class S3Settings:
    """Where and how to upload to S3-compatible storage (credentials come from boto3's chain)."""

    url: str | None = None
    endpoint: str | None = None
    region: str | None = None
    profile: str | None = None
    addressing_style: str | None = None
    cache: tuple[CacheRule, ...] = ()
    gzip: bool = False
    workers: int = 16
    max_deletes: int = DEFAULT_MAX_DELETES
    website_redirects: bool = True


@dataclass(frozen=True)
class SshSettings:
    """How to reach the server; ssh's own configuration (~/.ssh/config) applies as well."""

    destination: str | None = None
    port: int | None = None
    identity_file: str | None = None
    options: tuple[str, ...] = ()
    keep: int = DEFAULT_KEEP
    known_hosts: str | None = None
    rsync_path: str | None = None


@dataclass(frozen=True)
class PublishSettings:
    """The whole `publish:` section."""

    target: str | None = None
    remote: str | None = None
    path: str | None = None
    branch: str = "gh-pages"
    cname: str | None = None
    purge_command: str | None = None
    redirect_files: bool = True
    s3: S3Settings = field(default_factory=S3Settings)
    ssh: SshSettings = field(default_factory=SshSettings)


def load_publish_settings(site: Path, section: dict[str, Any]) -> PublishSettings:
    """Validate `section` (config.publish); PublishError listing every problem, with lines."""
    lines = _key_lines(site)
    problems: list[str] = []

    def fail(key: str, message: str) -> None:
        line = lines.get(key)
        problems.append(f"{CONFIG}:{line}: " if line else f"{CONFIG}: ")
        problems[-1] += f"'{key}' {message}"

    _find_secrets(section, "publish", fail)
    if problems:
        raise PublishError("\n".join(problems))
    top = _Reader(section, "publish", _TOP_KEYS, fail)
    s3 = _Reader(_mapping(section.get("s3"), "publish.s3", fail), "publish.s3", _S3_KEYS, fail)
    ssh = _Reader(_mapping(section.get("ssh"), "publish.ssh", fail), "publish.ssh", _SSH_KEYS, fail)
    settings = PublishSettings(
        target=top.text("target"), remote=top.text("remote"), path=top.text("path"),
        branch=top.text("branch") or "gh-pages", cname=top.text("cname"),
        purge_command=top.text("purge_command"), redirect_files=top.flag("redirect_files", True),
        s3=S3Settings(
            url=s3.text("url"), endpoint=s3.text("endpoint"), region=s3.text("region"),
            profile=s3.text("profile"), addressing_style=s3.choice("addressing_style", ("path", "virtual", "auto")),
            cache=_cache_rules(s3.raw("cache"), fail), gzip=s3.flag("gzip", False),
            workers=s3.number("workers", 16, 1), max_deletes=s3.number("max_deletes", DEFAULT_MAX_DELETES, 0),
            website_redirects=s3.flag("website_redirects", True)),
        ssh=SshSettings(
            destination=ssh.text("destination"), port=ssh.number("port", None, 1),
            identity_file=ssh.text("identity_file"), options=ssh.texts("options"),
            keep=ssh.number("keep", DEFAULT_KEEP, 2), known_hosts=ssh.text("known_hosts"),
            rsync_path=ssh.text("rsync_path")))
    if problems:
        raise PublishError("\n".join(problems))
    return settings


def _key_lines(site: Path) -> dict[str, int]:
    try:
        return load_mapping((site / CONFIG).read_text(encoding="utf-8-sig")).key_lines
    except (OSError, UnicodeDecodeError, YamlProblem):
        return {}   # load_config reports those


def _find_secrets(value: Any, key: str, fail: Callable[[str, str], None]) -> None:
    hint = ("looks like a credential, and config.yaml is no place for one (it is shared and committed): "
            "for S3 set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment or name a profile "
            "of ~/.aws/credentials in 'publish.s3.profile'; for SSH use an agent or 'publish.ssh.identity_file'")
    if isinstance(value, dict):
        for name, inner in value.items():
            path = f"{key}.{name}"
            if _SECRET_KEY.search(str(name)) and name != "identity_file":
                fail(path, hint)
            else:
                _find_secrets(inner, path, fail)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _find_secrets(inner, f"{key}[{index}]", fail)
    elif isinstance(value, str) and _SECRET_VALUE.search(value):
        fail(key, hint)


def _mapping(value: Any, key: str, fail: Callable[[str, str], None]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail(key, "must be a mapping")
        return {}
    return value


def _cache_rules(value: Any, fail: Callable[[str, str], None]) -> tuple[CacheRule, ...]:
    key = "publish.s3.cache"
    if value is None:
        return ()
    if not isinstance(value, list):
        fail(key, "must be a list of {pattern, cache_control} entries")
        return ()
    rules = []
    for index, entry in enumerate(value):
        here = f"{key}[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"pattern", "cache_control"}:
            fail(here, "must have exactly the keys 'pattern' and 'cache_control'")
        elif not all(isinstance(entry[k], str) and entry[k].strip() for k in entry):
            fail(here, "'pattern' and 'cache_control' must be non-empty text")
        else:
            rules.append(CacheRule(entry["pattern"].strip().lstrip("/"), entry["cache_control"].strip()))
    return tuple(rules)


class _Reader:
    """Typed reads from one mapping; problems go to `fail` with the dotted key."""

    def __init__(self, data: dict[str, Any], prefix: str, known: set[str],
                 fail: Callable[[str, str], None]) -> None:
        self.data, self.prefix, self.fail = data, prefix, fail
        for name in data:
            if name not in known:
                fail(f"{prefix}.{name}", f"is not a known setting (known: {', '.join(sorted(known))})")

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{self.prefix}.{name}", "must be non-empty text")
            return None
        return value.strip()

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"{self.prefix}.{name}", "must be a list of texts")
            return ()
        return tuple(v.strip() for v in value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{self.prefix}.{name}", "must be true or false")
            return default
        return value

    def number(self, name: str, default: Any, minimum: int) -> Any:
        value = self.data.get(name, default)
        if value is default:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(f"{self.prefix}.{name}", f"must be a whole number of at least {minimum}")
            return default
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            self.fail(f"{self.prefix}.{name}", f"must be one of {', '.join(choices)}")
            return None
        return value
