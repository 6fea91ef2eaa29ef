"""The whole build in one story: load → render bodies → link → plan pages → write.

`build()` writes a site folder atomically; `incremental.IncrementalBuilder`
runs the same `prepare()` with in-memory caches for the dev server, so an
incremental result always equals a full build.
"""

from __future__ import annotations

import gc
import hashlib
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Mapping

from .. import __version__
from ..content.bylines import AuthorIndex
from ..content.config import SiteConfig, load_config
from ..content.model import Article
from ..content.site_structure import resolve_menus
from ..content.urls import Urls
from ..errors import Diagnostic, Diagnostics
from ..output.front_page import featured_problems
from ..output.images import ImageProblem
from ..output.manifest import Manifest, read_manifest, restore_manifest, write_manifest
from ..output.page_plan import collision_problems, plan_pages
from ..output.search import search_available
from ..output.search_records import SearchSource
from ..output.specs import (FileGroup, LinkedSite, PageSpec, card_digest, made_files, output_files,
                            writing_order)
from ..output.structured_data import headline_problems
from ..output.templates import Renderer, TemplateProblem, theme_digest
from ..output.write import (
    OutputError,
    PatchOutput,
    StagedOutput,
    check_destination,
    recover_interrupted,
)
from ..text.aliases import shown_aliases
from ..text.forms import uses_declension
from ..text.i18n import messages_for, string_problems
from ..text.shortcodes import read_site_templates
from ..util.garbage_collection import collection_paused
from ..util.parallel import cpu_count, map_indices
from ..util.stage_times import StageTimes
from .bodies import BodyContext, BodyStore, render_bodies
from .caches import Caches, cache_folder
from .linking import group_by_author, group_by_section, link_site
from .loading import LoadCache, load_site
from .resources import asset_paths, bundle_files, files_by_source, static_files, template_globals
from .search_stage import SearchJob, start_search, search_store
from .stored_plan import StoredPlanMemo
from .edit_state import keep_for_text_edits
from .text_edit import text_edit
from .unchanged import InputWatch, next_change
from .options import BuildOptions, BuildReport, Progress
from .update_plan import choose_update, deleted_files

# Writing pages, a worker is renewed after this many chunks (up to 256 pages each): what it
# copied of the site's objects by touching them stays bounded, however large the site.
RENEW_WRITER_AFTER = 16


