"""The timetable: a class's weekly grid (weekday x lesson number -> journal, room), the school's bells, and the
planned lessons a grid gives for a span of days (assessment-rules.md §9: no lesson on a holiday or in a break).

Pure: callers load the grid, the journals it names (their class, group and teachers), the school's calendar for
the class's grade and what is already planned, and ask.

Decisions:
- Weekdays are 1 (Monday) .. 6 (Saturday); a grid with Saturday slots is a six-day week. Sunday has no slots.
- One slot holds one journal of the whole class, or several subgroup journals whose pupils do not overlap (two
  language groups at the same hour). A teacher teaches one slot at a time across the school's classes.
- Generating is additive and repeatable: a slot whose lesson exists already (by journal, date and number, made
  by hand or generated before) is left as it is; nothing is removed when the grid changes.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from chalicelib.domain.journal import MAX_LESSON_NUMBER, SchoolCalendar, Violation

__all__ = ["SATURDAY", "MAX_ROOM", "Slot", "Bell", "Group", "Planned", "check_grid", "check_bells", "parse_time",
           "school_days", "plan", "teacher_clashes"]

SATURDAY = 6
MAX_ROOM = 32
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@dataclass(frozen=True, slots=True)
class Slot:
    """One cell of the weekly grid."""

    weekday: int  # 1 = Monday .. 6 = Saturday
    number: int
    journal_id: str
    room: str | None = None


@dataclass(frozen=True, slots=True)
class Bell:
    """When lesson `number` starts and ends."""

    number: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Group:
    """What a slot check needs of a journal: its class, its pupils (None: the whole class), its teachers."""

    class_id: str
    pupils: frozenset[str] | None
    teachers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Planned:
    """A lesson the grid plans: journal, date, number, room."""

    journal_id: str
    day: date
    number: int
    room: str | None


def parse_time(text: str) -> time | None:
    """`HH:MM` (24 h) as a time, None if it is not one."""
    return time.fromisoformat(text) if _TIME.fullmatch(text) else None


def check_grid(class_id: str, slots: Sequence[Slot], journals: Mapping[str, Group]) -> list[Violation]:
    """A class's grid: valid cells, journals of this class, no two lessons for the same pupils at one time."""
    out: list[Violation] = []
    taken: dict[tuple[int, int], list[tuple[int, Group | None, str]]] = {}
    for i, slot in enumerate(slots):
        where = f"slots[{i}]"
        if not 1 <= slot.weekday <= SATURDAY:
            out.append(Violation("invalid-value", f"{where}.weekday", "1 (Monday) .. 6 (Saturday)"))
        if not 1 <= slot.number <= MAX_LESSON_NUMBER:
            out.append(Violation("invalid-value", f"{where}.number", f"a lesson number 1..{MAX_LESSON_NUMBER}"))
        if slot.room is not None and len(slot.room) > MAX_ROOM:
            out.append(Violation("too-long", f"{where}.room", f"at most {MAX_ROOM} characters"))
        group = journals.get(slot.journal_id)
        if group is None or group.class_id != class_id:
            out.append(Violation("journal-not-of-class", f"{where}.journal_id", "not a journal of this class"))
        for j, other, journal_id in taken.get((slot.weekday, slot.number), []):
            if journal_id == slot.journal_id or _overlap(group, other):
                out.append(Violation("slot-taken", where,
                                     f"slots[{j}] already holds these pupils on weekday {slot.weekday}, "
                                     f"lesson {slot.number}"))
                break
        taken.setdefault((slot.weekday, slot.number), []).append((i, group, slot.journal_id))
    return out


def _overlap(a: Group | None, b: Group | None) -> bool:
    if a is None or b is None:
        return False
    if a.pupils is None or b.pupils is None:
        return True
    return bool(a.pupils & b.pupils)


def teacher_clashes(slots: Sequence[Slot], journals: Mapping[str, Group],
                    elsewhere: Mapping[tuple[int, int], frozenset[str]]) -> list[Violation]:
    """Slots whose teacher already teaches another class at that time (`elsewhere`: (weekday, number) ->
    the teachers busy then in the school's other classes)."""
    out = []
    for i, slot in enumerate(slots):
        group = journals.get(slot.journal_id)
        busy = elsewhere.get((slot.weekday, slot.number), frozenset())
        if group is not None and group.teachers & busy:
            out.append(Violation("teacher-busy", f"slots[{i}].journal_id",
                                 f"its teacher teaches another class on weekday {slot.weekday}, "
                                 f"lesson {slot.number}"))
    return out


def check_bells(bells: Sequence[tuple[int, str, str]]) -> tuple[list[Bell], list[Violation]]:
    """A school's bells as (number, "HH:MM", "HH:MM"): unique numbers, each lesson ending after it starts and
    before the next one starts."""
    out: list[Violation] = []
    parsed: list[Bell] = []
    seen: set[int] = set()
    for i, (number, start_text, end_text) in enumerate(bells):
        start, end = parse_time(start_text), parse_time(end_text)
        if not 1 <= number <= MAX_LESSON_NUMBER or number in seen:
            out.append(Violation("invalid-value", f"bells[{i}].number",
                                 f"a lesson number 1..{MAX_LESSON_NUMBER}, once each"))
        seen.add(number)
        if start is None or end is None:
            out.append(Violation("invalid-value", f"bells[{i}]", "start and end are times HH:MM"))
        elif start >= end:
            out.append(Violation("invalid-value", f"bells[{i}]", "ends after it starts"))
        else:
            parsed.append(Bell(number, start, end))
    ordered = sorted(parsed, key=lambda b: b.number)
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            out.append(Violation("bells-overlap", "bells", f"lesson {after.number} starts before lesson "
                                                           f"{before.number} ends"))
    return ordered, out


def school_days(calendar: SchoolCalendar, start: date, end: date, *, saturdays: bool) -> Iterator[date]:
    """The days start..end on which lessons take place: in a term, not in a break, not a holiday, not Sunday
    (nor Saturday unless the school teaches then)."""
    day = start
    while day <= end:
        if calendar.day_refused(day, "date") is None and (saturdays or day.isoweekday() != SATURDAY):
            yield day
        day += timedelta(days=1)


def plan(slots: Sequence[Slot], calendar: SchoolCalendar, start: date, end: date,
         existing: frozenset[tuple[str, date, int]] = frozenset()) -> list[Planned]:
    """The lessons the grid gives start..end, in date and number order, leaving out those in `existing`
    ((journal, date, number) already planned)."""
    by_weekday: dict[int, list[Slot]] = {}
    for slot in slots:
        by_weekday.setdefault(slot.weekday, []).append(slot)
    saturdays = SATURDAY in by_weekday
    out = []
    for day in school_days(calendar, start, end, saturdays=saturdays):
        for slot in sorted(by_weekday.get(day.isoweekday(), []), key=lambda s: (s.number, s.journal_id)):
            if (slot.journal_id, day, slot.number) not in existing:
                out.append(Planned(slot.journal_id, day, slot.number, slot.room))
    return out
