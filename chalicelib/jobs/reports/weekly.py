"""The weekly report to parents: per pupil, the week's marks and feedback, lessons missed and the live standing,
in each guardian's language, as a PDF report and a note (inbox, and e-mail or SMS as the guardian chose).

Reads per class (shared by its pupils): the class's pupils and journals (two Queries), its lessons and works of
the week (one Query of `by_owner`: work titles and maxima), the counters' sheets of its journals for the
current half-year, their close markers and status sheets (BatchGetItems). Per pupil: their entries of the week (one Query of `by_owner`) and their
guardians (one Query, one BatchGetItem).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain import calendar
from chalicelib.domain.assessment import Scheme
from chalicelib.domain.journal import TERMS
from chalicelib.domain.notices import Names
from chalicelib.domain.reports import (
    LANGUAGES, LiveResult, Pupil, Report, SubjectStanding, WeekAbsence, WeekHeading, WeekMark, weekly_message, weekly_report,
)
from chalicelib.jobs.reports.errors import Unavailable
from chalicelib.jobs.reports.notes import Note, send_note
from chalicelib.jobs.reports.publish import publish
from chalicelib.jobs.reports.sources import (
    ClassData, class_data, period_results, said_of, sheets_of, subject_names,
)
from chalicelib.store import notifications, people, reports, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, PersonItem, SchoolItem
from chalicelib.store.packs import school_pack
from chalicelib.store.reports import Spec

__all__ = ["ClassWeek", "term_of_week", "class_week", "pupil_week", "build_weekly", "class_reports"]

_HALF = {"T1": "H1", "T2": "H1", "T3": "H2", "T4": "H2"}


def term_of_week(monday: date, year: int, grade: int) -> str:
    """The term a week belongs to: the term of one of its days, else the last term begun before it."""
    try:
        terms = [p for p in calendar.periods(year, grade) if p.code in TERMS]
    except calendar.CalendarUnknown:
        return "T1"
    for offset in range(7):
        for term in terms:
            if monday + timedelta(days=offset) in term:
                return term.code
    begun = [t.code for t in terms if t.start <= monday]
    return begun[-1] if begun else "T1"


@dataclass(frozen=True, slots=True)
class ClassWeek:
    """What a class's pupils share: the school, the class's journals, its works of the week, the standing."""

    school: SchoolItem
    data: ClassData
    monday: date
    term: str
    works: dict[str, store.Work]
    standing: dict[str, dict[str, LiveResult]]  # pupil -> journal -> result

    @property
    def courses(self) -> dict[str, tuple[Names, int | None]]:
        """Each journal's subject names and FO maximum."""
        return {c.journal.journal_id: (c.names, c.pack.fo_max) for c in self.data.courses}


def class_week(school: SchoolItem, data: ClassData, monday: date) -> ClassWeek:
    klass = data.klass
    term = term_of_week(monday, int(klass.year), int(klass.grade))
    items = store.class_items(klass.class_id, monday, monday + timedelta(days=6))
    half = _HALF[term]
    sheets = sheets_of([c.journal.journal_id for c in data.courses], half)
    by_term = period_results(data, term, sheets, said_of(data.courses, term))
    by_half = period_results(data, half, sheets, said_of(data.courses, half))
    standing: dict[str, dict[str, LiveResult]] = {}
    for course in data.courses:
        source = by_half if course.scheme is Scheme.HALF_YEAR else by_term
        for pupil, result in source.by_journal.get(course.journal.journal_id, {}).items():
            standing.setdefault(pupil, {})[course.journal.journal_id] = result
    return ClassWeek(school, data, monday, term, {i.work_id: i for i in items if isinstance(i, store.Work)},
                     standing)


def _period(week: ClassWeek) -> str:
    """The period the standing table names: the term, or the half-year where every subject is a 1-hour one."""
    return week.term if any(c.scheme is Scheme.TERM for c in week.data.courses) else _HALF[week.term]


def pupil_week(week: ClassWeek, pupil: Pupil) -> tuple[WeekHeading, list[WeekMark], list[WeekAbsence],
                                                       list[SubjectStanding]]:
    """One pupil's week: heading, marks with feedback, absences, standing (one Query of their entries)."""
    courses = week.courses
    marks, absences = [], []
    for entry in store.pupil_entries(pupil.person_id, week.monday, week.monday + timedelta(days=6)):
        journal_id = entry.pk[2:]
        parsed = store.parse_entry_sk(entry.sk)
        if journal_id not in courses or parsed is None:
            continue
        subject, fo_max = courses[journal_id]
        day = date.fromisoformat(store.date_of(entry))
        points = None if entry.points is None else int(entry.points)
        if parsed[1] == "A" and entry.status and entry.status != "present":
            absences.append(WeekAbsence(day, subject, entry.status))
        elif parsed[1] == "F" and (points is not None or entry.feedback):
            marks.append(WeekMark(day, subject, points, fo_max, entry.feedback))
        elif parsed[1] == "R":
            work = week.works.get(parsed[2])
            marks.append(WeekMark(day, subject, points, int(work.max_points) if work else None, entry.feedback,
                                  work.kind if work else "SOR", work.title if work else None))
    own = week.standing.get(pupil.person_id, {})
    standing = [SubjectStanding(courses[j][0], result) for j, result in own.items() if result.mark is not None]
    heading = WeekHeading(f"{pupil.last_name} {pupil.first_name}", week.data.name,
                          Names(week.school.name_kk, week.school.name_ru), week.monday, _period(week))
    return heading, marks, absences, standing


def build_weekly(spec: Spec, now: datetime) -> Report:
    person = people.get_person(spec.student_id or "")
    klass = schools.get_class(person.class_id or "") if person else None
    school = schools.get_school(klass.school_id) if klass else None
    if person is None or klass is None or school is None:
        raise Unavailable("the pupil or their class no longer exists")
    data = class_data(klass, subject_names(school.school_id), school_pack(school.school_id, int(klass.year)))
    week = class_week(school, data, date.fromisoformat(spec.date or ""))
    pupil = next((p for p in data.pupils if p.person_id == person.person_id), Pupil(
        person.person_id, person.last_name, person.first_name, person.middle_name))
    return weekly_report(spec.language, *pupil_week(week, pupil))


def class_reports(school: SchoolItem, klass: ClassItem, monday: date, now: datetime) -> dict[str, int]:
    """Each pupil's weekly report (PDF) of a class in each of their guardians' languages, and a note to each
    guardian (a class at a time: a PDF takes a few tenths of a second)."""
    done = {"reports": 0, "notes": 0}
    data = class_data(klass, subject_names(school.school_id), school_pack(school.school_id, int(klass.year)))
    week = class_week(school, data, monday)
    for pupil in data.pupils:
        guardians = notifications.guardians_of(pupil.person_id)
        if not guardians:
            continue
        parts = pupil_week(week, pupil)
        for language in sorted({_language(g) for g in guardians}):
            spec = Spec("parent_weekly", int(klass.year), "pdf", language, student_id=pupil.person_id,
                        date=monday.isoformat())
            publish(reports.request(spec, now), weekly_report(language, *parts), now)
            done["reports"] += 1
        for guardian in guardians:
            title, body = weekly_message(_language(guardian), *parts)
            note = Note(f"weekly#{pupil.person_id}#{monday}", "weekly_report", title, body, _language(guardian),
                        pupil.person_id)
            done["notes"] += bool(send_note(guardian, note, now))
    return done


def _language(person: PersonItem) -> str:
    return person.language if person.language in LANGUAGES else LANGUAGES[0]