def settings_digest(source: Path, config: SiteConfig) -> str:
    """Builder version, configuration and theme: what changes every page when it changes."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(repr(config).encode())
    digest.update(theme_digest(source).encode())
    return digest.hexdigest()


@dataclass
class Prepared:
    """Everything up to the list of pages, or the problems that stop the build."""

    problems: Diagnostics
    digests: Mapping[str, str] = field(default_factory=dict)
    load_cache: LoadCache | None = None
    site: LinkedSite | None = None
    specs: list[PageSpec] = field(default_factory=list)
    renderer: Renderer | None = None
    scheduled: tuple[Article, ...] = ()     # left out until due, soonest first
    search: SearchJob | None = None         # under way since the bodies were rendered
    bodies: BodyContext | None = None       # for an edit of an article's text (`body_edit`, `edit_state`)
    adjusted: Mapping[str, Article] = field(default_factory=dict)   # Loaded.adjusted
    search_source: SearchSource | None = None   # what `search` indexes


def prepare(options: BuildOptions, caches: Caches, progress: Progress | None = None,
            times: StageTimes | None = None) -> Prepared:
    """Load, render bodies, link and plan pages; on content errors too (the caller writes nothing then).

    `times`: the laps of the stages are recorded there (`build --timings`)."""
    times = times or StageTimes()
    problems = Diagnostics()
    config, found = load_config(options.source, base_url=options.base_url)
    problems.extend(found)
    if config.search and (missing := search_available()) is not None:
        # A search page whose index never comes would link to files that do not exist.
        problems.warning("config.yaml", None, f"'search' is on, but {missing}; the site is built without "
                         "its search page and search box")
        config = replace(config, search=False)
    # Content is loaded and checked even when the configuration has errors (a wrong value
    # falls back to its default), so that a build reports all of its errors at once.
    jobs = options.jobs or cpu_count()
    load_cache = caches.load(config)
    loaded = load_site(options.source, config, options.visibility, problems, jobs, load_cache, caches.statuses,
                       caches.discovered)
    times.lap("loading")
    config = loaded.config   # with the sections _index.md files add
    store = caches.bodies
    statics = static_files(options.source, options.fingerprint_assets)
    bundles = bundle_files(sorted({i.bundle for i in (*loaded.articles, *loaded.pages) if i.bundle}),
                           loaded.other_files, caches.digests)
    files = files_by_source(bundles, statics)
    templates = read_site_templates(options.source, config.extra, config.title, config.base_url, config.language)
    bodies = render_bodies(loaded, store, jobs, progress, files, templates, caches.markdown)
    problems.extend(bodies.problems)
    times.lap("bodies")
    authors = AuthorIndex(loaded.authors)
    pages = tuple(page for page in loaded.pages if not page.listing)   # an _index.md is a listing's text
    if config.search and not (loaded.articles or loaded.terms or pages or loaded.authors):
        # Nothing to find: Pagefind would make no index, and a search page would link to none.
        config = replace(config, search=False)
    search, source = None, None
    if config.search and caches.search is not None and not problems.errors:
        # Pagefind needs the bodies, not the linked site: it indexes while the site is linked and written.
        source = SearchSource(config, tuple(loaded.articles), bodies.articles, tuple(loaded.terms), bodies.terms,
                              pages, bodies.pages, authors, bodies.authors)
        search = start_search(source, store, caches.search, jobs, problems)
    menus, found = resolve_menus(config, pages, loaded.authors, Urls(config), messages_for(config).gettext)
    problems.extend(found + string_problems(config))
    problems.extend(headline_problems(loaded.articles))
    # Content with errors is still linked and planned (the broken files are left out), so
    # that one build reports every problem it can find, output path collisions included.
    # The menus are on every page, like the configuration: a change of theirs changes every page.
    settings = hashlib.sha256((settings_digest(options.source, config) + repr(menus)).encode()).hexdigest()
    articles = tuple(loaded.articles)
    slug_of_path = {a.url: a.slug for a in articles}
    links = link_site(articles, bodies.articles, tuple(loaded.terms), config, slug_of_path, caches.related, jobs)
    times.lap("links")
    renderer = caches.renderers.get(settings)
    if renderer is None:
        caches.renderers.clear()
        renderer = caches.renderers[settings] = Renderer(options.source, config, caches.templates)
    site = LinkedSite(
        config=config, articles=articles, article_by_slug={a.slug: a for a in articles},
        terms=tuple(loaded.terms), term_by_slug={t.slug: t for t in loaded.terms},
        infos=bodies.articles, term_infos=bodies.terms, links=links, digests=loaded.digests,
        settings_digest=settings, static_files=statics,
        cards={a.slug: card_digest(a, authors, bodies.articles[a.slug].lead) for a in articles},
        pages=pages, intros={page.listing: page for page in loaded.pages if page.listing}, page_infos=bodies.pages,
        authors=authors, author_infos=bodies.authors,
        section_articles=group_by_section(articles), author_articles=group_by_author(articles, authors),
        menus=menus, now=options.now or datetime.now(timezone.utc), bundle_files=bundles, files=files,
        term_aliases=shown_aliases(loaded.terms, declension=uses_declension(config), cache_dir=store.folder),
        image_cache=cache_folder(options.source) / "images" if options.image_cache else None,
    )
    template_globals(renderer, site, asset_paths(options.source, statics))
    specs = plan_pages(site, renderer, store, caches.plan_memo)
    problems.extend(featured_problems(site.articles, config.tz))
    problems.extend(collision_problems(specs, loaded.clashes))
    times.lap("planning")
    return Prepared(problems, loaded.digests, load_cache, site, specs, renderer, tuple(loaded.scheduled), search,
                    bodies.context, loaded.adjusted, source)


def render_spec(specs: list[PageSpec], index: int) -> tuple[list[tuple[str, bytes]], Diagnostic | None]:
    """Make one spec's output files; a template failure becomes its diagnostic."""
    spec = specs[index]
    try:
        return made_files(spec), None
    except TemplateProblem as exc:
        return [], exc.diagnostic
    except ImageProblem as exc:  # a truncated or damaged photo: the error names the file
        return [], Diagnostic(spec.source or spec.path, None, str(exc))


