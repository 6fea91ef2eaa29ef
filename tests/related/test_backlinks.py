"""Tests for builder.related.backlinks: backlinks and the validation of `related:`."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from builder.content.model import Article
from builder.related.backlinks import backlinks, validate_related
from builder.related.features import ArticleSignals

START = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def sig(slug: str, *, links: tuple[str, ...] = (), related: tuple[str, ...] = ()) -> ArticleSignals:
    return ArticleSignals(slug=slug, date=START, tags=(), terms={}, words={}, related=related, links=links)


def test_backlinks_from_text_links_point_one_way() -> None:
    result = backlinks([sig("analyse", links=("bericht", "analyse", "gibts-nicht")),
                        sig("bericht"), sig("kommentar", links=("bericht",))])
    assert result == {"analyse": (), "bericht": ("analyse", "kommentar"), "kommentar": ()}


def test_backlinks_from_related_point_both_ways() -> None:
    result = backlinks([sig("analyse", related=("bericht",)), sig("bericht"),
                        sig("kommentar", related=("analyse",), links=("analyse",))])
    assert result == {"analyse": ("bericht", "kommentar"), "bericht": ("analyse",),
                      "kommentar": ("analyse",)}


def article(slug: str, related_slugs: tuple[str, ...], line: int | None = 7) -> Article:
    return Article(slug=slug, source=f"content/articles/{slug}.md", folder="articles",
                   title=slug.title(), date=START, body="Text",
                   related=related_slugs, key_lines={"related": line} if line else {})


def test_validate_related_reports_unknown_slugs_with_a_hint() -> None:
    diagnostics = validate_related([article("a", ("gibt-es-nicht", "waffenruhe")),
                                    article("gibt-es", ()), article("waffenruhe", ())])
    assert [str(d) for d in diagnostics] == [
        "content/articles/a.md:7: error: related article 'gibt-es-nicht' does not exist\n"
        "  hint: did you mean 'gibt-es'?"]


def test_validate_related_hints_at_the_slug_of_a_title_written_as_is() -> None:
    diagnostics = validate_related([article("a", ("Gipfel in Paris",)),
                                    article("gipfel-in-paris", ())])
    assert [(d.message, d.hint) for d in diagnostics] == [
        ("related article 'Gipfel in Paris' does not exist", "did you mean 'gipfel-in-paris'?")]


def test_validate_related_without_a_close_slug_gives_no_hint() -> None:
    diagnostics = validate_related([article("a", ("gibts-nicht",)), article("bundesliga", ())])
    assert [(d.path, d.line, d.severity, d.message, d.hint) for d in diagnostics] == [
        ("content/articles/a.md", 7, "error", "related article 'gibts-nicht' does not exist", None)]


def test_validate_related_rejects_a_self_reference_and_warns_on_repeats() -> None:
    diagnostics = validate_related([article("a", ("a", "b", "b"), line=4), article("b", ())])
    assert [str(d) for d in diagnostics] == [
        "content/articles/a.md:4: error: related article 'a' is this article itself\n"
        "  hint: remove it from `related:`",
        "content/articles/a.md:4: warning: related article 'b' is listed twice"]


def test_validate_related_accepts_valid_lists_and_locates_without_a_line() -> None:
    assert validate_related([article("a", ("b",)), article("b", ("a",))]) == []
    diagnostics = validate_related([article("a", ("x",), line=None)])
    assert str(diagnostics[0]) == "content/articles/a.md: error: related article 'x' does not exist"


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.lists(st.sampled_from("abcdefx")),
                          st.lists(st.sampled_from("abcdefx"))), max_size=8))
def test_backlinks_are_never_one_way_for_related_and_never_self(
        rows: list[tuple[str, list[str], list[str]]]) -> None:
    unique = {slug: (tuple(links), tuple(named)) for slug, links, named in rows}
    signals = [sig(slug, links=links, related=named) for slug, (links, named) in unique.items()]
    result = backlinks(signals)
    assert set(result) == set(unique)
    for slug, (links, named) in unique.items():
        assert slug not in result[slug]
        assert list(result[slug]) == sorted(set(result[slug]))
        for target in (*links, *named):
            if target in unique and target != slug:
                assert slug in result[target]
        for target in named:
            if target in unique and target != slug:
                assert target in result[slug]
