"""Pages of a sorted list: `limit` items after an opaque cursor, and the cursor of the next page.

A cursor is the sort key of the last item shown (URL-safe base64 of JSON), not a position: a page asked for
after people were added or removed still starts right after the last item the client saw, never repeating or
skipping one. Sort keys are tuples of strings, integers and nested tuples (as `name_sort_key` makes them);
every list's key ends with the item's id, so no two items share a key.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "InvalidCursor", "Page", "paginate", "parse_limit", "cursor_key"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_MAX_CURSOR = 2048


class InvalidCursor(ValueError):
    """A cursor this service did not make, or a limit outside 1..MAX_LIMIT."""


@dataclass(frozen=True, slots=True)
class Page[T]:
    """The items of one page and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def parse_limit(raw: str | None) -> int:
    """The page size asked for: DEFAULT_LIMIT when absent, else an integer 1..MAX_LIMIT."""
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= MAX_LIMIT):
        raise InvalidCursor(f"limit is an integer 1..{MAX_LIMIT}")
    return int(raw)


def paginate[T](items: Sequence[T], key: Callable[[T], tuple[Any, ...]], limit: int,
                cursor: str | None = None) -> Page[T]:
    """The `limit` items of `items` (any order) that follow `cursor` in the order of `key`."""
    after = cursor_key(cursor) if cursor else None
    ordered = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    if after is not None:
        try:
            ordered = [pair for pair in ordered if _comparable(pair[0]) > after]
        except TypeError:  # a cursor of another list: its key has another shape
            raise InvalidCursor("the cursor is not one this list gave out") from None
    shown = ordered[:limit]
    more = len(ordered) > limit
    return Page([item for _, item in shown], _encode(shown[-1][0]) if more and shown else None)


def _comparable(key: Any) -> Any:
    """A key as it comes back from JSON: lists become tuples again, so keys compare like the originals."""
    if isinstance(key, (list, tuple)):
        return tuple(_comparable(part) for part in key)
    return key


def _encode(key: tuple[Any, ...]) -> str:
    text = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_key(cursor: str) -> tuple[Any, ...]:
    """The sort key a cursor stands for (lists of the same kind of item may skip reading what precedes it)."""
    if len(cursor) > _MAX_CURSOR:
        raise InvalidCursor("the cursor is not one this list gave out")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeError):
        raise InvalidCursor("the cursor is not one this list gave out") from None
    if not isinstance(key, list) or not _plain(key):
        raise InvalidCursor("the cursor is not one this list gave out")
    return _comparable(key)


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(_plain(part) for part in value)
    return isinstance(value, (str, int)) and not isinstance(value, bool)
