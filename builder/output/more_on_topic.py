"""The one "more on this" list after an article: related articles and backlinks merged, each once.

Order: the articles an editor named (`related:`, either direction), then the
ranked related articles, then the other articles linking here, newest first.
Named ones are always shown; the rest fill up to `related.count + 2` entries,
so a backlink or two still finds room beside a full related list. Each entry carries what it shares with
the article (glossary terms and tags, as ranking found them) for the template
to phrase ("Auch über: NATO, Kreml"); an entry that shares nothing says nothing.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

from ..content.model import Article, RelatedEntry

EXTRA_ENTRIES = 2          # room for backlinks beyond `related.count`


class MoreEntry(NamedTuple):
    """One article of the list, with what it shares with the article shown (a tuple: every
    build makes half a million of these at 100,000 articles, for the pages' fingerprints)."""

    article: Article
    topics: tuple[str, ...] = ()   # shared terms and tags, most telling first
    explicit: bool = False         # an editor named it in `related:`
    links_here: bool = False       # it links to the article shown (or names it in `related:`)


def more_on_topic(related: Sequence[RelatedEntry], backlinks: Sequence[str], by_slug: Mapping[str, Article],
                  count: int) -> tuple[MoreEntry, ...]:
    """The merged list for one article; `count` is the site's `related.count`."""
    linking = {slug for slug in backlinks if slug in by_slug}
    ranked = [r for r in related if r.slug in by_slug]
    chosen: dict[str, MoreEntry] = {}
    for entry in ranked:
        if entry.explicit and entry.slug not in chosen:
            chosen[entry.slug] = MoreEntry(by_slug[entry.slug], tuple(entry.reasons), True, entry.slug in linking)
    limit = max(len(chosen), count + EXTRA_ENTRIES)
    for entry in ranked:
        if len(chosen) >= limit:
            break
        if entry.slug not in chosen:
            chosen[entry.slug] = MoreEntry(by_slug[entry.slug], tuple(entry.reasons), entry.explicit,
                                           entry.slug in linking)
    if linking:
        others = sorted((by_slug[s] for s in linking if s not in chosen), key=lambda a: (a.date, a.slug),
                        reverse=True)
        for article in others[:max(0, limit - len(chosen))]:
            chosen[article.slug] = MoreEntry(article, links_here=True)
    return tuple(chosen.values())
