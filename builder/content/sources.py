"""Finding and reading the site's content files (the input edge of the build)."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import Diagnostic

CONTENT_DIR = "content"
GLOSSARY_DIR = "glossary"
AUTHORS_DIR = "authors"
PAGES_DIR = "pages"
ARTICLE_DIRS = ("articles", "_posts", "_drafts")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")       # content when they start with front matter (Hugo, Jekyll)
SECTION_INDEX = ("_index.md", "_index.markdown", "_index.html")   # a folder's own page (Hugo)


@dataclass(frozen=True)
class SourceFile:
    """A content file: where it is and what it holds."""

    rel: str          # path relative to the site folder, POSIX: "content/articles/x.md"
    path: str | Path  # absolute path (a string from `discover`: 100,000 Path objects cost a second)
    kind: str         # "article", "term", "page", "author", "section" (an _index.md),
                      # or "document" (an article when dated)


def kind_of(rel: str) -> str:
    """What a content file is, by where it lies: glossary/, authors/ and pages/ hold terms, profiles
    and undated pages; articles/ (and Jekyll's _posts/, _drafts/) articles; any other `_name/`
    folder is a Jekyll collection of pages; elsewhere a file is an article if it has a date.
    An `_index.md` is a folder's own page (Hugo's branch bundle)."""
    if rel.rsplit("/", 1)[-1] in SECTION_INDEX:
        return "section"
    parts = rel.split("/")[1:-1]
    top = parts[0] if parts else ""
    if top == GLOSSARY_DIR:
        return "term"
    if top == AUTHORS_DIR:
        return "author"
    if top == PAGES_DIR or (top.startswith("_") and top not in ARTICLE_DIRS):
        return "page"
    return "article" if top in ARTICLE_DIRS else "document"


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def is_ignored_name(name: str) -> bool:
    """Hidden, editor swap/backup and OS litter files never count as content."""
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".swo", ".bak",
                                                                 ".tmp", ".orig")) or name == "4913")


def discover(site: Path, others: dict[str, list[tuple[str, str]]] | None = None
             ) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every content file under `content/`, sorted, plus problems with links.

    With `others`, every other file (a photo in a bundle, a PDF) is noted there too,
    by its folder, so that bundles need no second walk of the tree.
    """
    root = site.resolve()
    content = root / CONTENT_DIR
    found: list[SourceFile] = []
    problems: list[Diagnostic] = []
    if not content.is_dir():
        return found, [Diagnostic(CONTENT_DIR, None, "the site has no 'content' folder",
                                  hint=f"create {content} with Markdown files")]
    if content.is_symlink():
        problem = _symlink_problem(content, root)
        if problem is not None:
            return found, [Diagnostic(CONTENT_DIR, None, problem[0], hint=problem[1])]
    seen_dirs: set[tuple[int, int]] = set()
    device = os.stat(content).st_dev

    def open_folder(folder: Path, rel: str, identity: tuple[int, int] | None = None
                    ) -> tuple[Iterator[os.DirEntry[str]], str, str] | None:
        """The folder's entries in name order, its path and the kind of a Markdown file in it."""
        try:
            if identity is None:
                status = os.stat(folder)
                identity = (status.st_dev, status.st_ino)
            if identity in seen_dirs:  # a symlink loop, or the same folder linked twice
                return None
            seen_dirs.add(identity)
            entries = sorted(os.scandir(folder), key=_name)
        except OSError as exc:
            problems.append(Diagnostic(rel, None, f"cannot read folder: {exc.strerror}"))
            return None
        return iter(entries), rel, kind_of(f"{rel}/x.md")

    # Depth first with a stack of folders, not recursion: nesting depth is the author's to choose.
    # A folder's entries are read in one loop until a sub folder interrupts it (a folder of
    # articles holds 100,000 files on a large site: this loop runs once for each).
    opened = open_folder(content, CONTENT_DIR)
    stack = [opened] if opened is not None else []
    while stack:
        entries, rel, kind = stack[-1]
        for entry in entries:
            entry_name = entry.name
            if is_ignored_name(entry_name):
                continue
            # isprintable() is False for every name _printable_name would change: control
            # characters and the surrogates of undecodable bytes.
            name, bad_name = (entry_name, None) if entry_name.isprintable() else _printable_name(entry_name)
            entry_rel = f"{rel}/{name}"
            if bad_name is not None:
                if entry_name.endswith(MARKDOWN_SUFFIXES) or entry.is_dir():
                    problems.append(Diagnostic(entry_rel, None, f"file name {bad_name}; skipped",
                                               hint="rename it using letters, digits and hyphens"))
                continue
            linked = entry.is_symlink()
            if linked:
                problem = _symlink_problem(Path(entry.path), root)
                if problem is not None:
                    problems.append(Diagnostic(entry_rel, None, problem[0], hint=problem[1]))
                    continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                # A real sub folder is on its parent's device, and scandir knows its inode: only a
                # folder reached through a link costs a stat (a site of bundles has thousands of folders).
                opened = open_folder(Path(entry.path), entry_rel, None if linked else (device, entry.inode()))
                if opened is not None:
                    stack.append(opened)
                    break
            elif is_file and (entry_name.endswith(MARKDOWN_SUFFIXES)
                              or (entry_name.endswith(HTML_SUFFIXES) and starts_with_front_matter(entry.path))):
                found.append(SourceFile(entry_rel, entry.path, "section" if name in SECTION_INDEX else kind))
            elif others is not None and is_file:
                others.setdefault(rel, []).append((entry_rel, entry.path))
        else:
            stack.pop()
    return found, problems


