"""The command line's shortcut for an edit of articles' text or cards alone: the pages that show them, nothing else.

`body_edit` is the preview's; this is the same decision for a build from the
command line, made from what the last build left (`edit_state`) instead of a
site in memory. The input walk of every build (`unchanged.InputWatch`) says
which files changed since the last successful build into the destination.
When they are published articles whose front matter is as it was, and whose
new bodies tell the rest of the site what the old ones told it, the build
loads those files and the few articles their pages and feeds show, renders
the bodies, plans the pages and feeds again, and patches the destination. At
100,000 articles that is a few seconds where the whole pipeline takes ten.

The front matter may differ in the card's fields alone (title, summary,
kicker, what the lead photo's `image:` says: `card_edit.CARD_FIELDS`). Such
an edit also plans the pages that show the card again: those of the articles
that show it as related or linking to it (`EditState.shown_by`), the pages of
the listings and terms that list it (from the lists the last build kept,
`card_edit.site_lists`), the front page and the news sitemap when they show
it, and its aliases' pages.

With search on, the edited articles' records replace theirs among the last
build's records (`edit_state.SearchState`), the shards are assigned again
from all of them, and those whose digests changed are indexed again. From the
command line, a large site's shard (`HAND_OVER_ABOVE`) is left to the
process that started the build (`search_tail`), once this one, which holds
the last build's state, has written the pages and exited: at 100,000 articles
Pagefind takes 400-600 MiB for an article's shard.

`text_edit` returns None whenever it cannot vouch for the result (anything
other than an article's file changed, front matter beyond the card, a term,
link, top word, photo or warning that the text now has or no longer has, a
warning the last build reported on an edited card's file, a moment at which
the site changes by time alone, a stored state that is missing or describes
another output), and the caller runs the whole pipeline.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from ..content.bylines import AuthorIndex
from ..content.model import Article, BodyInfo, Links, RelatedEntry
from ..content.sources import SourceFile
from ..errors import Diagnostics
from ..output.listings import feeds_holding
from ..output.manifest import Manifest, read_manifest, restore_manifest, write_manifest
from ..output.page_plan import ArticlePages
from ..output.search import SearchIndexError
from ..output.search_records import article_record
from ..output.search_shards import BUDGET, assign_shards, cost
from ..output.specs import LinkedSite, PageSpec, card_digest, made_files
from ..output.structured_data import headline_problems
from ..output.templates import Renderer, TemplateProblem
from ..output.images import ImageProblem
from ..output.write import PatchOutput, marker_identity
from ..text.i18n import messages_for
from ..text.shortcodes import read_site_templates
from ..util.parallel import cpu_count
from ..util.stage_times import StageTimes
from .bodies import BodyContext, render_article
from .body_keys import CONTENT_FILE, summary_digests
from .body_packs import BodyStore
from .caches import cache_folder
from .card_edit import CardEdit, StoredInfo, card_fields, with_card_fields
from .edit_state import EditState, Row, SearchState, Shared, others_digest
from .linking import signal_digest
from .loading import load_file
from .options import BuildOptions, BuildReport
from .output_commit import Commit
from .resources import SiteFile, asset_paths, template_globals
from .search_stage import OUTPUT as SEARCH_OUTPUT
from .search_stage import SearchIndex, SearchJob, on_disk, search_settings, search_store
from .search_tail import SearchTail
from .unchanged import InputWatch

MOST_FILES = 20   # an edit of more files than this runs the whole pipeline
# From the command line, shards to index with more bodies than this (bytes) go to the process that
# started the build: a shard grown past the base budget (sites past about 28,000 articles) takes
# Pagefind 400-600 MiB at 24 MB, beside the edit's own 400. Smaller ones are indexed here: at 10,000
# articles handing one over saved 50 MiB (200 against 250) and cost 0.2 s (2.0 against 1.8 s).
HAND_OVER_ABOVE = BUDGET


class _Miss(Exception):
    """The body looked up a page the old body did not: its links changed."""


class _Lookups(dict):  # type: ignore[type-arg]
    """The URLs the old body looked up (content file → URL), standing in for every page's URL."""

    def __missing__(self, key: str) -> Any:
        raise _Miss(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]


class _Pages:
    """The old body's Jekyll and Hugo link lookups, standing in for the site's page index."""

    def __init__(self, resolved: tuple[tuple[str, str, str | None], ...]) -> None:
        self.found = {(style, target): url for style, target, url in resolved if style != CONTENT_FILE}

    def resolve(self, target: str, source: str | None = None, style: str = "jekyll") -> str | None:
        if (style, target) not in self.found:
            raise _Miss(target)
        return self.found[style, target]


