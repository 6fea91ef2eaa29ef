"""Where an article's date comes from: front matter, its file name, git or the file system.

`dates:` in config.yaml lists, for `date` and for `updated`, the places to
look, in order; the first that has a value wins (Hugo's `[frontmatter]`):

    dates:
      date: [date, ":filename"]     # the default
      updated: [updated]            # the default

- `date`, `updated`: the front matter's value (Hugo's `publishDate`, `lastmod`
  and Jekyll's names are mapped onto these first);
- `:filename`: a name like `2019-01-05-gipfel.md` (which also drops the date
  from the slug: `gipfel`); without it in `date`, the name stays whole, as in Hugo;
- `:git`: the author date of the commit that added the file (for `date`), or
  of its last commit (for `updated`); Hugo's `:git` means the last commit;
- `:filemodtime`: the file's modification time.

A file outside `content/articles/` for which no place has a date is an
undated page; an article without one is an error.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from .dates import parse_date
from .fields import Problems, date_of

SOURCES = ("date", "updated", ":filename", ":git", ":filemodtime")
_ALIASES = {"lastmod": "updated", "modified": "updated", "publishdate": "date", "pubdate": "date",
            "published": "date", ":default": "date"}
DEFAULT_DATE = ("date", ":filename")
DEFAULT_UPDATED = ("updated",)


def normalize(name: str) -> str | None:
    """A configured source in our spelling ("lastmod" → "updated", ":fileModTime" → ":filemodtime"),
    or None when it names nothing we know."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in SOURCES else None


@dataclass(frozen=True)
class FileDates:
    """What git and the file system know about one file's dates (ISO strings, "" when unknown)."""

    git_first: str = ""
    git_last: str = ""
    modified: str = ""

    def get(self, source: str, first: bool) -> datetime | None:
        value = (self.git_first if first else self.git_last) if source == ":git" else (
            self.modified if source == ":filemodtime" else "")
        return datetime.fromisoformat(value) if value else None


def modified_at(mtime_ns: int) -> str:
    return datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc).replace(microsecond=0).isoformat()


def git_dates(site: Path, folder: str = "content") -> tuple[dict[str, tuple[str, str]], str | None]:
    """Each file under `folder` (as "content/x.md") → (first, last) author date of its commits,
    from one `git log`; or an empty mapping and why there is none."""
    try:
        run = subprocess.run(["git", "-C", str(site), "-c", "core.quotePath=false", "log", "-z", "--no-renames",
                              "--format=%x01%aI", "--name-only", "--relative", "--", folder],
                             capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {}, f"git could not be run ({exc})"
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        return {}, message[0] if message else f"git log failed with exit code {run.returncode}"
    dates: dict[str, tuple[str, str]] = {}
    current = ""
    for field in run.stdout.decode("utf-8", "surrogateescape").split("\0"):
        field = field.strip("\n")
        if field.startswith("\x01"):          # a commit's date, then the files it touched
            current, _, rest = field[1:].partition("\n")
            field = rest.strip("\n")
        if field and current:
            first, last = dates.get(field, (current, current))
            dates[field] = (current, last)   # newest commits come first: the oldest seen last
    return dates, None


_ORIGINS = {":filename": "the date in the file name ({})", ":git": "the date of its first commit ({})",
            ":filemodtime": "its modification time ({})", "updated": "its 'updated' date ({})"}


def article_date(p: Problems, data: dict[str, Any], file_date: Any, file_dates: FileDates,
                 sources: tuple[str, ...], tz: tzinfo) -> Any:
    """The first date the configured sources (`dates.date`) have. A front matter date that cannot be
    read is an error, unless a later source has a date: then a warning says which one is used
    (Jekyll tolerates "2023-01-29 18:30:22 2023 -0800" and takes the file name's)."""
    failed: ValueError | None = None
    for source in sources:
        found: Any = None
        if source in ("date", "updated") and source in data:
            try:
                found = parse_date(data[source], tz)
            except ValueError as exc:
                failed = failed or exc
                continue
        elif source == ":filename" and file_date is not None:
            found = parse_date(file_date, tz)
        elif source in (":git", ":filemodtime"):
            found = file_dates.get(source, first=True)
            found = found.astimezone(tz) if found is not None else None
        if found is None:
            continue
        if failed is not None:
            shown = file_date.isoformat() if source == ":filename" else found.isoformat()
            p.warning("date", f"'date' {failed}; {_ORIGINS[source].format(shown)} is used",
                      hint="write e.g. 2022-01-26T19:50:00+01:00")
        return found
    if failed is not None:
        p.error("date", f"'date' {failed}", hint="write e.g. 2022-01-26 or 2022-01-26T19:50:00+01:00")
    return None


def updated_date(p: Problems, data: dict[str, Any], date: Any, file_dates: FileDates,
                 sources: tuple[str, ...], tz: tzinfo) -> Any:
    """When the article last changed: the first of `dates.updated` that has a date other than `date`."""
    for source in sources:
        found: Any = None
        if source in ("updated", "date") and source in data:
            found = date_of(p, data, source, tz)
        elif source in (":git", ":filemodtime"):
            found = file_dates.get(source, first=False)
            found = found.astimezone(tz) if found is not None else None
        if found is not None:
            return found if found != date else None
    return None
