"""Sitemaps: sitemap.xml (or an index past the URL limit) and the Google News sitemap, validated with lxml
against the sitemaps.org 0.9 XSDs and Google's news sitemap XSD (tests/output/data/)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

import builder.output.page_plan as page_plan
from builder.output.page_plan import plan_pages
from builder.output.sitemaps import NEWS_LIMIT, news_articles
from builder.pipeline.build import BuildOptions, Caches, build, prepare
from conftest import write_site

DATA = Path(__file__).parent / "data"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
NOW = datetime(2022, 1, 27, 12, 0, tzinfo=timezone.utc)


def article(name: str, date: datetime, extra: str = "") -> str:
    return f"-- content/articles/{name}.md --\n---\ntitle: \"{name}\"\ndate: {date.isoformat()}\n{extra}---\nText.\n"


SITE = "\n".join([
    '-- config.yaml --\ntitle: "Tageblatt"\nbase_url: "https://zeitung.example/"\nlanguage: de-DE\n'
    'publisher: {name: "Das Tageblatt"}\n',
    article("vor-einer-stunde", NOW - timedelta(hours=1)),
    article("vor-47-stunden", NOW - timedelta(hours=47, minutes=59)),
    article("vor-49-stunden", NOW - timedelta(hours=48, minutes=1)),
    article("geplant", NOW + timedelta(hours=1)),
    article("abgelaufen", NOW - timedelta(hours=2), f"expiry_date: {(NOW - timedelta(minutes=5)).isoformat()}\n"),
    article("entwurf", NOW - timedelta(hours=3), "draft: true\n"),
    "-- content/pages/impressum.md --\n---\ntitle: Impressum\n---\nText.\n",
])


def planned(tmp_path: Path, spec: str, now: datetime = NOW) -> dict[str, bytes]:
    """Plan the fixture site as a build at `now` would, and make every XML and text file."""
    source = write_site(tmp_path / "src", spec)
    caches = Caches.in_folder(None)
    prepared = prepare(BuildOptions(source=source, cache=False, now=now), caches)
    assert prepared.site is not None and prepared.renderer is not None, prepared.problems.items
    specs = plan_pages(replace(prepared.site, now=now), prepared.renderer, caches.bodies)
    return {s.path: s.make() for s in specs if s.path.endswith((".xml", ".txt"))}


def validate(data: bytes, schema: str) -> etree._ElementTree:
    tree = etree.ElementTree(etree.fromstring(data))
    xsd = etree.XMLSchema(etree.parse(str(DATA / schema)))
    assert xsd.validate(tree), xsd.error_log
    return tree


def test_the_news_sitemap_holds_exactly_the_articles_of_the_last_48_hours(tmp_path: Path) -> None:
    files = planned(tmp_path, SITE)
    tree = validate(files["news-sitemap.xml"], "news-sitemap-check.xsd")
    assert [loc.text for loc in tree.iter(f"{SM}loc")] == [
        "https://zeitung.example/articles/vor-einer-stunde/", "https://zeitung.example/articles/vor-47-stunden/"]
    news = tree.find(f"{SM}url/{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Das Tageblatt"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "de"
    assert news.findtext(f"{NEWS}title") == "vor-einer-stunde"
    assert datetime.fromisoformat(news.findtext(f"{NEWS}publication_date")) == NOW - timedelta(hours=1)


def test_robots_txt_names_the_sitemap_and_the_news_sitemap(tmp_path: Path) -> None:
    robots = planned(tmp_path, SITE)["robots.txt"].decode()
    assert "Sitemap: https://zeitung.example/sitemap.xml\n" in robots
    assert "Sitemap: https://zeitung.example/news-sitemap.xml\n" in robots


def test_the_sitemap_is_valid_and_never_lists_hidden_articles(tmp_path: Path) -> None:
    tree = validate(planned(tmp_path, SITE)["sitemap.xml"], "sitemap.xsd")
    locs = {loc.text for loc in tree.iter(f"{SM}loc")}
    assert "https://zeitung.example/impressum/" in locs
    assert "https://zeitung.example/articles/vor-49-stunden/" in locs
    for hidden in ("geplant", "abgelaufen", "entwurf"):
        assert f"https://zeitung.example/articles/{hidden}/" not in locs


def test_news_articles_stop_at_one_thousand() -> None:
    from builder.content.model import Article
    many = [Article(title=f"a{i}", slug=f"a{i}", date=NOW - timedelta(minutes=i), source=f"a{i}.md", folder="", body="",
                    url=f"/a{i}/") for i in range(NEWS_LIMIT + 5)]
    assert len(news_articles(many, NOW)) == NEWS_LIMIT


def test_past_the_url_limit_sitemap_xml_becomes_an_index_of_valid_sitemaps(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_plan, "SITEMAP_LIMIT", 4)
    files = planned(tmp_path, SITE)
    index = validate(files["sitemap.xml"], "siteindex.xsd")
    parts = [loc.text for loc in index.iter(f"{SM}loc")]
    assert parts == [f"https://zeitung.example/sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) > 1
    locs: list[str] = []
    for n in range(1, len(parts) + 1):
        part = validate(files[f"sitemap-{n}.xml"], "sitemap.xsd")
        locs += [loc.text for loc in part.iter(f"{SM}loc")]
        assert len(part.getroot()) <= 4
    assert len(locs) == len(set(locs)) and "https://zeitung.example/impressum/" in locs


def test_a_new_article_changes_only_the_last_part_of_a_split_sitemap(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Articles oldest first, the front page and the archive last: the parts before stay as they were."""
    monkeypatch.setattr(page_plan, "SITEMAP_LIMIT", 3)
    before = planned(tmp_path / "before", SITE)
    after = planned(tmp_path / "after", SITE + article("neu", NOW - timedelta(minutes=5)))
    parts = sorted(path for path in before if path.startswith("sitemap-"))
    assert len(parts) >= 3
    assert [path for path in parts if before[path] != after.get(path)] == [parts[-1]]
    last = validate(after[parts[-1]], "sitemap.xsd")
    assert [loc.text for loc in last.iter(f"{SM}loc")][-3:] == [
        "https://zeitung.example/articles/neu/", "https://zeitung.example/", "https://zeitung.example/archiv/"]


