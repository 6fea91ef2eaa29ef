"""Which aliases of a term are other names of it, and which are only its inflected forms.

A glossary written for exact matching lists inflected forms as aliases
(„Normandie-Formats“, „Kremls“) so that they match. A term page presents its
aliases as other names („Auch: NF“), where a form of the name itself would
mislead. An alias counts as an inflection when it is a generated German form
of the name or of an alias shown before it (`builder.text.forms`), or that name
plus one of the suffixes of `glossary.inflect`. Matching is not affected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from ..content.model import Term
from .forms import Form, glossary_phrase_forms
from .glossary import SUFFIXES


def shown_aliases(terms: Sequence[Term], *, declension: bool,
                  cache_dir: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Each term's aliases that are names of their own, by slug, in the order written."""
    generated = glossary_phrase_forms(terms, cache_dir) if declension and terms else {}
    return {term.slug: true_aliases(term, generated) for term in terms}


def true_aliases(term: Term, generated: Mapping[str, tuple[Form, ...]]) -> tuple[str, ...]:
    """The term's aliases without inflected forms of its name or of an alias kept before them."""
    kept: list[str] = []
    for alias in term.aliases:
        if not any(is_inflection(alias, name, generated) for name in (term.term, *kept)):
            kept.append(alias)
    return tuple(kept)


def is_inflection(alias: str, name: str, generated: Mapping[str, tuple[Form, ...]]) -> bool:
    """Whether `alias` is `name` declined (a generated form, or the name plus an inflection suffix)."""
    folded, base = _normal(alias).casefold(), _normal(name)
    if folded == base.casefold():
        return True
    if any(form.text.casefold() == folded for form in generated.get(base, ())):
        return True
    return folded.startswith(base.casefold()) and folded[len(base):] in SUFFIXES


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())
