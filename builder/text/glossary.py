"""Glossary matching: find the written forms of glossary terms in plain text.

One `Matcher` compiles every form of every term (term name and aliases) into
Aho-Corasick automata (ahocorasick_rs, Rust's aho-corasick), so finding terms
is one pass over the text whatever the size of the glossary; each candidate
the automaton reports is then checked for word boundaries (and, where letters
follow, for an inflection suffix), and the survivors are reduced to
non-overlapping, leftmost-longest matches. Measured with
benchmarks/bench_glossary.py.

Matching rules:

- Whole words only, Unicode-aware: letters, digits, combining marks, "_" and
  hyphens are word characters, so "Kreml" does not match in "Kremlchef" and
  "NATO" does not match in "NATO-Gipfel" or in "NATO- und EU-Staaten"
  (hyphen compounds, including the suspended hyphen, are one word).
- Case is exact, except that a form's capitalised first letter also matches at
  the start of a sentence ("dpa" matches "Dpa" at the start of a paragraph or
  after ". ", "! ", "? ", ": ", "… ", opening quotes allowed); a term with
  `case_sensitive: false` matches in any case.
- Whitespace inside a form matches any single whitespace character
  (space, no-break space, line break).
- Inflection (opt-in, site default overridden by `Term.inflect`): the last word
  of each form may also carry one of the suffixes -s, -es, -n, -en, -e, -er,
  -ern ("des Normandie-Formats" matches "Normandie-Format"). Forms ending in an
  all-capital word (acronyms) only take -s ("des BNDs").

Limits of the inflection mode (list such forms as aliases instead):

- No umlaut or stem changes: "Vertrag" does not find "Verträge", "Rat" does not
  find "Räte"; "Abkommen" → "Abkommens" works because it only appends.
- Only the last word is inflected: "Europäische Union" does not find
  "Europäischen Union" (add the alias).
- It overgenerates: a short stem plus a suffix may be another word ("Rat" →
  "Rate"), and exact forms of other terms always win over inflected ones.
- Text is not Unicode-normalised: decomposed umlauts (NFD, as some macOS
  editors write them) do not match precomposed forms.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple, Sequence

import ahocorasick_rs
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..content.model import Term
from ..errors import Diagnostic

__all__ = [
    "Match",
    "Matcher",
    "check_glossary",
    "summary_from_markdown",
    "is_sentence_start",
]

SUFFIXES: tuple[str, ...] = ("s", "es", "n", "en", "e", "er", "ern")
_ACRONYM_SUFFIXES: tuple[str, ...] = ("s",)
_SUFFIX_STARTS = frozenset("ensENS")  # first letters of the suffixes, either case
_HYPHENS = frozenset("-\u2010\u2011\u00ad")
_JOINERS = _HYPHENS | {"_"}
_SENTENCE_END = frozenset(".!?:…")
_OPENING = frozenset("„“‚‘\"'»«›‹([¿¡")
_CLOSING = frozenset("“”‘’\"'»«›‹)]")
# Whitespace that becomes a plain space before matching (length-preserving;
# chained str.replace is several times faster than a regex or str.translate here).
_SPACES = ("\n", "\t", "\r", "\f", "\v", "\u00a0", "\u2007", "\u2009", "\u202f")


class Match(NamedTuple):
    """One occurrence of a term: `text[start:end]` refers to the term `slug`.

    A named tuple: a body has dozens, and a frozen dataclass takes three times as long to make.
    """

    start: int
    end: int
    slug: str


@lru_cache(maxsize=4096)
def _is_word_char(char: str) -> bool:
    return (char.isalnum() or char == "_" or char in _HYPHENS
            or unicodedata.category(char)[0] == "M")


def _fold(text: str) -> str:
    """Lower-case without changing the length, so offsets stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _normalise_form(form: str) -> str:
    return " ".join(form.split())


def _suffixes(form: str) -> tuple[str, ...]:
    if not form[-1].isalpha():
        return ()
    last_word = form.split(" ")[-1].split("-")[-1]
    if len(last_word) > 1 and last_word.isupper():
        return _ACRONYM_SUFFIXES
    return SUFFIXES


