"""What the report jobs read from the rest of the service, in one place (and only here).

- the directory: a school's settings, classes and subjects, a class's pupils and journals, people's names;
- the counters (stream-maintained, chalicelib/store/counters.py): each journal's sheet per term (every pupil's
  FO, SOR and SOCH sums, each SOR result and attendance by status), lesson and work ledgers, teachers' days;
- per journal and period, the close marker (every pupil's final mark once the period is closed) and the status
  sheet (exempt, not assessed, pass/fail verdicts): one BatchGetItem each for a whole school;
- the journal's `by_owner` index: a class's lessons (the timetable's planned lessons are journal lessons,
  chalicelib/store/timetable.py) and works of a few days, a pupil's entries of a week.
No report reads a journal's entries partition.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.assessment import RulePack, Scheme, annual_mark, scheme_for
from chalicelib.domain.journal import TERMS, terms_of
from chalicelib.domain.notices import Names
from chalicelib.domain.reports import LiveResult, Pupil, live_result
from chalicelib.domain.standing import periods_of
from chalicelib.domain.tally import ATTENDANCE, PUPIL_FIELDS, Results
from chalicelib.store import counters, marks, people, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SubjectItem

__all__ = [
    "Course", "ClassData", "Said", "Results", "subject_names", "school_classes", "class_data",
    "sheets_of", "said_of", "period_results", "pupil_of", "ledgers_of", "term_of",
]


_BATCH = 100


@dataclass(frozen=True, slots=True)
class Course:
    """A journal of a class, its subject, and how its marks are made."""

    journal: JournalItem
    subject: SubjectItem
    pack: RulePack
    scheme: Scheme

    @property
    def periods(self) -> tuple[str, ...]:
        """The periods the subject is marked in (terms, or half-years)."""
        return periods_of(self.pack, self.scheme, int(self.journal.hours_per_week))

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


def class_data(klass: ClassItem, subjects: Mapping[str, SubjectItem], pack: RulePack) -> ClassData:
    """A class's pupils and journals (two Queries)."""
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
    """The counters' sheets of the journals for the terms of `period` (eventually consistent: one BatchGetItem
    per 100, half a read unit each)."""
    first, last = terms_of(period)
    terms = TERMS[TERMS.index(first):TERMS.index(last) + 1]
    keys = sorted({counters.sheet_key(j, t) for j in journal_ids for t in terms})
    return {(item.pk[2:], item.sk): item for start in range(0, len(keys), _BATCH)
            for item in counters.SheetItem.batch_get(keys[start:start + _BATCH])}


def _sums(sheets: Mapping[tuple[str, str], counters.SheetItem], journal_id: str,
          terms: Sequence[str]) -> tuple[dict[str, list[int]], dict[str, dict[str, list[int]]]]:
    """The journal's sums and SOR results per pupil over `terms`."""
    return counters.added_up(sheet for term in terms if (sheet := sheets.get((journal_id, term))) is not None)


@dataclass(frozen=True, slots=True)
class Said:
    """What closes and statuses say, by (journal, period): the final marks of closed periods, and each pupil's
    status (exempt, not_assessed) and pass/fail verdict."""

    finals: dict[tuple[str, str], dict[str, int | str | None]]
    statuses: dict[tuple[str, str], dict[str, dict[str, Any]]]
    closed_at: dict[tuple[str, str], str]


