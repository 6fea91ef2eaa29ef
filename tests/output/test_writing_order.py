"""The order pages are written in: listings by the date of their newest article, so teasers are made once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import pytest

from builder.output.specs import PageSpec, made_files, writing_order
from builder.output.templates import FragmentMemo
from builder.pipeline import build as pipeline
from conftest import write_site


def _spec(path: str, newest: str = "") -> PageSpec:
    return PageSpec(path, "", "", lambda: b"", newest=newest)


def test_listing_pages_come_last_newest_first_and_the_others_as_planned() -> None:
    day = datetime(2024, 3, 1, tzinfo=timezone.utc)
    articles = {"alt": SimpleNamespace(date=day), "neu": SimpleNamespace(date=day + timedelta(days=2)),
                "mitte": SimpleNamespace(date=day + timedelta(days=1))}
    specs = [_spec("themen/a/index.html", "alt"), _spec("artikel/neu/index.html"),
             _spec("glossar/x/index.html", "neu"), _spec("themen/b/index.html", "mitte"),
             _spec("feed.xml"), _spec("glossar/y/index.html", "neu")]
    order = writing_order(specs, articles)
    assert [specs[index].path for index in order] == [
        "artikel/neu/index.html", "feed.xml",                       # as planned
        "glossar/x/index.html", "glossar/y/index.html",             # the same newest article: as planned
        "themen/b/index.html", "themen/a/index.html"]
    assert sorted(order) == list(range(len(specs)))
    assert writing_order(specs[1:2], articles) == [0]


def _archive(count: int) -> str:
    """`count` articles, a day apart, each with two of six terms and one of three tags."""
    parts = ["-- config.yaml --\ntitle: T\nbase_url: https://example.org/\npaginate: 2\n"
             "paths: {glossary: glossar, tags: themen}\n"]
    names = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]
    for name in names:
        parts.append(f"-- content/glossary/{name.lower()}.md --\n---\nterm: {name}\n---\n\nDas {name}.\n")
    start = datetime(2024, 1, 1)
    for n in range(count):
        first, second = names[n % 6], names[(n * 5 + 1) % 6]
        day = (start + timedelta(days=n)).date()
        parts.append(f"-- content/articles/a{n:02d}.md --\n---\ntitle: Artikel {n}\ndate: {day}\n"
                     f"tags: [Thema {n % 3}]\n---\n\nÜber {first} und {second}.\n")
    return "".join(parts)


def test_in_writing_order_a_bounded_memo_makes_fewer_teasers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for a few teasers, planned order (term by term, tag by tag) forgets an article's
    teaser before its next listing comes; by date the listings that show it follow one another."""
    site = write_site(tmp_path / "site", _archive(36))
    prepared = pipeline.prepare(pipeline.BuildOptions(source=site, cache=False), pipeline.Caches.in_folder(None))
    assert prepared.site is not None and not prepared.problems.errors, prepared.problems.items
    prepared.renderer.compile_all()
    monkeypatch.setattr(FragmentMemo, "LIMIT", 8)
    specs = prepared.specs

    def teasers_made(order: list[int]) -> tuple[int, dict[str, bytes]]:
        """How many teasers the listing pages made, and every file."""
        made: list[object] = []
        files: dict[str, bytes] = {}

        class Counting(FragmentMemo):
            def __call__(self, *key: Any, caller: Callable[[], str]) -> str:
                if key[0] == "teaser" and key not in self.kept and specs[index].newest:
                    made.append(key)
                return super().__call__(*key, caller=caller)

        # set_globals: the theme's partials, made once per build, see this memo and no other.
        prepared.renderer.set_globals({"remember": Counting()})
        for index in order:
            files.update(made_files(specs[index]))
        return len(made), files

    planned, planned_files = teasers_made(list(range(len(specs))))
    ordered, ordered_files = teasers_made(writing_order(specs, prepared.site.article_by_slug))
    assert ordered_files == planned_files
    assert sum(1 for spec in specs if spec.newest) > 30
    assert ordered < planned * 0.7, (ordered, planned)


def test_template_errors_are_reported_in_the_planned_order(tmp_path: Path) -> None:
    """A tag page is planned before the 404 page but written after it (listing pages go last):
    the errors still come in the order of the plan, whichever writer finds them first."""
    site = write_site(tmp_path / "site", _archive(4) + """-- layouts/tag.html --
{{ tag_typo }}
-- layouts/404.html --
<!doctype html>
{{ page_typo }}
""")
    prepared = pipeline.prepare(pipeline.BuildOptions(source=site, cache=False), pipeline.Caches.in_folder(None))
    assert prepared.site is not None
    order = writing_order(prepared.specs, prepared.site.article_by_slug)
    paths = [prepared.specs[index].path for index in order]
    assert paths.index("404.html") < paths.index("themen/thema-0/index.html")
    report = pipeline.build(pipeline.BuildOptions(source=site, destination=tmp_path / "out", cache=False, jobs=1))
    assert not report.ok
    assert [(d.path, d.line) for d in report.diagnostics] == [("layouts/tag.html", 1), ("layouts/404.html", 2)]
