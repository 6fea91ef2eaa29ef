"""Tests for builder.util.xml_escape: the same text as xml.sax.saxutils, without its imports."""

from __future__ import annotations

from xml.sax.saxutils import escape as sax_escape
from xml.sax.saxutils import quoteattr as sax_quoteattr

from hypothesis import example, given
from hypothesis import strategies as st

from builder.util.xml_escape import escape, quoteattr

_TEXT = st.text(st.sampled_from("a&<>\"'\n\r\t ;#äß") | st.characters(), max_size=30)


@given(_TEXT)
@example("Krieg & Frieden <Analyse>")
@example('Sie sagte "Nein"')
@example("Rock 'n' Roll")
@example("\"Nein\", sagt's\n")
@example("&amp;")
def test_escaping_gives_what_saxutils_gives(text: str) -> None:
    assert escape(text) == sax_escape(text)
    assert quoteattr(text) == sax_quoteattr(text)
