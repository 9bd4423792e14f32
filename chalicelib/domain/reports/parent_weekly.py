"""The weekly report to a pupil's parents (pure): the week's marks with the teachers' feedback, the lessons
missed, and the live standing in every subject; as a report (PDF) and as a message (inbox, e-mail, SMS).

Written in the guardian's language. The week runs Monday to Sunday; entries are dated by their lesson or work.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.notices import Names
from chalicelib.domain.reports.document import Column, Kind, Report, Row, Table
from chalicelib.domain.reports.figures import LiveResult
from chalicelib.domain.reports.words import day_text, mark_text, period_name, status_text, word

__all__ = ["WeekMark", "WeekAbsence", "SubjectStanding", "WeekHeading", "week_of", "weekly_report",
           "weekly_message"]


@dataclass(frozen=True, slots=True)
class WeekMark:
    """A formative entry (`work_kind` None) or a SOR/SOCH result of the week, with the teacher's feedback."""

    day: date
    subject: Names
    points: int | None
    max_points: int | None
    feedback: str | None
    work_kind: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class WeekAbsence:
    day: date
    subject: Names
    status: str  # absent, excused, ill, late


@dataclass(frozen=True, slots=True)
class SubjectStanding:
    subject: Names
    result: LiveResult


@dataclass(frozen=True, slots=True)
class WeekHeading:
    pupil: str
    class_name: str
    school: Names
    monday: date
    period: str


def week_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def _what(language: str, mark: WeekMark) -> str:
    if mark.work_kind is None:
        return word(language, "formative")
    return f"{word(language, mark.work_kind)} «{mark.title}»" if mark.title else word(language, mark.work_kind)


def _points(mark: WeekMark) -> str:
    if mark.points is None:
        return ""
    return f"{mark.points} / {mark.max_points}" if mark.max_points else str(mark.points)


def _by_day(items: Sequence[WeekMark | WeekAbsence], language: str) -> list[WeekMark | WeekAbsence]:
    return sorted(items, key=lambda i: (i.day, name_sort_key(i.subject.in_(language))))


def weekly_report(language: str, heading: WeekHeading, marks: Sequence[WeekMark], absences: Sequence[WeekAbsence],
                  standing: Sequence[SubjectStanding]) -> Report:
    sunday = heading.monday + timedelta(days=6)
    lines = (word(language, "pupil_of", name=heading.pupil), word(language, "class_of", name=heading.class_name),
             word(language, "school_of", name=heading.school.in_(language)),
             word(language, "week_of", first=day_text(heading.monday), last=day_text(sunday)))
    mark_rows = [Row((m.day, m.subject.in_(language), _what(language, m), _points(m), m.feedback or ""))
                 for m in _by_day(marks, language)]  # type: ignore[union-attr]
    absence_rows = [Row((a.day, a.subject.in_(language), status_text(language, a.status)))
                    for a in _by_day(absences, language)]  # type: ignore[union-attr]
    standing_rows = [Row((s.subject.in_(language), s.result.percent, s.result.mark,
                          word(language, "yes" if s.result.provisional else "no")))
                     for s in sorted(standing, key=lambda s: name_sort_key(s.subject.in_(language)))]
    tables = (
        Table("marks", word(language, "marks"), (
            Column("date", word(language, "date"), Kind.DATE), Column("subject", word(language, "subject")),
            Column("what", word(language, "what")), Column("points", word(language, "points")),
            Column("feedback", word(language, "feedback"))), tuple(mark_rows)),
        Table("absences", word(language, "absences"), (
            Column("date", word(language, "date"), Kind.DATE), Column("subject", word(language, "subject")),
            Column("status", word(language, "status"))), tuple(absence_rows)),
        Table("standing", f'{word(language, "standing")}: {period_name(language, heading.period)}', (
            Column("subject", word(language, "subject")), Column("percent", word(language, "percent"), Kind.PERCENT),
            Column("mark", word(language, "mark"), Kind.MARK),
            Column("provisional", word(language, "provisional"))), tuple(standing_rows)),
    )
    return Report("parent_weekly", language, word(language, "parent_weekly"), lines, tables)


def weekly_message(language: str, heading: WeekHeading, marks: Sequence[WeekMark], absences: Sequence[WeekAbsence],
                   standing: Sequence[SubjectStanding]) -> tuple[str, str]:
    """The title and text of the week's message to a guardian."""
    sunday = heading.monday + timedelta(days=6)
    title = word(language, "weekly_title", name=heading.pupil, first=day_text(heading.monday)[:5],
                 last=day_text(sunday)[:5])
    lines = [word(language, "weekly_marks", n=len(marks))]
    for m in _by_day(marks, language):
        points = _points(m)  # type: ignore[arg-type]
        lines.append(f"• {day_text(m.day)[:5]} {m.subject.in_(language)}, {_what(language, m)}"  # type: ignore[arg-type]
                     + (f": {points}" if points else ""))
    missed = [a for a in absences if a.status != "late"]
    lines.append(word(language, "weekly_absences", n=len(missed)))
    lines.append(word(language, "weekly_standing"))
    for s in sorted(standing, key=lambda s: name_sort_key(s.subject.in_(language))):
        if s.result.mark is not None:
            lines.append(f"• {s.subject.in_(language)}: {mark_text(language, s.result.mark)}")
    lines.append(word(language, "weekly_pdf"))
    return title, "\n".join(lines)
