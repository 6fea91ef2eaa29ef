"""Teasers made before the pages: every article's teaser in the forms the theme names, once.

A page writer keeps the teasers it makes (`FragmentMemo`), but „Mehr zum Thema“ shows the
teasers of an article's related articles, from anywhere in the archive. At 100,000 articles a
writer had not made, or had already forgotten, most of those its pages asked for (renewed as
its memory grows, it starts with an empty memo), so the same teasers were made again and again:
about five a page, 25-35 µs each. The theme's `_macros.html` names the argument sets of
`teaser()` that every article needs (`teasers_made_first`); this pass makes them in the parent,
and every page writer forked afterwards finds them in its memo.
"""

from __future__ import annotations

from typing import Sequence

from ..content.model import Article
from ..output.templates import FragmentMemo, Renderer

MACROS = "_macros.html"
DECLARED = "teasers_made_first"   # in MACROS: a list of argument tuples for `teaser(article, *arguments)`


def make_teasers_first(renderer: Renderer, articles: Sequence[Article]) -> int:
    """Make the teasers the theme names for each of `articles` into the renderer's fragment memo
    for good; how many fragments were made. A theme that names none, or no `teaser`, costs nothing.
    A teaser that fails ends the pass (a broken theme would fail on every article): the pages make
    the rest as they come, and the page showing that teaser reports the error with its line."""
    memo = renderer.env.globals.get("remember")
    if not articles or not isinstance(memo, FragmentMemo):
        return 0
    try:
        module = renderer.env.get_template(MACROS).module
    except Exception:   # noqa: BLE001 - a missing or broken partial: the pages that import it report it
        return 0
    forms = [tuple(form) for form in getattr(module, DECLARED, None) or ()]
    teaser = getattr(module, "teaser", None)
    if not forms or not callable(teaser):
        return 0
    memo.made = made = []
    try:
        for article in articles:
            for form in forms:
                teaser(article, *form)
    except Exception:   # noqa: BLE001 - raised again where a page shows this teaser; the rest as they come
        pass
    finally:
        memo.made = None
    memo.keep_first(made)
    memo.kept.clear()   # the same fragments, kept for good now
    return len(made)
