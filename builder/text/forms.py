"""German term forms: the declined and plural forms under which a glossary term occurs in a text.

For each term name and alias ("phrase") this module generates the forms a German
text uses, once per glossary, and says for each which rule or lexicon entry
produced it (`glossary-report` prints that). The matcher (`builder.text.glossary`)
adds them to its one automaton, so matching stays one pass over the text.

How a phrase is read:

- Its head is the first capitalised word that is not followed by another
  capitalised word: "Europäische Union" → "Union", "Vertrag von Lissabon" →
  "Vertrag", "Politik der offenen Tür" → "Politik". Words before the head are
  modifiers, words after it a tail that never changes ("von Lissabon",
  "der offenen Tür", "90"). A phrase whose words before the head are not
  adjective-like ("um Rat bitten") is not a noun phrase: it keeps its written form.
- The head's forms come from the noun lexicon (`builder.text.lexicon`, the
  Wiktionary data of `german-nouns`): all cases, singular and plural, umlaut
  plurals ("Räte"), weak nouns ("Diplomaten"). A phrase the lexicon lists as a
  whole ("Kalter Krieg") also gets the lexicon's forms of the phrase.
- A compound the lexicon lacks takes the forms of its longest known last part,
  after a hyphen or inside the word ("UN-Sicherheitsrat" → "Sicherheitsrat",
  "Bündnisfall" → "Fall": "Bündnisfälle"); both parts have at least 3 letters.
  A compound the lexicon has without a plural takes its last part's plural
  ("Atomwaffensperrvertrag" → "Atomwaffensperrverträge"). A word the lexicon
  lists without forms (a surname) is not split.
- A head written in a plural or case form is looked up by its likely lemma
  ("Nationen" → "Nation"): the lemma counts only if it has the head as a form.
- A head written in the plural keeps to the plural in a phrase ("Vereinte
  Nationen"); a single word gets both numbers ("Sanktionen" finds "Sanktion").
- Modifiers that are adjectives are declined to agree with each form of the head,
  with strong, weak and mixed endings ("Kalter Krieg" → "Kalten Krieges",
  "Kaltem Krieg", "Kalte Krieg"). A modifier is an adjective when its ending fits
  the head's gender in the nominative (-er/-e for masculine, -e for feminine,
  -es/-e for neuter, -e/-en for the plural) and it is not itself a noun of the
  lexicon with a genitive in -s: "Minsker Abkommen" (neuter, so "-er" is no
  adjective ending) and "Berliner Senat" ("Berliner", "Berliners") keep their
  modifiers unchanged; "Deutsche Presse-Agentur" declines ("Deutsche" is a
  nominalised adjective).

Rules used only where the lexicon has nothing for the head (documented in the
report as "rule: …"):

- an acronym (all capitals) takes a genitive -s ("BND" → "BNDs");
- -e takes -n ("Kontaktgruppe" → "Kontaktgruppen");
- -ung, -heit, -keit, -schaft, -ion, -tät, -ik, -enz, -anz take -en;
- -nis takes -se, -ses, -sen;
- any other word not ending in s, ß, x or z takes a genitive -s;
- an adjective before a head of unknown gender takes every ending (-e, -en, -er, -em, -es).

Precision: a generated form that is itself a form of another word in the lexicon
("Rate", dative of "Rat", is also the noun "Rate") is dropped unless the term
lists it under `forms:` (the gender forms of a nominalised adjective,
"Abgeordnete" for "Abgeordneter", are no other word); `not_forms:` drops a form
by hand. Exclude phrases (`exclude:`) are declined the same way, without
dropping anything.

Cost (benchmarks/bench_german_matching.py): generating needs the lexicon, about
0.1 s for 300 terms and 0.35 s for 3,000, so forms are kept per phrase in a
memo for the process, the last glossary's result as a whole, and, when the
caller names a folder, in a JSON file there; all are keyed by the lexicon's
version and `FORMS_VERSION`. Editing `forms:` or `not_forms:` never needs the
lexicon again, and neither does a build whose phrases are all in the file; a
new name, alias or exclude phrase reads it for that phrase only.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Sequence

from ..content.config import SiteConfig
from ..content.model import Term
from ..errors import Diagnostic

__all__ = ["Form", "TermForms", "FORMS_VERSION", "uses_declension", "glossary_forms", "phrase_forms",
           "literal_forms", "forms_key", "shared_forms", "forget", "CACHE_FILE"]

# Bump when the generation rules change: it is part of every cache key.
FORMS_VERSION = "1"
CACHE_FILE = "glossary-forms.json"
_MIN_PART = 3          # letters of the shortest last part a compound is split into
_MIN_PREFIX = 3        # … and of the part before it ("Ost|ukraine", not "Sc|holz")
_MEMO_LIMIT = 50_000   # phrases kept in the process memo

# (gender or "p" for the plural, case) → adjective endings: strong, weak, mixed.
_ADJECTIVE_ENDINGS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("m", "nominativ"): ("er", "e", "er"), ("m", "genitiv"): ("en", "en", "en"),
    ("m", "dativ"): ("em", "en", "en"), ("m", "akkusativ"): ("en", "en", "en"),
    ("f", "nominativ"): ("e", "e", "e"), ("f", "genitiv"): ("er", "en", "en"),
    ("f", "dativ"): ("er", "en", "en"), ("f", "akkusativ"): ("e", "e", "e"),
    ("n", "nominativ"): ("es", "e", "es"), ("n", "genitiv"): ("en", "en", "en"),
    ("n", "dativ"): ("em", "en", "en"), ("n", "akkusativ"): ("es", "e", "es"),
    ("p", "nominativ"): ("e", "en", "en"), ("p", "genitiv"): ("er", "en", "en"),
    ("p", "dativ"): ("en", "en", "en"), ("p", "akkusativ"): ("e", "en", "en"),
}
_ALL_ENDINGS = ("e", "en", "er", "em", "es")
# The endings an adjective may carry in a term name (nominative), by the head's gender.
_NAME_ENDINGS = {"m": ("er", "e"), "f": ("e",), "n": ("es", "e"), "p": ("e", "en"), "": _ALL_ENDINGS}
_FEMININE_SUFFIXES = ("ung", "heit", "keit", "schaft", "ion", "tät", "ik", "enz", "anz")
_NO_GENITIVE_S = ("s", "ß", "x", "z")


class Form(NamedTuple):
    """One generated written form of a term and where it comes from."""

    text: str
    rule: str          # "lexicon: Rat (genitiv singular)", "rule: -e takes -n", "listed in forms:" …
    dropped: str = ""  # why it is not matched: "also a form of 'Rate'", "listed in not_forms:"


@dataclass(frozen=True)
class TermForms:
    """What a term matches beyond its name and aliases, and what it must not match."""

    slug: str
    forms: tuple[Form, ...] = ()      # matched: generated forms kept, and the term's `forms:`
    dropped: tuple[Form, ...] = ()    # generated but not matched, with the reason
    exclude: tuple[str, ...] = ()     # phrases (and their declined forms) in which the term never matches
    declined: bool = False            # forms were generated: the `inflect` suffixes do not apply


def uses_declension(config: SiteConfig) -> bool:
    """Whether the site matches German forms: German language and `glossary.declension` on."""
    language = config.language.lower().replace("_", "-")
    return config.glossary.declension and (language == "de" or language.startswith("de-"))


def forms_key(declension: bool) -> str:
    """What the forms depend on beyond the terms' fields: the rules' and the lexicon's versions."""
    if not declension:
        return "exact"
    from .lexicon import lexicon_version   # no lexicon import for sites that never decline
    return f"forms {FORMS_VERSION}; {lexicon_version()}"


