"""The glossary's term files themselves: names and aliases two terms claim, and a term's summary.

`check_glossary` reports a term name or alias that another term already
claims (case-insensitive, the later file gets the error); `summary_from_markdown`
makes a term's tooltip text from the first paragraph of its definition when its
front matter has no `summary:`. Matching the terms in text is `builder.text.glossary`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..content.model import Term
from ..errors import Diagnostic

__all__ = ["check_glossary", "summary_from_markdown"]


def _casefold_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_glossary(terms: Sequence[Term]) -> list[Diagnostic]:
    """Errors for term names and aliases that two terms claim (case-insensitive).

    Terms are checked in order of source path; the later claim gets the error and
    the message names the earlier one.
    """
    diagnostics: list[Diagnostic] = []
    names: dict[str, str] = {}     # folded term name → "path:line"
    aliases: dict[str, str] = {}   # folded alias → "path:line"
    for term in sorted(terms, key=lambda t: (t.source, t.line)):
        key = _casefold_key(term.term)
        if key in names:
            diagnostics.append(Diagnostic(
                term.source, term.line,
                f"duplicate term '{term.term}', already defined in {names[key]}"))
        elif key in aliases:
            diagnostics.append(Diagnostic(
                term.source, term.line,
                f"term '{term.term}' is already claimed as an alias by {aliases[key]}"))
        else:
            names[key] = f"{term.source}:{term.line}"
        for alias in term.aliases:
            line = term.alias_lines.get(alias, term.line)
            here = f"{term.source}:{line}"
            akey = _casefold_key(alias)
            if akey == key:
                continue  # an alias repeating its own term is harmless
            owner = names.get(akey) or aliases.get(akey)
            if owner is not None and not owner.startswith(f"{term.source}:"):
                diagnostics.append(Diagnostic(
                    term.source, line, f"alias '{alias}' is already claimed by {owner}"))
            elif owner is None:
                aliases[akey] = here
    return diagnostics


@lru_cache(maxsize=1)
def _commonmark() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _plain(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts)


def summary_from_markdown(body: str) -> str:
    """The first paragraph of a Markdown body as plain text, whitespace collapsed."""
    tokens = _commonmark().parse(body)
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            return " ".join(_plain(tokens[index + 1].children or []).split())
    return ""