def text_edit(options: BuildOptions, destination: Path, watch: InputWatch, manifest_file: Path,
              times: StageTimes, started: float) -> BuildReport | None:
    """Build an edit of articles' text alone from the last build's state; None when it cannot."""
    folder = cache_folder(options.source)
    state = EditState(folder)
    laps = StageTimes()   # joined to the build's only when the edit is done: else the whole pipeline's follow
    try:
        report = _edit(options, destination, watch, manifest_file, state, folder, laps, started)
        if report is not None:
            return replace(report, stages=(*times.laps, *laps.laps))
        return None
    except (_Miss, OSError, LookupError, ValueError, TemplateProblem, ImageProblem, sqlite3.Error,
            SearchIndexError):
        return None   # the whole pipeline decides, and reports what went wrong
    finally:
        state.close()


def _edit(options: BuildOptions, destination: Path, watch: InputWatch, manifest_file: Path, state: EditState,
          folder: Path, times: StageTimes, started: float) -> BuildReport | None:
    meta, before = state.meta(), watch.changed_since_last()
    now, marker = options.now, marker_identity(destination)
    if (meta is None or before is None or now is None or marker is None or meta.marker != marker
            or before[0] != marker or meta.key != watch.key or not meta.since <= now
            or (meta.report.changes_at is not None and now >= meta.report.changes_at)):
        return None
    changed = before[1]
    if not changed or len(changed) > MOST_FILES or not all(rel.endswith(".md") for rel in changed):
        return None
    shared = state.shared()
    if shared is None or _dated_by_files(shared):
        return None
    rows = state.rows(sources=changed)
    if len(rows) != len(changed):
        return None   # a file that is no published article
    # Front matter is compared first: an edit of it (the usual other edit) costs no more here.
    loaded: dict[str, tuple[Article, str]] = {}
    for slug, (source, row) in rows.items():
        found = _loaded(options.source, source, row, shared)
        if found is None:
            return None
        loaded[slug] = found
    search = state.search() if shared.config.search else None
    if shared.config.search and (search is None or search.settings != search_settings(shared.config.language)):
        return None   # (Pagefind changed: every shard is indexed again)
    manifest = read_manifest(manifest_file, destination)
    if manifest is None:
        return None
    store = BodyStore(folder, index=False)
    try:
        return _rebuild(options, destination, watch, manifest_file, state, meta, shared, manifest, rows,
                        loaded, store, search, started, times)
    finally:
        store.close()


def _loaded(source_dir: Path, source: str, row: Row, shared: Shared) -> tuple[Article, str] | None:
    """The article in `source` and its file's digest, when it loads as it did for `row` but for its
    card's fields (`card_edit.CARD_FIELDS`: title, summary, kicker, the lead photo's caption and credit …)."""
    path = source_dir / source
    if not row.clean or os.path.islink(path):
        return None   # what loading it reported is the whole pipeline's to report again
    _, item, found, digest = load_file(SourceFile(source, path, row.kind), shared.load_options, shared.max_size)
    if digest is None or found or not isinstance(item, Article):
        return None
    if item.loaded_digest != row.loaded and (
            source in shared.changed   # (the load stage changed it: the whole pipeline changes it again)
            or with_card_fields(item, row.card_fields).loaded_digest != row.loaded):
        return None
    return item, digest


