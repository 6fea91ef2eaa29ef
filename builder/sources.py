"""Finding and reading the site's content files (the input edge of the build)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic

CONTENT_DIR = "content"
GLOSSARY_DIR = "glossary"
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class SourceFile:
    """A content file: where it is and what it holds."""

    rel: str          # path relative to the site folder, POSIX: "content/articles/x.md"
    path: Path        # absolute path
    kind: str         # "article" or "term"


def is_ignored_name(name: str) -> bool:
    """Hidden, editor swap/backup and OS litter files never count as content."""
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".swo", ".bak",
                                                                 ".tmp", ".orig")) or name == "4913")


def discover(site: Path) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every article and glossary file under `content/`, sorted, plus problems with links."""
    root = site.resolve()
    content = root / CONTENT_DIR
    found: list[SourceFile] = []
    problems: list[Diagnostic] = []
    if not content.is_dir():
        return found, [Diagnostic(CONTENT_DIR, None, "the site has no 'content' folder",
                                  hint=f"create {content} with Markdown files")]
    seen_dirs: set[Path] = set()

    def walk(folder: Path, rel: str) -> None:
        real = folder.resolve()
        if real in seen_dirs:  # a symlink loop, or the same folder linked twice
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Diagnostic(rel, None, f"cannot read folder: {exc.strerror}"))
            return
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            entry_rel = f"{rel}/{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    problems.append(Diagnostic(entry_rel, None, "symbolic link points outside the site folder",
                                               hint="copy the file into the site instead"))
                    continue
                if not target.exists():
                    problems.append(Diagnostic(entry_rel, None, "symbolic link points to nothing"))
                    continue
            if entry.is_dir():
                walk(path, entry_rel)
            elif entry.name.endswith(MARKDOWN_SUFFIXES) and entry.is_file():
                in_glossary = entry_rel.startswith(f"{CONTENT_DIR}/{GLOSSARY_DIR}/")
                found.append(SourceFile(entry_rel, path, "term" if in_glossary else "article"))

    walk(content, CONTENT_DIR)
    return found, problems


def read_text(source: SourceFile, *, max_size: int) -> tuple[str | None, Diagnostic | None]:
    """The file's text with BOM removed and line endings normalised to "\\n"."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return None, Diagnostic(source.rel, None, f"cannot read file: {exc.strerror}")
    return decode(source.rel, data, max_size=max_size)


def decode(rel: str, data: bytes, *, max_size: int) -> tuple[str | None, Diagnostic | None]:
    """Decode UTF-8 content bytes, refusing binary and oversized files."""
    if len(data) > max_size:
        return None, Diagnostic(rel, None, f"file is {len(data):,} bytes, over the limit of {max_size:,}",
                                hint="raise 'markdown.max_file_size' in config.yaml if this is intended")
    if b"\x00" in data:
        return None, Diagnostic(rel, None, "file is binary, not UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Diagnostic(rel, line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                                hint="save the file as UTF-8")
    # CRLF and lone CR both become LF; each original line break stays one line.
    return text.replace("\r\n", "\n").replace("\r", "\n"), None
