"""One URL per page, one key per article: what must be unique across the site, checked once all is loaded.

As in Hugo, two articles may share a slug when their URLs differ (two posts
called "rueckblick" in different years); the build then tells them apart by a
key of its own (`rueckblick`, `rueckblick-2`: the oldest keeps the slug, so
`related: [rueckblick]` names it). Two files that would be published at the
same URL are an error naming both, each with the line that chose the URL.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

from ..errors import Diagnostic
from .model import Article, Page
from .urls import output_path


def url_line(item: Article | Page) -> int:
    """The front matter line that chose an item's URL: `url:`, else `slug:`, else the first line."""
    lines = item.key_lines
    return lines.get("url") or lines.get("slug") or 1


def clashing_urls(items: Iterable[Article | Page], reported: set[str] | None = None) -> list[Diagnostic]:
    """An error for every URL or alias of a file that an earlier file (in the given order) already
    has as its URL or alias: both would be written to one output file. A URL wins over an alias.

    The output paths of those clashes are added to `reported`, so no later check names them again."""
    seen: dict[str, tuple[Article | Page, str]] = {}
    problems: list[Diagnostic] = []
    items = list(items)
    # URLs first, then aliases: of a page and a redirect at one path, the redirect is the one to move.
    claims = [(item, item.url, "URL") for item in items] + [
        (item, alias, "alias") for item in items for alias in item.aliases]
    for item, path, what in claims:
        if not path:
            continue
        first, first_what = seen.setdefault(output_path(path), (item, what))
        if first is item:
            continue
        if reported is not None:
            reported.add(output_path(path))
        line = url_line(item) if what == "URL" else item.key_lines.get("aliases", 1)
        first_line = url_line(first) if first_what == "URL" else first.key_lines.get("aliases", 1)
        problems.append(Diagnostic(
            item.source, line, f"{what} '{path}' is also the {first_what} of {first.source}:{first_line}",
            hint="set a different 'slug:', 'url:' or alias in one of them"))
    return sorted(problems, key=lambda d: (d.path, d.line or 0))


def distinct_keys(articles: Sequence[Article]) -> list[Article]:
    """The articles with unique slugs: of those that share one, the oldest (then by file) keeps it and
    the others get `<slug>-2`, `<slug>-3` … (never a slug another article has)."""
    taken = {article.slug for article in articles}
    groups: dict[str, list[Article]] = {}
    for article in articles:
        groups.setdefault(article.slug, []).append(article)
    renamed: dict[str, str] = {}
    for slug, group in groups.items():
        if len(group) < 2:
            continue
        number = 2
        for article in sorted(group, key=lambda a: (a.date, a.source))[1:]:
            while f"{slug}-{number}" in taken:
                number += 1
            renamed[article.source] = f"{slug}-{number}"
            taken.add(renamed[article.source])
    return [replace(a, slug=renamed[a.source]) if a.source in renamed else a for a in articles]
