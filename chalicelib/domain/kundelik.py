"""The Kundelik / Dnevnik.ru API v2 view of the journal (kundelik-v2.md): date forms, ids and shapes.

Pure: the API layer turns store items into the facts below and asks for the v2 shapes.

Decisions:
- Ids are our ids as integers, each with its `_str` twin. What v2 shows as an object but we do not keep as one
  gets an id derived from what it stands for (`derived_id`): a mark (the entry's kind, lesson or work, pupil),
  a lesson's formative work and its homework (the lesson), a reporting period (the class and period code).
  The same object always gets the same id.
- A mark has a value: formative entries and results without points (feedback only) are not marks.
- A lesson's homework is a Work of type "Homework" with the lesson's date as `targetDate` (we keep no due date).
- A SOR/SOCH result's `lesson` is the journal's first lesson on the work's date, else null.
- Dates are given as v2 clients read them: local time (UTC+5) without an offset, `2026-09-01T00:00:00`.
- A person's user id is their person id: one account per person.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain.dates import KZ_TZ
from chalicelib.domain.ids import MAX_ID

__all__ = [
    "BadDate", "PERSON_DAYS", "GROUP_DAYS", "ATTENDANCE", "ATTENDANCE_STATUSES", "MARK_VALUES", "ROLES",
    "Subject", "Lesson", "Work", "Entry", "Person", "Group", "Period", "FinalMark",
    "parse_day", "day_range", "derived_id", "twin", "day_text", "moment_text", "short_name", "locale_of",
    "subject_shape", "person_shape", "group_shape", "period_shapes", "formative_work", "homework_work",
    "summative_work", "lesson_on", "mark_of", "marks_of", "log_entry", "lesson_shape", "lesson_brief",
    "days_between", "terms_within", "final_mark",
]

PERSON_DAYS = 366  # one pupil's range: a school year is one or two Query pages
GROUP_DAYS = 92    # a whole class's range: each journal's terms of it, one Query per journal
ATTENDANCE = {"present": "Attend", "absent": "Absent", "ill": "Ill", "late": "Late", "excused": "Pass"}
ATTENDANCE_STATUSES = ("Attend", "Absent", "Ill", "Late", "Pass")
FORMATIVE_MARK, POINTS_MARK = "mark10", "points"
MARK_VALUES = ({"type": FORMATIVE_MARK, "values": [str(n) for n in range(1, 11)]},
               {"type": POINTS_MARK, "values": [str(n) for n in range(0, 101)]})
WORK_TYPES = {"Formative": 1, "SOR": 2, "SOCH": 3, "Homework": 4}
ROLES = {"student": "EduStudent", "parent": "EduParent", "teacher": "EduTeacher",
         "school_admin": "EduAdministrator", "region_admin": "EduRegionAdministrator",
         "ministry": "EduMinistryAdministrator"}
_PERIOD_KINDS = {"T": "Quarter", "H": "HalfYear", "Y": "Year"}
_PERIOD_NAMES = {"kk": {"T": "{n}-тоқсан", "H": "{n}-жартыжылдық", "Y": "Оқу жылы"},
                 "ru": {"T": "{n} четверть", "H": "{n} полугодие", "Y": "Учебный год"}}
_DAY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.[0-9]{1,7})?)?")
_BANDS = ((65, "Good"), (40, "Average"))  # percent of the maximum -> mood (marks 4-5, 3); below: "Bad"


class BadDate(ValueError):
    """A date in none of the v2 forms, or a range that is reversed or too long."""


@dataclass(frozen=True, slots=True)
class Subject:
    subject_id: str
    name: str  # in the class's language
    code: str


@dataclass(frozen=True, slots=True)
class Lesson:
    lesson_id: str
    journal_id: str
    class_id: str
    subject_id: str
    day: date
    number: int
    term: str
    topic: str | None = None
    homework: str | None = None


@dataclass(frozen=True, slots=True)
class Work:
    """A SOR or SOCH."""

    work_id: str
    journal_id: str
    class_id: str
    subject_id: str
    day: date
    kind: str
    period: str
    title: str
    max_points: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A pupil's entry: attendance ("A"), formative ("F") or a result ("R") of lesson or work `target_id`."""

    kind: str
    target_id: str
    pupil_id: str
    day: date
    points: int | None = None
    status: str | None = None
    comment: str | None = None
    at: str | None = None  # RFC 3339, when it was last written


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    last_name: str
    first_name: str
    middle_name: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A class."""

    class_id: str
    grade: int
    letter: str
    year: int


@dataclass(frozen=True, slots=True)
class Period:
    code: str  # T1..T4, H1, H2, Y
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class FinalMark:
    """A closed period's mark of a pupil in a subject: 2..5, pass, fail, exempt or not_assessed."""

    pupil_id: str
    class_id: str
    subject_id: str
    period: str  # T1..T4, H1, H2, Y
    mark: str
    closed_at: str | None = None  # RFC 3339