def test_a_built_site_writes_one_sitemap_and_a_news_sitemap(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", SITE)
    report = build(BuildOptions(source=source, destination=tmp_path / "out", cache=False, now=NOW))
    assert report.ok, report.diagnostics
    validate((tmp_path / "out/sitemap.xml").read_bytes(), "sitemap.xsd")
    news = etree.parse(str(tmp_path / "out/news-sitemap.xml"))
    assert news.getroot().tag == f"{SM}urlset" and not (tmp_path / "out/sitemap-1.xml").exists()


def planned_prints(tmp_path: Path, spec: str) -> dict[str, tuple[str, bytes]]:
    """Every sitemap's fingerprint and bytes, and how many entries the site's sitemaps hold."""
    source = write_site(tmp_path, spec)
    caches = Caches.in_folder(None)
    prepared = prepare(BuildOptions(source=source, cache=False, now=NOW), caches)
    assert prepared.site is not None and prepared.renderer is not None, prepared.problems.items
    site = replace(prepared.site, now=NOW)
    keys = page_plan._sitemap_keys(site, prepared.renderer.urls)
    entries = page_plan._sitemap_entries(site, prepared.renderer)
    assert [(prepared.renderer.urls.abs_url(path), shown) for path, shown in keys] == [
        (url, date and date.isoformat()) for url, date in entries]
    return {s.path: (s.fingerprint, s.make()) for s in plan_pages(site, prepared.renderer, caches.bodies)
            if s.path.startswith("sitemap")}


SITE_WITH_MORE = SITE + "\n".join([
    "\n-- content/glossary/nato.md --\n---\nterm: NATO\nsummary: Bündnis.\n---\nText.\n",
    "-- content/authors/anna.md --\n---\nname: Anna Muster\n---\nText.\n",
    article("mit-tags", NOW - timedelta(hours=5), "tags: [Politik, Wirtschaft]\n"),
])
SITEMAP_EDITS = {
    "updated": lambda s: s.replace('title: "mit-tags"\n', f'title: "mit-tags"\nupdated: {NOW.isoformat()}\n'),
    "renamed term file": lambda s: s.replace("content/glossary/nato.md", "content/glossary/otan.md"),
    "new tag": lambda s: s.replace("tags: [Politik, Wirtschaft]", "tags: [Politik, Wirtschaft, Kultur]"),
    "new article": lambda s: s + "\n" + article("neu", NOW - timedelta(hours=6)),
}


@pytest.mark.parametrize("limit", [4, 50_000])
@pytest.mark.parametrize("edit", sorted(SITEMAP_EDITS))
def test_a_sitemap_whose_bytes_change_gets_another_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               edit: str, limit: int) -> None:
    """Sitemaps are fingerprinted by what their entries are made of, not by the entries."""
    monkeypatch.setattr(page_plan, "SITEMAP_LIMIT", limit)
    before = planned_prints(tmp_path / "a", SITE_WITH_MORE)
    after = planned_prints(tmp_path / "b", SITEMAP_EDITS[edit](SITE_WITH_MORE))
    assert (len(before) > 2) == (limit == 4)
    changed = [path for path in after if path not in before or before[path][1] != after[path][1]]
    assert changed
    for path in changed:
        assert path not in before or before[path][0] != after[path][0], path


