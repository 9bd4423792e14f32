"""The school report of a period: figures per class, per grade and for the school; the pupils with a "2" or not
assessed (pure; for the school_admin only: it names pupils).

Tables:
- `classes`: per class (grades in order, each followed by its subtotal, the school's total last): pupils,
  assessed pupils (N) by lowest result, pass rate, quality, СОУ, average mark, lessons missed (`figures.Tally`).
- `failing`: every pupil with a "2" or "not assessed" in some subject, by class, alphabetically, with those
  subjects.
Chart: pass rate and quality of knowledge per class.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.notices import Names
from chalicelib.domain.reports.class_sheet import Pupil, SheetHeading, heading_lines
from chalicelib.domain.reports.document import Chart, Column, Kind, Report, Row, Series, Table
from chalicelib.domain.reports.figures import CATEGORIES, Tally, tally_of
from chalicelib.domain.reports.words import word

__all__ = ["ClassResults", "school_report", "school_tally", "statistics_columns", "tally_columns", "tally_cells"]


@dataclass(frozen=True, slots=True)
class ClassResults:
    """A class in the period: its pupils, each pupil's mark per subject code, lessons missed by status."""

    class_id: str
    grade: int
    letter: str
    pupils: Sequence[Pupil]
    marks: Mapping[str, Mapping[str, int | str | None]]
    absences: Mapping[str, Mapping[str, int]]

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"

    def tally(self) -> Tally:
        return tally_of({p: list(m.values()) for p, m in self.marks.items()}, self.absences,
                        [p.person_id for p in self.pupils])


def school_tally(classes: Sequence[ClassResults]) -> Tally:
    """The school's tally: the sum of its classes' (what the school's rollup keeps for region reports)."""
    total = Tally()
    for klass in classes:
        total = total + klass.tally()
    return total


def statistics_columns(language: str) -> tuple[Column, ...]:
    """The §8 statistics of a tally as columns: pupils, assessed, the mark categories, rates and average."""
    return (Column("pupils", word(language, "pupils"), Kind.COUNT),
            Column("assessed", word(language, "assessed"), Kind.COUNT),
            *(Column(c, word(language, c), Kind.COUNT) for c in CATEGORIES),
            Column("pass_rate", word(language, "pass_rate"), Kind.PERCENT),
            Column("quality", word(language, "quality"), Kind.PERCENT),
            Column("sou", word(language, "sou"), Kind.PERCENT),
            Column("average", word(language, "average"), Kind.AVERAGE))


def tally_columns(language: str, first: Column) -> tuple[Column, ...]:
    """`first` (what a row is about), then the columns of a tally."""
    return (first, *statistics_columns(language),
            Column("missed", word(language, "missed"), Kind.COUNT),
            Column("missed_per_pupil", word(language, "missed_per_pupil"), Kind.AVERAGE))


def tally_cells(label: str, tally: Tally) -> tuple[object, ...]:
    return (label, tally.pupils, tally.assessed, *(tally.count(c) for c in CATEGORIES), tally.pass_rate,
            tally.quality, tally.sou, tally.average, tally.missed, tally.missed_per_pupil())


def school_report(language: str, heading: SheetHeading, classes: Sequence[ClassResults],
                  subjects: Mapping[str, Names]) -> Report:
    """The school report in `language`; `subjects` names the subject codes of the classes' marks."""
    ordered = sorted(classes, key=lambda c: (c.grade, name_sort_key(c.letter)))
    rows: list[Row] = []
    school = Tally()
    for grade in sorted({c.grade for c in ordered}):
        in_grade = Tally()
        for klass in (c for c in ordered if c.grade == grade):
            tally = klass.tally()
            in_grade = in_grade + tally
            rows.append(Row(tally_cells(klass.name, tally)))  # type: ignore[arg-type]
        rows.append(Row(tally_cells(word(language, "grade_total", grade=grade), in_grade), total=True))  # type: ignore[arg-type]
        school = school + in_grade
    rows.append(Row(tally_cells(word(language, "total"), school), total=True))  # type: ignore[arg-type]
    table = Table("classes", word(language, "classes"), tally_columns(language, Column("class", word(language, "class"))),
                  tuple(rows))
    chart = Chart(word(language, "quality_chart"), tuple(c.name for c in ordered), (
        Series(word(language, "pass_rate"), tuple(_float(c.tally().pass_rate) for c in ordered)),
        Series(word(language, "quality"), tuple(_float(c.tally().quality) for c in ordered))))
    return Report("school", language, word(language, "school"), heading_lines(language, heading),
                  (table, _failing(language, ordered, subjects)), (chart,), landscape=True)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _failing(language: str, classes: Sequence[ClassResults], subjects: Mapping[str, Names]) -> Table:
    columns = (Column("class", word(language, "class")), Column("last_name", word(language, "last_name")),
               Column("first_name", word(language, "first_name")),
               Column("subjects_2", word(language, "subjects_2")),
               Column("subjects_na", word(language, "subjects_na")))
    rows = []
    for klass in classes:
        for pupil in sorted(klass.pupils, key=lambda p: name_sort_key(p.last_name, p.first_name, p.middle_name)):
            marks = klass.marks.get(pupil.person_id, {})
            twos = _names(language, subjects, [code for code, mark in marks.items() if mark == 2])
            missing = _names(language, subjects, [code for code, mark in marks.items() if mark == "not_assessed"])
            if twos or missing:
                rows.append(Row((klass.name, pupil.last_name, pupil.first_name, twos, missing)))
    return Table("failing", word(language, "failing"), columns, tuple(rows))


def _names(language: str, subjects: Mapping[str, Names], codes: Sequence[str]) -> str:
    names = [subjects[code].in_(language) if code in subjects else code for code in codes]
    return ", ".join(sorted(names, key=name_sort_key))
