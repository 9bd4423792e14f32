"""What the report jobs read from the rest of the service, in one place (and only here).

- the directory: a school's classes and subjects, a class's pupils and journals, people's names and languages;
- the counters (stream-maintained, chalicelib/store/counters.py): each journal's sheet per term (every pupil's
  FO, SOR and SOCH sums and attendance by status), lesson and work ledgers, teachers' days;
- the journal's `by_owner` index: a class's lessons and works of a few days, a pupil's entries of a week.
No report scans a journal partition.

Two reads stand in for stores being built beside this one, each the only function to change when they land:
`period_results` computes the live standing from the counters (the final marks of closed periods,
chalicelib/store/marks.py, are not read yet), and `planned_slots` takes the lessons the journal holds as the
timetable's plan (chalicelib/store/timetable.py `planned_lessons(class_id, from, to)`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.assessment import RulePack, Scheme, annual_mark, pack_for, scheme_for
from chalicelib.domain.journal import TERMS, terms_of
from chalicelib.domain.notices import Names
from chalicelib.domain.reports import LiveResult, Pupil, live_result
from chalicelib.domain.tally import ATTENDANCE, PUPIL_FIELDS
from chalicelib.store import counters, people, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SubjectItem

__all__ = [
    "Course", "ClassData", "Results", "Slot", "subject_names", "school_classes", "class_data", "sheets_of",
    "period_results", "pupil_of", "planned_slots", "ledgers_of", "term_of",
]

_HALVES = {"H1": ("T1", "T2"), "H2": ("T3", "T4")}


@dataclass(frozen=True, slots=True)
class Course:
    """A journal of a class, its subject, and how its marks are made."""

    journal: JournalItem
    subject: SubjectItem
    pack: RulePack
    scheme: Scheme

    @property
    def names(self) -> Names:
        return Names(self.subject.name_kk, self.subject.name_ru)


@dataclass(frozen=True, slots=True)
class ClassData:
    klass: ClassItem
    pupils: list[Pupil]
    courses: list[Course]

    @property
    def name(self) -> str:
        return f"{int(self.klass.grade)}{self.klass.letter}"


@dataclass(frozen=True, slots=True)
class Results:
    """A class's standing in a period: per journal each pupil's result, lessons missed by pupil and status, the
    newest counted change, and whether every result is final."""

    by_journal: dict[str, dict[str, LiveResult]]
    absences: dict[str, dict[str, int]]
    as_of: str | None
    final: bool


def pupil_of(person: PersonItem) -> Pupil:
    return Pupil(person.person_id, person.last_name, person.first_name, person.middle_name)


def subject_names(school_id: str) -> dict[str, SubjectItem]:
    """The school's subjects by id (one Query)."""
    return {s.subject_id: s for s in schools.subjects_of_school(school_id)}


def school_classes(school_id: str, year: int) -> list[ClassItem]:
    """The school's classes of a school year (one Query)."""
    return [c for c in schools.classes_of_school(school_id) if int(c.year) == year]


def class_data(klass: ClassItem, subjects: Mapping[str, SubjectItem]) -> ClassData:
    """A class's pupils and journals (two Queries)."""
    pack = pack_for(int(klass.year))
    courses = []
    for journal in sorted(schools.journals_of_class(klass.class_id), key=lambda j: j.journal_id):
        subject = subjects.get(journal.subject_id)
        if subject is not None:
            courses.append(Course(journal, subject, pack, scheme_for(
                pack, grade=int(klass.grade), assessment=subject.assessment,
                hours_per_week=int(journal.hours_per_week))))
    courses.sort(key=lambda c: c.subject.code)
    return ClassData(klass, [pupil_of(p) for p in people.pupils_of_class(klass.class_id)], courses)


def sheets_of(journal_ids: Iterable[str], period: str) -> dict[tuple[str, str], counters.SheetItem]:
    """The counters' sheets of the journals for the terms of `period` (one BatchGetItem per 100)."""
    first, last = terms_of(period)
    terms = TERMS[TERMS.index(first):TERMS.index(last) + 1]
    found = counters.load(counters.sheet_key(j, t) for j in journal_ids for t in terms)
    return {(pk[2:], sk): item for (pk, sk), item in found.items() if isinstance(item, counters.SheetItem)}


