"""The load stage: every content file read and validated on every core, cached by status (`load_cache`).

Article bodies are not kept: the parent process holds only front matter,
and the body stage reads a body again when it has to render it. A load
cache keyed by each file's status (modification and change time, size, inode) lets a
rebuild skip reading and parsing every file that did not change.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from ..content.bylines import AuthorIndex, check_bylines
from ..content.config import SiteConfig
from ..content.date_sources import FileDates, git_dates, modified_at
from ..content.locations import index_role
from ..content.media import bundle_resources
from ..content.model import Article, Author, Page, Term
from ..content.site_structure import with_section_pages
from ..content.sources import SourceFile, discover, read_text
from ..content.typos import typo_warnings
from ..content.uniqueness import clashing_urls, distinct_keys
from ..content.validate import (
    LoadOptions,
    load_article,
    load_author,
    load_index,
    load_page,
    load_term,
    replace_invalid_characters,
)
from ..errors import Diagnostics
from ..related.backlinks import validate_related
from ..text.collation import german_sort_key
from ..text.glossary_terms import check_glossary, summary_from_markdown
from ..util.parallel import map_indices
from .load_cache import Discovered, FileStatus, LoadCache, LoadResult, file_status


@dataclass
class Loaded:
    """The load stage's result."""

    config: SiteConfig
    articles: list[Article] = field(default_factory=list)    # published, newest first
    drafts: list[Article] = field(default_factory=list)      # drafts, scheduled and expired: not built
    terms: list[Term] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)          # undated pages, by URL
    authors: list[Author] = field(default_factory=list)      # profiles, in German order of names
    scheduled: list[Article] = field(default_factory=list)   # dated in the future, soonest first
    other_files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # folder → non-Markdown files
    digests: dict[str, str] = field(default_factory=dict)   # source → digest of its text
    paths: dict[str, str | Path] = field(default_factory=dict)    # source → file
    clashes: set[str] = field(default_factory=set)          # output paths two files claim, already reported
    adjusted: dict[str, Article] = field(default_factory=dict)   # source → a published article changed after
                                                                # loading (a slug made unique, `related:` cut)


def _load_one(state: tuple[list[SourceFile], LoadOptions, int, dict[str, FileDates]], index: int) -> LoadResult:
    """Worker: read, split and validate one content file; an article comes back without its body."""
    files, options, max_size, dates = state
    file = files[index]
    text, problem = read_text(file, max_size=max_size)
    if problem is not None or text is None:
        return file.kind, None, (problem,) if problem else (), None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if file.kind == "term":
        term, found = load_term(file.rel, text, options)
        if term is not None and not term.summary:
            term = replace(term, summary=summary_from_markdown(term.body))
        return file.kind, term, tuple(found), digest
    if file.kind == "author":
        author, found = load_author(file.rel, text, options, keep_body=False)
        return file.kind, author, tuple(found), digest
    if file.kind in ("page", "section"):
        load = load_index if file.kind == "section" else load_page
        page, found = load(file.rel, text, options, keep_body=False)
        return file.kind, page, tuple(found), digest
    item, found = load_article(file.rel, text, options, keep_body=False, undated_is_page=file.kind == "document",
                               file_dates=dates.get(file.rel, FileDates()))
    if isinstance(item, Article):   # made here, on every core, and kept with the article in the load cache
        item.listed_digest
        item.loaded_digest
        item.dated_url
    return file.kind, item, tuple(found), digest


def load_file(file: SourceFile, options: LoadOptions, max_size: int) -> LoadResult:
    """One content file loaded as a load with these options would load it (dates from files aside)."""
    return _load_one(([file], options, max_size, {}), 0)


def read_body(path: str | Path, rel: str, body_line: int, max_size: int) -> str:
    """An article's Markdown body, read again: the text from its body line on, as loading saw it."""
    text, _ = read_text(SourceFile(rel, path, "article"), max_size=max_size)
    text, _ = replace_invalid_characters(rel, text or "")
    start = 0
    for _ in range(body_line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start:]


@dataclass(frozen=True)
class Visibility:
    """Which articles a build publishes: drafts, scheduled (dated after `now`) and expired ones
    are left out unless asked for, and nothing of them reaches any page of the site."""

    drafts: bool = False
    future: bool = False
    expired: bool = False
    now: datetime | None = None      # None: the moment of loading

    def hides(self, article: Article, now: datetime) -> bool:
        return ((article.draft and not self.drafts) or (article.date > now and not self.future)
                or (article.expiry is not None and article.expiry <= now and not self.expired))


