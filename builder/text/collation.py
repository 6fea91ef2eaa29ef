"""German sort order (DIN 5007-1) and the index letter a word is listed under."""

from __future__ import annotations

import unicodedata


def _german_fold(text: str) -> str:
    text = text.replace("ß", "ss").replace("ẞ", "SS")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _strip_leading_marks(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalnum():
            return text[index:]
    return text


def german_sort_key(text: str) -> tuple[str, str, str]:
    """German dictionary order (DIN 5007-1): Ä as A, Ö as O, Ü as U, ß as ss.

    Case-insensitive, leading quotes and punctuation ignored; ties are broken by
    the unfolded spelling (plain vowel before umlaut, "Arm" before "arm") so the
    order is total and stable.
    """
    return (_german_fold(_strip_leading_marks(text)), text.casefold(), text)


def index_letter(text: str) -> str:
    """The index heading a word is listed under: "Äquator" → "A", "Élysée" → "E", "9-Euro" → "#"."""
    folded = _german_fold(_strip_leading_marks(text))
    if not folded or not folded[0].isalpha():
        return "#"
    return folded[0].upper()
