"""What importing a Hugo or a Jekyll site shares: copying files, writing config.yaml, adding aliases to
front matter, checking every old URL against the new site, and the report.

Each generator's module (`hugo`, `jekyll`) reads the old site's configuration,
copies its files and says where each page lived on the old site (`OldPage`);
`check_urls` then loads the new site with the builder's own loader, compares,
writes `aliases` into the files whose URL changed, loads again and reports
every old URL as kept, redirected or lost.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from ...content.config import load_config
from ...content.frontmatter import FrontMatterError, parse
from ...errors import Diagnostic, Diagnostics
from ...pipeline.loading import Visibility, load_site


@dataclass(frozen=True)
class OldPage:
    """One page of the old site: the file it came from (in the new site) and its old URLs."""

    source: str                       # "content/news/x/index.md"
    url: str                          # where the old site published it
    aliases: tuple[str, ...] = ()     # old URLs that already redirected to it (front matter aliases)


@dataclass(frozen=True)
class UrlResult:
    """What became of one old URL."""

    old: str
    new: str                  # where it leads now ("" when lost)
    status: str               # "same", "redirect" (an alias), "alias written", "lost"
    source: str = ""


@dataclass
class Report:
    """What an import did and what is left to do."""

    generator: str
    title: str = ""
    copied: dict[str, int] = field(default_factory=dict)   # "content files" → count
    todo: list[str] = field(default_factory=list)           # things to act on, one line each
    urls: list[UrlResult] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)   # what loading the new site found

    @property
    def lost(self) -> list[UrlResult]:
        return [u for u in self.urls if u.status == "lost"]

    def text(self, list_urls: bool = False) -> str:
        counts = {status: sum(1 for u in self.urls if u.status == status)
                  for status in ("same", "redirect", "alias written", "lost")}
        lines = [f"Imported the {self.generator} site \"{self.title}\"",
                 "Copied: " + ", ".join(f"{n} {what}" for what, n in self.copied.items() if n),
                 f"URLs: {len(self.urls) - counts['lost']} of {len(self.urls)} old URLs kept: {counts['same']} "
                 f"the same, {counts['redirect'] + counts['alias written']} redirect (aliases written for "
                 f"{counts['alias written']})" + (f"; {counts['lost']} LOST" if counts["lost"] else "")]
        for url in self.urls:
            if list_urls or url.status in ("alias written", "lost"):
                target = f" → {url.new}" if url.new and url.new != url.old else ""
                lines.append(f"  {url.status:<13} {url.old}{target}  ({url.source})")
        errors = [d for d in self.problems if d.severity == "error"]
        if self.problems:
            lines.append(f"Loading the new site found {len(errors)} error(s) and {len(self.problems) - len(errors)} "
                         "warning(s); run `python -m builder build` to see them all")
            lines += [f"  {str(d).splitlines()[0]}" for d in errors[:10]]
        if self.todo:
            lines.append("To do:")
            lines += [f"  - {item}" for item in self.todo]
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps({"generator": self.generator, "title": self.title, "copied": self.copied,
                           "urls": [u.__dict__ for u in self.urls], "todo": self.todo,
                           "problems": [d.as_dict() for d in self.problems]}, ensure_ascii=False, indent=2)


# -- files ------------------------------------------------------------------------------

def copy_tree(source: Path, target: Path, keep: Callable[[Path], bool] = lambda p: True) -> int:
    """Copy the files under `source` for which `keep(relative path)` holds, byte for byte; how many."""
    count = 0
    if not source.is_dir():
        return 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts) and keep(relative):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            count += 1
    return count


def read_front_matter(path: Path) -> dict[str, Any] | None:
    """A content file's front matter (YAML, TOML or JSON), or None when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        return parse(text).data
    except (OSError, UnicodeDecodeError, FrontMatterError):
        return None


def lower_keys(value: Any) -> Any:
    """Hugo reads configuration and front matter keys in any case: `baseURL` is `baseurl`."""
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def normal_url(url: str) -> str:
    """"/a/b" and "/a/b/" are one page (a server answers the folder); percent-escapes decoded."""
    url = "/" + unquote(url).strip().lstrip("/")
    return url if url.endswith("/") or "." in url.rsplit("/", 1)[-1] else url + "/"


# -- config.yaml ------------------------------------------------------------------------------