def load_site(source: Path, config: SiteConfig, visibility: Visibility, problems: Diagnostics, jobs: int = 1,
              cache: LoadCache | None = None, known: Mapping[str, FileStatus] | None = None,
              discovered: Discovered | None = None,
              with_glossary: Callable[[list[Term]], None] | None = None) -> Loaded:
    """Read and validate every content file, or take it from the cache; collect every problem.

    `known`: statuses taken before (by relative path), used instead of asking for them again.
    `discovered`: the last load's files, used when only files it knew changed since.
    `with_glossary`: called with the glossary's terms (as loaded, unchecked) while worker processes
    read the other files, when there are workers and glossary files to read: serial work that needs
    only the terms (the German forms) then runs while the cores are busy, not after the loading."""
    if discovered is not None and discovered.usable and discovered.found is not None:
        found_before = discovered.found
        known = discovered.statuses
    else:
        others: dict[str, list[tuple[str, str]]] = {}
        found_before = (*discover(source, others), others)
    files, found, others = found_before
    problems.extend(found)
    options = _options(config, files)
    if options.url_rules == "hugo":   # Markdown inside a leaf bundle is Hugo's page resource, not a page
        resources = bundle_resources(f.rel for f in files)
        files = [f for f in files if f.rel not in resources]
    max_size = config.markdown.max_file_size
    if cache is None:
        cache = LoadCache(None, options, max_size)
    cache.use(options)
    known = known or {}
    # Nothing to look up (no statuses taken before, nothing cached, dates not from the files): each
    # file's status is taken where it is read, on every core, not one file after the other here.
    late = not known and not cache.entries and not _dates_from_files(options, files)
    statuses: list[FileStatus | None] = ([None] * len(files) if late else
                                         [known.get(file.rel) or file_status(file.path) for file in files])
    taken = statuses   # as the file system gives them, for `discovered` (filled in by the loading when late)
    dates = _file_dates(source, files, statuses, options, problems)
    if dates:  # a new commit changes a file's dates, not its status
        statuses = [s + _dates_key(dates.get(f.rel)) if s else s for f, s in zip(files, statuses)]
    results: list[LoadResult | None] = [None] * len(files) if late else [cache.get(f.rel, s)
                                                                          for f, s in zip(files, statuses)]
    missing = [i for i, result in enumerate(results) if result is None]
    if missing:
        _load_missing(files, missing, results, (options, max_size, dates), jobs, with_glossary,
                      statuses if late else None)
    if discovered is not None:
        discovered.keep(found_before, {f.rel: s for f, s in zip(files, taken) if s is not None})
    cache.update({f.rel: (s, r) for f, s, r in zip(files, statuses, results) if s is not None and r is not None})
    loaded = Loaded(config, other_files=others)
    now = visibility.now or datetime.now(timezone.utc)
    index_pages: list[Page] = []
    for file, result in zip(files, results):
        assert result is not None
        _, item, found_here, digest = result
        problems.extend(found_here)
        if digest is not None:
            loaded.digests[file.rel] = digest
            loaded.paths[file.rel] = file.path
        if isinstance(item, Term):
            loaded.terms.append(item)
        elif isinstance(item, Article):
            (loaded.drafts if visibility.hides(item, now) else loaded.articles).append(item)
            if item.date > now and not visibility.future and not (item.draft and not visibility.drafts):
                loaded.scheduled.append(item)
        elif isinstance(item, Page):
            if item.listing:
                index_pages.append(item)
            if not item.draft or visibility.drafts:
                loaded.pages.append(item)
        elif isinstance(item, Author):
            loaded.authors.append(item)
    # Sections that only an _index.md names are sections too (Hugo's branch bundles).
    loaded.config = replace(config, sections=with_section_pages(config.sections, index_pages))
    problems.extend(clashing_urls(sorted([*loaded.articles, *loaded.drafts, *loaded.pages], key=lambda i: i.source),
                                  loaded.clashes))
    as_loaded = {id(a) for a in loaded.articles}
    keyed = {a.source: a for a in distinct_keys(loaded.articles + loaded.drafts)}
    loaded.articles, loaded.drafts, loaded.scheduled = ([keyed[a.source] for a in items] for items in
                                                        (loaded.articles, loaded.drafts, loaded.scheduled))
    _check_unique(loaded.terms, "term slug", lambda t: t.slug, problems)
    _check_unique(loaded.authors, "author slug", lambda a: a.slug, problems)
    problems.extend(check_bylines(loaded.articles, AuthorIndex(loaded.authors)))
    problems.extend(check_glossary(loaded.terms))
    problems.extend(validate_related(loaded.articles + loaded.drafts))
    problems.extend(typo_warnings([*loaded.articles, *loaded.drafts, *loaded.pages, *loaded.terms, *loaded.authors]))
    published = {a.slug for a in loaded.articles}
    loaded.articles = [replace(a, related=tuple(s for s in a.related if s in published))
                       if any(s not in published for s in a.related) else a for a in loaded.articles]
    loaded.adjusted = {a.source: a for a in loaded.articles if id(a) not in as_loaded}
    loaded.articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    loaded.terms.sort(key=lambda t: (german_sort_key(t.term), t.slug))
    loaded.pages.sort(key=lambda p: (p.url, p.source))
    loaded.authors.sort(key=lambda a: (german_sort_key(a.name), a.slug))
    loaded.scheduled.sort(key=lambda a: (a.date, a.slug))
    return loaded