def is_sentence_start(text: str, index: int, at_start: bool = True) -> bool:
    """Whether `text[index]` begins a sentence.

    True after sentence punctuation (". ", "! ", "? ", ": ", "… ") with optional
    closing quotes before and opening quotes after the space; at the beginning of
    `text` (whitespace and opening quotes aside) it is `at_start`.
    """
    j = index
    while j > 0 and text[j - 1] in _OPENING:
        j -= 1
    k = j
    while k > 0 and text[k - 1].isspace():
        k -= 1
    if k == 0:
        return at_start
    if k == j:
        return False
    while k > 0 and text[k - 1] in _CLOSING:
        k -= 1
    return k > 0 and text[k - 1] in _SENTENCE_END


def _is_wordish(char: str) -> bool:
    """`_is_word_char` with a fast path for the common case."""
    return char.isalnum() or (char in _JOINERS or char > "\u02ff") and _is_word_char(char)


# One way to read a key: (slug, needs sentence start, suffixes allowed after it).
_Option = tuple[str, bool, tuple[str, ...]]
# What a key stands for: (check left boundary, check right boundary, options in order of preference).
_Value = tuple[bool, bool, tuple[_Option, ...]]
# An automaton and, by pattern index, the values of its keys.
_Compiled = tuple[ahocorasick_rs.AhoCorasick, tuple[_Value, ...]]
# What the matcher is built from, small and picklable: (slug, forms, case_sensitive, inflect).
_Spec = tuple[tuple[str, tuple[str, ...], bool, bool | None], ...]
# Before compiling: key → [(priority, term order, option)].
_Entries = dict[str, list[tuple[int, int, _Option]]]


def _compile(entries: _Entries) -> _Compiled | None:
    if not entries:
        return None
    values: list[_Value] = []
    for key, choices in entries.items():
        if len(choices) == 1:
            options: tuple[_Option, ...] = (choices[0][2],)
        else:
            chosen: dict[str, _Option] = {}
            for _, _, option in sorted(choices):
                chosen.setdefault(option[0], option)
            options = tuple(chosen.values())
        values.append((_is_word_char(key[0]), _is_word_char(key[-1]), options))
    # Its automaton's time per character hardly grows with the number of keys (pyahocorasick's
    # doubled from 100 to 10,000 terms); overlapping matches, as every form is checked below.
    return ahocorasick_rs.AhoCorasick(entries, matchkind=ahocorasick_rs.MatchKind.Standard), tuple(values)


def _rebuild(spec: _Spec, inflect: bool) -> "Matcher":
    matcher = Matcher.__new__(Matcher)
    matcher._build(spec, inflect)
    return matcher


