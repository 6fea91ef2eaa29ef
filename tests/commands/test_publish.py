"""Publishing to a local bare git repository and mirroring into a folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from builder.commands.publish import PublishError, PublishPlan, publish_directory, publish_git

IDENTITY = ["-c", "user.name=Redaktion", "-c", "user.email=redaktion@example.org"]


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, str]:
    """Every file below root with its text, .git left out."""
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts}


SITE = {
    "index.html": "<h1>Lagebild</h1>",
    "artikel/gipfel-in-paris/index.html": "<h1>Gipfel in Paris</h1>",
    "assets/style.css": "body { color: #222; }",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A source repository (the current folder) with a built site inside."""
    root = tmp_path / "lagebild"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    write(root, {"config.yaml": "title: Lagebild\n", ".gitignore": "/site/\n"})
    git("add", "config.yaml", ".gitignore", cwd=root)
    git("commit", "-q", "-m", "Quellen", cwd=root)
    write(root / "site", SITE)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(path))
    return path


def repo_state(root: Path) -> tuple[str, str, str, bytes]:
    return (git("for-each-ref", cwd=root), git("status", "--porcelain", "--ignored", cwd=root),
            git("rev-parse", "HEAD", cwd=root), (root / ".git" / "index").read_bytes())


def branch_files(remote: Path, branch: str = "gh-pages") -> dict[str, str]:
    names = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", branch).splitlines()
    return {n: git("--git-dir", str(remote), "show", f"{branch}:{n}") for n in names}


def commit_count(remote: Path, branch: str = "gh-pages") -> int:
    return int(git("--git-dir", str(remote), "rev-list", "--count", branch))


def test_publish_git_twice_then_unchanged(project: Path, remote: Path) -> None:
    before = repo_state(project)
    site = project / "site"

    first = publish_git(site, str(remote), cname="lagebild.example.org")
    assert first == PublishPlan(added=(".nojekyll", "CNAME", "artikel/gipfel-in-paris/index.html",
                                       "assets/style.css", "index.html"))
    assert branch_files(remote) == {**SITE, ".nojekyll": "", "CNAME": "lagebild.example.org"}
    assert commit_count(remote) == 1
    head = git("--git-dir", str(remote), "rev-parse", "gh-pages")

    (site / "index.html").write_text("<h1>Lagebild – neu</h1>")
    (site / "assets/style.css").unlink()
    write(site, {"artikel/minsk/index.html": "<h1>Minsk</h1>"})
    second = publish_git(site, str(remote), cname="lagebild.example.org", message="Neue Artikel")
    assert second == PublishPlan(added=("artikel/minsk/index.html",), changed=("index.html",),
                                 removed=("assets/style.css",))
    assert commit_count(remote) == 2
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages^") == head
    assert git("--git-dir", str(remote), "log", "-1", "--format=%s", "gh-pages") == "Neue Artikel"
    assert branch_files(remote)["index.html"] == "<h1>Lagebild – neu</h1>"

    head = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    third = publish_git(site, str(remote), cname="lagebild.example.org")
    assert third == PublishPlan()
    assert commit_count(remote) == 2
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == head

    assert repo_state(project) == before
    assert "gh-pages" not in git("branch", "--list", cwd=project)


def test_publish_git_continues_an_existing_branch(project: Path, remote: Path, tmp_path: Path) -> None:
    clone = tmp_path / "klon"
    git("clone", "-q", str(remote), str(clone))
    git("checkout", "-q", "--orphan", "gh-pages", cwd=clone)
    write(clone, {"alt.html": "<h1>Alte Seite</h1>"})
    git("add", "alt.html", cwd=clone)
    git("commit", "-q", "-m", "Alte Fassung", cwd=clone)
    git("push", "-q", "origin", "gh-pages", cwd=clone)
    old = git("rev-parse", "HEAD", cwd=clone)

    plan = publish_git(project / "site", str(remote))
    assert plan.removed == ("alt.html",)
    assert plan.added == (".nojekyll", "artikel/gipfel-in-paris/index.html", "assets/style.css", "index.html")
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages^") == old
    assert "CNAME" not in branch_files(remote)