def _load_missing(files: list[SourceFile], missing: list[int], results: list[LoadResult | None],
                  settings: tuple[LoadOptions, int, dict[str, FileDates]], jobs: int,
                  with_glossary: Callable[[list[Term]], None] | None,
                  statuses: list[FileStatus | None] | None = None) -> None:
    """Load `files[i]` for each of `missing` into `results[i]`, on `jobs` processes. With
    `with_glossary`, this process loads the glossary files itself while the workers read the others,
    then hands every term to it (the workers being busy all the while); without workers it is not
    called, and all files are loaded in order. With `statuses`, each file's status is taken just
    before it is read, into `statuses[i]`."""
    options, max_size, dates = settings
    own = [i for i in missing if files[i].kind == "term"] if with_glossary is not None else []
    theirs = [i for i in missing if files[i].kind != "term"] if own else missing
    overlapped = False

    def put(i: int, found: tuple[FileStatus | None, LoadResult]) -> None:
        status, results[i] = found
        if statuses is not None:
            statuses[i] = status

    def meanwhile() -> None:
        nonlocal overlapped
        assert with_glossary is not None
        for i in own:
            put(i, _status_and_load(([files[i]], options, max_size, dates, statuses is not None), 0))
        with_glossary([result[1] for result in results if result is not None and isinstance(result[1], Term)])
        overlapped = True

    fresh = map_indices(_status_and_load, ([files[i] for i in theirs], options, max_size, dates, statuses is not None),
                        len(theirs), jobs, meanwhile=meanwhile if own else None)
    for i, found in zip(theirs, fresh):
        put(i, found)
    if own and not overlapped:   # no worker processes: nothing to overlap
        for i in own:
            put(i, _status_and_load(([files[i]], options, max_size, dates, statuses is not None), 0))


def _status_and_load(state: tuple[list[SourceFile], LoadOptions, int, dict[str, FileDates], bool], index: int
                     ) -> tuple[FileStatus | None, LoadResult]:
    """Worker: the file's status if asked for (taken before the file is read: a change while it is read
    makes the next build's status differ from this one), and the file loaded."""
    files, options, max_size, dates, with_status = state
    return file_status(files[index].path) if with_status else None, _load_one((files, options, max_size, dates), index)


def _dates_from_files(options: LoadOptions, files: list[SourceFile]) -> bool:
    """Whether files' dates come from their statuses (`:filemodtime`, Jekyll's drafts) or from git."""
    return bool((set(options.dates) | set(options.updated)) & {":git", ":filemodtime"}) or any(
        "/_drafts/" in f.rel for f in files)


def _options(config: SiteConfig, files: list[SourceFile]) -> LoadOptions:
    """The options files are loaded with: a folder with an `_index.md` is a section too."""
    options = LoadOptions.from_config(config)
    made = {slug for file in files if file.kind == "section"
            for role, slug in (index_role(file.rel, options.builtin_folders),) if role == "section"}
    return replace(options, sections=options.sections | made) if made - options.sections else options


def _file_dates(source: Path, files: list[SourceFile], statuses: list[FileStatus | None], options: LoadOptions,
                problems: Diagnostics) -> dict[str, FileDates]:
    """Git's and the file system's dates of every file, when `dates:` asks for them."""
    wanted = set(options.dates) | set(options.updated)
    if not wanted & {":git", ":filemodtime"}:   # Jekyll's drafts are dated by their files
        return {f.rel: FileDates(modified=modified_at(s[0])) for f, s in zip(files, statuses)
                if s and "/_drafts/" in f.rel}
    history: dict[str, tuple[str, str]] = {}
    if ":git" in wanted:
        history, why = git_dates(source)
        if why is not None:
            problems.warning("config.yaml", None, f"'dates' asks for dates from git, but there are none: {why}",
                             hint="commit the site to a git repository, or remove ':git' from 'dates'")
    modified = ":filemodtime" in wanted
    return {f.rel: FileDates(*history.get(f.rel, ("", "")), modified_at(s[0]) if modified and s else "")
            for f, s in zip(files, statuses)}


def _dates_key(dates: FileDates | None) -> tuple[str, ...]:
    return (dates.git_first, dates.git_last, dates.modified) if dates is not None else ()


def _check_unique(items: list[Any], what: str, key: Callable[[Any], str], problems: Diagnostics) -> None:
    seen: dict[str, Any] = {}
    for item in items:
        value = key(item)
        if value in seen:
            first = seen[value]
            problems.error(item.source, 1, f"{what} '{value}' is already used by {first.source}",
                           hint="rename one of the files or set a different 'slug:'")
        else:
            seen[value] = item