class Matcher:
    """Finds glossary terms in text; build once per process, use for every text.

    The automata hold each written form once (plus its capitalised variant for
    sentence starts); inflection suffixes are checked where a form is followed by
    more letters, so inflection costs neither keys nor scanning time. Pickles as
    the terms' forms and rebuilds its automata on unpickling.
    """

    def __init__(self, terms: Sequence[Term], *, inflect: bool = False) -> None:
        spec: _Spec = tuple((t.slug, t.forms, t.case_sensitive, t.inflect) for t in terms)
        self._build(spec, inflect)

    def _build(self, spec: _Spec, inflect: bool) -> None:
        self._spec = spec
        self._inflect = inflect
        exact: _Entries = {}
        folded: _Entries = {}
        for order, (slug, forms, case_sensitive, term_inflect) in enumerate(spec):
            inflected = inflect if term_inflect is None else term_inflect
            for raw in forms:
                form = _normalise_form(raw)
                if not form:
                    continue
                suffixes = _suffixes(form) if inflected else ()
                if not case_sensitive:
                    folded.setdefault(_fold(form), []).append((0, order, (slug, False, suffixes)))
                    continue
                exact.setdefault(form, []).append((0, order, (slug, False, suffixes)))
                capital = form[0].upper() + form[1:]
                if capital != form and len(capital) == len(form):
                    exact.setdefault(capital, []).append((1, order, (slug, True, suffixes)))
        self._exact = _compile(exact)
        self._folded = _compile(folded)

    def __reduce__(self) -> tuple[object, tuple[_Spec, bool]]:
        return (_rebuild, (self._spec, self._inflect))

    def find(self, text: str, *, sentence_start: bool = True,
             before: str = "", after: str = "") -> list[Match]:
        """Non-overlapping, leftmost-longest matches in `text`.

        `sentence_start` says whether `text[0]` begins a sentence; `before` and
        `after` are the characters around `text` (when it is part of a longer
        text) so that word boundaries are checked across the cut.
        """
        if not text:
            return []
        norm = text
        for space in _SPACES:
            if space in norm:
                norm = norm.replace(space, " ")
        # Padded by the neighbouring characters so boundary checks need no index tests:
        # norm[i] is padded[i + 1].
        padded = (before[-1:] or " ") + norm + (after[:1] or " ")
        # (start, -end, inflected, case-insensitive, slug): sorting puts the leftmost,
        # then longest first, and prefers exact forms and case-sensitive terms on ties.
        candidates: list[tuple[int, int, int, int, str]] = []
        wordish, suffix_starts = _is_wordish, _SUFFIX_STARTS
        passes = ((0, self._exact, norm), (1, self._folded, _fold(norm) if self._folded else ""))
        for rank, compiled, haystack in passes:
            if compiled is None:
                continue
            automaton, values = compiled
            for key, start, end in automaton.find_matches_as_indexes(haystack, overlapping=True):
                check_left, check_right, options = values[key]
                following = padded[end + 1]
                joined = check_right and wordish(following)
                if joined and (following not in suffix_starts or not options[0][2] and len(options) == 1):
                    continue  # the common case: a form inside a longer word
                if check_left and wordish(padded[start]):
                    continue
                for slug, needs_start, suffixes in options:
                    if needs_start and not is_sentence_start(norm, start, sentence_start):
                        continue
                    if not joined:
                        candidates.append((start, -end, 0, rank, slug))
                        break
                    stop = _inflected_end(haystack, padded, end, suffixes)
                    if stop:
                        candidates.append((start, -stop, 1, rank, slug))
                        break
        candidates.sort()
        matches: list[Match] = []
        covered = 0
        for start, neg_end, _, _, slug in candidates:
            if start >= covered:
                matches.append(Match(start, -neg_end, slug))
                covered = -neg_end
        return matches


def _inflected_end(haystack: str, padded: str, end: int, suffixes: tuple[str, ...]) -> int:
    """Where the word ends if it continues with one of `suffixes` after `end`, else 0."""
    for suffix in suffixes:
        stop = end + len(suffix)
        if haystack.startswith(suffix, end) and not _is_wordish(padded[stop + 1]):
            return stop
    return 0


def _casefold_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_glossary(terms: Sequence[Term]) -> list[Diagnostic]:
    """Errors for term names and aliases that two terms claim (case-insensitive).

    Terms are checked in order of source path; the later claim gets the error and
    the message names the earlier one.
    """
    diagnostics: list[Diagnostic] = []
    names: dict[str, str] = {}     # folded term name → "path:line"
    aliases: dict[str, str] = {}   # folded alias → "path:line"
    for term in sorted(terms, key=lambda t: (t.source, t.line)):
        key = _casefold_key(term.term)
        if key in names:
            diagnostics.append(Diagnostic(
                term.source, term.line,
                f"duplicate term '{term.term}', already defined in {names[key]}"))
        elif key in aliases:
            diagnostics.append(Diagnostic(
                term.source, term.line,
                f"term '{term.term}' is already claimed as an alias by {aliases[key]}"))
        else:
            names[key] = f"{term.source}:{term.line}"
        for alias in term.aliases:
            line = term.alias_lines.get(alias, term.line)
            here = f"{term.source}:{line}"
            akey = _casefold_key(alias)
            if akey == key:
                continue  # an alias repeating its own term is harmless
            owner = names.get(akey) or aliases.get(akey)
            if owner is not None and not owner.startswith(f"{term.source}:"):
                diagnostics.append(Diagnostic(
                    term.source, line, f"alias '{alias}' is already claimed by {owner}"))
            elif owner is None:
                aliases[akey] = here
    return diagnostics


@lru_cache(maxsize=1)
def _commonmark() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _plain(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts)


def summary_from_markdown(body: str) -> str:
    """The first paragraph of a Markdown body as plain text, whitespace collapsed."""
    tokens = _commonmark().parse(body)
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            return " ".join(_plain(tokens[index + 1].children or []).split())
    return ""