def yaml_text(data: dict[str, Any], indent: int = 0) -> str:
    """A small YAML writer for config.yaml: mappings, lists and scalars, strings always quoted."""
    lines: list[str] = []
    pad = "  " * indent
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{_key(key)}:" + ("" if value else " {}"))
            if value:
                lines.append(yaml_text(value, indent + 1).rstrip("\n"))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{pad}{_key(key)}:")
            lines += [f"{pad}  - {{{', '.join(f'{_key(k)}: {_scalar(v)}' for k, v in item.items())}}}"
                      for item in value]
        else:
            lines.append(f"{pad}{_key(key)}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else json.dumps(key, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


# -- aliases in front matter --------------------------------------------------------------------

_OPENING = re.compile(r"\A(\ufeff?(?:[ \t]*\n)*)(---|\+\+\+|\{)[ \t]*\n?")


def add_aliases(path: Path, urls: Iterable[str]) -> bool:
    """Add old URLs to a content file's front matter, as `aliases` (or `redirect_from` when `aliases`
    is taken), right after the opening line so that they are top-level keys; False when both are taken."""
    urls = list(urls)
    text = path.read_text(encoding="utf-8")
    data = read_front_matter(path) or {}
    keys = {str(k).lower() for k in data}
    key = next((k for k in ("aliases", "redirect_from") if k not in keys), None)
    if key is None:
        return False
    listed = "[" + ", ".join(json.dumps(u, ensure_ascii=False) for u in urls) + "]"
    opening = _OPENING.match(text.replace("\r\n", "\n")) if data or text.lstrip().startswith(("---", "+++")) \
        else None
    if opening is None:   # no front matter yet
        path.write_text(f"---\n{key}: {listed}\n---\n{text}", encoding="utf-8")
        return True
    newline = "\r\n" if "\r\n" in text else "\n"
    delimiter = opening.group(2)
    line = {"---": f"{key}: {listed}", "+++": f"{key} = {listed}"}.get(delimiter, f'"{key}": {listed},')
    if delimiter == "{" and not data:
        line = line.rstrip(",")
    head = text.index(delimiter) + len(delimiter)
    rest = text[head:]
    if delimiter != "{":
        rest = rest.split("\n", 1)[1] if "\n" in rest else ""
        path.write_text(text[:head] + newline + line + newline + rest, encoding="utf-8")
    else:
        path.write_text(text[:head] + newline + "  " + line + rest, encoding="utf-8")
    return True


# -- checking old URLs against the new site ------------------------------------------------------

def new_locations(site: Path) -> tuple[dict[str, tuple[str, tuple[str, ...]]], set[str], list[Diagnostic]]:
    """Every content file of the new site → (URL, aliases), the section listings' URLs, and the
    problems loading found (with drafts, scheduled and expired articles: an import keeps them all)."""
    config, problems = load_config(site)
    found = Diagnostics()
    found.extend(problems)
    loaded = load_site(site, config, Visibility(drafts=True, future=True, expired=True), found, jobs=1)
    where = {item.source: (item.url, item.aliases) for item in (*loaded.articles, *loaded.drafts, *loaded.pages)}
    listings = {"/", *(f"/{section.slug}/" for section in loaded.config.sections)}
    return where, listings, list(found.items)


def check_urls(site: Path, pages: list[OldPage], listings: list[str], report: Report) -> None:
    """Compare each old URL with the new site; write aliases where a page moved; check again."""
    where, new_listings, _ = new_locations(site)
    missing: dict[str, list[str]] = {}
    for page in pages:
        if page.source not in where:
            continue
        url, aliases = where[page.source]
        known = {normal_url(u) for u in (url, *aliases)}
        for old in dict.fromkeys((page.url, *page.aliases)):
            if normal_url(old) not in known:
                missing.setdefault(page.source, []).append(old)
    written: set[tuple[str, str]] = set()
    for source, olds in missing.items():
        if add_aliases(site / source, olds):
            written.update((source, old) for old in olds)
        else:
            report.todo.append(f"{source}: has both 'aliases' and 'redirect_from'; add {', '.join(olds)} to one")
    where, new_listings, problems = new_locations(site)
    report.problems = problems
    for page in pages:
        url, aliases = where.get(page.source, ("", ()))
        for old in dict.fromkeys((page.url, *page.aliases)):
            if url and normal_url(old) == normal_url(url):
                status = "same"
            elif url and normal_url(old) in {normal_url(a) for a in aliases}:
                status = "alias written" if (page.source, old) in written else "redirect"
            else:
                status, url = "lost", ""
            report.urls.append(UrlResult(old, url, status, page.source))
    pages_at = {normal_url(page.url) for page in pages}
    for old in listings:
        if normal_url(old) in pages_at:   # the listing's _index.md was checked above
            continue
        status = "same" if normal_url(old) in new_listings else "lost"
        report.urls.append(UrlResult(old, old if status == "same" else "", status, "listing"))


def refuse_destination(dest: Path) -> str | None:
    """Why an import must not write into `dest` (an existing folder with files), or None."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        return f"{dest} exists and is not empty; import into a new folder"
    return None