# --- reading a phrase -------------------------------------------------------------------------

class _Phrase(NamedTuple):
    modifiers: tuple[str, ...]
    head: str
    tail: str   # "" or the words after the head, with their leading space


def _nounish(word: str) -> bool:
    return word[:1].isupper()


def _adjective_like(word: str) -> bool:
    return word.isalpha() and len(word) > 2 and word.endswith(_ALL_ENDINGS)


def _read(phrase: str) -> _Phrase | None:
    """Modifiers, head and tail of a noun phrase; None if it is none."""
    words = phrase.split(" ")
    if any(w.endswith("-") or not w for w in words):
        return None   # "Außen- und Sicherheitspolitik": a suspended compound
    for index, word in enumerate(words):
        if not _nounish(word):
            if not _adjective_like(word):
                return None
            continue
        if index + 1 == len(words) or not _nounish(words[index + 1]):
            tail = " ".join(words[index + 1:])
            return _Phrase(tuple(words[:index]), word, " " + tail if tail else "")
    return None


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


def _compound_parts(word: str) -> list[tuple[str, str]]:
    """(prefix, part) pairs for the word's last parts, the whole word first, then longest first."""
    parts = [("", word)]
    stem_start = word.rfind("-") + 1
    if stem_start:
        last = word[stem_start:]
        if last[:1].isupper():
            parts.append((word[:stem_start], last))
    last = word[stem_start:]
    for cut in range(_MIN_PREFIX, len(last) - _MIN_PART + 1):
        if last[cut - 1].isalpha() and last[cut].isalpha():
            parts.append((word[:stem_start + cut], _capitalised(last[cut:])))
    return parts


