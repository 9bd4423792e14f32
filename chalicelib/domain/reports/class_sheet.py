"""The class sheet of a period (сводная ведомость / жиынтық ведомость): pupils x subjects (pure).

Tables:
- `sheet`: one row per pupil in Kazakh/Russian alphabetical order: last name, first name, then each subject's
  percentage (unrounded) and mark; the pupil's average mark and lessons missed follow (XLSX and PDF only: the
  CSV holds exactly `last_name,first_name,<code>_percent,<code>_mark...`, api-contract.md).
- `statistics`: per subject and for the class as a whole, §8's N, marks by value, pass rate, quality, СОУ and
  average (`chalicelib.domain.assessment.class_statistics`: exempt and pass/fail outside N, not assessed in).
- `absences`: lessons missed by each pupil, by status, over every subject.
Chart: the distribution of marks in each subject, in percent of N.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.assessment import class_statistics
from chalicelib.domain.collation import sort_people
from chalicelib.domain.notices import Names
from chalicelib.domain.reports.document import Chart, Column, Kind, Report, Row, Series, Table, mean_of
from chalicelib.domain.reports.figures import ABSENCE_STATUSES, LiveResult, missed_lessons
from chalicelib.domain.reports.words import period_name, word

__all__ = ["Pupil", "SubjectResults", "SheetHeading", "class_sheet", "heading_lines"]


@dataclass(frozen=True, slots=True)
class Pupil:
    person_id: str
    last_name: str
    first_name: str
    middle_name: str | None = None


@dataclass(frozen=True, slots=True)
class SubjectResults:
    """One subject (journal) of the class: its code and names, and each pupil's result in the period."""

    code: str
    name: Names
    results: Mapping[str, LiveResult]


@dataclass(frozen=True, slots=True)
class SheetHeading:
    """Where the figures come from: school and class names (None, "": not one school or class), school year,
    period, counted as of when, and whether they are the final marks of a closed period."""

    school: Names | None
    class_name: str
    year: int
    period: str
    as_of: str | None
    final: bool


def heading_lines(language: str, heading: SheetHeading) -> tuple[str, ...]:
    lines = [word(language, "school_of", name=heading.school.in_(language))] if heading.school else []
    if heading.class_name:
        lines.append(word(language, "class_of", name=heading.class_name))
    lines.append(word(language, "period_of", name=period_name(language, heading.period), year=heading.year,
                      next=heading.year + 1))
    if heading.as_of:
        day, clock = heading.as_of[:10], heading.as_of[11:16]
        lines.append(word(language, "as_of", when=f"{day[8:10]}.{day[5:7]}.{day[:4]} {clock}"))
    if not heading.final:
        lines.append(word(language, "live"))
    return tuple(lines)


def _numeric(marks: Sequence[object]) -> list[int]:
    return [m for m in marks if isinstance(m, int) and not isinstance(m, bool) and 2 <= m <= 5]


def class_sheet(language: str, heading: SheetHeading, pupils: Sequence[Pupil], subjects: Sequence[SubjectResults],
                absences: Mapping[str, Mapping[str, int]]) -> Report:
    """The class sheet in `language`; `subjects` in the order their columns take."""
    roll = sort_people(pupils)
    sheet_columns = [Column("last_name", word(language, "last_name")),
                     Column("first_name", word(language, "first_name"))]
    for subject in subjects:
        name = subject.name.in_(language)
        sheet_columns += [Column(f"{subject.code}_percent", f"{name}, %", Kind.PERCENT),
                          Column(f"{subject.code}_mark", name, Kind.MARK)]
    sheet_columns += [Column("average", word(language, "average"), Kind.AVERAGE, in_csv=False),
                      Column("missed", word(language, "missed"), Kind.COUNT, in_csv=False)]
    empty = LiveResult(None, None)
    rows = []
    for pupil in roll:
        results = [subject.results.get(pupil.person_id, empty) for subject in subjects]
        cells: list[object] = [pupil.last_name, pupil.first_name]
        for result in results:
            cells += [result.percent, result.mark]
        cells += [mean_of(_numeric([r.mark for r in results])),
                  missed_lessons(absences.get(pupil.person_id, {}))]
        rows.append(Row(tuple(cells)))  # type: ignore[arg-type]
    sheet = Table("sheet", word(language, "class_sheet"), tuple(sheet_columns), tuple(rows))
    return Report("class_sheet", language, word(language, "class_sheet"), heading_lines(language, heading),
                  (sheet, _statistics(language, roll, subjects), _absences(language, roll, absences)),
                  (_distribution(language, roll, subjects),), landscape=True)


