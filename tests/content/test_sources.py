"""The input edge: which files count as content, and how their bytes become text."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from builder.content.sources import SourceFile, decode, discover, is_ignored_name, read_text
from builder.errors import Diagnostic

LIMIT = 1_000_000


def rels(site: Path) -> list[str]:
    files, problems = discover(site)
    assert problems == []
    return [f.rel for f in files]


def make(root: Path, *names: str) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    return root


# -- decoding ---------------------------------------------------------------

def test_utf8_with_and_without_bom() -> None:
    assert decode("a.md", "Grüße\n".encode(), max_size=LIMIT) == ("Grüße\n", None)
    assert decode("a.md", b"\xef\xbb\xbf" + "Grüße\n".encode(), max_size=LIMIT) == ("Grüße\n", None)


def test_crlf_and_cr_line_endings_become_lf_one_for_one() -> None:
    assert decode("a.md", b"eins\r\nzwei\r\n\r\nvier", max_size=LIMIT) == ("eins\nzwei\n\nvier", None)
    assert decode("a.md", b"eins\rzwei\r\rvier", max_size=LIMIT) == ("eins\nzwei\n\nvier", None)
    assert decode("a.md", b"eins\r\n\rdrei\n", max_size=LIMIT) == ("eins\n\ndrei\n", None)


def test_decomposed_umlauts_are_composed() -> None:
    text, problem = decode("a.md", "Bu\u0308ndnis".encode(), max_size=LIMIT)
    assert (text, problem) == ("Bündnis", None)


@pytest.mark.parametrize(("data", "line", "col"), [
    (b"eins\nzwei\ndr\xffei\n", 3, 3),
    (b"eins\r\nzwei\r\ndr\xffei\r\n", 3, 3),
    (b"eins\rzwei\rdr\xffei\r", 3, 3),
    ("Grüße\n".encode() + b"\xc3(", 2, 1),
    ("Grüße ".encode() + b"\xff", 1, 7),
])
def test_invalid_utf8_names_line_and_column(data: bytes, line: int, col: int) -> None:
    byte = data[data.index(b"\xff") if b"\xff" in data else data.index(b"\xc3(")]
    assert decode("content/articles/a.md", data, max_size=LIMIT) == (None, Diagnostic(
        "content/articles/a.md", line, f"file is not valid UTF-8 (byte 0x{byte:02x})", col=col,
        hint="save the file as UTF-8"))


def test_latin1_file_is_an_error_with_a_hint() -> None:
    text, problem = decode("content/articles/a.md", "---\ntitle: Grüße\n".encode("latin-1"), max_size=LIMIT)
    assert text is None
    assert str(problem) == ("content/articles/a.md:2:10: error: file is not valid UTF-8 (byte 0xfc)\n"
                            "  hint: save the file as UTF-8")


def test_binary_file() -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert decode("content/articles/bild.md", data, max_size=LIMIT) == (None, Diagnostic(
        "content/articles/bild.md", 3, "file is binary (it contains a NUL byte), not UTF-8 text", col=1))


def test_utf16_file() -> None:
    data = "---\ntitle: Genf\n".encode("utf-16")
    assert decode("content/articles/a.md", data, max_size=LIMIT) == (None, Diagnostic(
        "content/articles/a.md", 1, "file is UTF-16, not UTF-8", col=1, hint="save the file as UTF-8"))


def test_oversized_bytes() -> None:
    assert decode("content/articles/a.md", b"x" * 1001, max_size=1000) == (None, Diagnostic(
        "content/articles/a.md", None, "file is 1,001 bytes, over the limit of 1,000",
        hint="raise 'markdown.max_file_size' in config.yaml if this is intended"))


def test_read_text_refuses_a_big_file_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "gross.md"
    with open(path, "wb") as handle:
        handle.truncate(50_000_000)  # sparse: large on paper, cheap to make
    text, problem = read_text(SourceFile("content/articles/gross.md", path, "article"), max_size=2_000_000)
    assert text is None
    assert str(problem) == ("content/articles/gross.md: error: file is 50,000,000 bytes, over the limit of "
                            "2,000,000\n  hint: raise 'markdown.max_file_size' in config.yaml if this is intended")


def test_read_text_at_the_limit_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"a" * 100)
    assert read_text(SourceFile("content/a.md", path, "article"), max_size=100) == ("a" * 100, None)


@pytest.mark.parametrize("grown, limit, expected", [(b" und mehr", 100, "Anfang und mehr"),
                                                    (b"x" * 200, 100, None)])
def test_read_text_reads_on_when_a_file_grew_after_fstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         grown: bytes, limit: int, expected: str | None) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"Anfang" + grown)
    real = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: SimpleNamespace(st_size=min(6, real(fd).st_size)))
    text, problem = read_text(SourceFile("content/a.md", path, "article"), max_size=limit)
    assert text == expected
    assert (problem is None) == (expected is not None)


def test_read_text_of_a_folder_is_an_error(tmp_path: Path) -> None:
    text, problem = read_text(SourceFile("content/ordner.md", tmp_path, "article"), max_size=LIMIT)
    assert text is None and problem is not None and problem.message.startswith("cannot read file")


def test_read_text_missing_file(tmp_path: Path) -> None:
    source = SourceFile("content/articles/weg.md", tmp_path / "weg.md", "article")
    assert read_text(source, max_size=LIMIT) == (None, Diagnostic(
        "content/articles/weg.md", None, "cannot read file: No such file or directory"))


# -- discovery --------------------------------------------------------------

@pytest.mark.parametrize("name", [".versteckt.md", ".artikel.md.swp", "artikel.md~", "#artikel.md#",
                                  "~$artikel.md", ".#artikel.md", "artikel.md.bak", "artikel.md.orig",
                                  "artikel.md.tmp", "4913", ".DS_Store", "artikel.md.swo"])
def test_editor_litter_is_ignored(name: str) -> None:
    assert is_ignored_name(name)


def test_discover_ignores_litter_and_other_files(tmp_path: Path) -> None:
    make(tmp_path, "content/articles/genf.md", "content/articles/.genf.md.swp", "content/articles/genf.md~",
         "content/articles/#genf.md#", "content/articles/.versteckt.md", "content/.git/x.md",
         "content/articles/notizen.txt", "content/glossary/nato.md", "content/glossary/.nato.md.swx",
         "content/ueber.markdown")
    files, problems = discover(tmp_path)
    assert problems == []
    assert [(f.rel, f.kind) for f in files] == [
        ("content/articles/genf.md", "article"), ("content/glossary/nato.md", "term"),
        ("content/ueber.markdown", "document")]


def test_no_content_folder(tmp_path: Path) -> None:
    assert discover(tmp_path) == ([], [Diagnostic(
        "content", None, "the site has no 'content' folder",
        hint=f"create {tmp_path.resolve() / 'content'} with Markdown files")])


def test_symlink_leaving_the_site_is_refused(tmp_path: Path) -> None:
    site = make(tmp_path / "site", "content/articles/genf.md")
    secret = tmp_path / "geheim.md"
    secret.write_text("---\ntitle: geheim\n---\n", encoding="utf-8")
    (site / "content/articles/geheim.md").symlink_to(secret)
    (site / "content/extern").symlink_to(tmp_path, target_is_directory=True)
    files, problems = discover(site)
    assert [f.rel for f in files] == ["content/articles/genf.md"]
    assert problems == [
        Diagnostic("content/articles/geheim.md", None, "symbolic link points outside the site folder",
                   hint="copy the file into the site instead"),
        Diagnostic("content/extern", None, "symbolic link points outside the site folder",
                   hint="copy the file into the site instead"),
    ]


def test_symlink_inside_the_site_is_followed(tmp_path: Path) -> None:
    site = make(tmp_path, "entwuerfe/genf.md", "content/articles/paris.md")
    (site / "content/articles/genf.md").symlink_to(site / "entwuerfe/genf.md")
    assert rels(site) == ["content/articles/genf.md", "content/articles/paris.md"]


def test_symlink_loops_end(tmp_path: Path) -> None:
    site = make(tmp_path, "content/articles/genf.md")
    articles = site / "content/articles"
    (articles / "schleife").symlink_to(articles, target_is_directory=True)   # a folder loop
    (articles / "zurueck").symlink_to(site / "content", target_is_directory=True)
    (articles / "selbst.md").symlink_to(articles / "selbst.md")               # a link to itself
    (articles / "a.md").symlink_to(articles / "b.md")                          # two links in a ring
    (articles / "b.md").symlink_to(articles / "a.md")
    (articles / "weg.md").symlink_to(articles / "gibt-es-nicht.md")
    files, problems = discover(site)
    assert [f.rel for f in files] == ["content/articles/genf.md"]
    loop = ("symbolic link loop", "point the link at a real file or remove it")
    assert [(d.path, d.message, d.hint) for d in problems] == [
        ("content/articles/a.md", *loop),
        ("content/articles/b.md", *loop),
        ("content/articles/selbst.md", *loop),
        ("content/articles/weg.md", "symbolic link points to nothing", None),
    ]


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    site = make(tmp_path, "content/articles/genf.md")
    folder = os.fsencode(site / "content/articles")
    with open(folder + b"/gr\xfc\xdfe.md", "wb") as handle:
        handle.write(b"---\ntitle: x\n---\n")
    files, problems = discover(site)
    assert [f.rel for f in files] == ["content/articles/genf.md"]
    assert problems == [Diagnostic("content/articles/gr\\xfc\\xdfe.md", None, "file name is not valid UTF-8; skipped",
                                   hint="rename it using letters, digits and hyphens")]


def test_fifo_named_like_markdown_is_not_read(tmp_path: Path) -> None:
    site = make(tmp_path, "content/articles/genf.md")
    os.mkfifo(site / "content/articles/rohr.md")
    assert rels(site) == ["content/articles/genf.md"]


def test_content_folder_linked_from_outside_is_refused(tmp_path: Path) -> None:
    elsewhere = make(tmp_path / "anderswo", "articles/geheim.md")
    site = tmp_path / "site"
    site.mkdir()
    (site / "content").symlink_to(elsewhere, target_is_directory=True)
    assert discover(site) == ([], [Diagnostic("content", None, "symbolic link points outside the site folder",
                                              hint="copy the file into the site instead")])


def test_content_folder_linked_from_inside_is_fine(tmp_path: Path) -> None:
    site = make(tmp_path, "texte/articles/genf.md")
    (site / "content").symlink_to(site / "texte", target_is_directory=True)
    assert rels(site) == ["content/articles/genf.md"]


def test_file_name_with_control_characters(tmp_path: Path) -> None:
    site = make(tmp_path, "content/articles/genf.md", "content/articles/\x1b]0;gekapert\x07.md")
    files, problems = discover(site)
    assert [f.rel for f in files] == ["content/articles/genf.md"]
    assert problems == [Diagnostic("content/articles/\\x1b]0;gekapert\\x07.md", None,
                                   "file name contains control characters; skipped",
                                   hint="rename it using letters, digits and hyphens")]


def test_deeply_nested_folders_are_walked_without_recursion(tmp_path: Path) -> None:
    make(tmp_path, "content/articles/genf.md", "content/b.md")
    folders = [tmp_path / "content"]
    for _ in range(1_200):  # deeper than Python's recursion limit; mkdir(parents=True) would recurse too
        folders.append(folders[-1] / "a")
        folders[-1].mkdir()
    (folders[-1] / "tief.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    try:
        assert rels(tmp_path) == ["content/" + "a/" * 1_200 + "tief.md", "content/articles/genf.md", "content/b.md"]
    finally:  # shutil.rmtree, which cleans tmp_path, recurses per level too
        (folders[-1] / "tief.md").unlink()
        for folder in reversed(folders[1:]):
            folder.rmdir()