def _render_only(specs: list[PageSpec], index: int) -> Diagnostic | None:
    return render_spec(specs, index)[1]


def _template_problems(prepared: Prepared, options: BuildOptions, destination: Path,
                       progress: Progress | None) -> list[Diagnostic]:
    """Render, without writing, the pages a successful build would write, for their templates' errors."""
    manifest_file = _manifest_path(options.source, destination) if options.cache else None
    previous = read_manifest(manifest_file, destination) if manifest_file else None
    old = previous.files if previous else {}
    todo = [spec for spec in prepared.specs
            if old.get(spec.path) != spec.fingerprint and not isinstance(spec, FileGroup)]   # no templates there
    if prepared.renderer is not None:
        prepared.renderer.compile_all()
    found = map_indices(_render_only, todo, len(todo), options.jobs or cpu_count(),
                        (lambda n, total: progress("Checking pages", n, total)) if progress else None,
                        renew_after=RENEW_WRITER_AFTER)
    return [problem for problem in found if problem is not None]


def _render_to_folder(state: tuple[list[PageSpec], StagedOutput | PatchOutput], index: int) -> Diagnostic | None:
    specs, staged = state
    made, problem = render_spec(specs, index)
    for path, data in made:
        try:
            staged.write(path, data)
        except OSError as exc:  # a name too long for the file system, a full disk, no permission
            spec = specs[index]
            return Diagnostic(spec.source or str(staged.destination / path), spec.line if spec.source else None,
                              f"cannot write output file '{path}': {exc.strerror or exc}")
    return problem


def _manifest_path(source: Path, destination: Path) -> Path:
    key = hashlib.sha256(str(destination.resolve()).encode()).hexdigest()[:16]
    return cache_folder(source) / f"manifest-{key}.json"


def build(options: BuildOptions, progress: Progress | None = None, keep: list[object] | None = None) -> BuildReport:
    """Build the site into its destination; on errors the previous output stays as it was.

    `keep`: the build's data is appended to it instead of being freed on return, for a process
    that exits right after (freeing a 100,000-article site object by object takes half a second).
    """
    started = time.perf_counter()
    destination = options.output
    try:
        check_destination(options.source, destination)
    except OutputError as exc:
        return BuildReport(False, (Diagnostic(str(destination), None, str(exc)),))
    options = replace(options, now=options.now or datetime.now(timezone.utc))   # one moment for every stage
    times = StageTimes(started)
    watch = InputWatch(options, destination, cache_folder(options.source)) if options.cache else None
    if watch is not None and (unchanged := watch.unchanged(started)) is not None:
        times.lap("checking inputs")
        return replace(unchanged, stages=tuple(times.laps))
    times.lap("checking inputs")
    if watch is not None and (edited := text_edit(options, destination, watch,
                                                   _manifest_path(options.source, destination), times,
                                                   started)) is not None:
        return edited
    with collection_paused():
        report = _build_with_caches(options, destination, started, progress, watch.statuses if watch else {},
                                    [] if keep is None else keep, times)
        if keep is not None:   # kept until the process exits: a collection would walk all of it (1.3 s)
            gc.freeze()
    if watch is not None:
        watch.save(report)
    return report


