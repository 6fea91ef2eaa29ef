"""`python -m builder import hugo SRC DEST`: a Hugo site's content, static files, data and settings.

Reads `hugo.toml|yaml|json` (or `config.*`) and `config/_default/`, copies the
content folder (of the default language), `static/` and `data/`, writes
config.yaml with `url_rules: hugo`, the old `permalinks` and Hugo's date
sources, and computes where Hugo published every page, for the URL check.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ...content import url_rules
from ...content.dates import parse_date
from ...content.foreign_keys import date_from_filename
from ...content.media import bundle_resources
from ...content.sources import HTML_SUFFIXES, MARKDOWN_SUFFIXES, SECTION_INDEX, starts_with_front_matter
from .common import OldPage, Report, check_urls, copy_tree, lower_keys, read_front_matter, yaml_text

CONFIG_FILES = tuple(f"{name}.{ext}" for name in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
BUILT_IN_SHORTCODES = frozenset({"figure", "youtube", "vimeo", "gist", "highlight", "ref", "relref", "param",
                                 "details", "x", "twitter", "tweet", "instagram", "embed"})
OTHER_MARKUP = (".org", ".adoc", ".asciidoc", ".ad", ".rst", ".pandoc", ".pdc")
_SHORTCODE = re.compile(r"\{\{[<%]\s*/?\s*([A-Za-z][\w./-]*)")
_DATE_SOURCES = {"date": "date", "publishdate": "date", "pubdate": "date", "published": "date",
                 "lastmod": "updated", "modified": "updated", ":filename": ":filename", ":git": ":git",
                 ":filemodtime": ":filemodtime"}
_DEFAULT_DATE_KEYS = ("date", "publishdate", "pubdate", "published", "lastmod", "modified")


def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".toml":
        data = tomllib.loads(text)
    elif path.suffix == ".json":
        data = json.loads(text)
    else:
        data = yaml.safe_load(text) or {}
    return lower_keys(data) if isinstance(data, dict) else {}


def _merge(base: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in more.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


def read_config(src: Path) -> tuple[dict[str, Any], list[str]]:
    """The site's configuration with keys in lower case (Hugo reads them in any case): the first of
    hugo.* / config.* at the top, then every file of config/_default/ (`menus.en.toml` is the
    menus of the language en)."""
    read: list[str] = []
    config: dict[str, Any] = {}
    top = next((src / name for name in CONFIG_FILES if (src / name).is_file()), None)
    if top is not None:
        config, read = _load(top), [top.name]
    folder = src / "config" / "_default"
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.suffix not in (".toml", ".yaml", ".yml", ".json") or not path.is_file():
            continue
        parts = path.stem.lower().split(".")
        data = _load(path)
        if parts[0] in ("hugo", "config"):
            config = _merge(config, data)
        elif len(parts) > 1:   # menus.en.toml
            config = _merge(config, {"languages": {parts[1]: {parts[0]: data}}})
        else:
            config = _merge(config, {parts[0]: data})
        read.append(path.relative_to(src).as_posix())
    return config, read


def _language(config: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The default language's code and its own settings (`languages.<code>`)."""
    languages = config.get("languages") if isinstance(config.get("languages"), dict) else {}
    code = str(config.get("defaultcontentlanguage") or "")
    if not code and languages:
        code = min(languages, key=lambda k: (languages[k].get("weight", 0) if isinstance(languages[k], dict) else 0, k))
    own = languages.get(code, {}) if isinstance(languages.get(code, {}), dict) else {}
    return code or "en", own


def _setting(config: dict[str, Any], own: dict[str, Any], key: str, default: Any = None) -> Any:
    return own.get(key, config.get(key, default))


