"""The pipeline kept warm in memory for the dev server: each build redoes only what changed inputs need.

It runs the same stages as `build.build()` with in-memory caches (content
by file status, bodies by digest, the link stage by its inputs, the compiled
theme) and keeps the last good site as bytes, so an incremental result always
equals a full build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..content.config import SiteConfig
from ..content.sources import is_ignored_name
from ..content.validate import LoadOptions
from ..errors import Diagnostic
from ..output.specs import LinkedSite, output_files
from ..util.garbage_collection import collection_paused
from .body_packs import BodyStore
from .linking import RelatedCache
from .loading import LoadCache
from .build import CACHE_DIR, BuildOptions, Caches, Prepared, prepare, render_spec, unique_diagnostics
from .search_stage import ShardStore


@dataclass(frozen=True)
class BuildOutcome:
    """One dev-server build: the whole site in memory and what changed."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    files: Mapping[str, bytes]              # the site of the last good build
    changed: frozenset[str]                 # output paths whose bytes differ from the previous good build
    sources_changed: tuple[str, ...]        # content files whose text changed since the last call
    url_of_source: Mapping[str, str]        # content file → site path of its page
    base_path: str
    summary: str
    language: str                           # the site's, for the preview's own words


class IncrementalBuilder:
    """The pipeline kept warm in memory: each build() redoes only what changed inputs need."""

    def __init__(self, source: Path, *, drafts: bool = False, base_url: str | None = None,
                 jobs: int = 0, future: bool = False, expired: bool = False) -> None:
        # Plain asset names: a changed stylesheet is swapped into open tabs under the same name.
        self.options = BuildOptions(source=source, drafts=drafts, base_url=base_url, jobs=jobs, cache=False,
                                    future=future, expired=expired, fingerprint_assets=False)
        self.store = BodyStore(None)
        self.search = ShardStore(None)   # indexed search shards, kept like the bodies
        self.caches = Caches(self.store, self._load_cache, RelatedCache(None), search=self.search)
        self.load_cache: LoadCache | None = None
        self.files: dict[str, bytes] = {}
        self.fingerprints: dict[str, str] = {}
        self.digests: dict[str, str] = {}
        self.url_of_source: dict[str, str] = {}
        self.base_path = "/"
        self.language = "en"

    def _load_cache(self, config: SiteConfig) -> LoadCache:
        """The same in-memory load cache while the settings that loading depends on stay the same."""
        fresh = LoadCache(None, LoadOptions.from_config(config), config.markdown.max_file_size)
        if self.load_cache is None or self.load_cache.key != fresh.key:
            self.load_cache = fresh
        return self.load_cache

    def ignored(self, path: Path) -> bool:
        """Paths that never affect the build: output, caches, VCS, hidden and editor files."""
        try:
            rel = path.resolve().relative_to(self.options.source.resolve())
        except ValueError:
            return True
        parts = rel.parts
        if not parts:
            return False
        return (parts[0] in ("site", CACHE_DIR, ".git", "__pycache__", ".venv", "tests", "benchmarks")
                or any(is_ignored_name(part) for part in parts))

    def build(self) -> BuildOutcome:
        """Rebuild from the site folder; never raises for content or template errors."""
        started = time.perf_counter()
        with collection_paused():
            prepared = prepare(self.options, self.caches, keep_html=True)
        try:
            return self._render(prepared, started)
        finally:
            if prepared.search is not None:   # a build that stopped early: its shards under way finish
                prepared.search.cancel()

    def _render(self, prepared: Prepared, started: float) -> BuildOutcome:
        """Render what changed (while Pagefind indexes the shards that changed) and keep the site."""
        changed_sources = tuple(sorted(
            path for path in set(prepared.digests) | set(self.digests)
            if prepared.digests.get(path) != self.digests.get(path)))
        if prepared.digests:
            self.digests = dict(prepared.digests)
        site = prepared.site
        if site is not None:
            self.language = site.config.language
        if site is None:
            return self._outcome(False, prepared.problems.items, frozenset(), changed_sources, started, site)
        files: dict[str, bytes] = {}
        fingerprints: dict[str, str] = {}
        problems = list(prepared.problems.items)
        for index, spec in enumerate(prepared.specs):
            paths = output_files(spec)
            if self.fingerprints.get(spec.path) == spec.fingerprint and all(p in self.files for p in paths):
                files.update((path, self.files[path]) for path in paths)
            else:
                made, problem = render_spec(prepared.specs, index)
                if problem is not None:
                    problems.append(problem)
                    continue
                files.update(made)
            fingerprints[spec.path] = spec.fingerprint
        if prepared.search is not None and not any(p.severity == "error" for p in problems):
            found = prepared.search.result(prepared.problems)
            files.update(found.contents() if found else ())
            problems = unique_diagnostics([*problems, *prepared.problems.items])
        if any(p.severity == "error" for p in problems):
            return self._outcome(False, problems, frozenset(), changed_sources, started, site)
        changed = frozenset(path for path in set(files) | set(self.files)
                            if files.get(path) != self.files.get(path))
        self.files, self.fingerprints = files, fingerprints
        self.store.save(site.body_keys())
        self.url_of_source = {a.source: a.url for a in site.articles}
        self.url_of_source.update({t.source: f"/{site.config.paths.glossary}/{t.slug}/" for t in site.terms})
        self.url_of_source.update({p.source: p.url for p in site.pages})
        self.url_of_source.update({a.source: a.url for a in site.authors.authors})
        self.base_path = site.config.base_path
        return self._outcome(True, problems, changed, changed_sources, started, site)

    def _outcome(self, ok: bool, diagnostics: list[Diagnostic], changed: frozenset[str],
                 sources_changed: tuple[str, ...], started: float, site: LinkedSite | None) -> BuildOutcome:
        seconds = time.perf_counter() - started
        if ok and site is not None:
            summary = (f"Built {sum(1 for p in self.files if p.endswith('.html'))} pages: {len(site.articles)} "
                       f"articles, {len(site.terms)} terms, {len(site.links.tags)} tags in {seconds:.2f} s")
        else:
            summary = f"Build failed with {sum(1 for d in diagnostics if d.severity == 'error')} error(s)"
        return BuildOutcome(ok, tuple(unique_diagnostics(diagnostics)), self.files, changed, sources_changed,
                            dict(self.url_of_source), self.base_path, summary, self.language)