def _build_with_caches(options: BuildOptions, destination: Path, started: float, progress: Progress | None,
                       statuses: Mapping[str, tuple], keep: list[object], times: StageTimes) -> BuildReport:
    folder = cache_folder(options.source) if options.cache else None
    caches = Caches.in_folder(folder)
    caches.statuses = statuses
    keep.append(caches)
    times.lap("reading caches")
    if folder is not None:
        try:
            return _build(options, caches, destination, started, progress, keep, times)
        finally:
            caches.bodies.close()
    # Without the cache, bodies still go through pack files (pickling every page's HTML to the
    # parent costs more time and memory), in a scratch folder on the destination's file system.
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{destination.name}.scratch-", dir=destination.parent) as scratch:
        caches.bodies = BodyStore(Path(scratch))
        caches.search = search_store(Path(scratch))
        try:
            return _build(options, caches, destination, started, progress, keep, times)
        finally:
            caches.bodies.close()


def _build(options: BuildOptions, caches: Caches, destination: Path, started: float,
           progress: Progress | None, keep: list[object], times: StageTimes) -> BuildReport:
    """The build once its destination is checked and its caches are chosen."""
    prepared = prepare(options, caches, progress=progress, times=times)
    keep.append(prepared)
    try:
        return _write_site(options, caches, prepared, destination, started, progress, times)
    finally:
        if prepared.search is not None:   # a build that stopped early: its shards under way finish
            prepared.search.cancel()


