"""How a listing's articles fall into pages: newest first, or in stable pages counted from the oldest.

Newest first (the default, as in Hugo and Jekyll): page 1 holds the newest
`paginate` articles, page 2 the next ones, and so on, so one new article moves
every article one place and changes every page of the listing.

Stable (`stable_pagination: true`): the articles are cut into blocks of
`paginate` counted from the oldest, and a block keeps its page for good:
`/seite/2/` always holds the oldest block, `/seite/3/` the next one. The
listing's own page (number 1) holds the newest articles down to the newest
complete block: between `paginate` and 2 × `paginate` - 1 of them. A new
article therefore changes the listing's own page, and every `paginate`
articles one more page appears and its older neighbour gets a link to it.
On a large archive that is a few pages a new article rewrites (and a
publisher uploads) instead of all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from ..content.model import Pagination


@dataclass(frozen=True)
class ListPage:
    """One page of a listing: its number in the URL, its slugs (newest first) and its neighbours."""

    number: int              # 1: the listing's own URL; 2 and on: /<page>/N/
    slugs: tuple[str, ...]
    newer: int | None        # the page with the next newer articles
    older: int | None        # the page with the next older articles
    count: int               # the listing's pages; 0 on a stable numbered page, whose text never shows it

    @property
    def shape(self) -> tuple[int, int | None, int | None]:
        """What of the page's place in its listing its HTML shows, for its fingerprint."""
        return self.count, self.newer, self.older


def paginate(slugs: tuple[str, ...], per_page: int, stable: bool = False) -> list[ListPage]:
    """The pages of a newest-first list of slugs, `per_page` to a page (an empty list has one page)."""
    return _stable(slugs, per_page) if stable else _newest_first(slugs, per_page)


def _newest_first(slugs: tuple[str, ...], per_page: int) -> list[ListPage]:
    count = max(1, math.ceil(len(slugs) / per_page))
    return [ListPage(n, slugs[(n - 1) * per_page:n * per_page], n - 1 if n > 1 else None,
                     n + 1 if n < count else None, count) for n in range(1, count + 1)]


def _stable(slugs: tuple[str, ...], per_page: int) -> list[ListPage]:
    total = len(slugs)
    blocks = total // per_page                 # complete blocks, counted from the oldest
    numbered = max(0, blocks - 1)              # the newest complete block stays on page 1
    own = total - numbered * per_page          # page 1: the newest articles down to that block
    first = ListPage(1, slugs[:own], None, numbered + 1 if numbered else None, numbered + 1)
    pages = [first]
    for block in range(numbered, 0, -1):       # newest first, like the listing itself
        end = total - (block - 1) * per_page
        number = block + 1
        pages.append(ListPage(number, slugs[end - per_page:end], number + 1 if block < numbered else 1,
                              number - 1 if block > 1 else None, 0))
    return pages


def template_page(page: ListPage, items: tuple[Any, ...], url_of: Callable[[int], str], stable: bool
                  ) -> Pagination:
    """What a listing template gets as `page`: the page's articles and its neighbours' URLs."""
    return Pagination(page.number, page.count, items, url_of(page.number),
                      url_of(page.newer) if page.newer else None, url_of(page.older) if page.older else None,
                      stable=stable)