SITEMAP_KEEPS = {
    "title": lambda s: s.replace('title: "mit-tags"\n', 'title: "Zölle und Steuern"\n'),
    "summary, kicker and text": lambda s: s.replace(
        'title: "mit-tags"\n', 'title: "mit-tags"\nsummary: Neu.\nkicker: Extra\n').replace(
        "tags: [Politik, Wirtschaft]\n---\nText.", "tags: [Politik, Wirtschaft]\n---\nMehr Text."),
}


@pytest.mark.parametrize("limit", [4, 50_000])
@pytest.mark.parametrize("edit", sorted(SITEMAP_KEEPS))
def test_an_edit_of_what_no_sitemap_shows_keeps_every_sitemap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              edit: str, limit: int) -> None:
    """A title edited is written again in the article's page and its lists, not in 100,000 sitemap entries."""
    monkeypatch.setattr(page_plan, "SITEMAP_LIMIT", limit)
    before = planned_prints(tmp_path / "a", SITE_WITH_MORE)
    after = planned_prints(tmp_path / "b", SITEMAP_KEEPS[edit](SITE_WITH_MORE))
    assert SITEMAP_KEEPS[edit](SITE_WITH_MORE) != SITE_WITH_MORE and (len(before) > 2) == (limit == 4)
    assert after == before


def test_a_new_article_gives_only_the_last_part_and_the_index_another_fingerprint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_plan, "SITEMAP_LIMIT", 4)
    before = planned_prints(tmp_path / "a", SITE_WITH_MORE)
    after = planned_prints(tmp_path / "b", SITE_WITH_MORE + article("neu", NOW - timedelta(minutes=5)))
    parts = sorted((path for path in before if path.startswith("sitemap-")), key=lambda p: int(p[8:-4]))
    assert len(parts) >= 3
    changed = [path for path in after if before.get(path, ("",))[0] != after[path][0]]
    assert changed[:2] == ["sitemap.xml", parts[-1]] and not set(changed) & set(parts[:-1])


def test_a_part_of_the_sitemap_is_made_from_its_own_entries_alone(tmp_path: Path) -> None:
    """Every range of entries, across the pages before the articles, the articles and the two after."""
    source = write_site(tmp_path, SITE_WITH_MORE)
    caches = Caches.in_folder(None)
    prepared = prepare(BuildOptions(source=source, cache=False, now=NOW), caches)
    assert prepared.site is not None and prepared.renderer is not None
    site, renderer = replace(prepared.site, now=NOW), prepared.renderer
    whole = page_plan._sitemap_entries(site, renderer)
    assert len(whole) > 8
    for start in range(len(whole) + 2):
        for end in range(start, len(whole) + 3):
            assert page_plan._sitemap_entries(site, renderer, start, end) == whole[start:end], (start, end)