_PLURAL_ENDINGS = ("ern", "en", "er", "es", "e", "n", "s")
_UMLAUTS = str.maketrans("äöüÄÖÜ", "aouAOU")


def _lemma_guesses(word: str) -> list[str]:
    """The word itself, then the lemmas it may be a plural or case form of ("Nationen" → "Nation")."""
    guesses = [word]
    for ending in _PLURAL_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_PART:
            stem = word[:-len(ending)]
            guesses += [stem, stem.translate(_UMLAUTS)]
    return list(dict.fromkeys(guesses))


def wanted_lemmas(phrase: str) -> set[str]:
    """The lexicon rows generating forms of `phrase` may need."""
    read = _read(phrase)
    if read is None:
        return set()
    wanted = {phrase, *read.modifiers}
    for prefix, part in _compound_parts(read.head):
        # Lemmas of a plural head ("Nationen" → "Nation"), for the word and its part after a hyphen.
        wanted.update(_lemma_guesses(part) if not prefix or prefix.endswith("-") else (part,))
    return wanted


# --- generating ----------------------------------------------------------------------------

def _joined(prefix: str, form: str) -> str:
    if not prefix or prefix.endswith("-"):
        return prefix + form
    return prefix + form[:1].lower() + form[1:]


def _adjective_stem(word: str, gender: str) -> str | None:
    for ending in sorted(_NAME_ENDINGS[gender], key=len, reverse=True):
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[:-len(ending)]
    return None


def _rule_forms(head: str) -> list[tuple[str, str]]:
    """Forms of a head the lexicon does not know, from the documented rules."""
    if len(head) > 1 and head.replace("-", "").isalnum() and head.upper() == head and any(c.isalpha() for c in head):
        return [(head + "s", "rule: an acronym takes a genitive -s")]
    last = head.rsplit("-", 1)[-1].lower()
    if last.endswith("e"):
        return [(head + "n", "rule: -e takes -n")]
    if last.endswith(_FEMININE_SUFFIXES):
        return [(head + "en", "rule: -ung, -heit, -keit, -schaft, -ion, -tät, -ik, -enz, -anz take -en")]
    if last.endswith("nis"):
        return [(head + end, "rule: -nis takes -se, -ses, -sen") for end in ("se", "ses", "sen")]
    if not last.endswith(_NO_GENITIVE_S) and not last.endswith("sch"):
        return [(head + "s", "rule: a genitive -s")]
    return []


