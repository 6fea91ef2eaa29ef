"""The preview's shortcut for an edit of articles' text or cards alone: the pages showing them planned again.

An editor who fixes a typo saves one file and leaves its front matter as it
was. When the body's new rendering tells the rest of the build what the old
one told it (the same annotated terms and term counts, top words and links:
everything the link stage reads; the same notes and images), every other
page's inputs are what they were. The last build's plan then stands, but for
the article's own page, the feeds that carry its text and the search shard
that holds it. At 100,000 articles the preview shows such an edit in a tenth
of a second where the whole pipeline takes five.

An edit of a title, summary, kicker or photo caption (`card_edit.CARD_FIELDS`)
reaches the pages that show the article's card as well: those of the articles
that show it as related or linking to it, the listing and term pages that
list it, the front page, the news sitemap and its aliases' pages. They are
planned again from the last build's site with the article replaced.

`body_edit` returns None for anything else (a new or deleted file, front
matter changed beyond the card, a new term or link in the text, a moment that
changes what the site shows, a warning the card may bring or take away), and
the caller runs the whole pipeline: the shortcut never decides what a full
build would not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Collection, Mapping

from ..content.model import Article, BodyInfo
from ..content.sources import SourceFile
from ..errors import Diagnostics
from ..output.listings import feeds_holding, front_page
from ..output.page_plan import ArticlePages, news_sitemap_page, pages_showing, redirect_pages
from ..output.sitemaps import news_articles
from ..output.specs import BodyHtml, LinkedSite, PageSpec, card_digest
from ..output.structured_data import headline_problems
from ..output.templates import Renderer
from .bodies import render_article
from .card_edit import card_fields, with_card_fields
from .edit_state import others_digest
from .linking import signal_digest
from .build import Prepared
from .load_cache import LoadCache, file_status
from .loading import load_file
from .resources import asset_paths, template_globals
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
        """The build after a body edit of this one: the same moments and output paths, and the same
        articles unless it edited their cards."""
        same = prepared.site is not None and self.prepared.site is not None and \
            prepared.site.articles is self.prepared.site.articles
        return LastBuild(prepared, self.where, self._articles if same else None, self._until)


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
    carded: dict[str, Article] = {}   # slug → the article with the card it now has
    for rel in sorted(changed):
        article = last.articles.get(rel)
        before = load_cache.last(rel)
        path = source / rel
        if article is None or before is None or not os.path.isfile(path) or os.path.islink(path):
            return None
        status = file_status(path)
        kind, item, found, digest = result = load_file(SourceFile(rel, path, before[1][0]), load_cache.options,
                                                      load_cache.max_size)
        if status is None or digest is None or (kind, found) != (before[1][0], before[1][2]):
            return None
        if item != before[1][1]:   # a card edit, or more than the whole pipeline's to build
            if (rel in prepared.adjusted or not isinstance(item, Article)
                    or with_card_fields(item, card_fields(before[1][1])) != before[1][1]):
                return None
            article = carded[article.slug] = item
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
    found_source = prepared.search_source
    if carded:
        if (headline_problems(carded.values())
                or any(problem.path in {a.source for a in carded.values()} for problem in prepared.problems.items)):
            return None   # a warning the edit may have brought or taken away: the whole pipeline reports it
        site = _with_cards(site, carded)
        # A new teaser memo (the last build's holds the old cards' teasers), and the site the templates see.
        template_globals(renderer, site, asset_paths(source, site.static_files))
        if found_source is not None:
            found_source = replace(found_source, articles=tuple(carded.get(a.slug, a) for a in found_source.articles))
    specs = list(prepared.specs)
    store = context.store
    planner = ArticlePages(site, renderer, store, None)
    indices: dict[int, None] = {}
    replanned = [spec for article in edited
                 for spec in (planner.page(site.article_by_slug[article.slug]),
                              *feeds_holding(site, renderer, store, article.slug))]
    if carded:
        replanned += _card_pages(site, renderer, store, planner, frozenset(carded), {a.slug for a in edited})
    for spec in replanned:
        index = last.where[spec.path]
        specs[index], indices[index] = spec, None
    problems = Diagnostics()
    problems.extend(prepared.problems.items)
    job = None
    if found_source is not None and search is not None:
        found_source = replace(found_source, infos=infos)
        job = start_search(found_source, context.store, search, jobs, problems)
    return BodyEdit(replace(prepared, problems=problems, digests=digests, site=site, specs=specs, search=job,
                            search_source=found_source), tuple(a.source for a in edited), tuple(indices))


def _with_cards(site: LinkedSite, carded: Mapping[str, Article]) -> LinkedSite:
    """The site with the articles `carded` (by slug) in place of theirs, and their cards."""
    cards = dict(site.cards)
    for slug, article in carded.items():
        cards[slug] = card_digest(article, site.authors, site.infos[slug].lead)
    return replace(site, articles=tuple(carded.get(a.slug, a) for a in site.articles),
                   article_by_slug={**site.article_by_slug, **carded}, cards=cards)


def _card_pages(site: LinkedSite, renderer: Renderer, store: BodyHtml, planner: ArticlePages, only: frozenset[str],
                planned: set[str]) -> list[PageSpec]:
    """The pages that show the cards of `only`, but the pages of `planned` articles and feeds (planned already):
    the articles' that show them as related or linking to them, the listing and term pages that list them,
    the front page and the news sitemap, and their aliases' pages."""
    links = site.links
    shown_by = {slug for slug, entries in links.related.items() if any(entry.slug in only for entry in entries)}
    shown_by.update(slug for slug, back in links.backlinks.items() if not only.isdisjoint(back))
    specs = [planner.page(site.article_by_slug[slug]) for slug in sorted(shown_by - planned)]
    specs += pages_showing(site, renderer, store, only, tuple(a.slug for a in site.articles))
    specs += [front_page(site, renderer, store),
              news_sitemap_page(site, renderer, news_articles(site.articles, site.now or datetime.now(timezone.utc)))]
    for slug in sorted(only):
        specs += redirect_pages(site, renderer, site.article_by_slug[slug])
    return specs


def _dated_by_files(load_cache: LoadCache) -> bool:
    """Whether articles take dates from git or their files' times, which a save may change."""
    options = load_cache.options
    return bool({":git", ":filemodtime"} & {*options.dates, *options.updated})