_FRONT_MATTER_START = re.compile(rb'\A(?:\xef\xbb\xbf)?(?:[ \t]*\r?\n)*(?:---|\+\+\+|\{\s*["}])')


def starts_with_front_matter(path: str) -> bool:
    """Whether a file starts (after a BOM and blank lines) with `---`, `+++` or `{`: an .html file
    without front matter is a plain file, published as it is, as Jekyll does."""
    try:
        with open(path, "rb") as handle:
            return _FRONT_MATTER_START.match(handle.read(512)) is not None
    except OSError:
        return False


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable_name(name: str) -> tuple[str, str | None]:
    """The name to show, and what is wrong with it (None when nothing).

    scandir keeps undecodable bytes as surrogates; control characters in a name
    would reach the terminal in every message about the file. Both are shown as \\xNN.
    """
    problem = None
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name, problem = os.fsencode(name).decode("utf-8", "backslashreplace"), "is not valid UTF-8"
    if _CONTROL.search(name):
        name, problem = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name), "contains control characters"
    return name, problem


def _symlink_problem(path: Path, root: Path) -> tuple[str, str | None] | None:
    """Why a symbolic link cannot be followed (message, hint), or None when it is fine."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "symbolic link points to nothing", None
    except (RuntimeError, OSError):  # ELOOP: a link that leads back to itself
        return "symbolic link loop", "point the link at a real file or remove it"
    if not target.is_relative_to(root):
        return "symbolic link points outside the site folder", "copy the file into the site instead"
    return None


def read_text(source: SourceFile, *, max_size: int) -> tuple[str | None, Diagnostic | None]:
    """The file's text with BOM removed and line endings normalised to "\\n".

    Files over `max_size` are refused before they are read.
    """
    try:
        with open(source.path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            # A buffer of the file's size: read(max_size + 1) allocated megabytes for every file,
            # a third of the loading time. A file that grew since fstat is read on, to the limit.
            data = handle.read(min(size, max_size) + 1)
            if len(data) > size:
                data += handle.read(max_size + 1 - len(data))
            if len(data) > max_size:
                return None, _too_big(source.rel, max(size, len(data)), max_size)
    except OSError as exc:
        return None, Diagnostic(source.rel, None, f"cannot read file: {exc.strerror}")
    return decode(source.rel, data, max_size=max_size)


def _too_big(rel: str, size: int, max_size: int) -> Diagnostic:
    return Diagnostic(rel, None, f"file is {size:,} bytes, over the limit of {max_size:,}",
                      hint="raise 'markdown.max_file_size' in config.yaml if this is intended")


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset; CRLF, CR and LF each end a line."""
    breaks = list(_LINE_BREAK.finditer(data, 0, offset))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


def decode(rel: str, data: bytes, *, max_size: int) -> tuple[str | None, Diagnostic | None]:
    """Decode UTF-8 content bytes (NFC), refusing binary and oversized files."""
    if len(data) > max_size:
        return None, _too_big(rel, len(data), max_size)
    if data.startswith(_UTF16_BOMS):
        return None, Diagnostic(rel, 1, "file is UTF-16, not UTF-8", col=1, hint="save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        line, col = _line_col(data, nul)
        return None, Diagnostic(rel, line, "file is binary (it contains a NUL byte), not UTF-8 text", col=col)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        return None, Diagnostic(rel, line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", col=col,
                                hint="save the file as UTF-8")
    # NFC: text typed on macOS may spell "ü" as "u" + combining diaeresis.
    return unicodedata.normalize("NFC", unix_line_ends(text)), None


def unix_line_ends(text: str) -> str:
    """CRLF and lone CR made LF; each original line break stays one line."""
    if "\r" in text:   # one scan where there is none: two replaces cost 10 µs of every 9 KB file
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
