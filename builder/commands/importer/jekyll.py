"""`python -m builder import jekyll SRC DEST`: a Jekyll site's posts, pages, collections, static files, data
and settings.

Posts (`_posts/`, also below other folders) and drafts go to `content/` as
they are, output collections to `content/_<name>/`, pages to `content/`, every
other file not excluded to `static/`, `_data/` to `data/`; config.yaml gets
`url_rules: jekyll` and the posts' permalink style. Where Jekyll published each
page is computed with Jekyll's rules (`defaults` permalinks included), for the URL check.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ...content import url_rules
from ...content.dates import parse_date
from ...content.foreign_keys import date_from_filename
from ...content.locations import jekyll_categories
from ...content.site_structure import JEKYLL_STYLES
from ...content.sources import HTML_SUFFIXES, MARKDOWN_SUFFIXES, starts_with_front_matter
from .common import OldPage, Report, check_urls, copy_tree, read_front_matter, yaml_text

DEFAULT_EXCLUDES = ("Gemfile", "Gemfile.lock", "node_modules", "vendor", ".sass-cache", ".jekyll-cache",
                    "gemfiles", "_site", ".jekyll-metadata")
COVERED_PLUGINS = {"jekyll-feed": "feeds are built in", "jekyll-sitemap": "sitemaps are built in",
                   "jekyll-seo-tag": "meta tags and JSON-LD are built in",
                   "jekyll-redirect-from": "redirect_from becomes aliases", "jekyll-paginate": "listings paginate",
                   "jekyll-paginate-v2": "listings paginate"}
THEME_FOLDERS = {"_layouts": "layouts", "_includes": "includes", "_sass": "Sass partials"}
_LISTING = re.compile(r"\b(?:site\.posts|paginator\.|site\.categories|site\.tags)\b")
_INCLUDE = re.compile(r"\{%-?\s*include\s+([^\s%]+)")
_PAGE_SUFFIXES = (*MARKDOWN_SUFFIXES, *HTML_SUFFIXES)


def _style_suffix(style: str) -> str:
    """What Jekyll adds to a page's template for the permalink style (`Utils.add_permalink_suffix`)."""
    if style == "pretty":
        return "/"
    if style in ("date", "ordinal", "none", "weekdate"):
        return ":output_ext"
    return ("/" if style.endswith("/") else "") + (":output_ext" if style.endswith(":output_ext") else "")


def import_jekyll(src: Path, dest: Path, now: datetime | None = None) -> Report:
    """Copy a Jekyll site into `dest` as a builder site and check that every old URL still works."""
    config_file = src / "_config.yml"
    config: dict[str, Any] = {}
    if config_file.is_file():
        loaded = yaml.safe_load(config_file.read_text(encoding="utf-8-sig"))
        config = loaded if isinstance(loaded, dict) else {}
    report = Report("Jekyll", str(config.get("title") or config.get("name") or src.name))
    if not config_file.is_file():
        report.todo.append(f"no _config.yml in {src}: Jekyll's defaults used")
    style = str(config.get("permalink") or "date")
    collections = _collections(config)
    posts_pattern = str(collections.get("posts", {}).get("permalink") or style)
    tz = _time_zone(config, report)
    excluded = {*DEFAULT_EXCLUDES, *(str(e).strip("/") for e in config.get("exclude") or [])}
    included = {str(i).strip("/") for i in config.get("include") or []}
    report.copied = {"content files": 0, "static files": 0, "data files": 0}
    for path in sorted(src.rglob("*")):
        relative = path.relative_to(src)
        if not path.is_file() or _skipped(relative, excluded, included):
            continue
        _place(src, relative, dest, collections, report)
    report.copied["data files"] = copy_tree(src / "_data", dest / "data")
    settings = _settings(config, tz, posts_pattern, report)
    (dest / "config.yaml").write_text("# Imported from Jekyll (_config.yml)\n" + yaml_text(settings), encoding="utf-8")
    pages = old_pages(dest, style, posts_pattern, collections, config, ZoneInfo(tz),
                      now or datetime.now(timezone.utc))
    check_urls(dest, pages, [], report)
    _not_carried(src, config, dest, report)
    return report


def _collections(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    value = config.get("collections") or {}
    if isinstance(value, list):
        value = {name: {} for name in value}
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in value.items()} if isinstance(value, dict) else {}


