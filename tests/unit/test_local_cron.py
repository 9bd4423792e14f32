"""Schedule expressions of the local scheduler: when rate(...) and cron(...) fire next (UTC)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from chalicelib.local.cron import InvalidSchedule, Rate, parse_schedule


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(("expression", "every"), [
    ("rate(1 minute)", timedelta(minutes=1)),
    ("rate(5 minutes)", timedelta(minutes=5)),
    ("rate(1 hour)", timedelta(hours=1)),
    ("rate(2 days)", timedelta(days=2)),
])
def test_a_rate_fires_one_interval_later(expression: str, every: timedelta) -> None:
    assert parse_schedule(expression) == Rate(every)
    assert parse_schedule(expression).next_after(utc(2026, 9, 1, 8, 30)) == utc(2026, 9, 1, 8, 30) + every


@pytest.mark.parametrize(("expression", "after", "expected"), [
    ("cron(0 6 * * ? *)", utc(2026, 9, 1, 5, 59), utc(2026, 9, 1, 6, 0)),
    ("cron(0 6 * * ? *)", utc(2026, 9, 1, 6, 0), utc(2026, 9, 2, 6, 0)),
    ("cron(0 6 * * ? *)", utc(2026, 9, 1, 5, 59, 59), utc(2026, 9, 1, 6, 0)),
    ("cron(0/15 * * * ? *)", utc(2026, 9, 1, 8, 14), utc(2026, 9, 1, 8, 15)),
    ("cron(5-20/10 8 * * ? *)", utc(2026, 9, 1, 8, 6), utc(2026, 9, 1, 8, 15)),
    ("cron(15 3 ? * MON-FRI *)", utc(2026, 11, 27, 4, 0), utc(2026, 11, 30, 3, 15)),  # Friday -> Monday
    ("cron(0 1 ? * 1 *)", utc(2026, 11, 24, 0, 0), utc(2026, 11, 29, 1, 0)),  # 1 is Sunday
    ("cron(0 0 1 JAN,SEP ? *)", utc(2026, 2, 1, 0, 0), utc(2026, 9, 1, 0, 0)),
    ("cron(0 0 L * ? *)", utc(2027, 2, 10, 0, 0), utc(2027, 2, 28, 0, 0)),
    ("cron(0 0 L * ? *)", utc(2028, 2, 10, 0, 0), utc(2028, 2, 29, 0, 0)),
    ("cron(0 9 15W * ? *)", utc(2026, 11, 1, 0, 0), utc(2026, 11, 16, 9, 0)),  # the 15th is a Sunday
    ("cron(0 9 1W * ? *)", utc(2026, 7, 31, 12, 0), utc(2026, 8, 3, 9, 0)),  # the 1st is a Saturday
    ("cron(0 9 LW * ? *)", utc(2026, 10, 1, 0, 0), utc(2026, 10, 30, 9, 0)),  # the 31st is a Saturday
    ("cron(0 9 ? * 6#1 *)", utc(2026, 11, 7, 0, 0), utc(2026, 12, 4, 9, 0)),  # first Friday
    ("cron(0 9 ? * 2L *)", utc(2026, 11, 1, 0, 0), utc(2026, 11, 30, 9, 0)),  # last Monday
    ("cron(0 0 1 1 ? 2027)", utc(2026, 5, 5, 0, 0), utc(2027, 1, 1, 0, 0)),
])
def test_cron_fires_at_the_next_matching_minute(expression: str, after: datetime, expected: datetime) -> None:
    assert parse_schedule(expression).next_after(after) == expected


def test_cron_never_fires_again_after_its_last_year() -> None:
    assert parse_schedule("cron(0 0 1 1 ? 2027)").next_after(utc(2027, 1, 1, 0, 0)) is None


def test_a_naive_time_is_read_as_utc() -> None:
    assert parse_schedule("cron(0 6 * * ? *)").next_after(datetime(2026, 9, 1, 5)) == utc(2026, 9, 1, 6, 0)


@pytest.mark.parametrize("expression", [
    "every 5 minutes", "rate(0 minutes)", "rate(1 minutes)", "rate(5 minute)", "rate(5 weeks)",
    "cron(0 6 * * *)", "cron(0 6 * * * *)", "cron(0 6 ? * ? *)", "cron(60 6 * * ? *)", "cron(0 24 * * ? *)",
    "cron(0 6 32 * ? *)", "cron(0 6 * 13 ? *)", "cron(0 6 ? * 8 *)", "cron(30-10 * * * ? *)",
    "cron(0/0 * * * ? *)", "cron(0 6 ? * FUN *)", "cron(0 6 ? * 2#6 *)", "cron(*-5 6 * * ? *)",
])
def test_an_expression_eventbridge_would_refuse_is_refused(expression: str) -> None:
    with pytest.raises(InvalidSchedule):
        parse_schedule(expression)


@given(minutes=st.sets(st.integers(0, 59), min_size=1, max_size=4),
       hours=st.sets(st.integers(0, 23), min_size=1, max_size=3),
       weekdays=st.sets(st.integers(1, 7), min_size=1, max_size=3),
       after=st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31), timezones=st.just(timezone.utc)))
def test_cron_finds_the_first_match_after_a_moment(minutes: set[int], hours: set[int], weekdays: set[int],
                                                   after: datetime) -> None:
    expression = f"cron({_list(minutes)} {_list(hours)} ? * {_list(weekdays)} *)"
    days = [after.date() + timedelta(days=n) for n in range(9)]
    candidates = [datetime(d.year, d.month, d.day, h, m, tzinfo=timezone.utc)
                  for d in days if (d.weekday() + 1) % 7 + 1 in weekdays for h in hours for m in minutes]
    expected = min(c for c in candidates if c > after)
    assert parse_schedule(expression).next_after(after) == expected


def _list(values: set[int]) -> str:
    return ",".join(map(str, sorted(values)))
