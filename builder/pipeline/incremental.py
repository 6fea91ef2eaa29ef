"""The pipeline kept warm in memory for the dev server: each build redoes only what changed inputs need.

It runs the same stages as `build.build()` with in-memory caches (content
by file status, bodies by digest, the link stage by its inputs, the compiled
theme), so an incremental result always equals a full build. It keeps the last
good site's plan, not its bytes: a build renders the pages whose fingerprints
changed (a sample of them, past EAGER_PAGES), and every other page is rendered
when it is asked for. Rendered files are kept up to RENDERED_BYTES, so the
preview of a 100,000-article archive holds neither its 4 GB of pages nor
renders them all before it serves the first one.
"""

from __future__ import annotations

import html
import tempfile
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Iterator, Mapping

from ..content.config import SiteConfig
from ..content.sources import is_ignored_name
from ..content.validate import LoadOptions
from ..errors import Diagnostic
from ..output.plan_memo import PlanMemo
from ..output.specs import LinkedSite, PageSpec, output_files
from ..output.templates import Renderer
from ..util.garbage_collection import Frozen, collection_paused
from ..util.parallel import cpu_count
from .bodies import MarkdownMemo
from .body_packs import BodyStore
from .linking import RelatedCache
from .load_cache import Discovered, LoadCache
from .body_edit import BodyEdit, LastBuild, body_edit
from .build import BuildOptions, Prepared, prepare
from .site_writing import render_spec, unique_diagnostics
from .caches import CACHE_DIR, LOAD_CACHE, RELATED_CACHE, Caches, cache_folder
from .search_stage import ShardStore

# A build renders its changed pages at once, to report their template errors and to tell whether
# their bytes changed; past this many, one page of each kind and an even sample of the rest.
EAGER_PAGES = 300
RENDERED_BYTES = 128 * 2**20   # rendered files kept, the least recently used dropped first


@dataclass(frozen=True)
class BuildOutcome:
    """One dev-server build: the site (rendered on request) and what changed."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    files: Mapping[str, bytes]              # the site of the last good build
    changed: frozenset[str]                 # output paths that differ from the previous good build
    sources_changed: tuple[str, ...]        # content files whose text changed since the last call
    url_of_source: Mapping[str, str]        # content file → site path of its page
    base_path: str
    summary: str
    language: str                           # the site's, for the preview's own words


@dataclass(frozen=True)
class _Plan:
    """A good build's pages: the spec that makes each output file, and what its templates saw."""

    specs: list[PageSpec]
    where: dict[str, int]                   # output path → index of the spec that makes it
    extra: dict[str, bytes]                 # files made outside the specs (the search index)
    renderer: Renderer | None
    globals: dict[str, Any]                 # the renderer's globals for this build (menus, the memo …)


class _Rendered:
    """Rendered files by (path, fingerprint); past `budget` bytes the least recently used go."""

    def __init__(self, budget: int) -> None:
        self.budget, self.size = budget, 0
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def get(self, key: tuple[str, str]) -> bytes | None:
        data = self.items.get(key)
        if data is not None:
            self.items.move_to_end(key)
        return data

    def put(self, key: tuple[str, str], data: bytes) -> None:
        old = self.items.pop(key, None)
        self.size += len(data) - (len(old) if old is not None else 0)
        self.items[key] = data
        while self.size > self.budget and len(self.items) > 1:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped)


class SiteFiles(Mapping[str, bytes]):
    """The files of a preview build, rendered when first read (thread-safe: the server reads them
    while the watcher builds). A view of the builder's last good site, which a later good build replaces."""

    def __init__(self, builder: "IncrementalBuilder") -> None:
        self._builder = builder

    def __getitem__(self, path: str) -> bytes:
        return self._builder.file(path)

    def __iter__(self) -> Iterator[str]:
        return iter(self._builder.paths())

    def __len__(self) -> int:
        return len(self._builder.paths())

    def __contains__(self, path: object) -> bool:
        plan = self._builder.plan
        return plan is not None and (path in plan.where or path in plan.extra)