def import_hugo(src: Path, dest: Path, now: datetime | None = None) -> Report:
    """Copy a Hugo site into `dest` as a builder site and check that every old URL still works."""
    config, read = read_config(src)
    code, own = _language(config)
    report = Report("Hugo", str(_setting(config, own, "title", "") or src.name))
    if not read:
        report.todo.append(f"no Hugo configuration found in {src} ({', '.join(CONFIG_FILES[:4])} …): defaults used")
    content_dir = src / str(own.get("contentdir") or config.get("contentdir") or "content")
    report.copied["content files"] = copy_tree(content_dir, dest / "content",
                                               lambda p: p.name != "_content.gotmpl" and p.suffix not in OTHER_MARKUP)
    for adapter in sorted(content_dir.rglob("_content.gotmpl")):
        report.todo.append(f"{adapter.relative_to(src)}: a content adapter makes pages from data; not carried over")
    for other in sorted(p for p in content_dir.rglob("*") if p.suffix in OTHER_MARKUP):
        report.todo.append(f"{other.relative_to(src)}: {other.suffix} content is not read by the builder; convert "
                           "it to Markdown")
    statics = config.get("staticdir", "static")
    for folder in statics if isinstance(statics, list) else [statics]:
        report.copied["static files"] = report.copied.get("static files", 0) + copy_tree(src / str(folder),
                                                                                        dest / "static")
    report.copied["data files"] = copy_tree(src / str(config.get("datadir", "data")), dest / "data")
    tz = _time_zone(config, report)
    sections = _sections(dest)
    settings = _settings(config, own, code, tz, sections, report)
    (dest / "config.yaml").write_text("# Imported from Hugo (" + ", ".join(read or ["defaults"]) + ")\n"
                                      + yaml_text(settings), encoding="utf-8")
    permalinks = settings.get("permalinks", {})
    pages = old_pages(dest, permalinks, settings["dates"]["date"], ZoneInfo(tz), config,
                      now or datetime.now(timezone.utc))
    check_urls(dest, pages, [f"/{url_rules.hugo_path(s)}/" for s in sections], report)
    _not_carried(src, config, dest, report)
    return report


def _time_zone(config: dict[str, Any], report: Report) -> str:
    name = str(config.get("timezone") or "UTC")   # Hugo's default is UTC
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        report.todo.append(f"timeZone '{name}' is no IANA time zone; UTC is used")
        return "UTC"
    return name


def _sections(dest: Path) -> dict[str, dict[str, Any]]:
    """Hugo's sections: the top folders of content/ with pages, titled by their _index.md."""
    found: dict[str, dict[str, Any]] = {}
    content = dest / "content"
    for folder in sorted(p for p in content.iterdir() if p.is_dir()) if content.is_dir() else ():
        if not any(p.suffix in (*MARKDOWN_SUFFIXES, *HTML_SUFFIXES) for p in folder.rglob("*")):
            continue
        index = next((folder / name for name in SECTION_INDEX if (folder / name).is_file()), None)
        data = lower_keys(read_front_matter(index) or {}) if index else {}
        found[folder.name] = {"title": str(data.get("title") or folder.name[:1].upper() + folder.name[1:])}
    return found


