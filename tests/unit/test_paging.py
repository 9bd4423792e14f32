"""Pages of a sorted list: following the cursors yields every item once, in order, whatever is added between."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.paging import DEFAULT_LIMIT, InvalidCursor, paginate, parse_limit

NAMES = st.lists(st.tuples(st.text("АӘБҒҚҢӨҰҮҺІаәбғқңөұүһі -", min_size=1, max_size=6),
                           st.integers(1, 10**6)), unique_by=lambda t: t[1], max_size=40)


def _key(item: tuple[str, int]) -> tuple:
    return name_sort_key(item[0]), item[1]


def _walk(items: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    seen, cursor = [], None
    while True:
        page = paginate(items, _key, limit, cursor)
        seen += page.items
        if page.next_cursor is None:
            return seen
        assert len(page.items) == limit
        cursor = page.next_cursor


@given(NAMES, st.integers(1, 7))
def test_following_the_cursors_shows_each_item_once_in_order(items: list[tuple[str, int]], limit: int) -> None:
    assert _walk(items, limit) == sorted(items, key=_key)


@given(NAMES, NAMES, st.integers(1, 5))
def test_items_added_between_pages_never_repeat_what_was_shown(first: list, added: list, limit: int) -> None:
    page = paginate(first, _key, limit)
    if page.next_cursor is None:
        return
    ids = {i for _, i in first}
    later = first + [a for a in added if a[1] not in ids]
    rest = paginate(later, _key, 10**6, page.next_cursor).items
    assert not set(rest) & set(page.items)
    assert all(_key(r) > _key(page.items[-1]) for r in rest)


def test_limits() -> None:
    assert parse_limit(None) == DEFAULT_LIMIT
    assert parse_limit("500") == 500
    for bad in ("0", "501", "-1", "1e2", "", "٣"):
        with pytest.raises(InvalidCursor):
            parse_limit(bad)


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "eyJhIjoxfQ", "W3RydWVd", "WzEsImEiXQ", "x" * 3000])
def test_cursors_it_did_not_make_are_refused(cursor: str) -> None:
    items = [("Абаев", 1), ("Әлиев", 2)]
    with pytest.raises(InvalidCursor):
        paginate(items, _key, 1, cursor)
