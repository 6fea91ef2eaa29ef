"""Shard assignment and digests: stable under edits, within the budget, the primary shard first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from builder.output.search_records import SearchRecord, _record
from builder.output import search_shards
from builder.output.search_shards import RECORD_COST, assign_shards, cost, site_budget

CET = timezone(timedelta(hours=1))


def articles(count: int, start: datetime, step: timedelta, size: int = 1000) -> list[SearchRecord]:
    return [_record(f"/articles/a{start.year}-{n:04d}/", "article", f"Artikel {n}", f"key{start.year}-{n}", size,
                    start + n * step) for n in range(count)]


def term(slug: str, size: int = 200) -> SearchRecord:
    return _record(f"/glossar/{slug}/", "term", slug.title(), f"key-{slug}", size)


def page(slug: str, kind: str = "page") -> SearchRecord:
    return _record(f"/{slug}/", kind, slug.title(), f"key-{slug}", 300)


def by_name(shards: list) -> dict[str, list[str]]:  # type: ignore[type-arg]
    return {shard.name: [r.url for r in shard.records] for shard in shards}


def test_small_site_one_shard_per_year_terms_and_pages_apart() -> None:
    records = [*articles(3, datetime(2021, 5, 1, tzinfo=CET), timedelta(days=30)),
               *articles(2, datetime(2022, 1, 3, tzinfo=CET), timedelta(days=2)),
               term("nato"), page("impressum"), page("lena-hoffmann", "author")]
    shards = assign_shards(records, "de")
    assert [s.name for s in shards] == ["begriffe", "seiten", "2022", "2021"]
    assert [s.primary for s in shards] == [True, False, False, False]
    assert by_name(shards)["seiten"] == ["/impressum/", "/lena-hoffmann/"]
    assert len(by_name(shards)["2021"]) == 3


def test_a_year_over_the_budget_splits_into_halves_then_quarters_then_months() -> None:
    # 24 articles, two a month; each costs 1,500 bytes with RECORD_COST.
    records = articles(24, datetime(2022, 1, 10, tzinfo=CET), timedelta(days=15))
    each = 1000 + RECORD_COST
    assert [s.name for s in assign_shards(records, "de", budget=24 * each)] == ["2022"]
    assert [s.name for s in assign_shards(records, "de", budget=12 * each)] == ["2022-h2", "2022-h1"]
    quarters = assign_shards(records, "de", budget=6 * each)
    assert [s.name for s in quarters] == ["2022-q4", "2022-q3", "2022-q2", "2022-q1"]
    months = assign_shards(records, "de", budget=2 * each)
    assert len(months) == 12 and months[0].name == "2022-12" and months[-1].name == "2022-01"
    for budget in (24 * each, 12 * each, 6 * each, 2 * each):
        assert all(cost(s.records) <= budget for s in assign_shards(records, "de", budget=budget))


def test_a_month_over_the_budget_splits_into_hash_buckets() -> None:
    records = articles(40, datetime(2022, 3, 1, tzinfo=CET), timedelta(hours=12))[:40]
    shards = assign_shards(records, "de", budget=10 * (1000 + RECORD_COST))
    names = [s.name for s in shards if s.name.startswith("2022-03")]
    assert names and all(name.startswith("2022-03-h") for name in names)
    assert all(cost(s.records) <= 10 * (1000 + RECORD_COST) for s in shards)
    assert sorted(url for s in shards for url in by_name([s])[s.name]) == sorted(r.url for r in records)


def test_the_budget_doubles_so_that_a_growing_site_keeps_about_the_aimed_number_of_shards(monkeypatch) -> None:
    monkeypatch.setattr(search_shards, "AIMED_SHARDS", 4)
    each = 1000 + RECORD_COST
    assert site_budget(4 * 6 * each, 6 * each) == 6 * each
    assert site_budget(4 * 6 * each + 1, 6 * each) == 12 * each
    assert site_budget(100 * 6 * each, 6 * each) == 6 * each * 32
    monkeypatch.setattr(search_shards, "BUDGET", 2 * each)
    months = articles(24, datetime(2022, 1, 10, tzinfo=CET), timedelta(days=15))   # two a month
    assert len(assign_shards(months[:8], "de")) == 4    # 8 records, 4 budgets of 2: by month
    grown = assign_shards(months, "de")                  # 24 records: 4 budgets of 8 hold them
    assert [s.name for s in grown] == ["2022-q4", "2022-q3", "2022-q2", "2022-q1"]
    assert all(cost(s.records) <= 8 * each for s in grown)


def test_editing_one_article_changes_only_its_shard_digest() -> None:
    records = [*articles(30, datetime(2020, 1, 5, tzinfo=CET), timedelta(days=36)), term("nato")]
    before = {s.name: s.digest for s in assign_shards(records, "de", budget=8000)}
    edited = list(records)
    edited[7] = replace(records[7], digest="edited")
    after = {s.name: s.digest for s in assign_shards(edited, "de", budget=8000)}
    assert before.keys() == after.keys()
    changed = [name for name in before if before[name] != after[name]]
    owner = next(s.name for s in assign_shards(records, "de", budget=8000) if records[7] in s.records)
    assert changed == [owner]


def test_a_new_article_touches_only_its_period() -> None:
    records = [*articles(12, datetime(2020, 1, 5, tzinfo=CET), timedelta(days=30)),
               *articles(12, datetime(2021, 1, 5, tzinfo=CET), timedelta(days=30))]
    before = {s.name: s.digest for s in assign_shards(records, "de")}
    added = articles(1, datetime(2021, 12, 24, tzinfo=CET), timedelta(days=1))
    added = [replace(added[0], url="/articles/neu/", digest="neu")]
    after = {s.name: s.digest for s in assign_shards(records + added, "de")}
    assert [name for name in after if before.get(name) != after[name]] == ["2021"]


def test_settings_change_every_digest_and_the_order_of_records_does_not() -> None:
    records = [*articles(5, datetime(2020, 1, 5, tzinfo=CET), timedelta(days=30)), term("nato")]
    one = assign_shards(records, "de:pagefind-1.5.2")
    assert [s.digest for s in one] == [s.digest for s in assign_shards(list(reversed(records)), "de:pagefind-1.5.2")]
    other = assign_shards(records, "de:pagefind-1.6.0")
    assert all(a.digest != b.digest for a, b in zip(one, other))


def test_record_digest_follows_what_the_index_shows() -> None:
    base = _record("/a/", "article", "Titel", "body-1", 100, datetime(2022, 1, 26, tzinfo=CET), "Politik", ("Von X",))
    assert base.digest == _record("/a/", "article", "Titel", "body-1", 100, datetime(2022, 1, 26, tzinfo=CET),
                                  "Politik", ("Von X",)).digest
    for changed in (_record("/a/", "article", "Neuer Titel", "body-1", 100, base.date, "Politik", ("Von X",)),
                    _record("/a/", "article", "Titel", "body-2", 100, base.date, "Politik", ("Von X",)),
                    _record("/a/", "article", "Titel", "body-1", 100, base.date, "Wirtschaft", ("Von X",)),
                    _record("/a/", "article", "Titel", "body-1", 100, base.date, "Politik", ("Von Y",))):
        assert changed.digest != base.digest
    assert base.meta("de_DE") == {"title": "Titel", "typ": "Artikel", "date": "26. Januar 2022", "rubrik": "Politik"}