def _shape(path: str) -> tuple[str, int, str]:
    """What kind of page a path is, roughly: its first folder, its depth and its type."""
    parts = path.split("/")
    return parts[0] if len(parts) > 1 else "", len(parts), parts[-1].rpartition(".")[2]


def eager_sample(changed: list[int], specs: list[PageSpec], limit: int) -> list[int]:
    """The changed specs a build renders at once: all of them up to `limit`, else the first of each
    kind of page and an even sample of the rest, in plan order."""
    if len(changed) <= limit:
        return changed
    first: dict[tuple[str, int, str], int] = {}
    for index in changed:
        first.setdefault(_shape(specs[index].path), index)
    step = len(changed) / limit
    return sorted(set(first.values()) | {changed[int(n * step)] for n in range(limit)})


def _error_page(problem: Diagnostic) -> bytes:
    """What the preview serves for a page whose template failed when it was asked for."""
    return (f'<!doctype html><meta charset="utf-8"><title>Error</title>'
            f"<pre>{html.escape(str(problem))}</pre>").encode("utf-8")


class IncrementalBuilder:
    """The pipeline kept warm in memory: each build() redoes only what changed inputs need."""

    def __init__(self, source: Path, *, drafts: bool = False, base_url: str | None = None,
                 jobs: int = 0, future: bool = False, expired: bool = False,
                 on_problem: Callable[[Diagnostic], None] | None = None) -> None:
        """`on_problem` hears of a page that fails when it is asked for, after its build (the preview
        prints it)."""
        self.on_problem = on_problem
        # Plain asset names: a changed stylesheet is swapped into open tabs under the same name.
        self.options = BuildOptions(source=source, drafts=drafts, base_url=base_url, jobs=jobs, cache=False,
                                    future=future, expired=expired, fingerprint_assets=False)
        # Bodies' HTML in pack files beside the site's cache, not in memory (1 GB at 100,000 articles),
        # and not in /tmp, which may be memory too; the folder goes with the builder (`close`).
        folder = cache_folder(source)
        self._made = [parent for parent in (folder.parent, folder) if not parent.exists()]   # removed by close
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.scratch = tempfile.TemporaryDirectory(prefix="preview-", dir=folder)
        except OSError:   # a site folder the preview may not write to: the system's
            self._made = []
            self.scratch = tempfile.TemporaryDirectory(prefix="builder-preview-")
        self.store = BodyStore(Path(self.scratch.name), index=False)
        # A site built before starts from its build cache (read, never written: a build may run
        # beside the preview): the first build renders no body and ranks nothing that the cache has.
        self.build_cache = folder
        self.store.seed(folder)
        self.search = ShardStore(None)   # indexed search shards, kept like the bodies
        self.caches = Caches(self.store, self._load_cache, RelatedCache.seeded(folder / RELATED_CACHE),
                             search=self.search, plan_memo=PlanMemo(), discovered=Discovered(),
                             markdown=MarkdownMemo())
        self.load_cache: LoadCache | None = None
        self.plan: _Plan | None = None    # the last good build's
        self.rendered = _Rendered(RENDERED_BYTES)
        self.files = SiteFiles(self)
        self.digests: dict[str, str] = {}
        self.url_of_source: dict[str, str] = {}
        self.base_path = "/"
        self.language = "en"
        self._lock = threading.Lock()     # builds and renders on request take turns
        self._globals_of: _Plan | None = None   # whose globals the renderer holds now
        self._last: LastBuild | None = None       # the last good build, for an edit of articles' text
        self.body_edits = 0                        # builds that took that shortcut
        self.frozen = Frozen()                     # what each build leaves, out of the collector's sight
        self._pages = 0                            # HTML pages of the last good build

    def close(self) -> None:
        """Close the packs it reads and remove its folder of bodies (the folder alone also goes when the
        builder is collected)."""
        with self._lock:
            self.store.close()
            self.store.close_seeds()
            self.scratch.cleanup()
            for folder in reversed(self._made):   # the preview leaves nothing in the site's folder
                try:
                    folder.rmdir()
                except OSError:   # a build has put its cache there meanwhile
                    pass
            self._made = []
            self.frozen.thaw()

    def _load_cache(self, config: SiteConfig) -> LoadCache:
        """The same in-memory load cache while the settings that loading depends on stay the same."""
        options, max_size = LoadOptions.from_config(config), config.markdown.max_file_size
        if self.load_cache is None:
            self.load_cache = LoadCache.seeded(self.build_cache / LOAD_CACHE, options, max_size)
        fresh = LoadCache(None, options, max_size)
        if self.load_cache.key != fresh.key:
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

    def build(self, changed: Collection[str] | None = None) -> BuildOutcome:
        """Rebuild from the site folder; never raises for content or template errors.

        `changed`: the site-relative paths changed since the last build, when the caller knows them
        (a file watcher); then a build that only edits files lists no folder and asks no other
        file's status."""
        started = time.perf_counter()
        with self._lock:
            assert self.caches.discovered is not None
            self.caches.discovered.changed(self.options.source, changed)
            # Rendering too: a collection there would walk all the site this process keeps (2 s of an edit's
            # 7.7 s at 100,000 articles), after which `frozen` keeps it out of the collections' way.
            with collection_paused():
                edit = self._body_edit(changed)
                prepared = edit.prepared if edit is not None else prepare(self.options, self.caches)
                self._globals_of = None   # prepare() gave the renderer this build's globals
                try:
                    return self._render(prepared, started, edit)
                finally:
                    if prepared.search is not None:   # a build that stopped early: its shards under way finish
                        prepared.search.cancel()
                    self.frozen.after_build()

    def _body_edit(self, changed: Collection[str] | None) -> BodyEdit | None:
        """The last build with the edited articles made again, when only their text changed (`body_edit`)."""
        last = self._last
        if changed is None or last is None or last.prepared.load_cache is None:
            return None
        edit = body_edit(last, changed, self.options.source, last.prepared.load_cache,
                         datetime.now(timezone.utc), self.caches.search, self.options.jobs or cpu_count())
        self.body_edits += edit is not None
        return edit

    def paths(self) -> Mapping[str, Any]:
        """The output paths of the last good build (as the keys of a mapping)."""
        plan = self.plan
        if plan is None:
            return {}
        return plan.where if not plan.extra else {**plan.where, **plan.extra}

    def file(self, path: str) -> bytes:
        """One file of the last good build, rendered now unless it is kept; KeyError if there is none."""
        with self._lock:
            plan = self.plan
            if plan is None:
                raise KeyError(path)
            if path in plan.extra:
                return plan.extra[path]
            index = plan.where[path]
            kept = self.rendered.get((path, plan.specs[index].fingerprint))
            if kept is not None:
                return kept
            made, problem = self._make(plan, index)
            if problem is not None:
                if self.on_problem is not None:
                    self.on_problem(problem)
                return _error_page(problem)
            return dict(made)[path]

    def _make(self, plan: _Plan, index: int) -> tuple[list[tuple[str, bytes]], Diagnostic | None]:
        """Render one spec of `plan` with the globals its build gave the templates, and keep its files."""
        if plan.renderer is not None and self._globals_of is not plan:
            plan.renderer.set_globals(plan.globals)
            self._globals_of = plan
        made, problem = render_spec(plan.specs, index)
        fingerprint = plan.specs[index].fingerprint
        for path, data in made:
            self.rendered.put((path, fingerprint), data)
        return made, problem

    def _render(self, prepared: Prepared, started: float, edit: BodyEdit | None = None) -> BuildOutcome:
        """Render what changed (a sample past EAGER_PAGES) while Pagefind indexes, and keep the plan.

        `edit`: the prepared site is the last plan's with a few specs planned again (`body_edit`), so only
        those are compared, and what follows from the site's files and URLs is the last build's."""
        old = self.plan
        if edit is not None and old is not None:
            changed_sources = tuple(path for path in edit.sources if prepared.digests[path] != self.digests.get(path))
            self.digests.update((path, prepared.digests[path]) for path in edit.sources)
        else:
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
        renderer = prepared.renderer
        where = old.where if edit is not None and old is not None else {
            path: index for index, spec in enumerate(prepared.specs) for path in output_files(spec)}
        plan = _Plan(prepared.specs, where, {}, renderer, dict(renderer.env.globals) if renderer is not None else {})
        self._globals_of = plan

        def old_print(path: str) -> str | None:
            index = old.where.get(path) if old is not None else None
            return None if index is None or old is None else old.specs[index].fingerprint

        candidates = edit.indices if edit is not None and old is not None else range(len(plan.specs))
        changed_specs = [index for index in candidates
                         if old_print(plan.specs[index].path) != plan.specs[index].fingerprint]
        eager = eager_sample(changed_specs, plan.specs, EAGER_PAGES)
        problems = list(prepared.problems.items)
        same: set[str] = set()   # files rendered again with the bytes they had
        for index in eager:
            made, problem = self._make(plan, index)
            if problem is not None:
                problems.append(problem)
            before = old_print(plan.specs[index].path)
            same.update(path for path, data in made if before is not None and self.rendered.get((path, before)) == data)
        if prepared.search is not None and not any(p.severity == "error" for p in problems):
            found = prepared.search.result(prepared.problems)
            plan.extra.update(found.contents() if found else ())
            problems = unique_diagnostics([*problems, *prepared.problems.items])
        if any(p.severity == "error" for p in problems):
            return self._outcome(False, problems, frozenset(), changed_sources, started, site)
        changed = {path for index in changed_specs for path in output_files(plan.specs[index])} - same
        if old is not None:
            if plan.where is not old.where:
                changed |= old.where.keys() - plan.where.keys()
            changed |= {path for path in plan.extra.keys() | old.extra.keys()
                        if plan.extra.get(path) != old.extra.get(path)}
        else:
            changed |= plan.extra.keys()
        self.plan = plan
        if edit is not None and self._last is not None:
            self._last = self._last.edited(prepared)
            return self._outcome(True, problems, frozenset(changed), changed_sources, started, site)
        self._last = LastBuild(prepared, plan.where)
        self.store.save(site.body_keys())   # (a body edit leaves the old body until the next whole build)
        self.url_of_source = {a.source: a.url for a in site.articles}
        self.url_of_source.update({t.source: f"/{site.config.paths.glossary}/{t.slug}/" for t in site.terms})
        self.url_of_source.update({p.source: p.url for p in site.pages})
        self.url_of_source.update({a.source: a.url for a in site.authors.authors})
        self.base_path = site.config.base_path
        self._pages = sum(1 for path in self.paths() if path.endswith(".html"))
        return self._outcome(True, problems, frozenset(changed), changed_sources, started, site)

    def _outcome(self, ok: bool, diagnostics: list[Diagnostic], changed: frozenset[str],
                 sources_changed: tuple[str, ...], started: float, site: LinkedSite | None) -> BuildOutcome:
        seconds = time.perf_counter() - started
        if ok and site is not None:
            summary = (f"Built {self._pages} pages: {len(site.articles)} "
                       f"articles, {len(site.terms)} terms, {len(site.links.tags)} tags in {seconds:.2f} s")
        else:
            summary = f"Build failed with {sum(1 for d in diagnostics if d.severity == 'error')} error(s)"
        return BuildOutcome(ok, tuple(unique_diagnostics(diagnostics)), self.files, changed, sources_changed,
                            self.url_of_source, self.base_path, summary, self.language)
