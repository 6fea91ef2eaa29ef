"""Check a built site: links, anchors, HTML5, titles, ids, feed, sitemap, orphans.

Each HTML file is read once and scanned (`builder.commands.page_scan`); everything after
the per-page scan is done on plain data, without touching the files again.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import Diagnostic
from .page_scan import Link, PageScan, scan_page

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SHARD_LIST = "pagefind/shards.js"   # the search index's shards, as the search page loads them

# Only these lead a visitor on to another page (for the orphan check).
_NAVIGATION_TAGS = frozenset({"a", "area"})
# Below this many pages a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 200
_ORIGIN = "http://site.invalid"


@dataclass
class CheckReport:
    """The outcome of `check_site`."""

    problems: list[Diagnostic] = field(default_factory=list)
    external_links: list[tuple[str, str]] = field(default_factory=list)  # (url, page), sorted

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings are allowed)."""
        return not any(p.severity == "error" for p in self.problems)


def _scan_file(args: tuple[str, str]) -> PageScan:
    path, full = args
    return scan_page(path, Path(full).read_bytes())


def _normalize_base(base_path: str) -> str:
    base = "/" + base_path.strip("/")
    return base if base == "/" else base + "/"


class _Reporter:
    """Builds diagnostics located at the page, or at its content file when known."""

    def __init__(self, site_dir: Path, sources: Mapping[str, str] | None) -> None:
        self.site_dir = site_dir
        self.sources = sources or {}
        self.problems: list[Diagnostic] = []

    def error(self, page: str, line: int | None, message: str, col: int | None = None) -> None:
        source = self.sources.get(page)
        if source is None:
            self.problems.append(Diagnostic((self.site_dir / page).as_posix(), line, message, col=col))
            return
        # A line of the output page is no line of the Markdown source: name it in the message.
        where = page
        if line is not None:
            where += f":{line}" + (f":{col}" if col is not None else "")
        self.problems.append(Diagnostic(source, None, f"{message} (in {where})"))


@dataclass(frozen=True)
class _Target:
    """Where an internal URL leads: a site file (or None if missing) and its fragment."""

    file: str | None
    fragment: str
    wanted: str            # the site-relative path that was looked for


class _Resolver:
    """Maps URLs found on pages to files of the built site."""

    def __init__(self, files: frozenset[str], base_path: str, origin: str | None) -> None:
        self.files = files
        self.base = base_path
        self.origin = origin   # "https://example.org" when the site's base_url is known

    def is_own(self, url: str) -> bool:
        """Whether an absolute URL points to this site's host (a canonical link, say)."""
        return self.origin is not None and _origin(url) == self.origin

    def page_url(self, page: str) -> str:
        # urljoin needs an origin to apply RFC 3986 dot-segment removal
        return _ORIGIN + self.base + page

    def site_path(self, absolute_path: str) -> str | None:
        """The site-relative path of a URL path, None when outside the base path."""
        if absolute_path + "/" == self.base:
            return ""
        if not absolute_path.startswith(self.base):
            return None
        return absolute_path[len(self.base):]

    def lookup(self, rel: str, fragment: str) -> _Target:
        """Find the file for a site-relative path: exact, or `x/` → `x/index.html`."""
        if rel == "" or rel.endswith("/"):
            wanted = rel + "index.html"
            return _Target(wanted if wanted in self.files else None, fragment, wanted)
        if rel in self.files:
            return _Target(rel, fragment, rel)
        if rel + "/index.html" in self.files:   # servers redirect /x to /x/
            return _Target(rel + "/index.html", fragment, rel)
        return _Target(None, fragment, rel)