def _head_entry(head: str, entries: Mapping[str, list], *, split: bool = False) -> tuple[str, str, object | None]:
    """(prefix, part, lexicon row) for the head: the whole word, else its longest known last part.

    A word the lexicon has without forms (a surname, a name) is not split: (prefix, head, None).
    With `split` the whole word is skipped: the longest known last part only.
    """
    for prefix, part in _compound_parts(head)[1 if split else 0:]:
        for lemma in _lemma_guesses(part) if not prefix or prefix.endswith("-") else (part,):
            rows = entries.get(lemma)
            if not rows:
                continue
            with_forms = [row for row in rows if row.cells]
            if lemma == part and not with_forms:
                return prefix, part, None
            # The row that has the head as written (Fall m "Fälle" before Fall n "Fallen" by file order);
            # a guessed lemma ("Nation" for "Nationen") only if it has the head as written.
            having = [row for row in with_forms if part in row.forms()]
            if having or (lemma == part and with_forms):
                return prefix, part, (having or with_forms)[0]
    return "", head, None


def _generate(phrase: str, entries: Mapping[str, list]) -> list[tuple[str, str, str]]:
    """Every (form, rule, own lemma) for `phrase`, the phrase itself left out."""
    read = _read(phrase)
    if read is None:
        return []
    out: list[tuple[str, str, str]] = []
    if read.modifiers:   # the phrase as a whole: "Kalter Krieg"
        for row in [row for row in entries.get(phrase, []) if row.cells][:1]:
            out.extend((form, f"lexicon: {row.lemma} ({case} {number})", row.lemma)
                       for case, number, form in row.cells)
    prefix, part, row = _head_entry(read.head, entries)
    # (case, number, noun form, rule); case "" for forms the lexicon did not give
    cells: list[tuple[str, str, str, str]]
    if row is None:
        cells = [("", "", read.head, "rule: as written")]
        cells += [("", "", form, rule) for form, rule in _rule_forms(read.head)]
        gender, name_gender, lemma = "", "", read.head
    else:
        singular = {form for _, number, form in row.cells if number == "singular"}
        plural_name = part not in singular and part in row.forms("plural")
        keep_plural = plural_name and bool(read.modifiers or read.tail)
        where = f", last part of {read.head}" if prefix else ""
        cells = [(case, number, _joined(prefix, form), f"lexicon: {row.lemma} ({case} {number}){where}")
                 for case, number, form in row.cells if not keep_plural or number == "plural"]
        if not row.forms("plural"):
            # The lexicon gives a compound no plural ("Atomwaffensperrvertrag"): its last part's plural.
            last_prefix, _, last = _head_entry(read.head, entries, split=True)
            if last is not None and last.gender == row.gender:
                cells += [(case, number, _joined(last_prefix, form),
                           f"lexicon: {last.lemma} ({case} {number}), last part of {read.head} (no plural in its entry)")
                          for case, number, form in last.cells if number == "plural"]
        gender, lemma = row.gender, row.lemma
        name_gender = "p" if plural_name else gender
    # A modifier is declined if it has an adjective ending for the head's gender and is no noun
    # of the lexicon with a genitive in -s ("Berliners"; nominalised adjectives like "Deutsche" are adjectives).
    stems: list[str | None] = []
    for word in read.modifiers:
        rows = entries.get(word, [])
        is_noun = not any(r.adjectival for r in rows) and any(
            case == "genitiv" and number == "singular" and form.endswith("s") for r in rows for case, number, form in r.cells)
        stems.append(None if is_noun or not word.isalpha() else _adjective_stem(word, name_gender))
    for case, number, noun, rule in cells:
        if not any(stems):
            out.append((" ".join((*read.modifiers, noun)) + read.tail, rule, lemma))
            continue
        agree = "p" if number == "plural" else gender
        if agree and case:
            endings = list(zip(("strong", "weak", "mixed"), _ADJECTIVE_ENDINGS[(agree, case)]))
        else:
            endings = [("rule: gender unknown", e) for e in _ALL_ENDINGS]
        for kind, ending in endings:
            words = [m if stem is None else stem + ending for m, stem in zip(read.modifiers, stems)]
            out.append((" ".join((*words, noun)) + read.tail, f"{rule} + adjective -{ending} ({kind})", lemma))
    seen: set[str] = {phrase}
    unique = []
    for form, rule, own in out:
        if form not in seen:
            seen.add(form)
            unique.append((form, rule, own))
    return unique


