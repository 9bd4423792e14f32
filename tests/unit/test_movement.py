"""Pupils' dates in a class, and where they go at the year's end (assessment-rules.md §5)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st

from chalicelib.domain.movement import Outcome, closed, enrolled_on, opened, outcome, overlaps, spans_json, spans_of

DAYS = st.dates(date(2026, 9, 1), date(2027, 5, 31))


@given(DAYS, DAYS)
def test_a_transfer_gives_each_day_to_exactly_one_class(move: date, day: date) -> None:
    old, new = closed(None, move), opened(None, move)
    assert enrolled_on(old, day) != enrolled_on(new, day)
    assert enrolled_on(new, day) == (day >= move)


@given(DAYS, st.integers(1, 60), DAYS)
def test_moving_out_and_back_keeps_both_stretches(out: date, away: int, day: date) -> None:
    back = out + timedelta(days=away)
    spans = opened(closed(None, out), back)
    assert enrolled_on(spans, day) == (day < out or day >= back)
    assert spans_of(spans_json(spans)) == spans


def test_no_dates_means_always_and_overlaps() -> None:
    assert enrolled_on(None, date(2026, 9, 1)) and enrolled_on([], date(2030, 1, 1))
    spans = closed(None, date(2026, 10, 5))
    assert overlaps(spans, date(2026, 10, 1), date(2026, 10, 9))
    assert not overlaps(spans, date(2026, 10, 5), date(2026, 10, 9))


def test_the_years_end() -> None:
    assert outcome(7, [5, 4, "pass", None, "exempt"]) == Outcome.PROMOTED
    assert outcome(7, [2, 4]) == outcome(7, [2, 2, 5]) == Outcome.YEAR_SUMMATIVE
    assert outcome(7, [2, 2, 2, 5]) == Outcome.REPEATS
    assert outcome(11, [4, 5]) == Outcome.GRADUATED
    assert outcome(11, [2]) == Outcome.YEAR_SUMMATIVE
    assert outcome(1, []) == Outcome.PROMOTED
