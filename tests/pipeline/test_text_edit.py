"""A build from the command line after an edit of articles' text alone: their pages and feeds from the
last build's state (`text_edit`), the output equal to a fresh build's; any other edit, the whole pipeline."""

from __future__ import annotations

import random
from pathlib import Path

import feedparser
import pytest

from builder.pipeline.build import BuildOptions, BuildReport, build
from builder.output.search import search_available
from builder.pipeline.edit_state import EditState
from test_body_edit import SITE, date_back, dated_site, photo_site


def _site(tmp_path: Path, text: str = SITE) -> Path:
    return dated_site(tmp_path / "site", text)


def _edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    date_back(path)


def _build(site: Path, out: Path, cache: bool = True) -> BuildReport:
    report = build(BuildOptions(source=site, destination=out, jobs=1, cache=cache, fingerprint_assets=False))
    assert report.ok, report.diagnostics
    return report


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".builder-output"}


def _took_shortcut(report: BuildReport) -> bool:
    return any(stage.startswith("text edit") for stage, _ in report.stages)


def _edited_as_fresh(site: Path, out: Path, fresh: Path) -> dict[str, bytes]:
    """Build after a text edit: the shortcut taken, the output a fresh build's (returned)."""
    report = _build(site, out)
    assert _took_shortcut(report), report.stages
    expected = _tree(_fresh(site, fresh))
    assert _tree(out) == expected
    return expected


