"""The whole build in one story: load → render bodies → link → plan pages → write.

`build()` checks the destination, takes the shortcuts for unchanged inputs and text edits, and
otherwise runs `prepare()` and hands its plan to `site_writing.write_site`, which writes the
site folder atomically; `incremental.IncrementalBuilder`
runs the same `prepare()` with in-memory caches for the dev server, so an
incremental result always equals a full build.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from .. import __version__
from ..content.bylines import AuthorIndex
from ..content.config import SiteConfig, load_config
from ..content.model import Article, Term
from ..content.site_structure import resolve_menus
from ..content.urls import Urls
from ..errors import Diagnostic, Diagnostics
from ..output.front_page import featured_problems
from ..output.page_plan import collision_problems, plan_pages
from ..output.search import search_available
from ..output.search_records import SearchSource
from ..output.specs import LinkedSite, PageSpec, card_digest
from ..output.structured_data import headline_problems
from ..output.templates import Renderer, theme_digest
from ..output.write import OutputError, check_destination
from ..related.ranking import uses_numpy
from ..text.aliases import shown_aliases
from ..text.forms import glossary_phrase_forms, uses_declension
from ..text.i18n import messages_for, string_problems
from ..text.shortcodes import read_site_templates
from ..util.forked import ChildFailed, in_child
from ..util.garbage_collection import collection_paused
from ..util.parallel import cpu_count
from ..util.stage_times import StageTimes
from .bodies import BodyContext, BodyStore, render_bodies
from .caches import Caches, cache_folder
from .linking import group_by_author, group_by_section, link_site
from .load_cache import LoadCache
from .loading import load_site
from .resources import asset_paths, bundle_files, files_by_source, static_files, template_globals
from .search_stage import SearchJob, start_search, search_store
from .text_edit import text_edit
from .unchanged import InputWatch
from .options import BuildOptions, BuildReport, Progress
from .site_writing import import_for_writers, manifest_path, write_site
from . import search_tail


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
    store = caches.bodies

    def german_forms(terms: list[Term]) -> None:
        """Made while the workers load the articles (a search of a lexicon of 100,000 nouns, 0.1-0.3 s
        on one core): the body stage finds them in the process's memo."""
        glossary_phrase_forms(terms, store.folder)

    loaded = load_site(options.source, config, options.visibility, problems, jobs, load_cache, caches.statuses,
                       caches.discovered, with_glossary=german_forms if uses_declension(config) else None)
    times.lap("loading")
    config = loaded.config   # with the sections _index.md files add
    statics = static_files(options.source, options.fingerprint_assets)
    bundles = bundle_files(sorted({i.bundle for i in (*loaded.articles, *loaded.pages) if i.bundle}),
                           loaded.other_files, caches.digests)
    files = files_by_source(bundles, statics)
    templates = read_site_templates(options.source, config.extra, config.title, config.base_url, config.language)
    authors = AuthorIndex(loaded.authors)
    pages = tuple(page for page in loaded.pages if not page.listing)   # an _index.md is a listing's text
    if config.search and not (loaded.articles or loaded.terms or pages or loaded.authors):
        # Nothing to find: Pagefind would make no index, and a search page would link to none.
        config = replace(config, search=False)
    menus, menu_problems = resolve_menus(config, pages, loaded.authors, Urls(config), messages_for(config).gettext)
    # The menus are on every page, like the configuration: a change of theirs changes every page.
    settings = hashlib.sha256((settings_digest(options.source, config) + repr(menus)).encode()).hexdigest()
    renderer = caches.renderers.get(settings)
    if renderer is None:
        caches.renderers.clear()
        renderer = caches.renderers[settings] = Renderer(options.source, config, caches.templates)
    bodies = render_bodies(loaded, store, jobs, progress, files, templates, caches.markdown,
                           meanwhile=lambda: _while_bodies_render(renderer, len(loaded.articles)))
    problems.extend(bodies.problems)
    times.lap("bodies")
    search, source = None, None
    if config.search and caches.search is not None and not problems.errors:
        # Pagefind needs the bodies, not the linked site: it indexes while the site is linked and written.
        source = SearchSource(config, tuple(loaded.articles), bodies.articles, tuple(loaded.terms), bodies.terms,
                              pages, bodies.pages, authors, bodies.authors)
        search = start_search(source, store, caches.search, jobs, problems, hand_off=options.hand_off_search)
    problems.extend(menu_problems + string_problems(config))
    problems.extend(headline_problems(loaded.articles))
    # Content with errors is still linked and planned (the broken files are left out), so
    # that one build reports every problem it can find, output path collisions included.
    articles = tuple(loaded.articles)
    slug_of_path = {a.url: a.slug for a in articles}
    links = link_site(articles, bodies.articles, tuple(loaded.terms), config, slug_of_path, caches.related, jobs)
    times.lap("links")
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


def _while_bodies_render(renderer: Renderer, article_count: int) -> None:
    """What the parent does while the workers render the bodies, not afterwards on one core: compile
    the templates, and import what the link stage and the page writers would import then."""
    renderer.compile_all()
    import_for_writers()
    if uses_numpy(article_count):
        import numpy  # noqa: F401


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
                                                   manifest_path(options.source, destination), times,
                                                   started)) is not None:
        return edited
    with collection_paused():
        report = _build_with_caches(options, destination, started, progress, watch.statuses if watch else {},
                                    [] if keep is None else keep, times)
        if keep is not None:   # kept until the process exits: a collection would walk all of it (1.3 s)
            gc.freeze()
    if watch is not None:
        watch.save(replace(report, pending=None), marker=report.pending.commit.marker if report.pending else None)
    return report


def build_handing_off(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """`build()` in a child process that exits once the pages are written; the search shards it leaves
    (a large site's, `search_tail`) are indexed here, in a process that never held the site: the
    site's memory is free while Pagefind indexes, and more Pagefind processes fit beside each other."""
    def child() -> BuildReport:
        try:
            return build(replace(options, hand_off_search=True), progress, keep=[])   # freed by the exit
        finally:
            if callable(close := getattr(progress, "close", None)):
                close()   # the child's progress line, before the tail's
    try:
        report = in_child(child)
    except ChildFailed as exc:
        return BuildReport(False, (Diagnostic(str(options.output), None, f"the build stopped ({exc})"),))
    return search_tail.finish(report, progress) if report.pending is not None else report


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
    scratch = Path(tempfile.mkdtemp(prefix=f".{destination.name}.scratch-", dir=destination.parent))
    report: BuildReport | None = None
    try:
        caches.bodies = BodyStore(scratch)
        caches.search = search_store(scratch)
        try:
            report = _build(options, caches, destination, started, progress, keep, times)
        finally:
            caches.bodies.close()
    finally:
        if report is None or report.pending is None:
            shutil.rmtree(scratch, ignore_errors=True)
    if report.pending is not None:   # its bodies and shards are read by the process finishing the search
        report = replace(report, pending=replace(report.pending, scratch=scratch))
    return report


def _build(options: BuildOptions, caches: Caches, destination: Path, started: float,
           progress: Progress | None, keep: list[object], times: StageTimes) -> BuildReport:
    """The build once its destination is checked and its caches are chosen."""
    prepared = prepare(options, caches, progress=progress, times=times)
    keep.append(prepared)
    try:
        return write_site(options, caches, prepared, destination, started, progress, times)
    finally:
        if prepared.search is not None:   # a build that stopped early: its shards under way finish
            prepared.search.cancel()