def _sums(sheets: Mapping[tuple[str, str], counters.SheetItem], journal_id: str,
          terms: Sequence[str]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for term in terms:
        sheet = sheets.get((journal_id, term))
        for pupil, sums in (sheet.pupils if sheet else {}).items():
            row = rows.setdefault(pupil, [0] * len(PUPIL_FIELDS))
            rows[pupil] = [a + b for a, b in zip(row, sums)]
    return rows


def _native(scheme: Scheme) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A scheme's own periods and the terms each spans."""
    if scheme is Scheme.TERM:
        return tuple((t, (t,)) for t in TERMS)
    if scheme is Scheme.HALF_YEAR:
        return tuple(_HALVES.items())
    return ()


def _course_results(course: Course, period: str,
                    sheets: Mapping[tuple[str, str], counters.SheetItem]) -> dict[str, LiveResult]:
    native = dict(_native(course.scheme))
    journal_id = course.journal.journal_id
    if period in native:
        return {pupil: live_result(sums, course.pack, course.scheme)
                for pupil, sums in _sums(sheets, journal_id, native[period]).items()}
    if period != "Y" or not native:
        return {}
    per_period = [{p: live_result(s, course.pack, course.scheme).mark for p, s in _sums(sheets, journal_id, own).items()}
                  for own in native.values()]
    pupils = sorted(set().union(*per_period))
    return {pupil: LiveResult(None, annual_mark([marks.get(pupil) for marks in per_period]), provisional=True)
            for pupil in pupils}


def period_results(data: ClassData, period: str,
                   sheets: Mapping[tuple[str, str], counters.SheetItem]) -> Results:
    """Each pupil's live standing in every journal of the class for `period`, from the counters: a term's marks
    for term subjects, a half-year's for 1-hour subjects, the year's (mean of those, §5) for `Y`.

    The final marks of closed periods (chalicelib/store/marks.py, being built) are not read yet, so every
    result is live (`final` False) and pupils are neither exempt nor not assessed here.
    """
    by_journal = {c.journal.journal_id: _course_results(c, period, sheets) for c in data.courses}
    first, last = terms_of(period)
    terms = TERMS[TERMS.index(first):TERMS.index(last) + 1]
    absences: dict[str, dict[str, int]] = {}
    stamps = []
    for course in data.courses:
        for term in terms:
            sheet = sheets.get((course.journal.journal_id, term))
            if sheet is None:
                continue
            stamps.append(sheet.as_of)
            for pupil, sums in sheet.pupils.items():
                own = absences.setdefault(pupil, {})
                for status, n in zip(ATTENDANCE, sums[len(PUPIL_FIELDS) - len(ATTENDANCE):]):
                    if n and status != "present":
                        own[status] = own.get(status, 0) + n
    return Results(by_journal, absences, max(filter(None, stamps), default=None), final=False)


@dataclass(frozen=True, slots=True)
class Slot:
    """A lesson of the plan: its journal, day and number."""

    journal_id: str
    day: date
    number: int


def planned_slots(class_id: str, held: Sequence[store.Lesson]) -> list[Slot]:
    """The lessons the timetable plans for the class on the days of `held`.

    The timetable (chalicelib/store/timetable.py `planned_lessons(class_id, from, to)`, being built) is not
    read yet: the lessons the journal holds (`held`, from the class's `by_owner` items) stand for the plan, so a
    lesson never created is not reported missing until the timetable is read here.
    """
    return [Slot(lesson.pk[2:], date.fromisoformat(store.date_of(lesson)), int(lesson.number)) for lesson in held]


def term_of(item: store.Lesson | store.Work) -> str:
    return item.sk.split("#", 1)[0]


def ledgers_of(items: Sequence[store.Lesson | store.Work]) -> dict[str, counters.LedgerItem]:
    """The counters' ledgers of lessons and works, by lesson or work id (one BatchGetItem per 100)."""
    keys = {}
    for item in items:
        if isinstance(item, store.Lesson):
            keys[counters.ledger_key(item.pk[2:], term_of(item), "L", item.lesson_id)] = item.lesson_id
        else:
            keys[counters.ledger_key(item.pk[2:], term_of(item), "W", item.work_id)] = item.work_id
    return {keys[key]: ledger for key, ledger in counters.load(keys).items()
            if isinstance(ledger, counters.LedgerItem)}
