"""Glossary matching: find the written forms of glossary terms in plain text.

One `Matcher` compiles every form of every term (term name, aliases, generated
and listed forms) into Aho-Corasick automata (ahocorasick_rs, Rust's
aho-corasick), so finding terms is one pass over the text whatever the size of
the glossary; each candidate the automaton reports is then checked for word
boundaries (and, where letters follow, for a suffix the key allows), and the
survivors are reduced to non-overlapping, leftmost-longest matches. Measured
with benchmarks/bench_glossary.py and benchmarks/bench_german_matching.py.

Matching rules:

- Whole words only, Unicode-aware: letters, digits, combining marks, "_" and
  hyphens are word characters, so "Kreml" does not match in "Kremlchef" and
  "NATO" does not match in "NATO-Gipfel" or in "NATO- und EU-Staaten"
  (hyphen compounds, including the suspended hyphen, are one word).
- Case is exact, except that a form's capitalised first letter also matches at
  the start of a sentence ("dpa" matches "Dpa" at the start of a paragraph or
  after ". ", "! ", "? ", ": ", "… ", opening quotes allowed; "territorialen
  Integrität" matches "Territorialen Integrität" there); a term with
  `case_sensitive: false` matches in any case.
- Whitespace inside a form matches any single whitespace character (space,
  no-break space, line break); a non-breaking hyphen matches "-"; soft hyphens
  and zero-width spaces inside a word are matched through (the match covers them).
- German forms (sites with `language: de`, see `builder.text.forms`): each term
  also matches its generated forms ("der Europäischen Union", "die Räte", "des
  Vertrags von Lissabon") and its `forms:`. A written name or alias of one term
  beats a generated form of another; the longest match wins across terms, so
  "dem Europäischen Rat" is "Europäischer Rat", not "Rat". A generated form that
  extends a key by a few letters is kept as that key's suffix, so the forms of a
  word cost one automaton hit, not one each.
- Exclude phrases (`exclude:`, declined too on German sites) are keys as well: a
  match of their term that overlaps one is dropped ("Bündnis 90", "um Rat").
- Inflection (opt-in for terms without German forms, site default overridden by
  `Term.inflect`): the last word of each form may also carry one of the suffixes
  -s, -es, -n, -en, -e, -er, -ern ("des Normandie-Formats" matches
  "Normandie-Format"). Forms ending in an all-capital word (acronyms) only take
  -s ("des BNDs").

Limits of the inflection mode (German sites use German forms instead):

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

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from typing import Mapping, NamedTuple, Sequence

import ahocorasick_rs

from ..content.model import Term
from .forms import TermForms, literal_forms

__all__ = [
    "Match",
    "Matcher",
    "is_sentence_start",
]

SUFFIXES: tuple[str, ...] = ("s", "es", "n", "en", "e", "er", "ern")
_ACRONYM_SUFFIXES: tuple[str, ...] = ("s",)
_HYPHENS = frozenset("-\u2010\u2011\u00ad")
_JOINERS = _HYPHENS | {"_"}
_SENTENCE_END = frozenset(".!?:…")
_OPENING = frozenset("„“‚‘\"'»«›‹([¿¡")
_CLOSING = frozenset("“”‘’\"'»«›‹)]")
# Whitespace that becomes a plain space before matching (length-preserving;
# chained str.replace is several times faster than a regex or str.translate here).
_SPACES = ("\n", "\t", "\r", "\f", "\v", "\u00a0", "\u2007", "\u2009", "\u202f")
_HYPHEN_VARIANTS = ("\u2011",)   # the non-breaking hyphen: matched as "-"
# Invisible characters inside a word (soft hyphen, zero-width space) are matched through by
# matching a copy without them and mapping the offsets back. Every text is checked for them
# with `in` (30 times faster than a regex search), so the list is kept short.
_INVISIBLES = ("\u00ad", "\u200b")   # spelled out in Matcher.find
_INVISIBLE = re.compile("[\u00ad\u200b]")


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
    form = _INVISIBLE.sub("", form)
    for hyphen in _HYPHEN_VARIANTS:
        form = form.replace(hyphen, "-")
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
# An exclude phrase: (slug of the term it blocks, needs sentence start).
_Block = tuple[str, bool]
# What a key stands for: (check left boundary, check right boundary, options in order of
# preference, terms it blocks, first letters of the options' suffixes).
_Value = tuple[bool, bool, tuple[_Option, ...], tuple[_Block, ...], frozenset[str]]
# An automaton and, by pattern index, the values of its keys.
_Compiled = tuple[ahocorasick_rs.AhoCorasick, tuple[_Value, ...]]
# What the matcher is built from, small and picklable: (slug, written forms, case_sensitive,
# inflect, generated and listed forms, exclude phrases, declined: no suffixes).
_Spec = tuple[tuple[str, tuple[str, ...], bool, bool | None, tuple[str, ...], tuple[str, ...], bool], ...]
# Before compiling: key → [(priority, term order, option)]; an option with suffixes None is a block.
_Entries = dict[str, list[tuple[int, int, tuple[str, bool, tuple[str, ...] | None]]]]
# Priorities: written forms before generated ones, each before its capitalised variant.
_WRITTEN, _GENERATED = 0, 2


def _compile(entries: _Entries) -> _Compiled | None:
    if not entries:
        return None
    values: list[_Value] = []
    for key, choices in entries.items():
        blocks = tuple(dict.fromkeys((slug, needs_start) for _, _, (slug, needs_start, suffixes)
                                     in sorted(choices) if suffixes is None))
        if len(choices) == 1 and not blocks:
            options: tuple[_Option, ...] = (choices[0][2],)  # type: ignore[assignment]
        else:
            chosen: dict[str, _Option] = {}
            for _, _, option in sorted(choices):
                if option[2] is not None:
                    chosen.setdefault(option[0], option)  # type: ignore[arg-type]
            options = tuple(chosen.values())
        starts = frozenset(c for option in options for suffix in option[2] for c in (suffix[0], suffix[0].upper()))
        values.append((_is_word_char(key[0]), _is_word_char(key[-1]), options, blocks, starts))
    # Its automaton's time per character hardly grows with the number of keys (pyahocorasick's
    # doubled from 100 to 10,000 terms); overlapping matches, as every form is checked below.
    return ahocorasick_rs.AhoCorasick(entries, matchkind=ahocorasick_rs.MatchKind.Standard), tuple(values)


_MAX_SUFFIX = 4   # a generated form that extends a key by up to 4 letters becomes that key's suffix


def _term_keys(forms: Sequence[str], extra: Sequence[str], inflected: bool,
               case_sensitive: bool) -> list[tuple[str, int, tuple[str, ...]]]:
    """One term's keys: (form, priority, suffixes allowed after it).

    Written forms are keys, with the `inflect` suffixes if on. A generated form that is a key of
    the term plus a few letters ("Bündnisses" = "Bündnis" + "ses") becomes a suffix of that key
    instead: one automaton hit, not one per form, for the forms of a word.
    """
    fold = _fold if not case_sensitive else (lambda text: text)
    keys: dict[str, tuple[str, int, list[str]]] = {}   # folded key → (form, priority, suffixes)
    for raw in forms:
        form = _normalise_form(raw)
        if form and fold(form) not in keys:
            keys[fold(form)] = (form, _WRITTEN, list(_suffixes(form) if inflected else ()))
    for form in sorted({_normalise_form(raw) for raw in extra} - {""}, key=len):
        key = fold(form)
        if key in keys:
            continue
        base = next((k for k in keys if len(key) - _MAX_SUFFIX <= len(k) < len(key) and key.startswith(k)
                     and key[len(k):].isalpha()), None)
        if base is not None:
            if key[len(base):] not in keys[base][2]:
                keys[base][2].append(key[len(base):])
        else:
            keys[key] = (form, _GENERATED, [])
    return [(form, priority, tuple(suffixes)) for form, priority, suffixes in keys.values()]


def _rebuild(spec: _Spec, inflect: bool) -> "Matcher":
    matcher = Matcher.__new__(Matcher)
    matcher._build(spec, inflect)
    return matcher


class Matcher:
    """Finds glossary terms in text; build once per process, use for every text.

    The automata hold each written form once (plus its capitalised variant for
    sentence starts): the term's name and aliases, and its generated and listed
    forms (`forms`, by slug, from `builder.text.forms`; without it each term's
    `forms:` and `exclude:` as written). Exclude phrases are keys too: a match
    of the term they belong to inside one is dropped. Inflection suffixes (the
    `inflect` mode, for terms without generated forms) are checked where a form
    is followed by more letters, so they cost neither keys nor scanning time.
    Pickles as the terms' forms and rebuilds its automata on unpickling.
    """

    def __init__(self, terms: Sequence[Term], *, inflect: bool = False,
                 forms: Mapping[str, TermForms] | None = None) -> None:
        spec: list = []
        for t in terms:
            found = forms.get(t.slug) if forms is not None else None
            extra = found if found is not None else literal_forms(t)
            spec.append((t.slug, t.forms, t.case_sensitive, t.inflect, tuple(f.text for f in extra.forms),
                         extra.exclude, extra.declined))
        self._build(tuple(spec), inflect)

    def _build(self, spec: _Spec, inflect: bool) -> None:
        self._spec = spec
        self._inflect = inflect
        exact: _Entries = {}
        folded: _Entries = {}
        for order, (slug, forms, case_sensitive, term_inflect, extra, exclude, declined) in enumerate(spec):
            inflected = (inflect if term_inflect is None else term_inflect) and not declined
            keys = _term_keys(forms, extra, inflected, case_sensitive)
            keys += [(_normalise_form(e), _WRITTEN, None) for e in exclude]
            for form, priority, suffixes in keys:
                if not form:
                    continue
                if not case_sensitive:
                    folded.setdefault(_fold(form), []).append((priority, order, (slug, False, suffixes)))
                    continue
                exact.setdefault(form, []).append((priority, order, (slug, False, suffixes)))
                capital = form[0].upper() + form[1:]
                if capital != form and len(capital) == len(form):
                    exact.setdefault(capital, []).append((priority + 1, order, (slug, True, suffixes)))
        self._exact = _compile(exact)
        self._folded = _compile(folded)
        # (rank, automaton, values) of the automata there are: case-sensitive first.
        self._passes = tuple((rank, *compiled) for rank, compiled in enumerate((self._exact, self._folded))
                             if compiled is not None)

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
        if "\u2011" in norm:   # _HYPHEN_VARIANTS, spelled out: every text passes here
            norm = norm.replace("\u2011", "-")
        if "\u00ad" in norm or "\u200b" in norm:   # _INVISIBLES
            # Rare: a soft hyphen or a zero-width space inside a word. Match the text without
            # them and map the offsets back, so a match covers them: the k-th removed character
            # stood before the stripped text's index removed[k] - k.
            shifted = [index - k for k, index in enumerate(sorted(_positions(norm, _INVISIBLES)))]
            stripped = norm.replace("\u00ad", "").replace("\u200b", "")
            return [Match(m.start + bisect_right(shifted, m.start), m.end + bisect_right(shifted, m.end - 1), m.slug)
                    for m in self.find(stripped, sentence_start=sentence_start, before=before, after=after)]
        # Padded by the neighbouring characters so boundary checks need no index tests:
        # norm[i] is padded[i + 1].
        padded = (before[-1:] or " ") + norm + (after[:1] or " ")
        # (start, -end, inflected, case-insensitive, slug): sorting puts the leftmost,
        # then longest first, and prefers exact forms and case-sensitive terms on ties.
        candidates: list[tuple[int, int, int, int, str]] = []
        blocked: list[tuple[int, int, str]] | None = None
        joiners, is_word_char = _JOINERS, _is_word_char
        for rank, automaton, values in self._passes:
            haystack = _fold(norm) if rank else norm
            for key, start, end in automaton.find_matches_as_indexes(haystack, overlapping=True):
                check_left, check_right, options, blocks, starts = values[key]
                following = padded[end + 1]
                # `_is_wordish`, inlined: most hits are checked here, most of them end in a word.
                joined = check_right and (following.isalnum() or (following in joiners or following > "\u02ff")
                                          and is_word_char(following))
                if joined and following not in starts:
                    continue  # the common case: a form inside a longer word
                preceding = padded[start]
                if check_left and (preceding.isalnum() or (preceding in joiners or preceding > "\u02ff")
                                   and is_word_char(preceding)):
                    continue
                if blocks and not joined:
                    blocked = (blocked or []) + [(start, end, slug) for slug, needs_start in blocks
                                                 if not needs_start or is_sentence_start(norm, start, sentence_start)]
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
        if blocked:   # an exclude phrase of the term covers the match
            candidates = [c for c in candidates
                          if not any(slug == c[4] and start < -c[1] and c[0] < end for start, end, slug in blocked)]
        candidates.sort()
        matches: list[Match] = []
        covered = 0
        for start, neg_end, _, _, slug in candidates:
            if start >= covered:
                matches.append(Match(start, -neg_end, slug))
                covered = -neg_end
        return matches


def _positions(text: str, chars: Sequence[str]) -> list[int]:
    """Where any of `chars` occur in `text` (str.find: several times faster than a regex here)."""
    found = []
    for char in chars:
        index = text.find(char)
        while index >= 0:
            found.append(index)
            index = text.find(char, index + 1)
    return found


def _inflected_end(haystack: str, padded: str, end: int, suffixes: tuple[str, ...]) -> int:
    """Where the word ends if it continues with one of `suffixes` after `end`, else 0."""
    for suffix in suffixes:
        stop = end + len(suffix)
        if haystack.startswith(suffix, end) and not _is_wordish(padded[stop + 1]):
            return stop
    return 0
