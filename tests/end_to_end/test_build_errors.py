"""End-to-end: what a build of a fixture site does with bad input, a bad destination or a bad command
line: every error with its file and line, all of them together, and the previous output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_site
from test_build import SITE, tree_bytes


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "src", SITE)


def test_all_content_errors_are_reported_together_and_output_is_kept(site: Path, cli) -> None:
    out = site.parent / "out"
    assert cli("build", "--source", site, "--destination", out).code == 0
    before = tree_bytes(out)
    (site / "content/articles/genf.md").write_text(
        "---\ntitle: Genf\ndate: gestern\n---\nText\n", encoding="utf-8")
    (site / "content/articles/aelter.md").write_text(
        "---\ndate: 2021-12-17\ntags: nato, eu\n---\nText\n", encoding="utf-8")
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 1
    assert run.err.splitlines()[:4] == [
        "content/articles/aelter.md:1: error: 'title' is required",
        "  hint: add 'title: \"…\"' to the front matter",
        "content/articles/aelter.md:3: error: 'tags' must be a list, got the text \"nato, eu\"",
        "  hint: write a list: tags: [nato, eu]",
    ]
    assert "content/articles/genf.md:3: error: 'date' must be an ISO 8601 date, got \"gestern\"" in run.err
    assert "the previous output was left untouched" in run.err
    assert tree_bytes(out) == before


def test_unknown_markdown_link_target_is_an_error_with_its_line(site: Path, cli) -> None:
    (site / "content/articles/genf.md").write_text(
        "---\ntitle: Genf\ndate: 2022-01-21\n---\n\nErster Absatz.\n\nSiehe [hier](fehlt.md).\n",
        encoding="utf-8")
    run = cli("build", "--source", site, "--destination", site.parent / "out")
    assert run.code == 1
    assert "content/articles/genf.md:8: error: link to 'fehlt.md' points to no article or term" in run.err


def test_typo_in_a_known_key_warns_with_file_and_line(site: Path, cli) -> None:
    (site / "content/articles/genf.md").write_text(
        "---\ntitle: Genf\ndate: 2022-01-21\ntgas: [x]\n---\nText\n", encoding="utf-8")
    run = cli("build", "--source", site, "--destination", site.parent / "out")
    assert run.code == 0
    assert "content/articles/genf.md:4: warning: unknown key 'tgas'\n  hint: did you mean 'tags'?" in run.err
    strict = cli("build", "--source", site, "--destination", site.parent / "out2", "--strict")
    assert strict.code == 1


def test_one_slug_at_two_urls_builds_both(site: Path, cli) -> None:
    write_site(site, "-- content/news/genf.md --\n---\ntitle: Noch mal Genf\ndate: 2022-01-22\n---\nText\n")
    out = site.parent / "out"
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 0, run.err
    assert "Noch mal Genf" in (out / "news/genf/index.html").read_text(encoding="utf-8")
    assert "Noch mal Genf" not in (out / "articles/genf/index.html").read_text(encoding="utf-8")


def test_two_files_at_one_url_name_both_files_with_lines(site: Path, cli) -> None:
    write_site(site, "-- content/news/genf.md --\n---\ntitle: Noch mal Genf\ndate: 2022-01-22\n"
                     "url: /articles/genf/\n---\nText\n")
    run = cli("build", "--source", site, "--destination", site.parent / "out")
    assert run.code == 1
    assert ("content/news/genf.md:4: error: URL '/articles/genf/' is also the URL of content/articles/genf.md:1"
            in run.err)


def test_destination_containing_the_source_is_refused(site: Path, cli) -> None:
    run = cli("build", "--source", site, "--destination", site.parent)
    assert run.code == 1
    assert "contains the site folder" in run.err


def test_foreign_destination_is_never_replaced(site: Path, cli) -> None:
    out = site.parent / "fremd"
    out.mkdir()
    (out / "wichtig.txt").write_text("nicht löschen", encoding="utf-8")
    run = cli("build", "--source", site, "--destination", out)
    assert run.code == 1
    assert "was not made by this builder" in run.err
    assert (out / "wichtig.txt").read_text(encoding="utf-8") == "nicht löschen"


def test_template_typo_names_template_and_line(site: Path, cli) -> None:
    write_site(site, "-- layouts/404.html --\n<!doctype html>\n<title>{{ site.titel }}</title>\n")
    run = cli("build", "--source", site, "--destination", site.parent / "out")
    assert run.code == 1
    assert "layouts/404.html:2: error: 'builder.output.templates.SiteInfo object' has no attribute 'titel'" in run.err


def test_usage_errors_exit_2(tmp_path: Path, cli) -> None:
    assert cli("build", "--source", tmp_path / "fehlt").code == 2
    assert cli("bauen").code == 2
    help_run = cli("build", "--help")
    assert help_run.code == 0 and "--destination" in help_run.out


def test_an_output_file_that_cannot_be_written_is_an_error_not_a_traceback(site: Path, cli) -> None:
    out = site.parent / "out"
    assert cli("build", "--source", site, "--destination", out, "--jobs", "1").code == 0
    before = tree_bytes(out)
    # static/feed.xml/ is a folder, so the generated feed.xml cannot be written (or the other way round)
    write_site(site, "-- static/feed.xml/info.txt --\nText\n")
    run = cli("build", "--source", site, "--destination", out, "--jobs", "1")
    assert run.code == 1
    assert "Traceback" not in run.err
    assert "cannot write output file" in run.err
    assert tree_bytes(out) == before