def _rebuild(options: BuildOptions, destination: Path, watch: InputWatch, manifest_file: Path, state: EditState,
             meta: Any, shared: Shared, manifest: Manifest, rows: dict[str, tuple[str, Row]],
             loaded: Mapping[str, tuple[Article, str]], store: BodyStore, search: SearchState | None,
             started: float, times: StageTimes) -> BuildReport | None:
    source_dir = options.source
    config = shared.body_config
    templates = read_site_templates(source_dir, config.extra, config.title, config.base_url, config.language)
    context = BodyContext(config, shared.terms, shared.key_parts, summary_digests(shared.terms), {},
                          _Pages(()), {}, templates, store, None)  # type: ignore[arg-type]
    edited: dict[str, tuple[Article, BodyInfo, str]] = {}   # slug → the article, its new body, its file's digest
    new_rows: dict[str, Row] = {}
    authors = AuthorIndex(shared.authors)
    carded: set[str] = set()   # the edited articles whose cards changed
    for slug, (source, row) in rows.items():
        path = source_dir / source
        item, digest = loaded[slug]
        if digest == row.digest:
            continue   # saved as it was
        article = shared.changed.get(source, item)
        lookups = _Lookups({target: url for style, target, url in row.resolved if style == CONTENT_FILE})
        lookups[source] = article.url
        # The photos it showed, unchanged since (their files are not among those changed).
        photos = {record[0]: SiteFile(record[0], str(source_dir / record[0]), record[1])
                  for record in (*row.images, *((row.lead,) if row.lead else ()))}
        info = render_article(replace(context, url_of_source=lookups, pages=_Pages(row.resolved), files=photos),
                              article, digest, path)
        location = store.locations.get(info.key)
        if signal_digest(info) != row.signals or others_digest(info) != row.others or location is None:
            return None
        edited[slug] = (article, info, digest)
        card = card_digest(article, authors, info.lead)
        if card != row.card:
            carded.add(slug)
        new_rows[source] = row._replace(loaded=item.loaded_digest, digest=digest, key=info.key, version=info.version,
                                        location=location, resolved=info.resolved, card=card,
                                        card_fields=card_fields(item))
    times.lap("text edit: bodies")
    if not edited:   # saved as they were: the output stands, and the next build knows their statuses
        report = replace(meta.report, seconds=time.perf_counter() - started, sources=watch.recorded_sources())
        watch.save(report, sources_kept=True)
        times.lap("text edit: saving caches")
        return report
    cards = CardEdit.of(state, shared, rows, edited, carded) if carded else None
    if cards is not None and (cards.reported(meta.report) or headline_problems(edited[s][0] for s in carded)):
        return None   # a warning the edit may have brought or taken away: the whole pipeline reports it
    site = _site(options, shared, rows, edited, state, store, cards)
    renderer = Renderer(source_dir, shared.config, cache_folder(source_dir) / "templates")
    template_globals(renderer, site, asset_paths(source_dir, shared.static_files))
    planner = ArticlePages(site, renderer, store, None)
    specs: list[PageSpec] = []
    for slug in edited:
        specs += [planner.page(site.article_by_slug[slug]), *feeds_holding(site, renderer, store, slug)]
    if cards is not None:
        specs += cards.pages(site, renderer, store, planner, edited.keys())
    times.lap("text edit: planning")
    files = dict(manifest.files)
    todo = [spec for spec in specs if files.get(spec.path) != spec.fingerprint]
    made = [(path, data) for spec in todo for path, data in made_files(spec)]
    files.update((spec.path, spec.fingerprint) for spec in todo)
    job, new_search = _search_job(search, edited, store, options, shared) if search is not None else (None, None)
    # From the command line, large shards to index go to the process that started the build: this one,
    # holding the last build's state, has exited by the time Pagefind runs (`search_tail`).
    later = (job is not None and bool(job.todo) and options.hand_off_search
             and max(cost(shard.records) for shard in job.todo) > HAND_OVER_ABOVE
             and on_disk(job.todo, job.store, store))
    index = _search_result(job) if job is not None and not later else None
    deleted: list[str] = []
    if index is not None:
        deleted = [path for path in files if path.startswith(f"{SEARCH_OUTPUT}/") and path not in index.files]
        for path in deleted:
            del files[path]
        files.update(index.files)
        times.lap("text edit: search")
    staged = PatchOutput(destination)
    commit = None
    try:
        for path, data in made:
            staged.write(path, data)
        if later:   # the search files, the manifest and the commit come with the index
            pages = {path: print_ for path, print_ in files.items() if not path.startswith(f"{SEARCH_OUTPUT}/")}
            commit = Commit(destination, staged, manifest_file, manifest, pages, json.loads(manifest.groups_json),
                            [path for path, _ in made], manifest.search)
        else:
            written = [path for path, _ in made] + (index.write(staged, manifest.files) if index is not None else [])
            write_manifest(manifest_file, Manifest(staged.marker, manifest.search, files, manifest.groups_json))
            try:
                staged.commit(written, deleted)
            except OSError:
                restore_manifest(manifest_file, manifest)
                raise
    except BaseException:
        staged.abort()
        raise
    times.lap("text edit: writing")
    report = replace(meta.report, seconds=time.perf_counter() - started, rendered=len(todo),
                     sources=watch.recorded_sources())
    # Handed on, the output is not in place yet: what is saved holds for the marker it will carry.
    marker = commit.marker if commit is not None else marker_identity(destination) or ""
    state.save(replace(meta, marker=marker), None, new_rows.items(), search=new_search or True)
    watch.save(report, sources_kept=True, marker=marker if commit is not None else None)
    times.lap("text edit: saving caches")
    report = replace(report, seconds=time.perf_counter() - started)
    if commit is not None:
        assert job is not None
        return replace(report, pending=SearchTail.of(job, store, commit))
    return report


def _search_result(job: SearchJob) -> SearchIndex:
    """The index once `job`'s shards are indexed here."""
    index = job.result(Diagnostics())
    if index is None:
        raise ValueError("search index not built")   # the whole pipeline reports why
    return index