def parse_day(text: str) -> date:
    """The day of `2026-09-01`, `2026-09-01T00:00:00[.ffffff]` or `2026-09-01 00:00:00[.ffffff]`."""
    found = _DAY.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise BadDate(f"expected a date such as 2026-09-01 or 2026-09-01T00:00:00, got {text!r}"[:120])
    try:
        day = date.fromisoformat(found[1])
        if found[2]:
            datetime.fromisoformat(f"{found[1]}T{found[2]}")
    except ValueError:
        raise BadDate(f"no such date: {text!r}"[:120]) from None
    return day


def day_range(start: str, end: str, max_days: int) -> tuple[date, date]:
    """The days `start`..`end`, both whole days included, at most `max_days` of them."""
    first, last = parse_day(start), parse_day(end)
    if last < first:
        raise BadDate("the end of the range is before its start")
    if (last - first).days >= max_days:
        raise BadDate(f"a range covers at most {max_days} days")
    return first, last


def derived_id(*parts: str) -> str:
    """A stable positive 63-bit id for an object we show but do not keep as such."""
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=8).digest()
    return str(int.from_bytes(digest, "big") & MAX_ID or 1)


def twin(name: str, value: str | None) -> dict[str, Any]:
    """`{name: 123, name_str: "123"}` (both null when there is no id)."""
    return {name: int(value) if value else None, f"{name}_str": value or None}