def test_a_text_edit_builds_from_the_last_builds_state_and_equals_a_fresh_build(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "out"
    first = _build(site, out)
    assert not _took_shortcut(first)
    rel = "content/articles/politik/neu.md"
    for step, (old, new) in enumerate([("Moskau wartet", "Moskau wartet noch"),      # in five feeds
                                       ("wartet noch", "wartet nicht mehr")]):
        _edit(site, rel, old, new)
        before = {path: data for path, data in _tree(out).items()}
        report = _build(site, out)
        assert _took_shortcut(report), report.stages
        assert report.articles == first.articles and report.pages == first.pages
        expected = _tree(_fresh(site, tmp_path / f"fresh{step}"))
        assert _tree(out) == expected
        changed = {path for path in expected if expected[path] != before.get(path)}
        assert "articles/politik/neu/index.html" in changed and "feed.xml" in changed
        parsed = feedparser.parse(expected["feed.xml"])
        assert not parsed.bozo and new in parsed.entries[0].content[0].value
    # Nothing changed since: the build returns at once, as after any build.
    assert not _took_shortcut(_build(site, out)) and _tree(out) == expected


def _fresh(site: Path, out: Path) -> Path:
    _build(site, out, cache=False)
    return out


def test_text_edits_between_whole_builds_keep_the_state_true(tmp_path: Path) -> None:
    """A whole build after a text edit writes the rows the edit's state no longer matches (the body it
    renders again lands elsewhere in the packs), so that the next text edit reads the right bodies."""
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    edits = [("content/articles/politik/neu.md", "Moskau wartet", "Moskau wartet noch", True),
             # No article's page changes, but the whole build renders neu's body again into its packs.
             ("content/authors/anna-muster.md", "Anna schreibt", "Anna schreibt oft", False),
             # alt's feed shows neu's body: read where that build put it.
             ("content/articles/alt.md", "den Brief aus", "den Brief noch aus", True),
             # A title: every page that shows the article's card too (`edit_state.site_lists`).
             ("content/articles/mitte.md", "title: \"Antwort aus Moskau\"", "title: \"Antwort aus dem Kreml\"", True),
             ("content/glossary/kreml.md", "Sitz der", "Der Sitz der", False),
             ("content/articles/alt.md", "Brief noch aus", "Brief aus", True)]
    for step, (rel, old, new, shortcut) in enumerate(edits):
        _edit(site, rel, old, new)
        report = _build(site, out)
        assert _took_shortcut(report) == shortcut, (step, report.stages)
        assert _tree(out) == _tree(_fresh(site, tmp_path / f"fresh{step}")), f"differs after step {step}"


@pytest.mark.parametrize("rel, old, new", [
    ("content/articles/mitte.md", "eine Antwort.", "eine Antwort an die NATO."),          # a term more
    ("content/articles/mitte.md", "eine Antwort.", "eine Antwort, siehe [Genf](/articles/politik/neu.md)."),
    ("content/articles/mitte.md", "eine Antwort.", "eine Antwort zum Haushaltsstreit."),   # a top word more
    ("content/articles/mitte.md", "tags: [Russland]", "tags: [Russland, Krise]"),         # front matter
    ("config.yaml", "paginate: 2", "paginate: 3"),
    ("content/glossary/nato.md", "Das Verteidigungsbündnis.", "Das Bündnis."),
])
def test_any_other_edit_runs_the_whole_pipeline(tmp_path: Path, rel: str, old: str, new: str) -> None:
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    _edit(site, rel, old, new)
    report = _build(site, out)
    assert not _took_shortcut(report)
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh"))


def test_a_text_edit_into_an_output_another_build_wrote_since_runs_the_whole_pipeline(tmp_path: Path) -> None:
    site, out, other = _site(tmp_path), tmp_path / "out", tmp_path / "other"
    _build(site, out)
    _build(site, other)   # the state now describes the other folder
    _edit(site, "content/articles/alt.md", "den Brief aus", "den Brief noch aus")
    report = _build(site, out)
    assert not _took_shortcut(report)
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh"))


def test_a_file_saved_moments_ago_is_looked_at_again(tmp_path: Path) -> None:
    """Statuses of files changed within the racy window are not kept: the next build reads them again."""
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    path = site / "content/articles/alt.md"
    path.write_text(path.read_text(encoding="utf-8").replace("den Brief aus", "den Brief noch aus"),
                    encoding="utf-8")   # now: within the racy window
    assert _took_shortcut(_build(site, out))
    date_back(path)   # its status changes, its text does not
    _edit(site, "content/articles/mitte.md", "eine Antwort.", "eine Antwort, noch nicht.")
    assert _took_shortcut(_build(site, out))
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh"))


def test_an_article_moved_under_its_slug_gets_its_own_row(tmp_path: Path) -> None:
    """A row replaces the row of its slug: the moved article's text edit reads its new file, and its
    old file's row is dropped."""
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    old = site / "content/articles/mitte.md"
    new = site / "content/articles/politik/mitte.md"
    new.write_text(old.read_text(encoding="utf-8"), encoding="utf-8")
    old.unlink()
    date_back(new)
    assert not _took_shortcut(_build(site, out))
    _edit(site, "content/articles/politik/mitte.md", "eine Antwort.", "eine Antwort, noch nicht.")
    assert _took_shortcut(_build(site, out))
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh"))
    state = EditState(next((site / ".builder-cache").iterdir()))
    try:
        assert state.rows(sources=["content/articles/mitte.md"]) == {}
        assert list(state.rows(slugs=["mitte"]).values())[0][0] == "content/articles/politik/mitte.md"
    finally:
        state.close()


def test_a_text_edit_of_an_article_with_photos_shows_them_as_before(tmp_path: Path) -> None:
    site, out = photo_site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    _edit(site, "content/articles/gipfel/index.md", "am Morgen in Genf.", "am Morgen noch nicht in Genf.")
    page = _edited_as_fresh(site, out, tmp_path / "fresh")["articles/gipfel/index.html"].decode()
    assert "noch nicht in Genf" in page and "saal" in page and "tisch" in page
    # A photo the text did not show before: the whole pipeline plans its files.
    _edit(site, "content/articles/gipfel/index.md", "Das Logo", "![Der Saal](saal.jpg)\n\nDas Logo")
    assert not _took_shortcut(_build(site, out))
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh2"))


FILLERS = ["noch", "nicht", "auch", "aber", "schon", "doch", "wieder", "dann"]   # no content words


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_sequences_of_edits_equal_fresh_builds(tmp_path: Path, seed: int) -> None:
    """Text edits (one file or several, in feeds or not), title edits, other edits between them, a build
    after each: every output equals a fresh build, and text and title edits take the shortcut."""
    rng = random.Random(seed)
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    articles = ["content/articles/politik/neu.md", "content/articles/mitte.md", "content/articles/alt.md"]
    shortcuts = 0
    for step in range(14):
        kind = rng.choice(["text", "text", "text", "texts", "word", "title", "new", "term"])
        if kind in ("text", "texts"):
            for rel in rng.sample(articles, 1 if kind == "text" else 2):
                path = site / rel
                body = path.read_text(encoding="utf-8").rstrip("\n")
                path.write_text(f"{body} {rng.choice(FILLERS).capitalize()} {rng.choice(FILLERS)}.\n",
                                encoding="utf-8")
                date_back(path)
        elif kind == "word":
            path = site / rng.choice(articles)
            path.write_text(path.read_text(encoding="utf-8") + f"\nGenf Moskau Brief {step}.\n", encoding="utf-8")
            date_back(path)
        elif kind == "title":
            rel = rng.choice(articles)
            text = (site / rel).read_text(encoding="utf-8")
            title = text.split("title: ", 1)[1].split("\n", 1)[0]
            _edit(site, rel, f"title: {title}", f"title: \"Fassung {step}\"")
        elif kind == "new":
            rel = f"content/articles/neu-{step}.md"
            (site / rel).write_text(f"---\ntitle: \"Neu {step}\"\ndate: 2022-01-{11 + step}T10:00:00+01:00\n"
                                    f"tags: [Diplomatie]\n---\n\nDer Kreml und Genf, Folge {step}.\n",
                                    encoding="utf-8")
            date_back(site / rel)
            articles.append(rel)
        else:
            _edit(site, "content/glossary/kreml.md", "Regierung", f"Regierung ({step})")
        report = _build(site, out)
        shortcuts += kind in ("text", "texts", "title") and _took_shortcut(report)
        assert not (_took_shortcut(report) and kind not in ("text", "texts", "title")), (step, kind)
        assert _tree(out) == _tree(_fresh(site, tmp_path / f"fresh{step}")), f"differs after step {step} ({kind})"
    assert shortcuts > 0


def test_a_damaged_state_runs_the_whole_pipeline_and_is_written_again(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "out"
    _build(site, out)
    state = next((site / ".builder-cache").iterdir()) / "edit-state.sqlite"
    state.write_bytes(b"not a database" * 100)
    _edit(site, "content/articles/alt.md", "den Brief aus", "den Brief noch aus")
    assert not _took_shortcut(_build(site, out))
    assert _tree(out) == _tree(_fresh(site, tmp_path / "fresh"))
    _edit(site, "content/articles/alt.md", "Brief noch aus", "Brief aus")
    assert _took_shortcut(_build(site, out))


@pytest.mark.skipif(search_available() is not None, reason=str(search_available()))
def test_with_search_on_the_edited_articles_shard_is_indexed_again(tmp_path: Path) -> None:
    site, out = _site(tmp_path, SITE.replace("feed_entries: 2\n", "feed_entries: 2\nsearch: true\n")), tmp_path / "out"
    _build(site, out)
    _edit(site, "content/articles/alt.md", "den Brief aus", "den Brief noch aus")
    assert any(path.startswith("pagefind/") for path in _edited_as_fresh(site, out, tmp_path / "fresh"))
    _edit(site, "content/articles/alt.md", "den Brief noch aus", "den Brief aus")
    _edited_as_fresh(site, out, tmp_path / "fresh2")