def _write_site(options: BuildOptions, caches: Caches, prepared: Prepared, destination: Path, started: float,
                progress: Progress | None, times: StageTimes) -> BuildReport:
    problems, site = prepared.problems, prepared.site
    if problems.errors or site is None or (options.strict and problems.warnings):
        if site is not None:   # the templates' errors too, in the same round
            problems.items.extend(_template_problems(prepared, options, destination, progress))
        return BuildReport(False, tuple(unique_diagnostics(problems.items)), seconds=time.perf_counter() - started)
    try:
        recover_interrupted(destination)   # before the manifest is compared with the destination
    except OSError as exc:
        problems.error(str(destination), None, f"cannot recover the output folder: {exc.strerror or exc}")
        return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    manifest_file = _manifest_path(options.source, destination) if options.cache else None
    previous = read_manifest(manifest_file, destination) if manifest_file else None
    files = {spec.path: spec.fingerprint for spec in prepared.specs}
    search, job = site.config.search, prepared.search
    old = previous.files if previous else {}
    found = None
    if job is not None and not job.todo:   # nothing to index: the search files are known at once
        found = job.result(problems, progress)
        if found is None:
            return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    # While Pagefind still indexes, the update is chosen as though every file of its shards changes.
    expected = found.files if found else job.expected(old) if job else {}
    groups = {spec.path: spec.joined for spec in prepared.specs if isinstance(spec, FileGroup)}
    changed = [spec for spec in prepared.specs if old.get(spec.path) != spec.fingerprint]
    update = choose_update(destination, {**files, **expected}, search, previous,
                           [path for spec in changed for path in output_files(spec)]
                           + [path for path, print_ in expected.items() if old.get(path) != print_],
                           deleted_files({**files, **expected}, groups, previous))
    if update == "unchanged":
        times.lap("writing")
        _save_caches(options, caches, site, prepared)
        report = _report(prepared, site, problems, 0, started, times)
        keep_for_text_edits(options, destination, prepared, site, report, previous, caches.related.signal_digest,
                        caches.bodies)
        times.lap("saving caches")
        return replace(report, seconds=time.perf_counter() - started, stages=tuple(times.laps))
    staged: StagedOutput | PatchOutput
    try:
        staged = PatchOutput(destination) if update == "patch" else StagedOutput(destination)
    except OSError as exc:
        problems.error(str(destination), None, f"cannot prepare the output folder: {exc.strerror or exc}")
        return BuildReport(False, tuple(problems.items), seconds=time.perf_counter() - started)
    todo = changed
    try:
        if isinstance(staged, StagedOutput):   # a whole new tree: hard-link what has not changed
            todo = [spec for spec in prepared.specs
                    if old.get(spec.path) != spec.fingerprint or not all(map(staged.reuse, output_files(spec)))]
        if prepared.renderer is not None:   # once, before the workers fork, not once per worker
            prepared.renderer.compile_all()
        order = writing_order(todo, site.article_by_slug)
        results = map_indices(_render_to_folder, ([todo[index] for index in order], staged), len(todo),
                              options.jobs or cpu_count(),
                              (lambda n, total: progress("Writing pages", n, total)) if progress else None,
                              renew_after=RENEW_WRITER_AFTER)
        in_plan_order = sorted(zip(order, results), key=itemgetter(0))   # the problems as the pages were planned
        problems.items.extend(problem for _, problem in in_plan_order if problem is not None)
        if job is not None and found is None and not problems.errors:
            found = job.result(problems, progress)
        files.update(found.files if found else {})
        deleted = deleted_files(files, groups, previous)
        written = [path for spec in todo for path in output_files(spec)] + (found.write(staged, old) if found else [])
        if problems.errors:
            staged.abort()
            return BuildReport(False, tuple(unique_diagnostics(problems.items)), seconds=time.perf_counter() - started)
        if manifest_file:
            # Written before the commit point: should the commit not complete, the marker differs.
            write_manifest(manifest_file, Manifest.of(staged.marker, search, files, groups))
        try:
            if isinstance(staged, PatchOutput):
                staged.commit(written, deleted)
            else:
                staged.commit()
        except OSError:
            if manifest_file:   # the commit was undone: the previous manifest describes the destination again
                restore_manifest(manifest_file, previous)
            raise
    except OSError as exc:
        staged.abort()
        problems.error(str(destination), None, f"cannot write the site: {exc.strerror or exc}",
                       hint="check free disk space and permissions; the previous output is unchanged")
        return BuildReport(False, tuple(unique_diagnostics(problems.items)), seconds=time.perf_counter() - started)
    except BaseException:
        staged.abort()
        raise
    times.lap("writing")
    _save_caches(options, caches, site, prepared)
    report = _report(prepared, site, problems, len(todo), started, times)
    keep_for_text_edits(options, destination, prepared, site, report, previous, caches.related.signal_digest,
                        caches.bodies)
    times.lap("saving caches")
    return replace(report, seconds=time.perf_counter() - started, stages=tuple(times.laps))


def _save_caches(options: BuildOptions, caches: Caches, site: LinkedSite, prepared: Prepared) -> None:
    """Keep what this build learnt for the next one (only what changed is written)."""
    if not options.cache:
        return
    caches.bodies.save(site.body_keys())
    caches.digests.save()
    if isinstance(caches.plan_memo, StoredPlanMemo):
        caches.plan_memo.save()
    if prepared.load_cache is not None:
        prepared.load_cache.save()


def _report(prepared: Prepared, site: LinkedSite, problems: Diagnostics, rendered: int,
            started: float, times: StageTimes) -> BuildReport:
    return BuildReport(True, tuple(problems.items), len(site.articles), len(site.terms), len(site.links.tags),
                       sum(1 for s in prepared.specs if s.path.endswith(".html")), rendered,
                       time.perf_counter() - started,
                       {s.path: s.source for s in prepared.specs if s.source and not isinstance(s, FileGroup)},
                       len(prepared.scheduled), prepared.scheduled[0].date if prepared.scheduled else None,
                       next_change((*site.articles, *prepared.scheduled), site.now, site.config.tz),
                       tuple(times.laps))


def unique_diagnostics(items: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics in order, each once."""
    return list(dict.fromkeys(items))
