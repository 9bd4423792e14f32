"""The timetable's rules: grid cells, bells, and planned lessons across the 2026-27 calendar."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st

from chalicelib.domain import calendar
from chalicelib.domain.journal import SchoolCalendar
from chalicelib.domain.timetable import Group, Slot, check_bells, check_grid, plan, school_days, teacher_clashes


def _calendar(grade: int) -> SchoolCalendar:
    return SchoolCalendar({p.code: (p.start, p.end) for p in calendar.periods(2026, grade)},
                          frozenset(h.date for h in calendar.holidays(2026)), tuple(calendar.breaks(2026, grade)))


YEAR = (date(2026, 9, 1), date(2027, 5, 25))
HOLIDAYS = frozenset(h.date for h in calendar.holidays(2026))
SLOTS = st.lists(st.builds(Slot, st.integers(1, 6), st.integers(1, 8), st.sampled_from(["j1", "j2", "j3"])),
                 max_size=12)


@given(SLOTS, st.sampled_from([1, 7]))
def test_no_planned_lesson_on_a_holiday_in_a_break_or_on_sunday(slots: list[Slot], grade: int) -> None:
    cal = _calendar(grade)
    for p in plan(slots, cal, *YEAR):
        assert p.day not in HOLIDAYS
        assert not cal.in_break(p.day) and cal.term_of(p.day) is not None
        assert p.day.isoweekday() in {s.weekday for s in slots if s.journal_id == p.journal_id
                                      and s.number == p.number}


def test_grade_one_has_its_february_break() -> None:
    mondays = [Slot(1, 1, "j")]
    first = {p.day for p in plan(mondays, _calendar(1), date(2027, 1, 11), date(2027, 3, 21))}
    seventh = {p.day for p in plan(mondays, _calendar(7), date(2027, 1, 11), date(2027, 3, 21))}
    assert date(2027, 2, 8) in seventh and date(2027, 2, 8) not in first
    assert date(2027, 3, 8) not in seventh  # International Women's Day
    assert seventh - first == {date(2027, 2, 8)}
    assert len(seventh) == 9  # 10 Mondays from 11 January to 15 March, less 8 March


def test_a_whole_term_of_a_five_day_week() -> None:
    every_day = [Slot(d, 1, "j") for d in range(1, 6)]
    t1 = plan(every_day, _calendar(7), date(2026, 9, 1), date(2026, 10, 25))
    weekdays = [date(2026, 9, 1) + timedelta(days=i) for i in range(55)]
    expected = [d for d in weekdays if d.isoweekday() <= 5 and d not in HOLIDAYS]
    assert [p.day for p in t1] == expected
    assert not any(p.day.isoweekday() == 6 for p in t1)


def test_saturdays_only_in_a_six_day_week() -> None:
    cal = _calendar(7)
    five = list(school_days(cal, date(2026, 9, 1), date(2026, 9, 30), saturdays=False))
    six = list(school_days(cal, date(2026, 9, 1), date(2026, 9, 30), saturdays=True))
    assert {d.isoweekday() for d in six} - {d.isoweekday() for d in five} == {6}


def test_existing_lessons_are_not_planned_again() -> None:
    slots = [Slot(2, 3, "j", "214")]
    first = plan(slots, _calendar(7), date(2026, 9, 1), date(2026, 9, 30))
    again = plan(slots, _calendar(7), date(2026, 9, 1), date(2026, 9, 30),
                 frozenset((p.journal_id, p.day, p.number) for p in first[:2]))
    assert again == first[2:] and first[0].room == "214"


GROUPS = {"math": Group("c", None, frozenset({"t1"})), "en1": Group("c", frozenset({"a", "b"}), frozenset({"t2"})),
          "en2": Group("c", frozenset({"c", "d"}), frozenset({"t3"})), "en3": Group("c", frozenset({"b"}),
                                                                                   frozenset({"t4"})),
          "other": Group("x", None, frozenset({"t5"}))}


def _slugs(slots: list[Slot]) -> list[str]:
    return [v.slug for v in check_grid("c", slots, GROUPS)]


def test_a_slot_holds_one_class_journal_or_disjoint_groups() -> None:
    assert _slugs([Slot(1, 1, "math"), Slot(1, 2, "math"), Slot(2, 1, "en1"), Slot(2, 1, "en2")]) == []
    assert _slugs([Slot(1, 1, "math"), Slot(1, 1, "en1")]) == ["slot-taken"]
    assert _slugs([Slot(1, 1, "en1"), Slot(1, 1, "en3")]) == ["slot-taken"]
    assert _slugs([Slot(1, 1, "math"), Slot(1, 1, "math")]) == ["slot-taken"]
    assert _slugs([Slot(1, 1, "other")]) == ["journal-not-of-class"]
    assert _slugs([Slot(7, 1, "math"), Slot(1, 13, "math"), Slot(1, 1, "math", "x" * 40)]) == [
        "invalid-value", "invalid-value", "too-long"]


def test_a_teacher_is_in_one_class_at_a_time() -> None:
    busy = {(1, 1): frozenset({"t1"})}
    assert [v.field for v in teacher_clashes([Slot(1, 1, "en1"), Slot(1, 1, "math")], GROUPS, busy)] == [
        "slots[1].journal_id"]
    assert teacher_clashes([Slot(1, 2, "math")], GROUPS, busy) == []


def test_bells() -> None:
    bells, problems = check_bells([(2, "09:25", "10:10"), (1, "08:30", "09:15")])
    assert [b.number for b in bells] == [1, 2] and problems == []
    assert [v.slug for v in check_bells([(1, "08:30", "09:15"), (2, "09:00", "09:45")])[1]] == ["bells-overlap"]
    assert [v.field for v in check_bells([(1, "8:30", "09:15"), (1, "10:00", "09:00"), (13, "11:00", "11:45")])[1]
            ] == ["bells[0]", "bells[1].number", "bells[1]", "bells[2].number"]