def day_text(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def moment_text(rfc3339: str | None) -> str | None:
    """An RFC 3339 timestamp as local time (UTC+5) without the offset."""
    if not rfc3339:
        return None
    return datetime.fromisoformat(rfc3339).astimezone(KZ_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def short_name(last: str, first: str, middle: str | None) -> str:
    """Сейтқали Н.Е."""
    return f"{last} {first[:1]}." + (f"{middle[:1]}." if middle else "")


def locale_of(language: str) -> str:
    return "kk-KZ" if language == "kk" else "ru-RU"


def subject_shape(subject: Subject) -> dict[str, Any]:
    return {**twin("id", subject.subject_id), "name": subject.name, "knowledgeArea": subject.code}


def person_shape(person: Person) -> dict[str, Any]:
    return {**twin("id", person.person_id), **twin("userId", person.person_id), "firstName": person.first_name,
            "lastName": person.last_name, "middleName": person.middle_name,
            "shortName": short_name(person.last_name, person.first_name, person.middle_name), "sex": None}


def group_shape(group: Group, subjects: Sequence[Subject]) -> dict[str, Any]:
    name = f"{group.grade}{group.letter}"
    return {**twin("id", group.class_id), "type": "Group", "name": name,
            "fullName": f"{name} ({group.year}-{group.year + 1})", "parallel": group.grade,
            "studyyear": group.year, "subjects": [subject_shape(s) for s in subjects], "journalType": "Criteria"}


def _period_kind(code: str) -> tuple[str, int]:
    return _PERIOD_KINDS[code[0]], int(code[1:] or 1)


def period_shapes(class_id: str, year: int, periods: Iterable[Period], language: str) -> list[dict[str, Any]]:
    """A class's reporting periods: terms, half-years, the year."""
    shown = []
    for period in sorted(periods, key=lambda p: ("THY".index(p.code[0]), p.code)):
        kind, number = _period_kind(period.code)
        shown.append({**twin("id", derived_id("period", class_id, period.code)), "start": day_text(period.start),
                      "finish": day_text(period.end), "number": number, "type": kind,
                      "name": _PERIOD_NAMES[language if language == "kk" else "ru"][period.code[0]].format(n=number),
                      "year": year})
    return shown


def _work(work_id: str, kind: str, mark_type: str | None, lesson_id: str | None, class_id: str, text: str,
          period: str, subject_id: str, day: date) -> dict[str, Any]:
    period_type, number = _period_kind(period)
    return {**twin("id", work_id), "type": kind, "workType": WORK_TYPES[kind], "markType": mark_type,
            "markCount": 1 if mark_type else 0, **twin("lesson", lesson_id), "displayInJournal": mark_type is not None,
            "status": "Sent", **twin("eduGroup", class_id), "text": text, "periodNumber": number,
            "periodType": period_type, **twin("subjectId", subject_id), "targetDate": day_text(day)}


def formative_work(lesson: Lesson) -> dict[str, Any]:
    """The work every formative entry of the lesson is a mark of."""
    return _work(derived_id("formative", lesson.lesson_id), "Formative", FORMATIVE_MARK, lesson.lesson_id,
                 lesson.class_id, lesson.topic or "", lesson.term, lesson.subject_id, lesson.day)


def homework_work(lesson: Lesson) -> dict[str, Any] | None:
    if not lesson.homework:
        return None
    return _work(derived_id("homework", lesson.lesson_id), "Homework", None, lesson.lesson_id, lesson.class_id,
                 lesson.homework, lesson.term, lesson.subject_id, lesson.day)


def summative_work(work: Work, lesson_id: str | None) -> dict[str, Any]:
    return _work(work.work_id, work.kind, POINTS_MARK, lesson_id, work.class_id, work.title, work.period,
                 work.subject_id, work.day)


def lesson_on(lessons: Iterable[Lesson], journal_id: str, day: date) -> Lesson | None:
    """The journal's first lesson of the day, if it has one."""
    return min((x for x in lessons if x.journal_id == journal_id and x.day == day), key=lambda x: x.number,
               default=None)


def _mood(points: int, maximum: int) -> str:
    percent = 100 * points / maximum
    return next((mood for floor, mood in _BANDS if percent >= floor), "Bad")


def mark_of(entry: Entry, lessons: Mapping[str, Lesson], works: Mapping[str, Work]) -> dict[str, Any] | None:
    """The v2 Mark of a formative entry or result with points; None for anything else."""
    if entry.points is None or entry.kind not in ("F", "R"):
        return None
    if entry.kind == "F":
        lesson = lessons.get(entry.target_id)
        if lesson is None:
            return None
        work_id, kind, mark_type, maximum = derived_id("formative", lesson.lesson_id), "Formative", FORMATIVE_MARK, 10
        lesson_id = lesson.lesson_id
    else:
        work = works.get(entry.target_id)
        if work is None:
            return None
        found = lesson_on(lessons.values(), work.journal_id, work.day)
        work_id, kind, mark_type, maximum = work.work_id, work.kind, POINTS_MARK, work.max_points
        lesson_id = found.lesson_id if found else None
    value = str(entry.points)
    return {**twin("id", derived_id("mark", entry.kind, entry.target_id, entry.pupil_id)), "type": mark_type,
            "value": value, "textValue": value, **twin("person", entry.pupil_id), **twin("work", work_id),
            **twin("lesson", lesson_id), "number": 0, "date": day_text(entry.day), "workType": WORK_TYPES[kind],
            "mood": _mood(entry.points, maximum), "use_avg_calc": True}


def marks_of(entries: Iterable[Entry], lessons: Mapping[str, Lesson], works: Mapping[str, Work]
             ) -> list[dict[str, Any]]:
    """The marks among `entries`, by date, then lesson or work, then pupil."""
    shown = [(e, m) for e in entries if (m := mark_of(e, lessons, works)) is not None]
    shown.sort(key=lambda pair: (pair[0].day, pair[0].target_id, pair[0].pupil_id))
    return [m for _, m in shown]


def log_entry(entry: Entry) -> dict[str, Any]:
    """An attendance entry as a LessonLogEntry."""
    return {**twin("person", entry.pupil_id), **twin("lesson", entry.target_id), "comment": entry.comment,
            "status": ATTENDANCE.get(entry.status or "", "Attend"), "createdDate": moment_text(entry.at)}


def lesson_shape(lesson: Lesson, subject: Subject | None, works: Sequence[dict[str, Any]],
                 teacher_ids: Sequence[str]) -> dict[str, Any]:
    """`lessons/{id}`: the lesson with its works as objects."""
    return {**twin("id", lesson.lesson_id), "title": lesson.topic or "", "date": day_text(lesson.day),
            "number": lesson.number,
            "subject": {**twin("id", lesson.subject_id), "name": subject.name if subject else None},
            **twin("group", lesson.class_id), "works": list(works), "teachers": [int(t) for t in teacher_ids]}


def lesson_brief(lesson: Lesson, work_ids: Sequence[str], teacher_ids: Sequence[str]) -> dict[str, Any]:
    """A lesson in a schedule or a homework list: its works by id."""
    return {**twin("id", lesson.lesson_id), "title": lesson.topic or "", "date": day_text(lesson.day),
            "number": lesson.number, **twin("subjectId", lesson.subject_id), "hours": None,
            "works": [int(w) for w in work_ids], "teachers": [int(t) for t in teacher_ids]}


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def final_mark(final: FinalMark) -> dict[str, Any]:
    """A final mark, with the id of its period as `edu-groups/{g}/reporting-periods` shows it."""
    kind, number = _period_kind(final.period)
    return {**twin("id", derived_id("final", final.pupil_id, final.subject_id, final.period)), "type": "final",
            "value": final.mark, "textValue": final.mark, **twin("person", final.pupil_id),
            **twin("subjectId", final.subject_id),
            **twin("reportingPeriod", derived_id("period", final.class_id, final.period)), "periodType": kind,
            "periodNumber": number, "date": moment_text(final.closed_at)}


def terms_within(periods: Mapping[str, tuple[date, date]], first: date, last: date) -> tuple[str, ...]:
    """The terms (T1..T4) of a calendar that share a day with `first`..`last`, in order."""
    return tuple(code for code in ("T1", "T2", "T3", "T4")
                 if code in periods and periods[code][0] <= last and first <= periods[code][1])