def phrase_forms(phrases: Iterable[str], lexicon: object | None = None) -> dict[str, tuple[Form, ...]]:
    """Generated forms of each phrase (dropped ones marked), reading the lexicon once for all."""
    phrases = list(dict.fromkeys(phrases))
    wanted: set[str] = set()
    for phrase in phrases:
        wanted |= wanted_lemmas(phrase)
    if not wanted:
        return {phrase: () for phrase in phrases}   # no noun phrase ("um Rat"): nothing to look up
    if lexicon is None:
        from .lexicon import Lexicon, data_file
        lexicon = Lexicon() if data_file() is not None else None
    entries = lexicon.entries(wanted) if lexicon is not None else {}  # type: ignore[attr-defined]
    generated = {phrase: _generate(phrase, entries) for phrase in phrases}
    # Nominalised adjectives have a lemma per gender ("Abgeordneter", "Abgeordnete"): no other words.
    adjectival = {row.lemma for rows in entries.values() for row in rows if row.adjectival}
    every = {form for found in generated.values() for form, _, _ in found}
    owners = lexicon.lemmas_with_forms(every) if lexicon is not None else {}  # type: ignore[attr-defined]
    result: dict[str, tuple[Form, ...]] = {}
    for phrase, found in generated.items():
        forms = []
        same = {form for form, _, _ in found}   # "Abgeordnete", a form of "Abgeordneter", is its feminine
        for form, rule, own in found:
            others = sorted(owners.get(form, set()) - {own, phrase} - (same if own in adjectival else set()))
            forms.append(Form(form, rule, f"also a form of '{others[0]}'" if others else ""))
        result[phrase] = tuple(forms)
    return result


# --- per glossary, with the caches ---------------------------------------------------------

_memo: dict[tuple[str, str], tuple[Form, ...]] = {}


def _read_cache(path: Path, key: str) -> dict[str, tuple[Form, ...]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("phrases"), dict):
        return {}
    try:
        return {phrase: tuple(Form(*item) for item in items) for phrase, items in data["phrases"].items()}
    except TypeError:
        return {}