def _settings(config: dict[str, Any], own: dict[str, Any], code: str, tz: str,
              sections: dict[str, dict[str, Any]], report: Report) -> dict[str, Any]:
    """config.yaml's settings from Hugo's."""
    base = str(config.get("baseurl") or "")
    if not base.startswith(("http://", "https://")):
        report.todo.append(f"baseURL '{base}' is not an absolute URL; set 'base_url' in config.yaml")
        base = "https://example.org/"
    language = str(_setting(config, own, "languagecode", "") or _setting(config, own, "locale", "") or code)
    params = config.get("params") if isinstance(config.get("params"), dict) else {}
    settings: dict[str, Any] = {"title": report.title, "base_url": base, "language": language.split("-")[0].lower(),
                                "locale": _locale(language), "timezone": tz, "url_rules": "hugo"}
    if isinstance(params.get("description"), str):
        settings["description"] = params["description"].strip()
    if isinstance(params.get("author"), str):
        settings["author"] = params["author"]
    pager = config.get("pagination", {}).get("pagersize") if isinstance(config.get("pagination"), dict) else None
    if isinstance(pager or config.get("paginate"), int):
        settings["paginate"] = pager or config["paginate"]
    settings["dates"] = _dates(config)
    permalinks = _permalinks(config.get("permalinks"), report)
    if permalinks:
        settings["permalinks"] = permalinks
    if sections:
        settings["sections"] = [{"slug": url_rules.hugo_path(name), **values} for name, values in sections.items()]
    menus = _menus(own.get("menus") or own.get("menu") or config.get("menus") or config.get("menu"), report)
    if menus:
        settings["menus"] = menus
    goldmark = config.get("markup", {}).get("goldmark", {}) if isinstance(config.get("markup"), dict) else {}
    if isinstance(goldmark, dict) and goldmark.get("renderer", {}).get("unsafe") is True:
        settings["markdown"] = {"html": True}
    taxonomies = config.get("taxonomies")
    if isinstance(taxonomies, dict):
        for singular, plural in taxonomies.items():
            if plural not in ("tags", "categories"):
                report.todo.append(f"taxonomy '{plural}': its values stay in front matter (templates see them as "
                                   "article.extra), but it gets no pages of its own")
    if config.get("disablepathtolower"):
        report.todo.append("disablePathToLower: Hugo kept upper case in URLs, the builder lower-cases them "
                           "(old URLs with capitals redirect)")
    if config.get("uglyurls"):
        report.todo.append("uglyURLs: Hugo wrote pages as x.html, the builder writes x/ and redirects x.html")
    return settings


def _locale(language: str) -> str:
    parts = language.replace("_", "-").split("-")
    return f"{parts[0].lower()}_{parts[1].upper()}" if len(parts) > 1 else {"en": "en_US", "de": "de_DE"}.get(
        parts[0].lower(), parts[0].lower())


def _dates(config: dict[str, Any]) -> dict[str, list[str]]:
    """Hugo's `[frontmatter]` date and lastmod lists in our spelling; `:git` only with enableGitInfo."""
    frontmatter = config.get("frontmatter") if isinstance(config.get("frontmatter"), dict) else {}
    found: dict[str, list[str]] = {}
    for hugo_key, ours, default in (("date", "date", [":default"]), ("lastmod", "updated", [":git", "lastmod"])):
        names = frontmatter.get(hugo_key, default)
        names = names if isinstance(names, list) else [names]
        sources: list[str] = []
        for name in (str(n).lower() for n in names):
            for key in (_DEFAULT_DATE_KEYS if name == ":default" else (name,)):
                source = _DATE_SOURCES.get(key)
                if source and source not in sources and (source != ":git" or config.get("enablegitinfo")):
                    sources.append(source)
        found[ours] = sources or [ours]
    return found


def _permalinks(value: Any, report: Report) -> dict[str, str]:
    """Hugo's `permalinks` (by section, or `[permalinks.page]` by kind) as ours, by section."""
    found: dict[str, str] = {}
    for key, pattern in (value or {}).items() if isinstance(value, dict) else ():
        if isinstance(pattern, str):
            found[key.strip(" /") or "/"] = pattern
        elif isinstance(pattern, dict) and key == "page":
            found.update({k.strip(" /") or "/": v for k, v in pattern.items() if isinstance(v, str)})
        elif isinstance(pattern, dict):
            report.todo.append(f"permalinks for {key} pages ({', '.join(pattern)}) are not carried over: "
                               "listings keep their /<section>/ URLs")
    return found


