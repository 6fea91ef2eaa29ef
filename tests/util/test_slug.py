"""Slugs: German transliteration, lower-case ASCII, runs of other characters become one hyphen."""

from __future__ import annotations

import unicodedata

import pytest

from builder.util.slug import slugify


@pytest.mark.parametrize("text, slug", [
    ("Politik der offenen Tür", "politik-der-offenen-tuer"),
    ("Außenministerium", "aussenministerium"),
    ("Élysée-Palast", "elysee-palast"),
    ("ÄRGER über Öl", "aerger-ueber-oel"),
    ("NATO-Osterweiterung", "nato-osterweiterung"),
    ("../../etc/passwd", "etc-passwd"),
    ("  --  ", ""),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_decomposed_umlauts_slug_like_composed_ones() -> None:
    assert slugify(unicodedata.normalize("NFD", "Über Öl")) == "ueber-oel"
