"""German declension: how the forms of one term name or alias are generated, and from what.

For each term name and alias ("phrase") this module generates the forms a German
text uses and says for each which rule or lexicon entry produced it
(`glossary-report` prints that); `builder.text.forms` does it once per glossary.
The matcher (`builder.text.glossary`) adds them to its one automaton, so matching
stays one pass over the text.

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
"""

from __future__ import annotations

from typing import Iterable, Mapping, NamedTuple

_MIN_PART = 3          # letters of the shortest last part a compound is split into
_MIN_PREFIX = 3        # … and of the part before it ("Ost|ukraine", not "Sc|holz")

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