def _write_cache(path: Path, key: str, phrases: Mapping[str, tuple[Form, ...]]) -> None:
    data = {"key": key, "phrases": {p: [list(f) for f in forms] for p, forms in sorted(phrases.items())}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".forms-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass   # a cache that cannot be written only costs time on the next build


def _cached_phrase_forms(phrases: Sequence[str], key: str, cache_dir: Path | None,
                         lexicon: object | None) -> dict[str, tuple[Form, ...]]:
    known = {p: _memo[(key, p)] for p in phrases if (key, p) in _memo}
    path = cache_dir / CACHE_FILE if cache_dir is not None else None
    stale = False   # the file lacks phrases in use or holds others
    if path is not None and len(known) < len(phrases):
        stored = _read_cache(path, key)
        known.update({p: stored[p] for p in phrases if p in stored and p not in known})
        stale = set(stored) != set(phrases)
    missing = [p for p in phrases if p not in known]
    if missing:
        known.update(phrase_forms(missing, lexicon))
    if len(_memo) + len(phrases) > _MEMO_LIMIT:
        _memo.clear()
    _memo.update({(key, p): known[p] for p in phrases})
    if path is not None and (missing or stale):
        _write_cache(path, key, {p: known[p] for p in phrases})
    return known


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def forget() -> None:
    """Empty the process memos (tests and benchmarks measuring a new process)."""
    _memo.clear()
    _last_glossary.clear()


def literal_forms(term: Term) -> TermForms:
    """A term's forms without generating any: its `forms:` and its `exclude:` as written."""
    listed = tuple(Form(_normal(f), "listed in forms:") for f in term.listed_forms if _normal(f))
    return TermForms(term.slug, listed, (), tuple(_normal(e) for e in term.exclude if _normal(e)))


_last_glossary: dict[str, dict[str, TermForms]] = {}   # the last glossary's forms, by its digest


def glossary_forms(terms: Sequence[Term], *, declension: bool,
                   cache_dir: Path | None = None) -> dict[str, TermForms]:
    """Every term's forms by slug: generated (when `declension`), listed, dropped and excluded.

    Terms with `inflect: false` get no generated forms. `cache_dir` names a folder for
    the forms file. The last glossary's result is kept in the process as well.
    """
    if not declension:
        return {term.slug: literal_forms(term) for term in terms}
    key = forms_key(declension)
    digest = hashlib.sha256(repr((key, [(t.slug, t.forms, t.listed_forms, t.not_forms, t.exclude, t.inflect)
                                        for t in terms])).encode("utf-8", "surrogatepass")).hexdigest()
    if digest in _last_glossary:
        return dict(_last_glossary[digest])
    declined = [t for t in terms if t.inflect is not False]
    phrases = [_normal(p) for t in declined for p in (*t.forms, *t.exclude)]
    generated = _cached_phrase_forms([p for p in dict.fromkeys(phrases) if p], key, cache_dir, None)
    result: dict[str, TermForms] = {}
    for term in terms:
        base = literal_forms(term)
        if term.inflect is False:
            result[term.slug] = base
            continue
        own = {_normal(p) for p in term.forms}
        listed = {f.text for f in base.forms}
        unwanted = {_normal(f) for f in term.not_forms}
        kept: dict[str, Form] = {f.text: f for f in base.forms}
        dropped: dict[str, Form] = {}
        for phrase in term.forms:
            for form in generated.get(_normal(phrase), ()):
                if form.text in own or form.text in kept or form.text in dropped:
                    continue
                if form.text in unwanted:
                    dropped[form.text] = form._replace(dropped="listed in not_forms:")
                elif form.dropped and form.text not in listed:
                    dropped[form.text] = form
                else:
                    kept[form.text] = form
        exclude = dict.fromkeys(base.exclude)
        for phrase in base.exclude:
            exclude.update(dict.fromkeys(f.text for f in generated.get(phrase, ())))
        result[term.slug] = TermForms(term.slug, tuple(kept.values()), tuple(dropped.values()), tuple(exclude),
                                      declined=True)
    _last_glossary.clear()
    _last_glossary[digest] = result
    return dict(result)


def shared_forms(terms: Sequence[Term], forms: Mapping[str, TermForms]) -> list[Diagnostic]:
    """Warnings for generated or listed forms that another term also matches (name, alias or form)."""
    claims: dict[str, list[tuple[Term, str]]] = {}
    for term in sorted(terms, key=lambda t: (t.source, t.line)):
        seen: set[str] = set()
        written = [(_normal(p), "name" if i == 0 else "alias") for i, p in enumerate(term.forms)]
        generated = [(f.text, f.rule) for f in forms.get(term.slug, TermForms(term.slug)).forms]
        for text, how in written + generated:
            folded = text.casefold()
            if folded not in seen:
                seen.add(folded)
                claims.setdefault(folded, []).append((term, how))
    warnings: list[Diagnostic] = []
    for folded, owners in claims.items():
        if len(owners) < 2 or all(how in ("name", "alias") for _, how in owners):
            continue   # names and aliases two terms claim are errors of check_glossary
        first, first_how = owners[0]
        for term, how in owners[1:]:
            warnings.append(Diagnostic(
                term.source, term.line,
                f"form '{folded}' of term '{term.term}' ({how}) is also a form of '{first.term}' "
                f"({first_how}, {first.source}:{first.line})", "warning",
                hint="list it under not_forms: of the term it should not match"))
    return warnings