def test_publish_git_other_branch_and_remote_name(project: Path, remote: Path) -> None:
    git("remote", "add", "veroeffentlichung", str(remote), cwd=project)
    publish_git(project / "site", "veroeffentlichung", branch="pages")
    assert branch_files(remote, "pages")["index.html"] == "<h1>Lagebild</h1>"
    assert git("--git-dir", str(remote), "branch", "--list") == "pages"


def test_publish_git_dry_run_pushes_nothing(project: Path, remote: Path) -> None:
    plan = publish_git(project / "site", str(remote), dry_run=True)
    assert plan.added == (".nojekyll", "artikel/gipfel-in-paris/index.html", "assets/style.css", "index.html")
    assert git("ls-remote", "--heads", str(remote)) == ""


def test_publish_git_without_configured_identity(project: Path, remote: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "leer.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        for key in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{role}_{key}", raising=False)
    publish_git(project / "site", str(remote))
    assert git("--git-dir", str(remote), "log", "-1", "--format=%an <%ae> / %cn <%ce>", "gh-pages") == \
        "builder <builder@localhost> / builder <builder@localhost>"


def test_publish_git_unknown_remote(project: Path) -> None:
    with pytest.raises(PublishError) as caught:
        publish_git(project / "site", "nirgendwo")
    assert str(caught.value) == "unknown remote 'nirgendwo': not a path, a URL or a remote of this repository"


def test_publish_git_unreachable_remote_is_reported(project: Path, tmp_path: Path) -> None:
    with pytest.raises(PublishError) as caught:
        publish_git(project / "site", str(tmp_path / "kein-repo"), dry_run=True)
    # the rest of the message is git's own wording
    assert str(caught.value).startswith(f"git ls-remote failed: fatal: '{tmp_path / 'kein-repo'}'")


def test_missing_site(tmp_path: Path) -> None:
    with pytest.raises(PublishError) as caught:
        publish_directory(tmp_path / "site", tmp_path / "ziel")
    assert str(caught.value) == f"built site {(tmp_path / 'site').resolve()} does not exist: run the build first"


# --- folder -----------------------------------------------------------------

@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write(tmp_path / "site", SITE)