def said_of(courses: Iterable[Course], period: str) -> Said:
    """The close markers and status sheets of the courses' own periods that make up `period` (two eventually
    consistent BatchGetItems per 100 of them)."""
    keys = sorted({(store.journal_key(c.journal.journal_id), own) for c in courses for own in _owns(c, period)})
    finals, closed_at, statuses = {}, {}, {}
    for start in range(0, len(keys), _BATCH):
        part = keys[start:start + _BATCH]
        for close in store.PeriodClose.batch_get([(pk, f"C#{p}") for pk, p in part]):
            if close.closed and close.marks is not None:
                key = (close.pk[2:], close.sk[2:])
                finals[key] = {pupil: marks.mark_of(None if m is None else str(m)) for pupil, m in close.marks.items()}
                closed_at[key] = close.done or close.at or ""
        for sheet in marks.StatusSheet.batch_get([(pk, f"X#{p}") for pk, p in part]):
            statuses[(sheet.pk[2:], sheet.sk[2:])] = dict(sheet.pupils or {})
    return Said(finals, statuses, closed_at)


def _owns(course: Course, period: str) -> tuple[str, ...]:
    """The subject's own periods whose results make its result for `period`."""
    if period == "Y":
        return course.periods
    return (period,) if period in course.periods else ()


def _result(course: Course, own: str, pupil: str, sums: Sequence[int] | None, results: Results | None,
            said: Said) -> LiveResult:
    key = (course.journal.journal_id, own)
    live = live_result(sums, course.pack, course.scheme, results) if sums else LiveResult(None, None)
    if key in said.finals:
        final = said.finals[key].get(pupil)
        return LiveResult(live.percent if isinstance(final, int) else None, final, final=True)
    status = said.statuses.get(key, {}).get(pupil, {})
    if status.get("status") in ("exempt", "not_assessed"):
        return LiveResult(None, status["status"])
    if course.scheme is Scheme.PASS_FAIL and status.get("passed") is not None:
        return LiveResult(None, "pass" if status["passed"] else "fail")
    return live


def _own_results(course: Course, own: str, sheets: Mapping[tuple[str, str], counters.SheetItem], said: Said,
                 pupils: Iterable[str]) -> dict[str, LiveResult]:
    first, last = terms_of(own)
    sums, sor = _sums(sheets, course.journal.journal_id, TERMS[TERMS.index(first):TERMS.index(last) + 1])
    results = {p: _result(course, own, p, sums.get(p), sor.get(p), said) for p in sorted(set(pupils) | sums.keys())}
    return {p: r for p, r in results.items() if r.mark is not None or r.percent is not None}


def _course_results(course: Course, period: str, sheets: Mapping[tuple[str, str], counters.SheetItem], said: Said,
                    pupils: Sequence[str]) -> dict[str, LiveResult]:
    if course.scheme is Scheme.UNMARKED or not _owns(course, period):
        return {}
    if period != "Y":
        return _own_results(course, period, sheets, said, pupils)
    per_period = [_own_results(course, own, sheets, said, pupils) for own in course.periods]
    found = sorted(set().union(*per_period))
    annual = {p: annual_mark([results[p].mark if p in results else None for results in per_period])
              for p in found}
    final = {p: all(p in results and results[p].final for results in per_period) for p in found}
    return {p: LiveResult(None, mark, final=final[p]) for p, mark in annual.items() if mark is not None}


def period_results(data: ClassData, period: str, sheets: Mapping[tuple[str, str], counters.SheetItem],
                   said: Said) -> Results:
    """Each pupil's result in every journal of the class for `period`: the final mark once the subject's period
    is closed (with the percentage counted from its entries), else the status the school set (exempt, not
    assessed), the pass/fail verdict, or the live standing from the counters; for `Y` the annual mark (§5) of
    those. A subject marked by half-years has no term result, and the other way round.
    """
    ids = [p.person_id for p in data.pupils]
    by_journal = {c.journal.journal_id: _course_results(c, period, sheets, said, ids) for c in data.courses}
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
    marked = [c for c in data.courses if c.scheme is not Scheme.UNMARKED and _owns(c, period)]
    final = bool(marked) and all((c.journal.journal_id, own) in said.finals for c in marked for own in _owns(c, period))
    stamps += [at for (journal, _), at in said.closed_at.items() if journal in by_journal]
    return Results(by_journal, absences, max(filter(None, stamps), default=None), final)


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