def _menus(value: Any, report: Report) -> dict[str, list[dict[str, str]]]:
    """Hugo's menus (`[[menu.main]]`) as ours: items with a URL or page, by weight; nested items are left out."""
    menus: dict[str, list[dict[str, str]]] = {}
    for name, items in (value or {}).items() if isinstance(value, dict) else ():
        kept: list[dict[str, str]] = []
        for item in sorted((i for i in items if isinstance(i, dict)) if isinstance(items, list) else (),
                           key=lambda i: (i.get("weight", 0) if isinstance(i.get("weight", 0), int) else 0,
                                          str(i.get("name", "")))):
            target = str(item.get("url") or item.get("pageref") or "")
            title = str(item.get("name") or "")
            if item.get("parent") or not target or not title:
                report.todo.append(f"menu '{name}': the item '{title or target or item.get('identifier', '?')}' "
                                   "(a sub-menu entry or one without name and target) is not carried over")
                continue
            if not target.startswith(("/", "http://", "https://", "mailto:")):
                target = "/" + target
            if target.startswith("/") and not target.endswith("/") and "." not in target.rsplit("/", 1)[-1]:
                target += "/"
            kept.append({"url": target, "title": title})
        if kept:
            menus[str(name)] = kept
    return menus


def _published(data: dict[str, Any], date: datetime | None, tz: ZoneInfo, now: datetime,
               config: dict[str, Any]) -> bool:
    """Whether Hugo published a page: not a draft, not headless, not scheduled, not expired."""
    build = data.get("_build") or data.get("build") or {}
    if data.get("draft") is True or data.get("headless") is True or (
            isinstance(build, dict) and build.get("render") in ("never", False)):
        return False
    expiry = data.get("expirydate") or data.get("unpublishdate")
    try:
        if expiry and parse_date(expiry, tz) <= now and not config.get("buildexpired"):
            return False
    except ValueError:
        pass
    return not (date is not None and date > now and not config.get("buildfuture"))


def old_pages(dest: Path, permalinks: dict[str, str], date_sources: list[str], tz: ZoneInfo,
              config: dict[str, Any], now: datetime) -> list[OldPage]:
    """Where Hugo published each content file (computed with Hugo's rules), and its aliases."""
    pages: list[OldPage] = []
    content = dest / "content"
    files = [path for path in sorted(content.rglob("*")) if path.is_file() and (path.suffix in MARKDOWN_SUFFIXES or (
        path.suffix in HTML_SUFFIXES and starts_with_front_matter(str(path))))]
    resources = bundle_resources(path.relative_to(dest).as_posix() for path in files)
    for path in files:
        rel = path.relative_to(dest).as_posix()
        if rel in resources:   # Markdown inside a leaf bundle is a page resource, not a page
            continue
        data = lower_keys(read_front_matter(path) or {})
        parts = path.relative_to(content).parent.parts
        if path.name in SECTION_INDEX:
            if parts and data.get("draft") is not True:
                pages.append(OldPage(rel, "/" + "/".join(url_rules.hugo_path(p) for p in parts) + "/",
                                     _aliases(data)))
            continue
        bundle = path.stem == "index"
        name = parts[-1] if bundle else path.stem
        folders = parts[:-1] if bundle else parts
        file_date, stem = date_from_filename(name) if ":filename" in date_sources else (None, name)
        date = _date(data, date_sources, file_date, tz)
        if not _published(data, date, tz, now, config):
            continue
        slug = str(data.get("slug") or "")
        if ":filename" in date_sources and file_date is not None and not slug:
            slug = stem   # Hugo's :filename also gives the slug
        names = url_rules.Names(folders, name, name, "", slug, str(data.get("title") or ""))
        found = url_rules.values("hugo", names, date or datetime(1, 1, 1, tzinfo=timezone.utc), tz)
        pattern = next((permalinks[k] for k in (folders[0] if folders else "/",) if k in permalinks), None)
        if isinstance(data.get("url"), str) and data["url"].strip():
            url = url_rules.expand("builder", data["url"].strip(), found)
            url = "/" + url.lstrip("/")
            url = url if url.endswith("/") or "." in url.rsplit("/", 1)[-1] else url + "/"
        elif pattern is not None:
            url = url_rules.expand("hugo", pattern, found)
        elif config.get("disablepathtolower"):   # Hugo kept the case of folder and file names
            url = "/" + "".join(url_rules.hugo_sanitize(p.replace(" ", "-"), lower=False) + "/"
                                for p in (*folders, slug or name))
        else:
            url = url_rules.default_path("hugo", names)
        if _ugly(config, folders) and url.endswith("/") and url != "/" and not data.get("url"):
            url = url[:-1] + ".html"   # uglyURLs: Hugo wrote /news/x.html
        pages.append(OldPage(rel, url, _aliases(data)))
    return pages


