"""Tests for builder.build.linking: tags and terms used together, computed from every article at once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from builder.pipeline.linking import _related_terms, collect_tags
from builder.content.model import BodyInfo, Article

START = datetime(2024, 3, 1, tzinfo=timezone.utc)


def article(slug: str, *tags: str) -> Article:
    return Article(slug=slug, source=f"content/articles/{slug}.md", folder="articles", title=slug,
                   date=START + timedelta(days=len(slug)), body="", tags=tags)


def test_tags_merge_spellings_show_the_most_used_and_keep_article_order() -> None:
    articles = (article("c", "NATO", "Außenpolitik"), article("b", "Nato", "NATO"), article("a", "NATO"),
                article("d", "Aussenpolitik"))
    tags = collect_tags(articles)
    assert [(t.name, t.slug, t.articles) for t in tags] == [
        ("Aussenpolitik", "aussenpolitik", ("c", "d")),   # tied spellings: the first in code-point order
        ("NATO", "nato", ("c", "b", "a")),                # each article once, in the given order
    ]


def test_related_terms_are_those_used_together_most_often() -> None:
    uses = {"a": {"nato": 2, "osze": 1, "kreml": 1}, "b": {"nato": 1, "osze": 3}, "c": {"nato": 1, "ezb": 0},
            "d": {"kreml": 1, "osze": 1}}
    infos = {slug: BodyInfo(key=slug, term_counts=counts) for slug, counts in uses.items()}
    related = _related_terms(tuple(article(slug) for slug in uses), infos)
    assert related == {"nato": ("osze", "kreml"), "osze": ("kreml", "nato"), "kreml": ("osze", "nato")}
