"""What Hugo and Jekyll content files are: section pages, .html files, dates from elsewhere, keys and URLs."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from builder.content.config import parse_config
from builder.content.date_sources import FileDates, git_dates
from builder.content.locations import index_role
from builder.content.model import Article, Page
from builder.content.site_structure import Section, with_section_pages
from builder.content.sources import discover
from builder.content.uniqueness import clashing_urls, distinct_keys
from builder.content.validate import LoadOptions, load_article, load_index

BERLIN = ZoneInfo("Europe/Berlin")
OSLO = ZoneInfo("Europe/Oslo")


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# -- which files are content ------------------------------------------------------------

def test_html_files_with_front_matter_are_content_and_others_plain_files(tmp_path: Path) -> None:
    write(tmp_path, {
        "content/news/m1/index.html": "---\ntitle: M1\ndate: 2020-12-10\n---\n<p>Schnell.</p>\n",
        "content/nats_connect.html": '\n+++\ntitle = "Connect"\n+++\n<style></style>\n',
        "content/json.htm": '{ "title": "JSON" }\n<p>x</p>\n',
        "content/news/m1/table.html": "<table><tr><td>1</td></tr></table>\n",
        "content/liquid.html": "{% include kopf.html %}\n",
        "content/news/_index.md": "---\ntitle: News\n---\n",
    })
    others: dict[str, list[tuple[str, str]]] = {}
    files, problems = discover(tmp_path, others)
    assert problems == []
    assert [(f.rel, f.kind) for f in files] == [
        ("content/json.htm", "document"), ("content/nats_connect.html", "document"),
        ("content/news/_index.md", "section"), ("content/news/m1/index.html", "document")]
    assert [rel for rel, _ in others["content/news/m1"]] == ["content/news/m1/table.html"]
    assert [rel for rel, _ in others["content"]] == ["content/liquid.html"]


@pytest.mark.parametrize(("rel", "role"), [
    ("content/_index.md", ("home", "")),
    ("content/news/_index.md", ("section", "news")),
    ("content/articles/Politik/_index.md", ("section", "politik")),
    ("content/news/2021/_index.md", ("page", "")),
    ("content/articles/_index.md", ("page", "")),
    ("content/glossary/_index.md", ("none", "glossary")),
    ("content/tags/_index.md", ("none", "tags")),
])
def test_what_an_index_file_introduces(rel: str, role: tuple[str, str]) -> None:
    assert index_role(rel, ("tags", "glossary", "search", "authors")) == role


# -- _index.md: a section's own page ----------------------------------------------------------

def test_a_section_page_has_its_title_description_and_url() -> None:
    page, problems = load_index("content/news/_index.md",
                                "---\ntitle: Hugo News\ndescription: Neues.\nweight: 3\naliases: [/release-notes/]\n"
                                "---\nWas es Neues gibt.\n", LoadOptions(BERLIN))
    assert problems == [] and page is not None
    assert (page.title, page.summary, page.url, page.listing, page.aliases, page.body.strip()) == (
        "Hugo News", "Neues.", "/news/", "/news/", ("/release-notes/",), "Was es Neues gibt.")


def test_an_empty_section_page_is_titled_by_its_folder() -> None:
    page, problems = load_index("content/blog/_index.md", "", LoadOptions(BERLIN))
    assert problems == [] and page is not None
    assert (page.title, page.url, page.listing) == ("Blog", "/blog/", "/blog/")


def test_a_deeper_index_is_its_folders_page_and_a_reserved_folder_is_refused() -> None:
    page, _ = load_index("content/news/2021/_index.md", "---\ntitle: 2021\n---\n", LoadOptions(BERLIN))
    assert page is not None and (page.url, page.listing) == ("/news/2021/", "")
    page, problems = load_index("content/assets/_index.md", "---\ntitle: X\n---\n", LoadOptions(BERLIN))
    assert page is None
    assert [str(p) for p in problems] == ["content/assets/_index.md:1: error: the folder makes a section 'assets', "
                                          "a folder the build writes itself\n  hint: rename the folder"]


def test_section_pages_add_sections_and_fill_in_descriptions() -> None:
    configured = (Section("politik", "Politik"),)
    pages = [Page("x", "content/politik/_index.md", "Innen", "", "/politik/", summary="Aus Berlin.",
                  listing="/politik/"),
             Page("x", "content/zz/_index.md", "Zett", "", "/zz/", listing="/zz/", extra={"weight": 1}),
             Page("x", "content/aa/_index.md", "Ah", "", "/aa/", listing="/aa/", extra={"weight": 2}),
             Page("x", "content/_index.md", "", "", "/", listing="/")]
    assert with_section_pages(configured, pages) == (
        Section("politik", "Politik", "Aus Berlin."), Section("zz", "Zett", "", 1), Section("aa", "Ah", "", 2))


# -- dates ------------------------------------------------------------------------------------

def options(**dates: list[str]) -> LoadOptions:
    config, problems = parse_config({"dates": dates, "url_rules": "hugo"}, {})
    assert problems == []
    return LoadOptions.from_config(config)


def test_without_filename_in_the_date_sources_a_dated_name_stays_whole() -> None:
    text = "---\ntitle: Notes\ndate: 2021-12-17\n---\n"
    article, _ = load_article("content/news/2021-12-17-notes.md", text, options(date=["date"]))
    assert isinstance(article, Article) and article.url == "/news/2021-12-17-notes/"
    article, _ = load_article("content/news/2021-12-17-notes.md", text, options(date=["date", ":filename"]))
    assert isinstance(article, Article) and article.url == "/news/notes/"


def test_an_undated_file_is_a_page_unless_a_configured_source_dates_it() -> None:
    text = "---\ntitle: Hugo 0.25.1\n---\n"
    rel = "content/news/0.25.1-relnotes/index.md"
    page, problems = load_article(rel, text, options(date=["date"]), undated_is_page=True)
    assert problems == [] and isinstance(page, Page) and page.url == "/news/0.25.1-relnotes/"
    dates = FileDates(git_first="2017-06-21T12:00:00+02:00", git_last="2019-01-01T00:00:00+01:00",
                      modified="2024-05-01T10:00:00+00:00")
    article, _ = load_article(rel, text, options(date=["date", ":git"], updated=[":git"]), undated_is_page=True,
                              file_dates=dates)
    assert isinstance(article, Article)
    assert (article.date, article.updated) == (datetime(2017, 6, 21, 12, tzinfo=BERLIN).astimezone(BERLIN),
                                               datetime(2019, 1, 1, tzinfo=BERLIN))
    article, _ = load_article(rel, text, options(date=["date", ":filemodtime"]), undated_is_page=True,
                              file_dates=dates)
    assert isinstance(article, Article) and article.date == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_under_jekyll_rules_only_files_in_posts_folders_are_articles() -> None:
    config, _ = parse_config({"url_rules": "jekyll"}, {})
    jekyll = LoadOptions.from_config(config)
    text = "---\ntitle: Über uns\ndate: 2020-01-01\n---\n"
    page, _ = load_article("content/about.md", text, jekyll, undated_is_page=True)
    assert isinstance(page, Page) and page.url == "/about/"
    post, _ = load_article("content/blog/_posts/2020-01-02-gipfel.md", text, jekyll, undated_is_page=True)
    assert isinstance(post, Article) and post.url == "/blog/gipfel/"


def test_an_article_without_any_date_names_the_sources_it_tried() -> None:
    article, problems = load_article("content/articles/x.md", "---\ntitle: X\n---\n", options(date=["date"]))
    assert article is None
    assert [str(p) for p in problems] == [
        "content/articles/x.md:1: error: 'date' is required\n  hint: add e.g. 'date: 2022-01-26T19:50:00+01:00'"]


def test_unknown_date_sources_and_url_rules_are_config_errors() -> None:
    _, problems = parse_config({"dates": {"date": ["date", ":gitlog"]}, "url_rules": "gatsby"},
                               {"dates.date": 3, "url_rules": 2})
    assert [str(p) for p in problems] == [
        "config.yaml:2: error: 'url_rules' must be one of builder, hugo, jekyll, got 'gatsby'",
        "config.yaml:3: error: 'dates.date' names an unknown source ':gitlog'\n"
        "  hint: use date, updated, :filename, :git, :filemodtime"]


def test_hugo_spellings_of_date_sources_are_understood() -> None:
    config, problems = parse_config({"dates": {"date": ["publishDate", ":fileModTime"], "updated": ["lastmod"]}}, {})
    assert problems == []
    assert (config.dates.date, config.dates.updated) == (("date", ":filemodtime"), ("updated",))


def git(site: Path, *args: str, when: str = "") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(site), *args], check=True, capture_output=True, env=env)


def test_git_gives_each_file_its_first_and_last_commit(tmp_path: Path) -> None:
    write(tmp_path, {"content/a.md": "eins\n", "content/Ä b/c.md": "zwei\n", "other.md": "x\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "eins", when="2020-01-02T10:00:00+01:00")
    (tmp_path / "content/a.md").write_text("geändert\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "zwei", when="2021-03-04T05:06:07+00:00")
    dates, why = git_dates(tmp_path)
    assert why is None
    assert dates == {"content/a.md": ("2020-01-02T10:00:00+01:00", "2021-03-04T05:06:07+00:00"),
                     "content/Ä b/c.md": ("2020-01-02T10:00:00+01:00", "2020-01-02T10:00:00+01:00")}


def test_outside_a_repository_git_dates_say_why(tmp_path: Path) -> None:
    dates, why = git_dates(tmp_path)
    assert dates == {} and why is not None and "git" in why.lower()


# -- keys and URLs --------------------------------------------------------------------------

def article(source: str, slug: str, url: str, day: int, lines: dict[str, int] | None = None) -> Article:
    return Article(slug, source, "", "T", datetime(2022, 1, day, tzinfo=BERLIN), "", url=url, key_lines=lines or {})


def test_one_slug_at_two_urls_gets_two_keys_the_oldest_keeps_it() -> None:
    found = distinct_keys([article("content/2023/gipfel.md", "gipfel", "/2023/gipfel/", 5),
                           article("content/2022/gipfel.md", "gipfel", "/2022/gipfel/", 1),
                           article("content/gipfel-2.md", "gipfel-2", "/gipfel-2/", 9)])
    assert [(a.source, a.slug) for a in found] == [("content/2023/gipfel.md", "gipfel-3"),
                                                   ("content/2022/gipfel.md", "gipfel"),
                                                   ("content/gipfel-2.md", "gipfel-2")]


def test_two_files_at_one_url_are_an_error_naming_both_lines() -> None:
    first = article("content/a.md", "a", "/x/", 1, {"url": 4})
    second = article("content/b.md", "b", "/x/", 2, {"slug": 3})
    assert [str(p) for p in clashing_urls([first, second])] == [
        "content/b.md:3: error: URL '/x/' is also the URL of content/a.md:4\n"
        "  hint: set a different 'slug:', 'url:' or alias in one of them"]


def test_an_articles_listed_digest_follows_what_lists_show_and_travels_with_it() -> None:
    from dataclasses import replace
    import pickle

    from builder.content.model import Correction, LeadImage
    base = Article(slug="a", source="content/articles/a.md", folder="", title="Titel",
                   date=datetime(2026, 3, 1, tzinfo=timezone.utc), body="Text", url="/artikel/a/")
    shown = [replace(base, title="Anders"), replace(base, summary="Neu"), replace(base, tags=("nato",)),
             replace(base, date=datetime(2026, 3, 2, tzinfo=timezone.utc)), replace(base, kicker="Analyse"),
             replace(base, url="/artikel/b/"), replace(base, image=LeadImage("foto.jpg", "Ein Foto")),
             replace(base, corrections=(Correction(datetime(2026, 3, 3, tzinfo=timezone.utc), "Zahl"),)),
             replace(base, extra={"serie": "Ukraine"}), replace(base, section="politik")]
    digests = {a.listed_digest for a in shown}
    assert len(digests) == len(shown) and base.listed_digest not in digests
    # The body and the redirects are the article's own page, not what lists show of it.
    assert replace(base, body="Anderer Text", aliases=("/alt/",)).listed_digest == base.listed_digest
    # Kept with the article: a cached article read back has it without making it again.
    assert pickle.loads(pickle.dumps(base)).__dict__["listed_digest"] == base.listed_digest