def _ugly(config: dict[str, Any], folders: tuple[str, ...]) -> bool:
    """Whether Hugo wrote a section's pages as x.html (`uglyURLs`, true or by section)."""
    value = config.get("uglyurls")
    if isinstance(value, dict):
        return bool(value.get(folders[0].lower() if folders else "", False))
    return value is True


def _date(data: dict[str, Any], sources: list[str], file_date: Any, tz: ZoneInfo) -> datetime | None:
    for source in sources:
        keys = ("date", "publishdate", "pubdate", "published") if source == "date" else (
            ("lastmod", "modified") if source == "updated" else ())
        for key in keys:
            if key in data:
                try:
                    return parse_date(data[key], tz)
                except ValueError:
                    continue
        if source == ":filename" and file_date is not None:
            return parse_date(file_date, tz)
    return None


def _aliases(data: dict[str, Any]) -> tuple[str, ...]:
    value = data.get("aliases")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple("/" + str(item).strip().lstrip("/") for item in items if str(item).strip())


def _not_carried(src: Path, config: dict[str, Any], dest: Path, report: Report) -> None:
    """What the builder does not take over, as a list to act on."""
    themes = config.get("theme")
    for theme in (themes if isinstance(themes, list) else [themes] if themes else []):
        report.todo.append(f"theme '{theme}': its templates are not carried over; the builder's default theme "
                           "is used (put your own templates in layouts/ as Jinja templates)")
    imports = config.get("module", {}).get("imports") if isinstance(config.get("module"), dict) else None
    for module in imports if isinstance(imports, list) else []:
        if isinstance(module, dict) and module.get("path"):
            report.todo.append(f"Hugo module '{module['path']}': not carried over")
    layouts = sorted(p for p in (src / "layouts").rglob("*") if p.is_file()) if (src / "layouts").is_dir() else []
    templates = [p for p in layouts if "shortcodes" not in p.relative_to(src / "layouts").parts]
    if templates:
        report.todo.append(f"layouts/: {len(templates)} Hugo template(s) not carried over (Go templates; the "
                           "builder's theme is Jinja)")
    for folder, what in (("assets", "Hugo Pipes assets (SCSS, JavaScript)"), ("i18n", "translation files"),
                         ("archetypes", "archetypes (use `python -m builder new`)")):
        if (src / folder).is_dir():
            report.todo.append(f"{folder}/: {what} not carried over")
    used: dict[str, set[str]] = {}
    for path in sorted((dest / "content").rglob("*")):
        if path.suffix in (*MARKDOWN_SUFFIXES, *HTML_SUFFIXES) and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for name in _SHORTCODE.findall(text):
                if name not in BUILT_IN_SHORTCODES:
                    used.setdefault(name, set()).add(path.relative_to(dest).as_posix())
    for name, files in sorted(used.items()):
        own = next((p.relative_to(src).as_posix() for p in [src / "layouts" / "shortcodes" / f"{name}.html",
                                                            *sorted(src.glob(f"themes/*/layouts/shortcodes/{name}.html"))]
                    if p.is_file()), None)
        where = f" ({own})" if own else ""
        report.todo.append(f"shortcode '{name}'{where} is used in {len(files)} file(s), e.g. {min(files)}: write it "
                           f"as a Jinja template in layouts/shortcodes/{name}.html")
    params = config.get("params")
    if isinstance(params, dict) and set(params) - {"description", "author"}:
        report.todo.append(f"site params ({', '.join(sorted(set(params) - {'description', 'author'}))}) are "
                           "not carried over")
