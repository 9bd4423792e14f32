"""Object ids: decimal strings of positive 63-bit integers, ordered by creation time.

Layout (most significant first), 63 bits in all so every id fits a signed 64-bit integer:

- 42 bits: milliseconds since 2024-01-01T00:00:00Z (lasts about 139 years, until 2163);
- 21 bits: random, from `secrets`, never all zero (so no id is 0).

An id made in a later millisecond is always greater than one made in an earlier millisecond; ids made
in the same millisecond are in random order. Uniqueness is finally guaranteed by the store, which writes
a new object only on condition that its id does not exist yet.
"""

import secrets
import time
from datetime import UTC, datetime, timedelta

from chalicelib.domain.dates import KZ_TZ

__all__ = ["EPOCH_MS", "MAX_ID", "InvalidId", "id_time", "is_id", "new_id"]

MAX_ID = 2**63 - 1
EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z in Unix milliseconds

_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_TIME_BITS = 42
_RANDOM_BITS = 21
_MAX_DIGITS = len(str(MAX_ID))
_RANDOM_MASK = (1 << _RANDOM_BITS) - 1


class InvalidId(ValueError):
    """A text that is not an id, or a moment outside the ids' time range."""


def new_id(now_ms: int | None = None) -> str:
    """A new id for the given Unix time in milliseconds (default: now)."""
    if now_ms is None:
        now_ms = time.time_ns() // 1_000_000
    elapsed = now_ms - EPOCH_MS
    if not 0 <= elapsed < 1 << _TIME_BITS:
        raise InvalidId(f"time {now_ms} ms is outside the range ids can represent")
    low = 1 + secrets.randbelow(_RANDOM_MASK)  # 1 .. 2**21 - 1
    return str(elapsed << _RANDOM_BITS | low)


def is_id(text: object) -> bool:
    """Whether `text` is an id: ASCII decimal, no sign, no leading zero, from 1 to 2**63 - 1."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= _MAX_DIGITS
        and text.isascii()
        and text.isdigit()
        and text[0] != "0"
        and int(text) <= MAX_ID
    )


def id_time(id_: str) -> datetime:
    """The moment an id was made (to the millisecond), as an aware datetime at +05:00."""
    if not is_id(id_):
        raise InvalidId(f"not an id: {id_!r}"[:80])
    elapsed = int(id_) >> _RANDOM_BITS
    return (_EPOCH + timedelta(milliseconds=elapsed)).astimezone(KZ_TZ)