def _time_zone(config: dict[str, Any], report: Report) -> str:
    name = config.get("timezone")
    if not name:
        report.todo.append("no 'timezone' in _config.yml: Jekyll used the building machine's (GitHub Pages: UTC); "
                           "UTC is assumed, which decides the day in post URLs")
        return "UTC"
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        report.todo.append(f"timezone '{name}' is no IANA time zone; UTC is used")
        return "UTC"
    return str(name)


def _skipped(relative: Path, excluded: set[str], included: set[str]) -> bool:
    text = relative.as_posix()
    if any(text == e or text.startswith(e + "/") for e in excluded) and not any(
            text == i or text.startswith(i + "/") for i in included):
        return True
    return any(part.startswith((".", "#", "~")) for part in relative.parts) and text not in included


def _place(src: Path, relative: Path, dest: Path, collections: dict[str, dict[str, Any]], report: Report) -> None:
    """Copy one file of the old site where the builder looks for it (or note why it is left out)."""
    parts = relative.parts
    special = next((p for p in parts[:-1] if p.startswith("_")), None)
    path = src / relative
    if special in ("_posts", "_drafts"):
        _copy(path, dest / "content" / relative, report, "content files")
    elif special is not None and special == parts[0] and special[1:] in collections:
        if collections[special[1:]].get("output"):
            _copy(path, dest / "content" / relative, report, "content files")
    elif special is not None:
        return   # _layouts, _includes, _sass, _plugins, _data and unknown _folders: listed in the report
    elif parts[0].startswith("_"):
        return   # _config.yml and the like
    elif path.suffix in _PAGE_SUFFIXES and starts_with_front_matter(str(path)):
        text = path.read_text(encoding="utf-8", errors="replace")
        if relative.as_posix() in ("index.html", "index.md", "index.markdown", "404.html", "404.md"):
            report.todo.append(f"{relative}: the theme's front page or error page; the builder makes its own")
        elif _LISTING.search(text):
            report.todo.append(f"{relative}: a listing made with Liquid (site.posts, paginator …); the builder's "
                               "listings replace it")
        else:
            _copy(path, dest / "content" / relative, report, "content files")
    elif starts_with_front_matter(str(path)):
        report.todo.append(f"{relative}: Jekyll runs this file through Liquid or Sass; not carried over")
    else:
        _copy(path, dest / "static" / relative, report, "static files")


