"""`check` and `publish` through the command line, on fixture sites."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import TWO_ARTICLES, write_site

SITE = TWO_ARTICLES


def test_check_passes_a_clean_site(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", SITE)
    run = cli("check", "--source", site, "--destination", tmp_path / "out")
    assert run.code == 0, run.err
    assert "check: all links, anchors, pages, feed and sitemap are fine" in run.out


def test_check_reports_a_broken_anchor_with_the_content_file(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", SITE.replace("](b.md)", "](b.md#fehlt)"))
    run = cli("check", "--source", site, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "content/articles/a.md" in run.err and "#fehlt" in run.err


def test_publish_directory_mirrors_and_dry_run_lists(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", SITE)
    target = tmp_path / "www"
    dry = cli("publish", "directory", target, "--source", site, "--destination", tmp_path / "out", "--dry-run")
    assert dry.code == 0, dry.err
    assert "+ articles/a/index.html" in dry.out and not target.exists()
    done = cli("publish", "directory", target, "--source", site, "--destination", tmp_path / "out")
    assert done.code == 0
    assert (target / "articles/b/index.html").exists()
    (site / "content/articles/b.md").unlink()
    (site / "content/articles/a.md").write_text(
        "---\ntitle: Erster\ndate: 2022-01-26\n---\nText.\n", encoding="utf-8")
    again = cli("publish", "directory", target, "--source", site, "--destination", tmp_path / "out")
    assert again.code == 0
    assert not (target / "articles/b").exists()


def test_publish_git_commits_to_a_bare_remote(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", SITE)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--bare", "-q", str(remote)], check=True)
    run = cli("publish", "git", remote, "--source", site, "--destination", tmp_path / "out")
    assert run.code == 0, run.err
    files = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert "articles/a/index.html" in files and ".nojekyll" in files


def test_publish_refuses_a_site_with_errors(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", SITE.replace("](b.md)", "](gibts-nicht.md)"))
    target = tmp_path / "www"
    run = cli("publish", "directory", target, "--source", site, "--destination", tmp_path / "out")
    assert run.code == 1
    assert not target.exists()


def test_publish_without_a_target_is_a_usage_error(tmp_path: Path, cli) -> None:
    site = write_site(tmp_path / "s", SITE)
    assert cli("publish", "--source", site).code == 2
