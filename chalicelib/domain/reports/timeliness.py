"""Journal timeliness of a school (pure): the lessons and works of the day and of the edit window that are not
filled yet, per teacher and per class, the trend of the last 4 weeks, and the reminders they call for.

A planned lesson (the timetable makes them ahead in the journal) is filled when it has a topic and attendance
taken (at least one attendance entry); a summative work dated in the window is filled when every pupil of the
class has a result. `Planned.missing` says what is missing: everything (never filled), the topic, the
attendance, or the results of a work. Gaps count for the lesson's teachers: its substitute if it has one, else
every teacher of the journal. Cancelled lessons are not planned.

Tables: `teachers` and `classes` (planned, each kind of gap, share filled on time), `gaps` (every gap, by day,
lesson number and class), `trend` (the share of lessons with a topic per teacher and week, and the school's).
Chart: the school's weekly share.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.notices import Names
from chalicelib.domain.reports.document import Chart, Column, Kind, Report, Row, Series, Table, percent_of
from chalicelib.domain.reports.words import day_text, word

__all__ = ["GAPS", "Planned", "WeekCount", "TimelinessHeading", "timeliness_report", "gaps_by_teacher",
           "reminder_text", "summary_text", "on_time"]

GAPS = ("unfilled", "no_topic", "no_attendance", "no_results")
_REMINDER_LINES = 20


@dataclass(frozen=True, slots=True)
class Planned:
    """A lesson the timetable planned (or a SOR/SOCH work, `work`), and what the journal holds of it."""

    day: date
    number: int | None
    class_id: str
    class_name: str
    subject: Names
    teacher_ids: tuple[str, ...]
    topic: bool = False
    attendance: bool = False
    work: bool = False
    results: int = 0
    pupils: int = 0

    @property
    def missing(self) -> tuple[str, ...]:
        if self.work:
            return ("no_results",) if self.results < self.pupils else ()
        if not (self.topic or self.attendance):
            return ("unfilled",)
        return tuple(gap for gap, ok in (("no_topic", self.topic), ("no_attendance", self.attendance)) if not ok)

    def sort_key(self) -> tuple[object, ...]:
        """By day; lessons by number, then works."""
        return self.day, self.work, self.number or 0, self.class_name, self.subject.kk


@dataclass(frozen=True, slots=True)
class WeekCount:
    """A teacher's lessons in the week starting `week` (a Monday), and how many of them have a topic."""

    week: date
    teacher_id: str
    lessons: int
    filled: int


@dataclass(frozen=True, slots=True)
class TimelinessHeading:
    school: Names
    day: date
    window_first: date


def on_time(items: Sequence[Planned]) -> int:
    """How many planned lessons and works are filled."""
    return sum(not item.missing for item in items)


def gaps_by_teacher(items: Sequence[Planned]) -> dict[str, list[Planned]]:
    """Each teacher's planned lessons and works with something missing, in day and lesson order."""
    found: dict[str, list[Planned]] = {}
    for item in sorted(items, key=Planned.sort_key):
        if item.missing:
            for teacher in item.teacher_ids:
                found.setdefault(teacher, []).append(item)
    return found


def _counts(items: Sequence[Planned]) -> tuple[object, ...]:
    gaps = [sum(gap in item.missing for item in items) for gap in GAPS]
    return (len(items), *gaps, percent_of(on_time(items), len(items)))


def _group_columns(language: str, first: Column) -> tuple[Column, ...]:
    return (first, Column("planned", word(language, "planned"), Kind.COUNT),
            *(Column(gap, word(language, gap), Kind.COUNT) for gap in GAPS),
            Column("on_time", word(language, "on_time"), Kind.PERCENT))


def _line(language: str, item: Planned) -> str:
    number = f", {item.number}" if item.number else ""
    missing = ", ".join(word(language, gap).lower() for gap in item.missing)
    return f"{day_text(item.day)}{number} — {item.class_name}, {item.subject.in_(language)}: {missing}"


