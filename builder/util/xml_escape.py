"""Escaping text for XML (feeds, sitemaps), as `xml.sax.saxutils` does it.

Our own because importing `xml.sax.saxutils` also imports `urllib.request`,
`http.client` and `ssl` (12-37 ms of a build that writes one feed), for two
functions of a few lines each. The results are the same character for character.
"""

from __future__ import annotations


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities: text for an element's content."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """`text` as an attribute value, quotes included: escaped, line breaks and tabs as character
    references, in double quotes (single quotes when it holds a double quote and no single one)."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))
