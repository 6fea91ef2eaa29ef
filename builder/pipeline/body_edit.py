"""The preview's shortcut for an edit of articles' text alone: their pages and feeds planned again, no more.

An editor who fixes a typo saves one file and leaves its front matter as it
was. When the body's new rendering tells the rest of the build what the old
one told it (the same annotated terms and term counts, top words and links:
everything the link stage reads; the same notes and images), every other
page's inputs are what they were. The last build's plan then stands, but for
the article's own page, the feeds that carry its text and the search shard
that holds it. At 100,000 articles the preview shows such an edit in a tenth
of a second where the whole pipeline takes five.

`body_edit` returns None for anything else (a new or deleted file, a changed
front matter, a new term or link in the text, a moment that changes what the
site shows), and the caller runs the whole pipeline: the shortcut never
decides what a full build would not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Collection, Mapping

from ..content.model import Article, BodyInfo
from ..content.sources import SourceFile
from ..errors import Diagnostics
from ..output.listings import feeds_holding
from ..output.page_plan import ArticlePages
from .bodies import render_article
from .edit_state import others_digest
from .linking import signal_digest
from .build import Prepared
from .loading import LoadCache, file_status, load_file
from .search_stage import ShardStore, start_search
from .unchanged import next_change


@dataclass
class LastBuild:
    """A good build's prepared site, with what its stages knew, for the next edit."""

    prepared: Prepared
    where: Mapping[str, int]          # output path → index of its spec
    _articles: dict[str, Article] | None = None
    _until: tuple[datetime | None] | None = None

    @property
    def articles(self) -> dict[str, Article]:
        """The published articles by source file."""
        if self._articles is None:
            site = self.prepared.site
            self._articles = {a.source: a for a in site.articles} if site is not None else {}
        return self._articles

    @property
    def until(self) -> datetime | None:
        """The first moment at which time alone changes what the site shows (`unchanged.next_change`)."""
        if self._until is None:
            site = self.prepared.site
            self._until = (None if site is None else
                           next_change((*site.articles, *self.prepared.scheduled), site.now, site.config.tz),)
        return self._until[0]

    def edited(self, prepared: Prepared) -> "LastBuild":
        """The build after a body edit of this one: the same articles, moments and output paths."""
        return LastBuild(prepared, self.where, self._articles, self._until)


@dataclass(frozen=True)
class BodyEdit:
    """The prepared site after an edit of articles' text, and what the edit changed of the last one."""

    prepared: Prepared
    sources: tuple[str, ...]          # the edited files
    indices: tuple[int, ...]          # the specs planned again


def same_for_others(new: BodyInfo, old: BodyInfo) -> bool:
    """Whether a body tells every page but its article's own what the old one told them: what the link
    stage reads (`signal_digest`), its notes and its photos (`others_digest`)."""
    return signal_digest(new) == signal_digest(old) and others_digest(new) == others_digest(old)


def body_edit(last: LastBuild, changed: Collection[str], source: Path, load_cache: LoadCache, now: datetime,
              search: ShardStore | None, jobs: int) -> BodyEdit | None:
    """The last build's prepared site with the edited articles' bodies, pages and feeds made again, when
    `changed` (site-relative paths) are articles whose text alone changed; else None."""
    prepared, context = last.prepared, last.prepared.bodies
    site, renderer = prepared.site, prepared.renderer
    if (site is None or renderer is None or context is None or not changed or prepared.problems.errors
            or (last.until is not None and now >= last.until) or _dated_by_files(load_cache)):
        return None
    infos, digests = dict(site.infos), dict(site.digests)
    edited: list[Article] = []
    for rel in sorted(changed):
        article = last.articles.get(rel)
        before = load_cache.last(rel)
        path = source / rel
        if article is None or before is None or not os.path.isfile(path) or os.path.islink(path):
            return None
        status = file_status(path)
        kind, item, found, digest = result = load_file(SourceFile(rel, path, before[1][0]), load_cache.options,
                                                      load_cache.max_size)
        if status is None or digest is None or (kind, item, found) != before[1][:3]:
            return None
        if digest == before[1][3]:
            continue   # saved as it was
        info = render_article(context, article, digest, path)
        if not same_for_others(info, site.infos[article.slug]):
            return None
        load_cache.keep(rel, status, result)
        infos[article.slug], digests[rel] = info, digest
        edited.append(article)
    if not edited:
        return None
    site = replace(site, infos=infos, digests=digests)
    specs = list(prepared.specs)
    planner = ArticlePages(site, renderer, context.store, None)
    indices: dict[int, None] = {}
    for article in edited:
        for spec in (planner.page(article), *feeds_holding(site, renderer, context.store, article.slug)):
            index = last.where[spec.path]
            specs[index], indices[index] = spec, None
    problems = Diagnostics()
    problems.extend(prepared.problems.items)
    found_source, job = prepared.search_source, None
    if found_source is not None and search is not None:
        found_source = replace(found_source, infos=infos)
        job = start_search(found_source, context.store, search, jobs, problems)
    return BodyEdit(replace(prepared, problems=problems, digests=digests, site=site, specs=specs, search=job,
                            search_source=found_source), tuple(a.source for a in edited), tuple(indices))


def _dated_by_files(load_cache: LoadCache) -> bool:
    """Whether articles take dates from git or their files' times, which a save may change."""
    options = load_cache.options
    return bool({":git", ":filemodtime"} & {*options.dates, *options.updated})
