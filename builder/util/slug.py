"""Slugs and ids: German-aware transliteration to lower-case ASCII."""

from __future__ import annotations

import re
import unicodedata

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                         "Ä": "ae", "Ö": "oe", "Ü": "ue", "ẞ": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug: ä→ae, ß→ss, é→e, other runs of non-alphanumerics → "-"."""
    text = unicodedata.normalize("NFC", text).translate(_GERMAN)  # "U" + U+0308 is "Ü" too
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


_WORD = re.compile(r"[^\W_]+")


def tag_slug(text: str) -> str:
    """A tag's slug: `slugify`, or for a tag without Latin letters ("知乎", "Россия") its words
    in their own script, lower-cased and joined by "-", so that every tag gets a page."""
    return slugify(text) or "-".join(_WORD.findall(unicodedata.normalize("NFC", text).lower()))
