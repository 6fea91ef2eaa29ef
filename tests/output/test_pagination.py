"""How a listing falls into pages: newest first, or stable pages that a new article leaves alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from builder.output.pagination import ListPage, paginate


def newest_first(count: int) -> tuple[str, ...]:
    """`count` slugs as a listing holds them: the newest ("a<count>") first."""
    return tuple(f"a{n}" for n in range(count, 0, -1))


def walk(pages: list[ListPage]) -> list[str]:
    """Every slug read by following the "older" links from page 1, as a reader pages back."""
    by_number = {page.number: page for page in pages}
    seen, page = [], by_number[1]
    while True:
        seen.extend(page.slugs)
        if page.older is None:
            return seen
        assert by_number[page.older].newer == page.number
        page = by_number[page.older]


def test_newest_first_pages_are_numbered_from_the_newest() -> None:
    pages = paginate(newest_first(5), 2)
    assert [(p.number, p.slugs, p.newer, p.older, p.count) for p in pages] == [
        (1, ("a5", "a4"), None, 2, 3), (2, ("a3", "a2"), 1, 3, 3), (3, ("a1",), 2, None, 3)]


def test_stable_pages_are_blocks_from_the_oldest_and_page_one_holds_the_rest() -> None:
    pages = paginate(newest_first(7), 2, stable=True)
    assert [(p.number, p.slugs, p.newer, p.older, p.count) for p in pages] == [
        (1, ("a7", "a6", "a5"), None, 3, 3), (3, ("a4", "a3"), 1, 2, 0), (2, ("a2", "a1"), 3, None, 0)]


def test_a_short_list_is_one_page_either_way() -> None:
    for stable in (False, True):
        assert [(p.number, p.slugs, p.newer, p.older) for p in paginate(newest_first(3), 2, stable)][0] == \
            (1, ("a3", "a2", "a1") if stable else ("a3", "a2"), None, None if stable else 2)
        assert [(p.number, p.slugs, p.older) for p in paginate((), 2, stable)] == [(1, (), None)]


@given(st.integers(0, 200), st.integers(1, 12), st.booleans())
def test_paging_back_from_page_one_reads_every_article_once_in_order(count: int, per_page: int,
                                                                     stable: bool) -> None:
    pages = paginate(newest_first(count), per_page, stable)
    assert walk(pages) == list(newest_first(count))
    assert sorted(p.number for p in pages) == list(range(1, len(pages) + 1))
    first = len(pages[0].slugs)
    if stable:   # every numbered page is a whole block; page 1 holds the rest
        assert all(len(p.slugs) == per_page for p in pages[1:])
        assert first == count if count < 2 * per_page else per_page <= first < 2 * per_page
    else:        # every page but the last is full
        assert all(len(p.slugs) == per_page for p in pages[:-1])


@given(st.integers(0, 200), st.integers(1, 12))
def test_a_new_article_leaves_every_stable_page_but_page_one_and_its_older_neighbour(count: int,
                                                                                    per_page: int) -> None:
    before = {p.number: p for p in paginate(newest_first(count), per_page, stable=True)}
    after = {p.number: p for p in paginate(newest_first(count + 1), per_page, stable=True)}
    changed = {n for n, page in after.items() if before.get(n) != page}
    assert 1 in changed
    # Every `per_page` articles the block below page 1 gets a page of its own, and the page
    # behind it a link to it instead of to page 1.
    assert len(changed) <= 3
    assert all(n == 1 or n >= max(before) for n in changed)