_STAT_COLUMNS = ("n5", "n4", "n3", "n2", "n_na")
_DISTRIBUTION_KEYS = ("5", "4", "3", "2", "not_assessed")


def _statistics(language: str, roll: Sequence[Pupil], subjects: Sequence[SubjectResults]) -> Table:
    columns = (Column("subject", word(language, "subject")), Column("n", word(language, "assessed"), Kind.COUNT),
               *(Column(key, word(language, key), Kind.COUNT) for key in _STAT_COLUMNS),
               Column("pass_rate", word(language, "pass_rate"), Kind.PERCENT),
               Column("quality", word(language, "quality"), Kind.PERCENT),
               Column("sou", word(language, "sou"), Kind.PERCENT),
               Column("average", word(language, "average"), Kind.AVERAGE))
    ids = [p.person_id for p in roll]
    rows, every = [], []
    for subject in subjects:
        marks = [subject.results[p].mark for p in ids if p in subject.results]
        every += marks
        rows.append(_statistics_row(subject.name.in_(language), marks))
    rows.append(_statistics_row(word(language, "total"), every, total=True))
    return Table("statistics", word(language, "statistics"), columns, tuple(rows))


def _statistics_row(label: str, marks: Sequence[int | str | None], *, total: bool = False) -> Row:
    figures = class_statistics(marks)
    return Row((label, figures.n, *(figures.distribution[k] for k in _DISTRIBUTION_KEYS), figures.pass_rate,
                figures.quality, figures.sou, figures.average), total=total)


def _absences(language: str, roll: Sequence[Pupil], absences: Mapping[str, Mapping[str, int]]) -> Table:
    columns = (Column("last_name", word(language, "last_name")), Column("first_name", word(language, "first_name")),
               *(Column(status, word(language, status), Kind.COUNT) for status in ABSENCE_STATUSES),
               Column("missed", word(language, "missed"), Kind.COUNT))
    rows = []
    totals = dict.fromkeys(ABSENCE_STATUSES, 0)
    for pupil in roll:
        own = absences.get(pupil.person_id, {})
        for status in ABSENCE_STATUSES:
            totals[status] += own.get(status, 0)
        rows.append(Row((pupil.last_name, pupil.first_name, *(own.get(s, 0) for s in ABSENCE_STATUSES),
                         missed_lessons(own))))
    rows.append(Row((word(language, "total"), "", *totals.values(), missed_lessons(totals)), total=True))
    return Table("absences", word(language, "absences"), columns, tuple(rows))


def _distribution(language: str, roll: Sequence[Pupil], subjects: Sequence[SubjectResults]) -> Chart:
    ids = [p.person_id for p in roll]
    shares: dict[str, list[float | None]] = {key: [] for key in _DISTRIBUTION_KEYS}
    for subject in subjects:
        figures = class_statistics(subject.results[p].mark for p in ids if p in subject.results)
        for key in _DISTRIBUTION_KEYS:
            share = Fraction(100 * figures.distribution[key], figures.n) if figures.n else None
            shares[key].append(None if share is None else float(share))
    labels = {"5": "5", "4": "4", "3": "3", "2": "2", "not_assessed": word(language, "n_na")}
    return Chart(word(language, "distribution_chart"), tuple(s.name.in_(language) for s in subjects),
                 tuple(Series(labels[key], tuple(values)) for key, values in shares.items()), stacked=True)