def _classify(url: str) -> str:
    """"external", "ignored" or "internal"."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") or (not parts.scheme and url.startswith("//")):
        return "external"
    if parts.scheme:
        return "ignored"   # mailto:, tel:, data:, javascript: …
    return "internal"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def check_site(site_dir: Path, *, base_path: str = "/", sources: Mapping[str, str] | None = None,
               home: str = "index.html", base_url: str | None = None) -> CheckReport:
    """Check every page, the feeds and the sitemap of the built site in `site_dir`.

    With `base_url`, absolute links to the site's own host (canonical, og:url)
    are checked like internal links instead of being listed as external.
    """
    site_dir = Path(site_dir)
    base = _normalize_base(base_path)
    files = frozenset(_site_files(site_dir))
    pages = sorted(f for f in files if f.endswith((".html", ".htm")))
    scans = {scan.path: scan for scan in _scan_all(site_dir, pages)}
    report = _Reporter(site_dir, sources)
    resolver = _Resolver(files, base, _origin(base_url) if base_url else None)
    external: set[tuple[str, str]] = set()
    edges: dict[str, set[str]] = {page: set() for page in pages}

    for page in pages:
        scan = scans[page]
        _check_page_basics(scan, report)
        for link in scan.links:
            kind = _classify(link.url)
            if kind == "external" and not resolver.is_own(link.url):
                external.add((link.url, page))
                continue
            if kind == "ignored":
                continue
            target = _check_link(page, link, scan, scans, resolver, report)
            if target is not None and link.tag in _NAVIGATION_TAGS | {"meta"}:
                edges[page].add(target)

    for feed in sorted(f for f in files if f == "feed.xml" or f.endswith("/feed.xml")):
        _check_xml_listing(site_dir, feed, "feed", resolver, report)
    if "sitemap.xml" in files:
        _check_xml_listing(site_dir, "sitemap.xml", "sitemap", resolver, report)

    _check_orphans(pages, scans, edges, home, report)
    _check_search_index(site_dir, files, scans, resolver, report)
    return CheckReport(problems=report.problems, external_links=sorted(external))


def _check_search_index(site_dir: Path, files: frozenset[str], scans: Mapping[str, PageScan],
                        resolver: _Resolver, report: _Reporter) -> None:
    """A search page's index: every shard that pagefind/shards.js names must have its entry and
    metadata, and the primary shard (named first) Pagefind's runtime; pages link only the list."""
    for page, scan in scans.items():
        lists = [link for link in scan.links if link.tag == "script" and link.url.endswith(SHARD_LIST)]
        for link in lists:
            rel = resolver.site_path(unquote(urlsplit(urljoin(resolver.page_url(page), link.url)).path))
            if rel is None or rel not in files:
                continue   # reported as a broken link
            folder = rel.rpartition("/")[0] + "/"
            for missing in _missing_search_files(site_dir, folder, rel, files):
                report.error(page, link.line, f"search index incomplete: {missing}", link.col)


def _missing_search_files(site_dir: Path, folder: str, listing: str, files: frozenset[str]) -> list[str]:
    text = (site_dir / listing).read_text(encoding="utf-8", errors="replace")
    try:
        shards = json.loads(text[text.index("["):text.rindex("]") + 1])
    except ValueError:
        return [f"{listing} lists no shards"]
    if not isinstance(shards, list) or not shards or not all(isinstance(s, str) for s in shards):
        return [f"{listing} lists no shards"]
    missing = []
    for position, shard in enumerate(shards):
        entry = f"{folder}{shard}pagefind-entry.json"
        if entry not in files:
            missing.append(f"{entry} does not exist")
            continue
        try:
            languages = json.loads((site_dir / entry).read_text(encoding="utf-8"))["languages"]
        except (ValueError, KeyError, TypeError):
            missing.append(f"{entry} is not Pagefind's entry file")
            continue
        wanted = [f"{folder}{shard}pagefind.{index['hash']}.pf_meta" for index in languages.values()]
        if position == 0:   # the primary shard: the others are merged into it
            wanted += [f"{folder}{shard}{name}" for name in ("pagefind.js", "pagefind-worker.js")]
            wanted += [f"{folder}{shard}wasm.{index.get('wasm') or 'unknown'}.pagefind" for index in languages.values()]
        if not any(f.startswith(f"{folder}{shard}fragment/") for f in files):
            wanted.append(f"{folder}{shard}fragment/")
        missing += [f"{path} does not exist" for path in wanted if path not in files and not path.endswith("/")]
        missing += [f"{path} is empty" for path in wanted if path.endswith("/")]
    return missing


def _site_files(site_dir: Path) -> Iterable[str]:
    for root, _dirs, names in os.walk(site_dir):
        rel_root = Path(root).relative_to(site_dir)
        for name in names:
            yield (rel_root / name).as_posix()


def _scan_all(site_dir: Path, pages: list[str]) -> list[PageScan]:
    jobs = [(page, str(site_dir / page)) for page in pages]
    workers = min(_cpu_count(), 8)
    if len(jobs) < _PARALLEL_THRESHOLD or workers < 2:
        return [_scan_file(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_scan_file, jobs, chunksize=32))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


def _check_page_basics(scan: PageScan, report: _Reporter) -> None:
    page = scan.path
    if scan.decode_error is not None:
        report.error(page, None, scan.decode_error)
        return
    for line, col, message in scan.parse_errors:
        report.error(page, line, f"malformed HTML: {message}", col)
    if not scan.has_html_tag or not (scan.lang or "").strip():
        report.error(page, None, "<html> has no lang attribute")
    if not (scan.title or "").strip():
        report.error(page, None, "missing or empty <title>")
    for anchor, line, col, first in scan.duplicate_ids:
        report.error(page, line, f'duplicate id "{anchor}" (first used on line {first})', col)


