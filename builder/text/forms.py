"""German term forms per glossary: generated once, cached, and checked across terms.

The forms of each phrase come from `builder.text.declension` (which says how
German forms are generated and from which lexicon entry or rule). This module
does it once per glossary: per process, and in a JSON file in the folder the
caller names, keyed by the lexicon's version and `FORMS_VERSION`. Editing
`forms:` or `not_forms:` never needs the lexicon again, and neither does a build
whose phrases are all in the file; a new name, alias or exclude phrase reads it
for that phrase only.
"""


from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..content.config import SiteConfig
from ..content.model import Term
from ..errors import Diagnostic
from .declension import Form, phrase_forms

__all__ = ["Form", "TermForms", "FORMS_VERSION", "uses_declension", "glossary_forms", "phrase_forms",
           "literal_forms", "forms_key", "shared_forms", "forget", "CACHE_FILE", "glossary_phrase_forms"]

# Bump when the generation rules change: it is part of every cache key.
FORMS_VERSION = "1"
CACHE_FILE = "glossary-forms.json"
_MEMO_LIMIT = 50_000   # phrases kept in the process memo


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
            # json.dumps, not json.dump: only the one-shot encoding runs in C (5 times faster here).
            handle.write(json.dumps(data, ensure_ascii=False))
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
    generated = glossary_phrase_forms(terms, cache_dir)
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


def glossary_phrase_forms(terms: Sequence[Term], cache_dir: Path | None = None) -> dict[str, tuple[Form, ...]]:
    """The generated forms of every phrase a German glossary declines (names, aliases, exclude
    phrases of the terms without `inflect: false`), from the memo or the cache file when there."""
    declined = [t for t in terms if t.inflect is not False]
    phrases = [_normal(p) for t in declined for p in (*t.forms, *t.exclude)]
    return _cached_phrase_forms([p for p in dict.fromkeys(phrases) if p], forms_key(True), cache_dir, None)


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