def _search_job(search: SearchState, edited: Mapping[str, tuple[Article, BodyInfo, str]], store: BodyStore,
                options: BuildOptions, shared: Shared) -> tuple[SearchJob, SearchState]:
    """The search index with the edited articles' records, not started: their shards are to be indexed
    again, as the search stage would (the records of the whole site decide the shards, and a body's size
    may move a split)."""
    bodies = {article.url: (article, info) for article, info, _ in edited.values()}
    sections = {section.slug: section for section in shared.config.sections}
    gettext = messages_for(shared.config).gettext
    records, kept = [], []
    for record, entry in zip(search.search_records(), search.records):
        found = bodies.get(record.url) if record.kind == "article" else None
        location = entry[9]
        if found is not None:   # made again: a card edit changes what the record shows too
            article, info = found
            location = store.locations[info.key]
            record = article_record(article, info.key, location[2], sections, gettext)
            entry = (record.url, record.kind, record.title, info.key, location[2], record.digest,
                     record.date.isoformat() if record.date else None, record.section, record.lines, location)
        if location is not None:
            store.locations.setdefault(record.body_key, tuple(location))
        records.append(record)
        kept.append(entry)
    job = SearchJob(assign_shards(records, search.settings, search.budget), search_store(cache_folder(options.source)),
                    store, shared.config.language, options.jobs or cpu_count(), deferred=True)
    return job, SearchState(search.settings, search.budget, kept)


def _site(options: BuildOptions, shared: Shared, rows: dict[str, tuple[str, Row]],
          edited: Mapping[str, tuple[Article, BodyInfo, str]], state: EditState, store: BodyStore,
          cards: CardEdit | None) -> LinkedSite:
    """The part of the last build's linked site that the edited articles' pages and feeds show; with
    `cards`, also the pages that show their cards and the lists those are pages of."""
    entries = {slug: tuple(RelatedEntry(*entry) for entry in row.related) for slug, (_, row) in rows.items()}
    wanted = set(shared.newest)
    for slug, (article, _, _) in edited.items():
        wanted.update(entry.slug for entry in entries[slug])
        wanted.update(rows[slug][1].back)
        wanted.update(*(tag.articles for tag in shared.tags if slug in tag.articles))
        wanted.update(shared.section_articles.get(article.section, ()))
        wanted.update(*(found for found in shared.author_articles.values() if slug in found))
    if cards is not None:   # the pages showing them, and what those pages show of their related articles
        wanted |= cards.wanted | cards.shown_by
        shown = state.rows(slugs=cards.shown_by - rows.keys())
        wanted.update(slug for _, row in shown.values() for slug in (*(entry[0] for entry in row.related), *row.back))
        rows = {**shown, **rows}
    rows = {**state.rows(slugs=wanted - rows.keys()), **rows}
    if not wanted <= rows.keys():
        raise KeyError("an article the pages show has no row")
    articles: dict[str, Article] = {}
    infos: dict[str, BodyInfo] = {}
    for slug, (source, row) in rows.items():
        if slug in edited:
            articles[slug], infos[slug], _ = edited[slug]
            continue
        path = options.source / source
        _, item, found, _ = load_file(SourceFile(source, path, row.kind), shared.load_options, shared.max_size)
        if not isinstance(item, Article) or item.loaded_digest != row.loaded:
            raise ValueError(f"{source} changed since the last build")
        articles[slug] = shared.changed.get(source, item)
        infos[slug] = StoredInfo(row.key, row.terms, lead=row.lead,  # type: ignore[arg-type]
                                  stored_version=row.version)
        if row.location is not None:
            store.locations[row.key] = row.location
    entries.update((slug, tuple(RelatedEntry(*entry) for entry in row.related)) for slug, (_, row) in rows.items()
                   if slug not in entries)
    digests = {source: edited[slug][2] if slug in edited else row.digest for slug, (source, row) in rows.items()}
    config, links = shared.config, Links(
        related=entries, backlinks={slug: row.back for slug, (_, row) in rows.items()}, tags=shared.tags,
        term_articles={}, related_terms={}, shown={slug: row.shown for slug, (_, row) in rows.items()})
    authors = AuthorIndex(shared.authors)
    shown_cards = {slug: row.card for slug, (_, row) in rows.items()}
    shown_cards.update((slug, card_digest(article, authors, info.lead)) for slug, (article, info, _) in edited.items())
    site = LinkedSite(
        config=config, articles=tuple(articles[slug] for slug in shared.newest), article_by_slug=articles,
        terms=shared.terms, term_by_slug={t.slug: t for t in shared.terms}, infos=infos, term_infos={},
        links=links, digests=digests, settings_digest=shared.settings_digest, static_files=shared.static_files,
        cards=shown_cards, authors=authors,
        section_articles=shared.section_articles, author_articles=shared.author_articles, menus=shared.menus,
        now=options.now,
    )
    if cards is not None:
        site = cards.site(site, shared, store)
    return site


def _dated_by_files(shared: Shared) -> bool:
    options = shared.load_options
    return bool({":git", ":filemodtime"} & {*options.dates, *options.updated})
