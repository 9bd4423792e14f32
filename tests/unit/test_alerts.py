"""Threshold alerts (pure): the "2" band and the week's unexcused missed lessons, told once per crossing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.alerts import (
    ABSENCE_THRESHOLD, Ledger, band_crossing, counts_as_missed, in_band, missed, reach, shift, week_of,
)
from chalicelib.domain.assessment import pack_for

MARKS = st.sampled_from([None, 2, 3, 4, 5, "exempt", "not_assessed", "pass", "fail"])


def test_the_band_is_a_mark_of_2_and_the_pack_gives_it_below_40_percent():
    pack = pack_for(2026)
    assert pack.mark_for(39) == 2 and pack.mark_for(40) == 3
    assert in_band(2) and not any(in_band(m) for m in (None, 3, 5, "fail", "not_assessed", True))


@pytest.mark.parametrize(("before", "after", "crossing"), [
    (3, 2, "entered"), (None, 2, "entered"), (2, 3, "left"), (2, "exempt", "left"), (2, None, "left"),
    (2, 2, None), (5, 3, None), (None, 5, None), ("fail", "pass", None)])
def test_a_crossing_is_the_edge_of_the_band(before, after, crossing):
    assert band_crossing(before, after) == crossing


def _told(ledger: Ledger | None, before: object, after: object, cause: str) -> tuple[Ledger | None, Ledger | None]:
    """(the ledger after the change, what was told)."""
    told = shift(ledger, in_band(before), in_band(after), cause)
    return (told or ledger), told


@given(st.lists(MARKS, max_size=30), st.data())
def test_any_sequence_of_marks_alerts_exactly_on_its_crossings_whatever_is_repeated(marks, data):
    """Each change is delivered once or more, and earlier changes come again later (a replayed batch: its old
    image against the set as it is now, whose mark is the latest)."""
    ledger, told, expected = None, [], []
    previous = None
    for step, mark in enumerate(marks):
        if band_crossing(previous, mark) is not None:
            expected.append((step, in_band(mark)))
        for _ in range(data.draw(st.integers(1, 3), label="copies")):
            ledger, said = _told(ledger, previous, mark, f"e@{step}")
            if said is not None:
                told.append((int(said.cause.split("@")[1]), said.inside, said.crossings))
        for old in data.draw(st.lists(st.integers(0, step), max_size=2), label="replays"):
            before = marks[old - 1] if old else None
            ledger, said = _told(ledger, before, mark, f"e@{old}")
            if said is not None:
                told.append((int(said.cause.split("@")[1]), said.inside, said.crossings))
        previous = mark
    distinct = sorted(set(told), key=lambda t: t[2])
    assert [(step, inside) for step, inside, _ in distinct] == expected
    assert [n for _, _, n in distinct] == list(range(1, len(expected) + 1))  # one version per crossing


def test_leaving_then_entering_again_alerts_again():
    first = shift(None, False, True, "a@1")
    assert first == Ledger(True, 1, "a@1")
    left = shift(first, True, False, "b@1")
    assert left == Ledger(False, 2, "b@1")
    assert shift(left, False, True, "a@2") == Ledger(True, 3, "a@2")


def test_a_duplicate_tells_the_same_crossing_again_and_a_stale_one_nothing():
    entered = shift(None, False, True, "a@1")
    assert shift(entered, False, True, "a@1") == entered  # a retry completes the same delivery
    assert shift(entered, False, True, "b@4") is None  # already inside: nothing new
    assert shift(None, True, False, "c@1") is None  # never told it was inside


@pytest.mark.parametrize(("status", "excused", "counts"), [
    ("absent", False, True), ("absent", True, False), ("excused", False, False), ("ill", False, False),
    ("late", False, False), ("present", False, False), (None, False, False)])
def test_only_unexcused_absences_count(status, excused, counts):
    assert counts_as_missed(status, excused) is counts


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_a_week_runs_monday_to_sunday(day):
    monday, sunday = week_of(day)
    assert monday.weekday() == 0 and sunday - monday == timedelta(days=6) and monday <= day <= sunday


def test_missed_lessons_leave_out_the_days_a_parent_excused():
    mon, tue = date(2026, 10, 5), date(2026, 10, 6)
    lessons = [("absent", mon), ("absent", mon), ("absent", tue), ("ill", tue), ("late", tue)]
    assert missed(lessons, []) == 3
    assert missed(lessons, [mon]) == 1


@given(st.lists(st.integers(0, 6), max_size=20), st.data())
def test_a_week_alerts_once_when_its_count_first_reaches_three(counts, data):
    ledger, told, previous = None, set(), 0
    for step, count in enumerate(counts):
        for _ in range(data.draw(st.integers(1, 2), label="copies")):
            said = reach(ledger, previous, count, f"e@{step}")
            if said is not None:
                ledger = said
                told.add(said)
        previous = count
    first = next((i for i, c in enumerate(counts) if c >= ABSENCE_THRESHOLD), None)
    assert [int(t.cause.split("@")[1]) for t in told] == ([] if first is None else [first])
