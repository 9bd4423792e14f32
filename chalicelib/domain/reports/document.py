"""What a report is before it becomes a file: titled tables of typed cells, and charts (pure).

A `Report` is built in one language by a report kind's module and written as CSV, XLSX or PDF by the report
job's renderers, which never compute a figure themselves. A cell holds text, a count, an exact `Fraction`
(percentages, averages), a mark, a date, nothing (`None`), or `SUPPRESSED`: a figure hidden because it was
computed from fewer than `MIN_PUPILS` pupils (region and national reports).

Text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is escaped
by every renderer (`is_formula_like`).
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

__all__ = [
    "MIN_PUPILS", "SUPPRESSED", "Suppressed", "Kind", "Cell", "Column", "Row", "Table", "Series", "Chart",
    "Report", "is_formula_like", "percent_of", "mean_of", "ReportError",
]

MIN_PUPILS = 5
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ReportError(ValueError):
    """A report cannot be built from what it was given (an inconsistent input, not a missing object)."""


class Suppressed(enum.Enum):
    """A figure hidden because too few pupils stand behind it."""

    CELL = "n<5"

    def __str__(self) -> str:
        return self.value


SUPPRESSED = Suppressed.CELL


class Kind(enum.StrEnum):
    """How a column's cells are shown: text, whole numbers, exact percentages or averages, marks, dates."""

    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"
    AVERAGE = "average"
    MARK = "mark"  # 2..5, "pass", "fail", "not_assessed", "exempt" or None
    DATE = "date"


Cell = str | int | Fraction | date | Suppressed | None


@dataclass(frozen=True, slots=True)
class Column:
    """A column: `key` names it in CSV headers (stable, machine-read), `title` heads it in XLSX and PDF.

    `in_csv` False keeps a column out of the CSV file (the class sheet's CSV is fixed by the API contract).
    """

    key: str
    title: str
    kind: Kind = Kind.TEXT
    in_csv: bool = True


@dataclass(frozen=True, slots=True)
class Row:
    """The cells of one row, in column order; `total` rows (subtotals, totals) are shown in bold."""

    cells: tuple[Cell, ...]
    total: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table. `name` is its short sheet name (at most 31 characters, unique in a report)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= 31:
            raise ReportError(f"a sheet name has 1..31 characters: {self.name!r}")
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ReportError(f"table {self.name}: a row has {len(row.cells)} cells for "
                                  f"{len(self.columns)} columns")

    def column(self, key: str) -> list[Cell]:
        """Every cell of the column `key`, top to bottom."""
        index = [c.key for c in self.columns].index(key)
        return [row.cells[index] for row in self.rows]


@dataclass(frozen=True, slots=True)
class Series:
    """One line or one colour of bars: a value per category (None: no value)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart (`stacked`: the series add up) or a line chart over `categories`, values in `unit`."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    lines: bool = False
    stacked: bool = False
    unit: str = "%"


@dataclass(frozen=True, slots=True)
class Report:
    """A whole report in one language: its title, the lines under it (school, class, period, as of), tables
    (the first is the main one: the only one a CSV file holds), charts, and whether pages lie landscape."""

    kind: str
    language: str
    title: str
    lines: tuple[str, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()
    landscape: bool = False
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.tables:
            raise ReportError("a report has at least one table")
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ReportError(f"sheet names repeat: {names}")

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula (or a DDE command) unless escaped."""
    return text.startswith(_FORMULA_START)


def percent_of(part: int, whole: int) -> Fraction | None:
    """100 * part / whole, exact; None when whole is 0."""
    return Fraction(100 * part, whole) if whole else None


def mean_of(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None
