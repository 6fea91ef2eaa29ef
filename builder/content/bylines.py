"""Which author profile a byline names: by slug, name or alias, whatever the spelling of umlauts.

"Miriam Schäfer", "Miriam Schaefer" and "miriam-schaefer" all name the profile
`content/authors/miriam-schaefer.md`; a byline that names no profile stays
plain text, with a warning that suggests the closest profile.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Sequence

from ..errors import Diagnostic
from ..util.slug import slugify
from .model import Article, Author


class AuthorIndex:
    """Author profiles by every key a byline may use."""

    def __init__(self, authors: Iterable[Author]) -> None:
        self.authors = tuple(authors)
        self.by_key: dict[str, Author] = {}
        for author in self.authors:
            for name in (author.slug, author.name, *author.aliases):
                self.by_key.setdefault(slugify(name), author)
        self.by_name: dict[str, Author | None] = {}   # byline as written → profile: asked for on every teaser

    def profile(self, name: str) -> Author | None:
        """The profile a byline entry names, or None."""
        if not self.by_key:
            return None
        if name not in self.by_name:
            self.by_name[name] = self.by_key.get(slugify(name))
        return self.by_name[name]

    def closest(self, name: str) -> Author | None:
        """The profile whose name is most like `name`, if any is close."""
        names = {author.name: author for author in self.authors}
        found = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
        return names[found[0]] if found else None


def check_bylines(articles: Sequence[Article], index: AuthorIndex) -> list[Diagnostic]:
    """A warning for each byline entry that names no profile, on the `authors:` line.

    A site without any profile gets none: its bylines are plain names on purpose.
    """
    if not index.authors:
        return []
    problems: list[Diagnostic] = []
    for article in articles:
        for name in article.authors:
            if index.profile(name) is not None:
                continue
            close = index.closest(name)
            hint = (f"did you mean '{close.name}' ({close.source})?" if close is not None
                    else f"create content/authors/{slugify(name)}.md with 'name: \"{name}\"'")
            problems.append(Diagnostic(article.source, article.key_lines.get("authors", 1),
                                       f"the author '{name}' has no profile; the byline shows the name "
                                       f"without a link", "warning", hint=hint))
    return problems
