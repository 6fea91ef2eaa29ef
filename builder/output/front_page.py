"""The front page: which article leads, which articles each block shows.

The lead story is the newest article marked `featured: true` whose
`featured_until:` (if it has one) has not passed at the build's moment, else
the newest article. Blocks follow `config.front_blocks` top to bottom; an
article is shown once, in the first block that takes it (as Newspack's
homepage blocks do), so a section block skips the lead story and the latest
list skips both. `featured` and `featured_until` are theme keys: they stay in
`article.extra` and are checked here, with the line they are on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Iterable, Sequence

from ..content.dates import parse_date
from ..content.front_page import SECTION_COUNT
from ..content.model import Article
from ..content.site_structure import Section
from ..errors import Diagnostic
from .specs import LinkedSite


@dataclass(frozen=True)
class Block:
    """One block as the front page template shows it."""

    kind: str                          # lead, section or latest
    title: str                         # "": the template's wording
    items: tuple[Article, ...]
    section: Section | None = None


def featured_until(article: Article, tz: tzinfo) -> tuple[bool, datetime | None]:
    """Whether the article is marked featured, and until when (None: until a newer one is).

    `featured_until:` alone marks it featured too. Raises ValueError for a value of the wrong kind.
    """
    marked, until = article.extra.get("featured", None), article.extra.get("featured_until", None)
    if marked is not None and not isinstance(marked, bool):
        raise ValueError("'featured' must be true or false")
    if until is None:
        return bool(marked), None
    try:
        moment = parse_date(until, tz)
    except ValueError as exc:
        raise ValueError(f"'featured_until' {exc}") from None
    return marked is not False, moment


def featured_problems(articles: Sequence[Article], tz: tzinfo) -> list[Diagnostic]:
    """An error on its line for every `featured` or `featured_until` value that is not understood."""
    problems = []
    for article in articles:
        if not article.extra:
            continue   # (most articles: the check of 100,000 took 0.1 s)
        try:
            featured_until(article, tz)
        except ValueError as exc:
            key = "featured" if str(exc).startswith("'featured' ") else "featured_until"
            problems.append(Diagnostic(article.source, article.key_lines.get(key), str(exc)))
    return problems


def lead_story(articles: Sequence[Article], now: datetime, tz: tzinfo) -> Article | None:
    """The newest article featured at `now`, else the newest article (`articles` are newest first)."""
    for article in articles:
        if not article.extra:
            continue   # not featured; without a featured article this walks the whole archive
        try:
            marked, until = featured_until(article, tz)
        except ValueError:
            continue
        if marked and (until is None or now < until):
            return article
    return articles[0] if articles else None


def front_blocks(site: LinkedSite, now: datetime) -> tuple[Block, ...]:
    """The blocks of the front page with their articles; a block left without articles is dropped."""
    config = site.config
    shown: set[str] = set()
    blocks: list[Block] = []
    for spec in config.front_blocks:
        if spec.kind == "lead":
            lead = lead_story(site.articles, now, config.tz)
            items: tuple[Article, ...] = (lead,) if lead is not None and lead.slug not in shown else ()
            section = None
        elif spec.kind == "section":
            section = site.section(spec.section)
            slugs = site.section_articles.get(spec.section, ())
            items = _newest((site.article_by_slug[s] for s in slugs), shown, spec.count or SECTION_COUNT)
        else:
            section = None
            items = _newest(site.articles, shown, spec.count or config.paginate)
        shown.update(a.slug for a in items)
        if items:
            blocks.append(Block(spec.kind, spec.title, items, section))
    return tuple(blocks)


def _newest(articles: Iterable[Article], shown: set[str], count: int) -> tuple[Article, ...]:
    found: list[Article] = []
    for article in articles:
        if article.slug not in shown:
            found.append(article)
            if len(found) == count:
                break
    return tuple(found)