def _check_link(page: str, link: Link, scan: PageScan, scans: Mapping[str, PageScan],
                resolver: _Resolver, report: _Reporter) -> str | None:
    """Report a broken internal link or anchor; return the page it leads to, if any."""
    url = link.url
    if resolver.is_own(url):
        parts = urlsplit(url)
        url = parts._replace(scheme="", netloc="").geturl() or "/"
    if url.startswith("#"):
        fragment = unquote(url[1:])
        if fragment and fragment not in scan.ids and fragment != "top":
            report.error(page, link.line, f'broken anchor "{url}": no id "{fragment}" on this page', link.col)
        return None
    joined = urlsplit(urljoin(resolver.page_url(page), url))
    rel = resolver.site_path(unquote(joined.path))
    if rel is None:
        if url.startswith("/"):
            return None    # another application on the same host
        report.error(page, link.line, f'broken link "{link.url}": leads outside the base path {resolver.base}',
                     link.col)
        return None
    target = resolver.lookup(rel, unquote(joined.fragment))
    if target.file is None:
        report.error(page, link.line, f'broken link "{link.url}": {target.wanted} does not exist', link.col)
        return None
    target_scan = scans.get(target.file)
    if target.fragment and target_scan is not None and target.fragment not in target_scan.ids:
        report.error(page, link.line,
                     f'broken anchor "{link.url}": no id "{target.fragment}" in {target.file}', link.col)
    return target.file if target_scan is not None else None


def _check_xml_listing(site_dir: Path, name: str, kind: str, resolver: _Resolver,
                       report: _Reporter) -> None:
    """Parse a feed or sitemap, check its root element and that it lists existing pages."""
    data = (site_dir / name).read_bytes()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        report.error(name, line, f"not well-formed XML: {_strip_position(str(exc))}", col + 1)
        return
    if kind == "feed":
        expected = [f"{{{ATOM_NS}}}feed"]
        urls = [link.get("href", "") for link in root.iter(f"{{{ATOM_NS}}}link")]
    else:
        expected = [f"{{{SITEMAP_NS}}}urlset", f"{{{SITEMAP_NS}}}sitemapindex"]
        urls = [(loc.text or "").strip() for loc in root.iter(f"{{{SITEMAP_NS}}}loc")]
    if root.tag not in expected:
        report.error(name, None, f"root element is <{_clark(root.tag)}>, expected <{_clark(expected[0])}>")
        return
    text = data.decode("utf-8", errors="replace")
    for url in urls:
        line = _line_of(text, url)
        parts = urlsplit(url)
        if not url or parts.scheme not in ("http", "https"):
            report.error(name, line, f'{kind} URL "{url}" is not absolute')
            continue
        if resolver.origin is not None and not resolver.is_own(url):
            report.error(name, line, f'{kind} URL "{url}" is not on this site ({resolver.origin})')
            continue
        rel = resolver.site_path(unquote(parts.path))
        if rel is None:
            report.error(name, line, f'{kind} URL "{url}" is outside the base path {resolver.base}')
            continue
        target = resolver.lookup(rel, "")
        if target.file is None:
            report.error(name, line, f'{kind} lists a missing page: {url} ({target.wanted} does not exist)')


def _strip_position(message: str) -> str:
    return re.sub(r": line \d+, column \d+$", "", message)


def _clark(tag: str) -> str:
    """`{ns}local` → `local xmlns="ns"`, readable in a message."""
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return f'{local} xmlns="{ns}"'
    return tag


def _line_of(text: str, url: str) -> int | None:
    """The line of the first attribute value or element text that is exactly `url`."""
    match = re.search(r"""(?<=["'>])\s*""" + re.escape(url) + r"""\s*(?=["'<])""", text) if url else None
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _check_orphans(pages: list[str], scans: Mapping[str, PageScan], edges: Mapping[str, set[str]],
                   home: str, report: _Reporter) -> None:
    """Every page but 404.html and redirects must be reachable from the home page."""
    if home not in scans:
        report.error(home, None, "home page does not exist")
        return
    seen = {home}
    todo = [home]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    for page in pages:
        if page in seen or page == "404.html" or scans[page].redirect:
            continue
        report.error(page, None, f"orphan page: no link leads here from the home page ({home})")
