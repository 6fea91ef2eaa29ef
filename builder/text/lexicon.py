"""The German noun lexicon: the paradigms of the nouns a glossary needs, and nothing more.

The data comes from the `german-nouns` package (PyPI; compiled from the German
Wiktionary, licensed CC BY-SA 4.0): `nouns.csv`, one row per noun with its
gender and its forms in four cases, singular and plural (20 MB, 100,000 rows).
Parsing it all costs seconds and 100 MB, so a lookup reads the file's bytes once
and lets an Aho-Corasick automaton find just the rows it needs: the rows of the
wanted lemmas ("\\nRat,") and the cells that hold a given form (",Rate,"), for
telling which generated forms are words of their own. Only those rows are
decoded. The package's own lookup module is never imported (it indexes the
whole file and needs a Wiktionary parser).

Imported only when glossary forms are computed, which the build does once per
glossary (see `builder.text.forms`).
"""

from __future__ import annotations

import csv
import importlib.util
import mmap
from pathlib import Path
from typing import Collection, Iterable, NamedTuple

import ahocorasick_rs

__all__ = ["Entry", "Lexicon", "data_file", "lexicon_version", "CASES"]

PACKAGE = "german_nouns"
DISTRIBUTION = "german-nouns"
CASES = ("nominativ", "genitiv", "dativ", "akkusativ")
NUMBERS = ("singular", "plural")
_FIRST_FORM_COLUMN = 7  # lemma, pos, genus, genus 1-4, then the forms


class Entry(NamedTuple):
    """One row of the lexicon: a noun and its forms."""

    lemma: str
    gender: str                                # "m", "f", "n", or "" (plural only, unknown)
    cells: tuple[tuple[str, str, str], ...]    # (case, number, form), in the file's column order
    adjectival: bool                           # declines like an adjective ("Abgeordneter")
    pos: str                                   # the row's parts of speech, e.g. "Substantiv,Toponym"

    def forms(self, number: str | None = None) -> tuple[str, ...]:
        """Its distinct forms (of one number), first seen first."""
        return tuple(dict.fromkeys(form for _, num, form in self.cells if number in (None, num)))


def data_file() -> Path | None:
    """Where the installed `german-nouns` keeps nouns.csv, or None without the package."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "nouns.csv"
        if path.is_file():
            return path
    return None


def lexicon_version() -> str:
    """Names the lexicon's data, for cache keys: "german-nouns 1.2.5", or "none".

    Read from the name of the package's dist-info folder beside it: importing importlib.metadata
    (and with it the email package) took 23 ms of every build of a German site.
    """
    path = data_file()
    if path is None:
        return "none"
    prefix = DISTRIBUTION.replace("-", "_") + "-"
    for entry in path.parent.parent.glob(prefix + "*.dist-info"):
        return f"{DISTRIBUTION} {entry.name[len(prefix):-len('.dist-info')]}"
    import importlib.metadata   # installed some other way
    try:
        return f"{DISTRIBUTION} {importlib.metadata.version(DISTRIBUTION)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{DISTRIBUTION} unknown"


def _columns(header: str) -> list[tuple[str, str, str] | None]:
    """For each column, (case, number, variant) if it holds a form, else None."""
    columns: list[tuple[str, str, str] | None] = []
    for index, name in enumerate(next(csv.reader([header]))):
        parts = name.split(" ", 2)
        if index < _FIRST_FORM_COLUMN or len(parts) < 2 or parts[0] not in CASES:
            columns.append(None)
            continue
        number = parts[1].rstrip("*")
        columns.append((parts[0], number, parts[2] if len(parts) > 2 else ""))
    return columns


class Lexicon:
    """The noun lexicon's bytes, searched for what one glossary needs.

    The file is mapped into memory, not read: its pages stay the operating
    system's (shared, dropped under pressure) and the process allocates only
    the rows it decodes. Build one per computation of forms and drop it.
    """

    def __init__(self, path: Path | None = None) -> None:
        path = path or data_file()
        if path is None:
            raise FileNotFoundError("the german-nouns package is not installed")
        self.path = path
        self.data: bytes | mmap.mmap
        with path.open("rb") as handle:
            try:
                self.data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):   # an empty file, a file system without mmap
                self.data = handle.read()
        end = self.data.find(b"\n")
        self._columns = _columns(self.data[:end].decode("utf-8"))

    def _row(self, start: int) -> list[str]:
        end = self.data.find(b"\n", start)
        line = self.data[start:end if end >= 0 else len(self.data)].decode("utf-8").rstrip("\r")
        return next(csv.reader([line]))

    def _entry(self, row: list[str]) -> Entry:
        cells = tuple((col[0], col[1], value) for col, value in zip(self._columns, row)
                      if col is not None and value and value != "—")
        genders = [g for g in row[2:_FIRST_FORM_COLUMN] if g]
        return Entry(row[0], genders[0] if genders else "", cells,
                     "adjektivische Deklination" in row[1], row[1])

    def entries(self, lemmas: Collection[str]) -> dict[str, list[Entry]]:
        """The rows of those `lemmas`, in file order; lemmas not found are left out.

        Rows of names and abbreviations may have no forms (`cells` empty).
        """
        wanted = sorted({lemma for lemma in lemmas if lemma and "," not in lemma and "\n" not in lemma})
        if not wanted:
            return {}
        automaton = ahocorasick_rs.BytesAhoCorasick([b"\n" + lemma.encode() + b"," for lemma in wanted])
        found: dict[str, list[Entry]] = {}
        for index, start, _ in automaton.find_matches_as_indexes(self.data, overlapping=True):
            found.setdefault(wanted[index], []).append(self._entry(self._row(start + 1)))
        return found

    def lemmas_with_forms(self, forms: Iterable[str]) -> dict[str, set[str]]:
        """For each of `forms`, the lemmas of the rows that list it as a form (or as their lemma)."""
        wanted = sorted({form for form in forms if form and "," not in form and "\n" not in form})
        if not wanted:
            return {}
        patterns = [b"," + form.encode() + end for form in wanted for end in (b",", b"\n", b"\r")]
        patterns += [b"\n" + form.encode() + b"," for form in wanted]
        automaton = ahocorasick_rs.BytesAhoCorasick(patterns)
        found: dict[str, set[str]] = {}
        per_form = 3
        for index, start, _ in automaton.find_matches_as_indexes(self.data, overlapping=True):
            form = wanted[index // per_form] if index < per_form * len(wanted) else wanted[index - per_form * len(wanted)]
            line_start = self.data.rfind(b"\n", 0, start + 1) + 1 if self.data[start] != 10 else start + 1
            if line_start == 0:
                continue   # the header
            comma = self.data.find(b",", line_start)
            lemma = self.data[line_start:comma].decode("utf-8")
            if lemma.startswith('"'):
                lemma = self._row(line_start)[0]
            found.setdefault(form, set()).add(lemma)
        return found