def _copy(path: Path, target: Path, report: Report, what: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    report.copied[what] += 1


def _settings(config: dict[str, Any], tz: str, posts_pattern: str, report: Report) -> dict[str, Any]:
    url = str(config.get("url") or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        report.todo.append("no absolute 'url' in _config.yml; set 'base_url' in config.yaml")
        url = "https://example.org"
    base = url + "/" + str(config.get("baseurl") or "").strip("/")
    language = str(config.get("lang") or config.get("locale") or "en")
    settings: dict[str, Any] = {"title": report.title, "base_url": base.rstrip("/") + "/",
                                "language": language.replace("_", "-").split("-")[0].lower(),
                                "timezone": tz, "url_rules": "jekyll",
                                "permalinks": {"*": posts_pattern}, "markdown": {"html": True}}
    if "_" in language or "-" in language:
        parts = language.replace("-", "_").split("_")
        settings["locale"] = f"{parts[0].lower()}_{parts[1].upper()}"
    if isinstance(config.get("description"), str):
        settings["description"] = config["description"].strip()
    author = config.get("author")
    author = author.get("name") if isinstance(author, dict) else author
    if isinstance(author, str):
        settings["author"] = author
    if isinstance(config.get("paginate"), int):
        settings["paginate"] = config["paginate"]
    return settings


def _defaults_permalink(config: dict[str, Any], rel: str, kind: str) -> str | None:
    """A `permalink` from `defaults:` whose scope (path prefix, type) fits the file; the last one wins."""
    found = None
    for entry in config.get("defaults") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            continue
        scope = entry.get("scope") or {}
        path, kind_wanted = str(scope.get("path") or ""), scope.get("type")
        if (not path or rel == path or rel.startswith(path.rstrip("/") + "/")) and kind_wanted in (None, kind):
            found = entry["values"].get("permalink", found)
    return found


def old_pages(dest: Path, style: str, posts_pattern: str, collections: dict[str, dict[str, Any]],
              config: dict[str, Any], tz: ZoneInfo, now: datetime) -> list[OldPage]:
    """Where Jekyll published each copied page, post and document, and its `redirect_from` URLs."""
    pages: list[OldPage] = []
    content = dest / "content"
    style = JEKYLL_STYLES.get(style, style)
    for path in sorted(content.rglob("*")):
        if not path.is_file() or path.suffix not in _PAGE_SUFFIXES or not starts_with_front_matter(str(path)):
            continue
        rel = path.relative_to(content).as_posix()
        data = read_front_matter(path) or {}
        parts = PurePosixPath(rel).parts
        if data.get("published") is False or "_drafts" in parts:
            continue
        kind = "posts" if "_posts" in parts else (parts[0][1:] if parts[0].startswith("_") else "pages")
        basename = path.stem.rstrip(".")
        given = data.get("permalink") or _defaults_permalink(config, rel, kind)
        if kind == "posts":
            file_date, stem = date_from_filename(basename)
            try:
                date = parse_date(data["date"], tz) if "date" in data else None
            except ValueError:
                date = None
            date = date or (parse_date(file_date, tz) if file_date is not None else None)
            if date is None or (date > now and not config.get("future")):
                continue
            names = url_rules.Names(parts[:-1], basename, stem, "", str(data.get("slug") or ""),
                                    str(data.get("title") or ""), "", jekyll_categories("content/" + rel, data))
            pattern = str(given or posts_pattern)
            url = url_rules.expand("jekyll", JEKYLL_STYLES.get(pattern, pattern),
                                   url_rules.values("jekyll", names, date, tz))
        else:
            found = {"output_ext": ".html", "basename": basename, "collection": kind,
                     "path": "/".join(parts[1:-1] + (basename,)) if kind != "pages" else "/".join(parts[:-1]),
                     "title": url_rules.jekyll_slugify(str(data.get("slug") or basename), "pretty", cased=True),
                     "name": url_rules.jekyll_slugify(basename)}
            if given:
                template = str(given)
            elif kind != "pages":
                template = str(collections[kind].get("permalink") or "/:collection/:path" + _style_suffix(style))
            elif basename == "index":
                template = "/:path/"
            else:
                template = "/:path/:basename" + _style_suffix(style)
            url = url_rules.expand("jekyll", template, found)
        pages.append(OldPage("content/" + rel, url, _redirects(data)))
    return pages


def _redirects(data: dict[str, Any]) -> tuple[str, ...]:
    value = data.get("redirect_from")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple("/" + str(item).strip().lstrip("/") for item in items if str(item).strip())


def _not_carried(src: Path, config: dict[str, Any], dest: Path, report: Report) -> None:
    """What the builder does not take over, as a list to act on."""
    if config.get("theme") or config.get("remote_theme"):
        report.todo.append(f"theme '{config.get('theme') or config.get('remote_theme')}': its templates are not "
                           "carried over; the builder's default theme is used")
    for folder, what in THEME_FOLDERS.items():
        count = sum(1 for p in (src / folder).rglob("*") if p.is_file()) if (src / folder).is_dir() else 0
        if count:
            report.todo.append(f"{folder}/: {count} {what} (Liquid) not carried over; the builder's theme is Jinja")
    if (src / "_plugins").is_dir():
        report.todo.append("_plugins/: Ruby plugins do not run in the builder; port what they do")
    for plugin in [*(config.get("plugins") or []), *(config.get("gems") or [])]:
        covered = COVERED_PLUGINS.get(str(plugin))
        if covered is None:
            report.todo.append(f"plugin '{plugin}': not available in the builder")
    for name, settings in _collections(config).items():
        if name != "posts" and not settings.get("output"):
            report.todo.append(f"collection '{name}' has no pages of its own (output: false); its files are not "
                               "copied")
    for entry in config.get("defaults") or []:
        values = entry.get("values") if isinstance(entry, dict) else None
        extra = sorted(set(values) - {"layout", "permalink"}) if isinstance(values, dict) else []
        if extra:
            report.todo.append(f"defaults for {entry.get('scope') or 'every file'} set {', '.join(extra)}: front "
                               "matter defaults are not applied; add the keys to the files that need them")
    includes: dict[str, set[str]] = {}
    for path in sorted((dest / "content").rglob("*")):
        if path.is_file() and path.suffix in _PAGE_SUFFIXES:
            for name in _INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
                includes.setdefault(name, set()).add(path.relative_to(dest).as_posix())
    for name, files in sorted(includes.items()):
        report.todo.append(f"{{% include {name} %}} is used in {len(files)} file(s), e.g. {min(files)}: it is shown "
                           "as written")
