"""Tests for builder.build.linking: tags and terms used together, computed from every article at once."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from builder.content.config import SiteConfig
from builder.content.model import Article, BodyInfo
from builder.pipeline import linking
from builder.pipeline.linking import RelatedCache, collect_tags, link_site
from builder.pipeline.term_use import terms_together
from builder.text.textstats import WordCounts

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
    related = terms_together(tuple(article(slug) for slug in uses), infos)
    assert related == {"nato": ("osze", "kreml"), "osze": ("kreml", "nato"), "kreml": ("osze", "nato")}


def _site(words_of_b: dict[str, int]) -> tuple[tuple[Article, ...], dict[str, BodyInfo]]:
    articles = (article("gipfel", "NATO"), article("genf", "NATO"), article("b", "Krise"))
    texts = {"gipfel": {"gipfel": 3, "genf": 2}, "genf": {"genf": 4, "gipfel": 1}, "b": words_of_b}
    infos = {slug: BodyInfo(key=f"{slug}:{sorted(words.items())}:{len(words_of_b)}", terms=("nato",),
                            term_counts={"nato": 1}, words=words)
             for slug, words in texts.items()}
    return articles, infos


def test_an_edit_that_changes_nothing_the_links_read_keeps_them_without_ranking(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new body key (the text changed) with the same terms, top words and links: the same links."""
    config = SiteConfig()
    articles, infos = _site({"krise": 2})
    first = link_site(articles, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    assert first.related["gipfel"][0].slug == "genf"
    ranked: list[int] = []
    real = linking.rank_related_again

    def counted(*args: Any, **kwargs: Any) -> Any:
        ranked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(linking, "rank_related_again", counted)
    edited = {slug: replace(info, key=info.key + " bearbeitet") for slug, info in infos.items()}
    cache = RelatedCache(tmp_path / "related.pickle")   # the next build's
    assert link_site(articles, edited, (), config, {}, cache) == first and ranked == []
    assert set(RelatedCache(tmp_path / "related.pickle").signals) == {info.key for info in edited.values()}
    changed = dict(edited, b=replace(edited["b"], key="b: neu", words={"krise": 2, "genf": 5}))
    again = link_site(articles, changed, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    assert ranked == [1] and again == link_site(articles, changed, (), config, {})
    assert again != first


def test_an_edit_that_changes_no_term_use_keeps_the_term_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = SiteConfig()
    articles, infos = _site({"krise": 2})
    link_site(articles, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    counted: list[str] = []
    for name in ("term_articles", "terms_together", "term_use_again"):
        real = getattr(linking, name)
        monkeypatch.setattr(linking, name, lambda *args, real=real, name=name: counted.append(name) or real(*args))
    words = dict(infos, b=replace(infos["b"], key="b: neue Wörter", words={"krise": 2, "genf": 5}))
    assert link_site(articles, words, (), config, {}, RelatedCache(tmp_path / "related.pickle")) \
        == link_site(articles, words, (), config, {})
    assert counted == ["term_articles", "terms_together"]   # only the build without a cache
    counted.clear()
    terms = dict(words, b=replace(words["b"], key="b: neue Begriffe", terms=("kreml",), term_counts={"kreml": 2}))
    again = link_site(articles, terms, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    assert counted == ["term_use_again"]   # the lists of the terms b uses or used are made again
    assert again == link_site(articles, terms, (), config, {}) and again.term_articles["kreml"] == ("b",)


@pytest.mark.parametrize("change", ["date", "tags", "related"])
def test_front_matter_the_ranking_reads_ranks_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     change: str) -> None:
    config = SiteConfig()
    articles, infos = _site({"krise": 2})
    link_site(articles, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    ranked: list[int] = []
    real = linking.rank_related_again
    monkeypatch.setattr(linking, "rank_related_again", lambda *a, **k: ranked.append(1) or real(*a, **k))
    edits = {"date": {"date": articles[2].date + timedelta(minutes=1)}, "tags": {"tags": ("Krise", "NATO")},
             "related": {"related": ("gipfel",)}}
    edited = (*articles[:2], replace(articles[2], **edits[change]))
    again = link_site(edited, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    assert ranked == [1] and again == link_site(edited, infos, (), config, {})


def test_what_a_page_shows_of_its_links_is_digested_with_them(tmp_path: Path) -> None:
    """`Links.shown` (what article pages fingerprint of their related lists) follows the links it is
    kept with, read back from the cache too, and changes with the reasons and backlinks shown."""
    config = SiteConfig()
    articles, infos = _site({"krise": 2, "genf": 1})
    first = link_site(articles, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    cached = link_site(articles, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    assert cached.shown == first.shown and set(first.shown) == {a.slug for a in articles}
    for slug, digest in cached.shown.items():
        assert digest == linking.shown_digest(cached.related[slug], cached.backlinks.get(slug, ()))
    entry = first.related["gipfel"][0]
    assert first.shown["gipfel"] != linking.shown_digest(
        (entry._replace(reasons=entry.reasons + ("Neu",)), *first.related["gipfel"][1:]), ())
    assert first.shown["gipfel"] != linking.shown_digest(
        (entry._replace(explicit=not entry.explicit), *first.related["gipfel"][1:]), ())
    assert linking.shown_digest(first.related["gipfel"], ("b",)) != linking.shown_digest(first.related["gipfel"], ())


def test_only_the_lists_an_edit_changed_are_digested_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = SiteConfig()
    articles, infos = _site({"krise": 2})
    extra = tuple(article(f"weitere-{n}", "Wetter") for n in range(3))
    infos.update({a.slug: BodyInfo(key=a.slug, words={"regen": 3, a.slug: 1}) for a in extra})
    articles = (*articles, *extra)
    first = link_site(articles, infos, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    digested: list[str] = []
    real = linking.shown_digest
    monkeypatch.setattr(linking, "shown_digest", lambda entries, back: digested.append(entries) or real(entries, back))
    changed = dict(infos, b=replace(infos["b"], key="b: neu", words={"krise": 2, "genf": 5}))
    again = link_site(articles, changed, (), config, {}, RelatedCache(tmp_path / "related.pickle"))
    moved = [slug for slug in first.related if (first.related[slug], first.backlinks.get(slug, ()))
             != (again.related[slug], again.backlinks.get(slug, ()))]
    assert moved and len(moved) < len(articles)            # the edit moved some lists, not the weather's
    assert digested == [again.related[a.slug] for a in articles if a.slug in moved]
    digested.clear()
    assert again.shown == link_site(articles, changed, (), config, {}).shown   # as a build without a cache
    assert len(digested) == len(articles)


def test_a_bodys_signal_digest_is_the_same_for_its_words_as_a_dict_or_packed() -> None:
    words = {"krise": 2, "genf": 5}
    info = BodyInfo(key="b", terms=("nato",), term_counts={"nato": 1}, words=words, links=("/a/",))
    packed = replace(info, words=WordCounts.of(words))
    assert isinstance(packed.words, WordCounts)
    assert linking.signal_digest(packed) == linking.signal_digest(info)
    assert linking.signal_digest(replace(info, words={"krise": 2, "genf": 4})) != linking.signal_digest(info)
    assert linking.signal_digest(replace(info, words={"genf": 5, "krise": 2})) != linking.signal_digest(info)


def test_what_does_not_depend_on_ranking_is_made_while_the_rankers_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # The ranking workers wait for an event only the tag collection sets: made after the ranking
    # (or not in the parent), every worker would time out and the build would fail.
    from builder.related import workers
    event = multiprocessing.get_context("fork").Event()
    deadline = time.monotonic() + 10
    real_rank, real_tags = workers._rank_packed, linking.collect_tags

    def waiting_rank(state: Any, index: int) -> bytes:
        if not event.wait(timeout=max(0.0, deadline - time.monotonic())):
            raise RuntimeError("the tags were not collected while the workers ranked")
        return real_rank(state, index)

    def collect_tags_and_signal(*args: Any) -> Any:
        event.set()
        return real_tags(*args)

    articles = tuple(article(f"artikel-{i:03}", f"Thema {i % 7}") for i in range(200))
    infos = {a.slug: BodyInfo(key=a.slug, terms=("nato",), term_counts={"nato": 1 + i % 3},
                              words={f"wort{i % 20}": 2, "gemeinsam": 1}) for i, a in enumerate(articles)}
    alone = link_site(articles, infos, (), SiteConfig(), {}, RelatedCache(None), jobs=1)
    monkeypatch.setattr(workers, "_rank_packed", waiting_rank)
    monkeypatch.setattr(linking, "collect_tags", collect_tags_and_signal)
    shared = link_site(articles, infos, (), SiteConfig(), {}, RelatedCache(None), jobs=2)
    assert event.is_set()
    assert shared == alone
