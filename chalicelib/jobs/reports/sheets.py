"""Class sheets and the school report of a period: what they read, once for a whole school, and the rollup.

Reads: the school and its settings (GetItem each), its subjects and classes (a Query each), each class's pupils
and journals (two Queries per class), the counters' sheet of every journal for every term of the period, and
every journal's close marker and status sheet for the period (BatchGetItems, 100 at a time). Never a journal's
entries.
A school report also keeps the school's tally for the period as its rollup (`reports.put_rollup`), which the
region and national reports read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.assessment import Scheme
from chalicelib.domain.dates import to_rfc3339
from chalicelib.domain.notices import Names
from chalicelib.domain.reports import (
    ClassResults, Report, SheetHeading, SubjectResults, class_sheet, school_report, school_tally,
)
from chalicelib.jobs.reports.errors import Unavailable
from chalicelib.jobs.reports.sources import (
    ClassData, Results, class_data, period_results, said_of, school_classes, sheets_of, subject_names,
)
from chalicelib.store import reports, schools
from chalicelib.store.directory import SchoolItem
from chalicelib.store.packs import school_pack
from chalicelib.store.reports import Spec

__all__ = ["Standing", "gather", "class_sheet_of", "school_report_of", "keep_rollup", "build_class_sheet",
           "build_school"]


@dataclass(frozen=True, slots=True)
class Standing:
    """A school's classes with their results for one period."""

    school: SchoolItem
    year: int
    period: str
    classes: list[tuple[ClassData, Results]]

    @property
    def as_of(self) -> str | None:
        return max((r.as_of for _, r in self.classes if r.as_of), default=None)

    @property
    def final(self) -> bool:
        return bool(self.classes) and all(r.final for _, r in self.classes)

    def heading(self, class_name: str = "", results: Results | None = None) -> SheetHeading:
        as_of, final = (results.as_of, results.final) if results else (self.as_of, self.final)
        return SheetHeading(Names(self.school.name_kk, self.school.name_ru), class_name, self.year, self.period,
                            as_of, final)


def _school(school_id: str | None) -> SchoolItem:
    school = schools.get_school(school_id or "")
    if school is None:
        raise Unavailable("the school no longer exists")
    return school


def gather(school: SchoolItem, year: int, period: str, class_ids: set[str] | None = None) -> Standing:
    """The results of the school's classes of `year` (or of `class_ids` only) in `period`."""
    subjects, pack = subject_names(school.school_id), school_pack(school.school_id, year)
    data = [class_data(k, subjects, pack) for k in school_classes(school.school_id, year)
            if class_ids is None or k.class_id in class_ids]
    sheets = sheets_of([c.journal.journal_id for d in data for c in d.courses], period)
    said = said_of([c for d in data for c in d.courses], period)
    return Standing(school, year, period, [(d, period_results(d, period, sheets, said)) for d in data])


def class_sheet_of(standing: Standing, data: ClassData, results: Results, language: str) -> Report:
    subjects = [SubjectResults(c.subject.code, c.names, results.by_journal.get(c.journal.journal_id, {}))
                for c in data.courses if c.scheme is not Scheme.UNMARKED]
    return class_sheet(language, standing.heading(data.name, results), data.pupils, subjects, results.absences)


def _class_results(data: ClassData, results: Results) -> ClassResults:
    marks: dict[str, dict[str, int | str | None]] = {}
    for course in data.courses:
        for pupil, result in results.by_journal.get(course.journal.journal_id, {}).items():
            marks.setdefault(pupil, {})[course.subject.code] = result.mark
    return ClassResults(data.klass.class_id, int(data.klass.grade), data.klass.letter, data.pupils, marks,
                        results.absences)


def school_report_of(standing: Standing, language: str) -> Report:
    names = {c.subject.code: c.names for d, _ in standing.classes for c in d.courses}
    return school_report(language, standing.heading(), [_class_results(d, r) for d, r in standing.classes], names)


def keep_rollup(standing: Standing, now: datetime) -> None:
    """Keep the school's tally for the period, for the region and national reports."""
    tally = school_tally([_class_results(d, r) for d, r in standing.classes])
    school = standing.school
    reports.put_rollup(standing.year, standing.period, school.region, school.school_id,
                       (school.name_kk, school.name_ru), tally.as_json(), standing.as_of or to_rfc3339(now))


def build_class_sheet(spec: Spec, now: datetime) -> Report:
    klass = schools.get_class(spec.class_id or "")
    if klass is None:
        raise Unavailable("the class no longer exists")
    standing = gather(_school(klass.school_id), spec.year, spec.period or "", {klass.class_id})
    if not standing.classes:
        raise Unavailable("the class is not of this school year")
    data, results = standing.classes[0]
    return class_sheet_of(standing, data, results, spec.language)


def build_school(spec: Spec, now: datetime) -> Report:
    standing = gather(_school(spec.school_id), spec.year, spec.period or "")
    keep_rollup(standing, now)
    return school_report_of(standing, spec.language)
