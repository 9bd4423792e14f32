"""Journal timeliness of a school for a day: the report, the reminders to teachers, the note to the school's
admins, and the check the region reports read.

Reads, for a school and day D with an edit window of W days (the school's setting, 7 by default):
- the school (GetItem), its settings (GetItem), its classes (Query), its people (Query of the school's people:
  teachers' and admins' names, languages, addresses);
- per class: its journals (Query) and its lessons and works dated D-W..D (one Query of the journal's
  `by_owner` index: the timetable's planned lessons are journal lessons, with their substitute and
  cancellation, chalicelib/store/timetable.py); the pupils (Query) only of classes with a work in the window;
- the counters' ledgers of those lessons and works (BatchGetItem, 100 at a time): attendance taken, results in;
- per teacher: their days of the last 4 weeks (one Query of the counters' teacher partition).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain.dates import school_year_of, to_rfc3339
from chalicelib.domain.journal import DEFAULT_EDIT_WINDOW_DAYS
from chalicelib.domain.notices import Names
from chalicelib.domain.reports import (
    Planned, Punctuality, Report, TimelinessHeading, WeekCount, gaps_by_teacher, on_time, reminder_text,
    summary_text, timeliness_report, week_of,
)
from chalicelib.jobs.reports.errors import Unavailable
from chalicelib.jobs.reports.notes import Note, send_note
from chalicelib.jobs.reports.sources import ledgers_of, school_classes, subject_names
from chalicelib.store import counters, people, reports, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import PersonItem, SchoolItem
from chalicelib.store.reports import Spec

__all__ = ["TREND_WEEKS", "Check", "check", "timeliness_of", "build_timeliness", "tell", "keep_check"]

TREND_WEEKS = 4


@dataclass(frozen=True, slots=True)
class Check:
    """A school's day: the planned lessons and works of the window, its staff, the trend's weeks and counts."""

    school: SchoolItem
    day: date
    window_first: date
    items: list[Planned]
    staff: dict[str, PersonItem]
    weeks: list[date]
    trend: list[WeekCount]

    def names(self) -> dict[str, str]:
        return {pid: people.display_name(p) for pid, p in self.staff.items()}


def _window(school_id: str) -> int:
    settings = schools.get_settings(school_id)
    if settings is None or settings.unlimited or settings.edit_window_days is None:
        return DEFAULT_EDIT_WINDOW_DAYS
    return int(settings.edit_window_days)


def _attendance_taken(ledger: counters.LedgerItem | None) -> bool:
    return ledger is not None and any(len(raw) == 2 for raw in (ledger.entries or {}).get("A", {}).values())


def _results(ledger: counters.LedgerItem | None) -> int:
    if ledger is None:
        return 0
    return sum(len(raw) == 2 and raw[1] is not None for raw in (ledger.entries or {}).get("R", {}).values())


def check(school: SchoolItem, day: date) -> Check:
    """Read what the day's timeliness report needs."""
    first = day - timedelta(days=_window(school.school_id))
    subjects = subject_names(school.school_id)
    found: list[tuple[str, str, list[store.Lesson | store.Work], dict[str, tuple[Names, tuple[str, ...]]]]] = []
    for klass in school_classes(school.school_id, school_year_of(day)):
        journals = {j.journal_id: (Names(subjects[j.subject_id].name_kk, subjects[j.subject_id].name_ru),
                                   tuple(j.teacher_ids))
                    for j in schools.journals_of_class(klass.class_id) if j.subject_id in subjects}
        items = [i for i in store.class_items(klass.class_id, first, day) if i.pk[2:] in journals]
        found.append((klass.class_id, f"{int(klass.grade)}{klass.letter}", items, journals))
    ledgers = ledgers_of([item for _, _, items, _ in found for item in items])
    planned: list[Planned] = []
    for class_id, class_name, items, journals in found:
        for lesson in (i for i in items if isinstance(i, store.Lesson) and not i.cancelled):
            subject, teachers = journals[lesson.pk[2:]]
            planned.append(Planned(date.fromisoformat(store.date_of(lesson)), int(lesson.number), class_id,
                                   class_name, subject, (lesson.substitute,) if lesson.substitute else teachers,
                                   topic=bool(lesson.topic),
                                   attendance=_attendance_taken(ledgers.get(lesson.lesson_id))))
        works = [i for i in items if isinstance(i, store.Work)]
        size = len(people.pupils_of_class(class_id)) if works else 0
        for work in works:
            subject, teachers = journals[work.pk[2:]]
            planned.append(Planned(date.fromisoformat(store.date_of(work)), None, class_id, class_name, subject,
                                   teachers, work=True, results=_results(ledgers.get(work.work_id)), pupils=size))
    staff = {p.person_id: p for p in people.people_of_school(school.school_id)
             if p.role in ("teacher", "school_admin")}
    teachers = sorted({t for _, _, _, journals in found for _, ts in journals.values() for t in ts})
    weeks = [week_of(day) - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    return Check(school, day, first, planned, staff, weeks, _trend(school.school_id, teachers, weeks, day))


def _trend(school_id: str, teachers: Sequence[str], weeks: Sequence[date], day: date) -> list[WeekCount]:
    counts = []
    for teacher in teachers:
        days = counters.teacher_days(school_id, teacher, weeks[0].isoformat(), day.isoformat())
        for week in weeks:
            inside = [a for d, a in days.items() if week <= date.fromisoformat(d) < week + timedelta(days=7)]
            lessons = sum(a.get("lessons", 0) for a in inside)
            if lessons:
                counts.append(WeekCount(week, teacher, lessons, sum(a.get("topics", 0) for a in inside)))
    return counts


def timeliness_of(found: Check, language: str) -> Report:
    heading = TimelinessHeading(Names(found.school.name_kk, found.school.name_ru), found.day, found.window_first)
    return timeliness_report(language, heading, found.items, found.names(), found.weeks, found.trend)


def build_timeliness(spec: Spec, now: datetime) -> Report:
    school = schools.get_school(spec.school_id or "")
    if school is None:
        raise Unavailable("the school no longer exists")
    return timeliness_of(check(school, date.fromisoformat(spec.date or "")), spec.language)


def tell(found: Check, now: datetime) -> int:
    """Remind each teacher with a gap and tell the school's admins, each once a day; how many were told."""
    told = 0
    for teacher_id, gaps in sorted(gaps_by_teacher(found.items).items()):
        teacher = found.staff.get(teacher_id)
        if teacher is None:
            continue
        title, body = reminder_text(teacher.language, people.display_name(teacher), gaps)
        told += bool(send_note(teacher, Note(f"timeliness#{found.day}", "timeliness_reminder", title, body,
                                             teacher.language), now))
    for admin in (p for p in found.staff.values() if p.role == "school_admin"):
        title, body = summary_text(admin.language, found.day, found.items)
        told += bool(send_note(admin, Note(f"timeliness-report#{found.school.school_id}#{found.day}",
                                           "timeliness_report", title, body, admin.language), now))
    return told


def keep_check(found: Check, now: datetime) -> None:
    """Keep the day's figures as the school's last timeliness check, for the region reports."""
    school = found.school
    figures = Punctuality(found.day, len(found.items), on_time(found.items)).as_json()
    reports.put_punctuality(school.region, school.school_id, (school.name_kk, school.name_ru), figures,
                            to_rfc3339(now))
