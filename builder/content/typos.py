"""Front matter keys that look like typos, judged across the whole site once every file is loaded."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from ..errors import Diagnostic
from . import fields
from .fields import visible
from .model import Article, Author, Page, Term
from .validate import ARTICLE_KEYS, AUTHOR_KEYS, PAGE_KEYS, TERM_KEYS

# A key at most this many files use, or under this share of them, is rare: a typo, if it looks like one.
RARE_FILES = 2
RARE_SHARE = 0.05

_KNOWN_KEYS: dict[type, tuple[str, ...]] = {Article: ARTICLE_KEYS, Page: PAGE_KEYS, Term: TERM_KEYS, Author: AUTHOR_KEYS}


def typo_warnings(documents: Iterable[Article | Page | Term | Author]) -> list[Diagnostic]:
    """Front matter keys that look like a typo: close to a known key, and rare in the site.

    A key many files share is the site's own field (a `release:` in 80 of 111
    posts is no typo of `related`), so this needs every file of the build and
    runs once they are loaded. A file that failed to load gets its hint on the
    error instead ("'title' is required", hint: "'titel' looks like a typo").
    """
    documents = list(documents)
    uses = Counter(key for document in documents for key in document.extra)
    rare = max(RARE_FILES, RARE_SHARE * len(documents))
    found: list[Diagnostic] = []
    for document in documents:
        for key in document.extra:
            close = fields.close_key(key, _KNOWN_KEYS[type(document)]) if uses[key] <= rare else None
            if close is not None:
                found.append(Diagnostic(document.source, document.key_lines.get(key, 1),
                                        visible(f"unknown key '{key}'") or "", "warning",
                                        hint=visible(f"did you mean '{close}'?")))
    return sorted(found, key=lambda d: (d.path, d.line or 0))
