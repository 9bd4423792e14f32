"""Dates and timestamps at Kazakhstan's single offset, UTC+5 (since 1 March 2024).

The offset is a fixed ``timezone(timedelta(hours=5))`` on purpose: the ``Asia/Almaty`` zone name
resolves to +06:00 in older zone data.
"""

import re
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "KZ_TZ",
    "InvalidDate",
    "now_kz",
    "parse_date",
    "parse_timestamp",
    "school_year_of",
    "to_rfc3339",
    "today_kz",
]

KZ_TZ = timezone(timedelta(hours=5))

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_FIRST_MONTH_OF_YEAR = 9  # a school year starts on 1 September


class InvalidDate(ValueError):
    """A text that is not a valid date `YYYY-MM-DD` or RFC 3339 timestamp."""


def now_kz() -> datetime:
    """The current moment as an aware datetime at +05:00."""
    return datetime.now(KZ_TZ)


def today_kz() -> date:
    """Today's calendar date in Kazakhstan."""
    return now_kz().date()


def to_rfc3339(dt: datetime, *, timespec: str = "milliseconds") -> str:
    """Format an aware datetime as RFC 3339 at +05:00, e.g. ``2026-09-01T08:30:00.000+05:00``.

    The default millisecond precision gives fixed-width strings that sort like the moments they name.
    """
    if dt.utcoffset() is None:
        raise InvalidDate("a timestamp needs a time zone; got a naive datetime")
    return dt.astimezone(KZ_TZ).isoformat(timespec=timespec)


def parse_date(text: str) -> date:
    """Parse a strict calendar date `YYYY-MM-DD` (ASCII digits, no time, no offset)."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise InvalidDate(f"expected a date as YYYY-MM-DD, got {_shown(text)}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(f"no such calendar date: {text}") from None


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp with an explicit offset (`Z` or `±HH:MM`), returned at +05:00."""
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        raise InvalidDate(
            f"expected an RFC 3339 timestamp such as 2026-09-01T08:30:00+05:00, got {_shown(text)}"
        )
    try:
        return datetime.fromisoformat(text).astimezone(KZ_TZ)
    except ValueError:
        raise InvalidDate(f"no such moment: {text}") from None


def school_year_of(d: date) -> int:
    """The school year a date belongs to, named by its starting calendar year (2026 = 2026-09-01..2027-08-31)."""
    return d.year if d.month >= _FIRST_MONTH_OF_YEAR else d.year - 1


def _shown(value: object) -> str:
    """A short representation of a rejected value for an error message."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
