"""Builds from the command line keep the fingerprints of listings and term pages in the cache folder."""

from __future__ import annotations

from pathlib import Path

from test_incremental import _articles_site, _write

from builder.pipeline.build import BuildOptions, build, prepare
from builder.pipeline.caches import Caches, cache_folder
from builder.pipeline.stored_plan import StoredPlanMemo


def _plan(memo: StoredPlanMemo, cards: dict[str, str], key: object) -> tuple[str, ...] | None:
    memo.start("settings", cards)
    kept = memo.group("term:kreml", ("term", key), ("a", "b"))
    if kept is None:
        memo.keep_group("term:kreml", ("term", key), (f"print of {key}",))
    memo.finish()
    return kept


def test_the_next_build_reads_the_groups_and_cards_of_the_last_finished_plan(tmp_path: Path) -> None:
    cards = {"a": "1", "b": "2"}
    first = StoredPlanMemo(tmp_path)
    assert _plan(first, cards, "key") is None
    first.save()
    assert _plan(StoredPlanMemo(tmp_path), cards, "key") == ("print of key",)
    assert _plan(StoredPlanMemo(tmp_path), cards, "another key") is None
    assert _plan(StoredPlanMemo(tmp_path), {"a": "1", "b": "new title"}, "key") is None
    assert _plan(StoredPlanMemo(tmp_path), {"a": "1", "b": "2", "c": "3"}, "key") == ("print of key",)


def test_a_save_of_another_build_at_the_same_time_is_never_read_half(tmp_path: Path) -> None:
    # Two builds read the same plan. The second saves a plan of other cards (a new base), then
    # the first saves its plan with one card changed (a delta against the plan both read). The
    # next build reads the second's plan whole, not with the first's card mixed in.
    cards = {f"a{n}": str(n) for n in range(40)}
    memo = StoredPlanMemo(tmp_path)
    _plan(memo, cards, "key")
    memo.save()
    first, second = StoredPlanMemo(tmp_path), StoredPlanMemo(tmp_path)
    others = {slug: f"{card} neu" for slug, card in cards.items()}
    assert _plan(second, others, "key") == ("print of key",)   # its articles are not these
    second.save()
    assert _plan(first, {**cards, "a1": "geändert"}, "key") == ("print of key",)
    first.save()
    read = StoredPlanMemo(tmp_path)
    read.start("settings", others)
    assert read.changed == set()   # the second's cards, all of them and only them
    assert read.group("term:kreml", ("term", "key"), ("a", "b")) == ("print of key",)


def _planned(options: BuildOptions) -> tuple[list[tuple[str, str]], int]:
    """The plan a build would make now (paths and fingerprints), and how many fingerprints it reused."""
    caches = Caches.in_folder(cache_folder(options.source))
    planned = prepare(options, caches)
    assert isinstance(caches.plan_memo, StoredPlanMemo)
    return [(s.path, s.fingerprint) for s in planned.specs], caches.plan_memo.reused


def test_an_edit_plans_only_the_groups_it_reaches_and_the_plan_equals_a_fresh_one(tmp_path: Path) -> None:
    site = _articles_site(tmp_path / "site", 8)
    options = BuildOptions(source=site, destination=tmp_path / "out", jobs=1)
    assert build(options).ok
    _, grouped = _planned(options)   # nothing changed: every listing's and term's pages
    fresh = prepare(options, Caches.in_folder(None)).specs
    listings = [s.path for s in fresh if s.path.endswith(".html") and s.path.split("/")[0] in
                ("archiv", "themen", "glossar", "autoren", "politik")
                and s.path not in ("themen/index.html", "glossar/index.html", "autoren/index.html")]
    assert grouped == len(listings) > 10
    article, term = site / "content/articles/a3.md", site / "content/glossary/kreml.md"
    for path, change, kept in [
            (article, lambda text: text + "\nNoch ein Satz über Genf.\n", grouped),   # its body only
            (article, lambda text: text.replace("title: \"", "title: \"Neu: "), None),   # its card: its listings
            (term, lambda text: text.replace("Regierung", "Regierung Russlands"), None)]:   # the term's pages
        _write(path, change(path.read_text(encoding="utf-8")))
        planned, reused = _planned(options)
        assert planned == [(s.path, s.fingerprint) for s in prepare(options, Caches.in_folder(None)).specs]
        assert reused == kept if kept is not None else 0 < reused < grouped
        assert build(options).ok