def timeliness_report(language: str, heading: TimelinessHeading, items: Sequence[Planned],
                      teachers: Mapping[str, str], weeks: Sequence[date], trend: Sequence[WeekCount]) -> Report:
    """The report in `language`; `teachers` names the teachers by person id; `weeks` are the trend's Mondays."""
    def by_name(teacher: str) -> object:
        return name_sort_key(teachers.get(teacher, teacher))

    teacher_ids = sorted({t for item in items for t in item.teacher_ids} | {w.teacher_id for w in trend}, key=by_name)
    teacher_rows = [Row((teachers.get(t, t), *_counts([i for i in items if t in i.teacher_ids]))) for t in teacher_ids]
    teacher_rows.append(Row((word(language, "total"), *_counts(items)), total=True))
    class_names = sorted({item.class_name for item in items}, key=name_sort_key)
    class_rows = [Row((name, *_counts([i for i in items if i.class_name == name]))) for name in class_names]
    gap_rows = [Row((item.day, item.number, item.class_name, item.subject.in_(language),
                     ", ".join(teachers.get(t, t) for t in item.teacher_ids),
                     ", ".join(word(language, gap) for gap in item.missing)))
                for item in sorted(items, key=Planned.sort_key) if item.missing]
    tables = (
        Table("teachers", word(language, "teachers"), _group_columns(language, Column("teacher", word(language, "teacher"))),
              tuple(teacher_rows)),
        Table("classes", word(language, "classes"), _group_columns(language, Column("class", word(language, "class"))),
              tuple(class_rows)),
        Table("gaps", word(language, "gaps"), (
            Column("date", word(language, "date"), Kind.DATE), Column("number", word(language, "number"), Kind.COUNT),
            Column("class", word(language, "class")), Column("subject", word(language, "subject")),
            Column("teacher", word(language, "teacher")), Column("missing", word(language, "missing"))),
            tuple(gap_rows)),
        _trend(language, teacher_ids, teachers, weeks, trend),
    )
    lines = (word(language, "school_of", name=heading.school.in_(language)),
             word(language, "day_of", day=day_text(heading.day), first=day_text(heading.window_first),
                  last=day_text(heading.day)))
    school_shares = tuple(_share([w for w in trend if w.week == week]) for week in weeks)
    chart = Chart(word(language, "trend_chart"), tuple(day_text(w)[:5] for w in weeks),
                  (Series(word(language, "total"), tuple(None if s is None else float(s) for s in school_shares)),),
                  lines=True)
    return Report("timeliness", language, word(language, "timeliness"), lines, tables, (chart,), landscape=True)


def _share(counts: Sequence[WeekCount]) -> object:
    return percent_of(sum(c.filled for c in counts), sum(c.lessons for c in counts))


def _trend(language: str, teacher_ids: Sequence[str], teachers: Mapping[str, str], weeks: Sequence[date],
           trend: Sequence[WeekCount]) -> Table:
    columns = (Column("teacher", word(language, "teacher")),
               *(Column(f"week_{w.isoformat()}", word(language, "week", first=day_text(w)), Kind.PERCENT)
                 for w in weeks))
    rows = [Row((teachers.get(t, t), *(_share([c for c in trend if c.teacher_id == t and c.week == w])
                                        for w in weeks))) for t in teacher_ids]
    rows.append(Row((word(language, "total"), *(_share([c for c in trend if c.week == w]) for w in weeks)),
                    total=True))
    return Table("trend", word(language, "trend"), columns, tuple(rows))  # type: ignore[arg-type]


def reminder_text(language: str, teacher_name: str, gaps: Sequence[Planned]) -> tuple[str, str]:
    """The title and body of a reminder to one teacher (at most 20 lines, then "...")."""
    lines = [_line(language, item) for item in gaps[:_REMINDER_LINES]]
    if len(gaps) > _REMINDER_LINES:
        lines.append("…")
    body = "\n".join([word(language, "reminder_body", name=teacher_name), *(f"• {line}" for line in lines)])
    return word(language, "reminder_title", n=len(gaps)), body


def summary_text(language: str, day: date, items: Sequence[Planned]) -> tuple[str, str]:
    """The title and body of the note telling a school_admin the day's report is ready."""
    gaps = sum(len(item.missing) for item in items)
    return (word(language, "report_title", day=day_text(day)),
            word(language, "report_body", day=day_text(day), gaps=gaps, planned=len(items), on_time=on_time(items)))
