"""Tests for builder.pipeline.term_use: term lists made again from the last ones equal lists made from scratch."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from builder.content.config import SiteConfig
from builder.content.model import Article, BodyInfo
from builder.pipeline import linking
from builder.pipeline.linking import RelatedCache, link_site
from builder.pipeline.term_use import term_articles, term_use_again, terms_together

START = datetime(2024, 3, 1, tzinfo=timezone.utc)
TERMS = ["nato", "kreml", "osze", "ezb", "donbass", "minsk", "gipfel", "uno"]


def newest_first(articles: list[Article]) -> tuple[Article, ...]:
    return tuple(sorted(articles, key=lambda a: (a.date, a.slug), reverse=True))


def body(rng: random.Random, name: str) -> BodyInfo:
    """A body using a few terms (some annotated but not counted, some counted zero times)."""
    counted = {slug: rng.choice([0, 1, 1, 2, 3]) for slug in rng.sample(TERMS, rng.randrange(0, 5))}
    annotated = tuple(rng.sample(TERMS, rng.randrange(0, 2)))
    return BodyInfo(key=name, terms=annotated, term_counts=counted, words={"wort": 1})


def random_edit(rng: random.Random, articles: list[Article], infos: dict[str, BodyInfo], step: int) -> None:
    """One to three articles added, deleted, given other terms or another date (in place)."""
    for change in range(rng.randrange(1, 4)):
        kind = rng.choice(["new", "gone", "terms", "date", "terms"])
        if kind == "new" or not articles:
            slug = f"neu-{step}-{change}"
            articles.append(Article(slug=slug, source=f"content/articles/{slug}.md", folder="articles", title=slug,
                                    date=START + timedelta(hours=rng.randrange(0, 300)), body=""))
            infos[slug] = body(rng, f"{slug}@{step}")
            continue
        position = rng.randrange(len(articles))
        slug = articles[position].slug
        if kind == "gone":
            del articles[position], infos[slug]
        elif kind == "terms":
            infos[slug] = body(rng, f"{slug}@{step}.{change}")   # a new body: a new key
        else:
            articles[position] = replace(articles[position], date=START + timedelta(hours=rng.randrange(0, 300)))


def start(rng: random.Random, size: int) -> tuple[list[Article], dict[str, BodyInfo]]:
    articles = [Article(slug=f"a{i:03}", source=f"content/articles/a{i:03}.md", folder="articles", title=f"a{i}",
                        date=START + timedelta(hours=rng.randrange(0, 300)), body="") for i in range(size)]
    return articles, {a.slug: body(rng, a.slug) for a in articles}


@pytest.mark.parametrize("seed", range(6))
def test_term_lists_made_again_equal_lists_made_from_scratch(seed: int) -> None:
    rng = random.Random(seed)
    articles, infos = start(rng, 40)
    site = newest_first(articles)
    users, together = term_articles(site, infos), terms_together(site, infos)
    for step in range(15):
        before = {a.slug: (a.date, infos[a.slug]) for a in articles}
        random_edit(rng, articles, infos, step)
        site = newest_first(articles)
        changed = {a.slug for a in articles if before.pop(a.slug, None) != (a.date, infos[a.slug])} | set(before)
        again = term_use_again(site, infos, users, together, changed)
        assert again is not None
        users, together = again
        assert users == term_articles(site, infos), step
        assert list(users) and all(list(found) == [a.slug for a in site if a.slug in found]
                                   for found in users.values())   # newest first
        assert together == terms_together(site, infos), step


@pytest.mark.parametrize("seed", range(4))
def test_the_link_stage_makes_term_lists_again_from_its_cache(seed: int, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    again: list[Any] = []
    real = linking.term_use_again
    monkeypatch.setattr(linking, "term_use_again", lambda *args: again.append(real(*args)) or again[-1])
    rng = random.Random(seed)
    articles, infos = start(rng, 60)
    config = SiteConfig()
    for step in range(8):
        site = newest_first(articles)
        cached = link_site(site, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
        fresh = link_site(site, infos, (), config, {})
        assert (cached.term_articles, cached.related_terms) == (fresh.term_articles, fresh.related_terms), step
        assert cached == fresh
        random_edit(rng, articles, infos, step)
    assert again and all(found is not None for found in again)


def test_terms_of_a_deleted_article_lose_it_and_unused_terms_are_gone() -> None:
    a = Article(slug="a", source="a.md", folder="articles", title="a", date=START, body="")
    b = replace(a, slug="b", source="b.md", date=START + timedelta(days=1))
    c = replace(a, slug="c", source="c.md", date=START + timedelta(days=2))
    infos = {"a": BodyInfo(key="a", term_counts={"nato": 1, "osze": 2}),
             "b": BodyInfo(key="b", term_counts={"nato": 1}),
             "c": BodyInfo(key="c", terms=("uno",), term_counts={"kreml": 1, "nato": 1})}
    site = (c, b, a)
    users, together = term_use_again((c, b), infos, term_articles(site, infos), terms_together(site, infos), {"a"}) \
        or ({}, {})
    assert users == {"kreml": ("c",), "nato": ("c", "b"), "uno": ("c",)}
    assert together == {"kreml": ("nato",), "nato": ("kreml",)}
    assert term_use_again((c, b), infos, users, together, {"a", "b", "c"}) is None   # most of them