def test_publish_directory_mirrors(site: Path, tmp_path: Path) -> None:
    target = write(tmp_path / "ziel", {
        "index.html": SITE["index.html"],
        "assets/style.css": "body { color: #000; }",   # same size, other bytes
        "alt/seite.html": "<h1>Alt</h1>",
        ".git/HEAD": "ref: refs/heads/gh-pages\n",
    })
    (target / "leer").mkdir()
    os.utime(target / "index.html", (1_600_000_000, 1_600_000_000))
    outside = write(tmp_path, {"daneben.txt": "bleibt"}) / "daneben.txt"

    plan = publish_directory(site, target)

    assert plan == PublishPlan(added=("artikel/gipfel-in-paris/index.html",), changed=("assets/style.css",),
                               removed=("alt/seite.html",))
    assert tree(target) == SITE
    assert (target / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert not (target / "alt").exists() and not (target / "leer").exists()
    assert (target / "index.html").stat().st_mtime == 1_600_000_000   # unchanged file not rewritten
    assert outside.read_text() == "bleibt"
    assert publish_directory(site, target) == PublishPlan()


def test_publish_directory_into_a_new_folder(site: Path, tmp_path: Path) -> None:
    plan = publish_directory(site, tmp_path / "neu" / "ziel")
    assert plan.added == ("artikel/gipfel-in-paris/index.html", "assets/style.css", "index.html")
    assert tree(tmp_path / "neu" / "ziel") == SITE


def test_publish_directory_replaces_a_file_standing_where_a_folder_goes(site: Path, tmp_path: Path) -> None:
    target = write(tmp_path / "ziel", {"artikel": "eine Datei", "index.html/alt.txt": "ein Ordner"})
    plan = publish_directory(site, target)
    assert plan == PublishPlan(added=("artikel/gipfel-in-paris/index.html", "assets/style.css", "index.html"),
                               removed=("artikel", "index.html/alt.txt"))
    assert tree(target) == SITE


def test_publish_directory_dry_run_changes_nothing(site: Path, tmp_path: Path) -> None:
    target = write(tmp_path / "ziel", {"index.html": "<h1>Alt</h1>", "alt.html": "<h1>Alt</h1>"})
    before = tree(target)
    plan = publish_directory(site, target, dry_run=True)
    assert plan == PublishPlan(added=("artikel/gipfel-in-paris/index.html", "assets/style.css"),
                               changed=("index.html",), removed=("alt.html",))
    assert tree(target) == before
    assert plan.lines() == ["+ artikel/gipfel-in-paris/index.html", "+ assets/style.css", "~ index.html",
                            "- alt.html"]


@pytest.mark.parametrize(("where", "reason"), [
    ("root", "it is the file system root"),
    ("home", "it is the home folder"),
    ("site", "it contains the built site {site}"),
    ("parent", "it contains the built site {site}"),
    ("inside", "it is inside the built site {site}"),
    ("source", "it looks like a source folder (it has config.yaml)"),
    ("content", "it looks like a source folder (it has content)"),
    ("cwd", "it contains the current folder {cwd}"),
    ("articles", "it is inside the source folder {tmp}/quelle/content"),
    ("git", "it is inside a .git folder"),
    ("file", "it is a file, not a folder"),
])
def test_publish_directory_refuses_dangerous_targets(where: str, reason: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = write(tmp_path / "projekt" / "site", SITE)
    write(tmp_path, {"quelle/config.yaml": "title: Lagebild\n", "datei.html": "x",
                     "quelle/content/artikel/gipfel.md": "# Gipfel\n", "repo/.git/HEAD": "ref: x\n",
                     "inhalt/content/artikel.md": "# Artikel\n", "haus/.bashrc": ""})
    (tmp_path / "arbeit" / "unter").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "haus"))
    monkeypatch.chdir(tmp_path / "arbeit" / "unter")
    target = {"root": Path("/"), "home": tmp_path / "haus", "site": site, "parent": tmp_path / "projekt",
              "inside": site / "kopie", "source": tmp_path / "quelle", "content": tmp_path / "inhalt",
              "cwd": tmp_path / "arbeit", "file": tmp_path / "datei.html",
              "articles": tmp_path / "quelle" / "content" / "artikel", "git": tmp_path / "repo" / ".git"}[where]
    target = target.resolve()
    with pytest.raises(PublishError) as caught:
        publish_directory(site, target)
    message = reason.format(site=site.resolve(), cwd=(tmp_path / "arbeit" / "unter").resolve(),
                            tmp=tmp_path.resolve())
    assert str(caught.value) == f"refusing to publish to {target}: {message}"
    assert (tmp_path / "haus" / ".bashrc").exists() and (tmp_path / "quelle" / "config.yaml").exists()
    assert (tmp_path / "quelle/content/artikel/gipfel.md").exists() and (tmp_path / "repo/.git/HEAD").exists()
    assert tree(site) == SITE


def test_a_git_folder_inside_the_site_is_never_published(project: Path, remote: Path, tmp_path: Path) -> None:
    write(project / "site", {".git/HEAD": "ref: refs/heads/main\n"})
    assert ".git/HEAD" not in publish_git(project / "site", str(remote)).added
    assert ".git/HEAD" not in branch_files(remote)
    target = tmp_path / "ziel"
    assert ".git/HEAD" not in publish_directory(project / "site", target).added
    assert not (target / ".git").exists()
