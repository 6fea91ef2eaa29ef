"""Who points at whom: backlinks, and the validation of `related:` front matter."""

from __future__ import annotations

import difflib
from collections import defaultdict
from typing import Sequence

from ..content.model import Article
from ..errors import Diagnostic
from ..util.slug import slugify
from .features import ArticleSignals


def backlinks(signals: Sequence[ArticleSignals]) -> dict[str, tuple[str, ...]]:
    """Slug -> slugs of the articles pointing at it, sorted, never itself.

    A points at B when A links to B in its text or names B in `related:`; an
    explicit `related:` counts both ways, so B also points at A.
    """
    known = {signal.slug for signal in signals}
    pointing: dict[str, set[str]] = defaultdict(set)
    for signal in signals:
        source = signal.slug
        for target in (*signal.links, *signal.related):
            if target in known and target != source:
                pointing[target].add(source)
        for target in signal.related:
            if target in known and target != source:
                pointing[source].add(target)
    return {slug: tuple(sorted(pointing.get(slug, ()))) for slug in sorted(known)}


def validate_related(articles: Sequence[Article]) -> list[Diagnostic]:
    """Errors for `related:` entries naming no article or the article itself.

    Each diagnostic points at the line of the `related` key; an unknown slug
    gets a hint with the closest existing slug when there is a close one (its
    slugified form first: "Gipfel in Paris" -> "gipfel-in-paris"). A slug
    listed twice is a warning.
    """
    slugs = sorted({article.slug for article in articles})
    known = set(slugs)
    diagnostics: list[Diagnostic] = []
    for article in sorted(articles, key=lambda a: (a.source, a.slug)):
        line = article.key_lines.get("related")
        seen: set[str] = set()
        for slug in article.related:
            if slug == article.slug:
                diagnostics.append(Diagnostic(
                    article.source, line,
                    f"related article '{slug}' is this article itself",
                    hint="remove it from `related:`"))
            elif slug not in known:
                others = [s for s in slugs if s != article.slug]
                close = ([slugify(slug)] if slugify(slug) in others
                         else difflib.get_close_matches(slug, others, n=1))
                hint = f"did you mean '{close[0]}'?" if close else None
                diagnostics.append(Diagnostic(
                    article.source, line, f"related article '{slug}' does not exist", hint=hint))
            elif slug in seen:
                diagnostics.append(Diagnostic(
                    article.source, line, f"related article '{slug}' is listed twice",
                    severity="warning"))
            seen.add(slug)
    return diagnostics
