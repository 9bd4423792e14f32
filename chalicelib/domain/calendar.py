"""The national school calendar: terms, breaks and public holidays per school year, kept as data.

Each school year has its own file `data/calendar-<year>.json` (2026 = 2026-27), read lazily once through
`importlib.resources`, so it also works from inside a Lambda zip. A file holds:

- `grades`: the grades it covers (`from`..`to`);
- `terms`: T1..T4 with `start`/`end` dates (inclusive), and `breaks` (inclusive); an entry with a
  `grades` list applies to those grades only (grade 1's extra February break), otherwise to all;
- `holidays`: the public holidays from 1 September to 31 August, `name` in `kk` and `ru`; `estimate`
  marks a date not yet fixed by the Government's decree (Kurban Ait follows the lunar calendar).

Schools may adjust their periods and holidays; these are the national defaults they start from.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from chalicelib.domain.dates import parse_date

__all__ = [
    "TERMS",
    "CalendarUnknown",
    "Holiday",
    "Period",
    "breaks",
    "holidays",
    "is_school_day",
    "known_years",
    "period_of",
    "periods",
]

TERMS = ("T1", "T2", "T3", "T4")

_DATA_FILE = re.compile(r"calendar-([0-9]{4})\.json")
_FIVE_DAY_WEEK = 5  # Monday..Friday
_SIX_DAY_WEEK = 6  # Monday..Saturday


class CalendarUnknown(LookupError):
    """No national calendar is known for this school year or grade."""


@dataclass(frozen=True)
class Period:
    """A named span of a school year: a term T1..T4, a half-year H1/H2 or the year Y (dates inclusive)."""

    code: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Holiday:
    """A public holiday: no lessons that day. `estimate`: the date awaits the Government's decree."""

    date: date
    name: dict[str, str] = field(hash=False)
    estimate: bool = False


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    grades: frozenset[int] | None  # None: every grade

    def applies_to(self, grade: int) -> bool:
        return self.grades is None or grade in self.grades


@dataclass(frozen=True)
class _SchoolYear:
    first_grade: int
    last_grade: int
    terms: tuple[tuple[str, _Span], ...]
    breaks: tuple[_Span, ...]
    holidays: tuple[Holiday, ...]


def known_years() -> list[int]:
    """The school years with national calendar data, oldest first."""
    return list(_known_years())


def periods(year: int, grade: int) -> list[Period]:
    """T1..T4, then H1 (T1..T2), H2 (T3..T4) and Y (T1..T4) for a grade in a school year."""
    terms = _terms(_grade_year(year, grade), grade)
    t1, t2, t3, t4 = (terms[code] for code in TERMS)
    return [
        t1,
        t2,
        t3,
        t4,
        Period("H1", t1.start, t2.end),
        Period("H2", t3.start, t4.end),
        Period("Y", t1.start, t4.end),
    ]


def holidays(year: int) -> list[Holiday]:
    """The public holidays falling in a school year (1 September to 31 August), by date."""
    return [
        Holiday(h.date, dict(h.name), h.estimate) for h in _school_year(year).holidays
    ]


def breaks(year: int, grade: int) -> list[tuple[date, date]]:
    """The breaks between (and, for grade 1, within) the terms, as inclusive (start, end) pairs."""
    school_year = _grade_year(year, grade)
    return [(b.start, b.end) for b in school_year.breaks if b.applies_to(grade)]


def period_of(day: date, year: int, grade: int) -> str | None:
    """The term (T1..T4) whose dates include `day`, or None outside every term."""
    terms = _terms(_grade_year(year, grade), grade)
    return next((code for code, term in terms.items() if day in term), None)


def is_school_day(
    day: date,
    year: int,
    grade: int,
    holidays: Iterable[Holiday | date] | None = None,
    *,
    six_day_week: bool = False,
) -> bool:
    """Whether lessons may take place: a working weekday inside a term, not a holiday, not in a break.

    `holidays` defaults to the national list; pass a school's adjusted list instead when it has one.
    `six_day_week`: the school also teaches on Saturdays.
    """
    if day.weekday() >= (_SIX_DAY_WEEK if six_day_week else _FIVE_DAY_WEEK):
        return False
    if period_of(day, year, grade) is None:
        return False
    if holidays is None:
        holidays = _school_year(year).holidays
    if day in {h.date if isinstance(h, Holiday) else h for h in holidays}:
        return False
    return not any(start <= day <= end for start, end in breaks(year, grade))


def _terms(school_year: _SchoolYear, grade: int) -> dict[str, Period]:
    return {
        code: Period(code, span.start, span.end)
        for code, span in school_year.terms
        if span.applies_to(grade)
    }


def _grade_year(year: int, grade: int) -> _SchoolYear:
    school_year = _school_year(year)
    if not school_year.first_grade <= grade <= school_year.last_grade:
        raise CalendarUnknown(f"no national calendar for grade {grade} in school year {year}")
    return school_year


@functools.cache
def _known_years() -> tuple[int, ...]:
    found = (_DATA_FILE.fullmatch(entry.name) for entry in _data_dir().iterdir())
    return tuple(sorted(int(match.group(1)) for match in found if match))


@functools.cache
def _school_year(year: int) -> _SchoolYear:
    if year not in _known_years():
        raise CalendarUnknown(f"no national calendar for school year {year}")
    raw = json.loads(_data_dir().joinpath(f"calendar-{year}.json").read_text(encoding="utf-8"))
    return _SchoolYear(
        first_grade=raw["grades"]["from"],
        last_grade=raw["grades"]["to"],
        terms=tuple((entry["code"], _span(entry)) for entry in raw["terms"]),
        breaks=tuple(sorted((_span(entry) for entry in raw["breaks"]), key=lambda s: s.start)),
        holidays=tuple(
            sorted(
                (
                    Holiday(parse_date(h["date"]), h["name"], h.get("estimate", False))
                    for h in raw["holidays"]
                ),
                key=lambda h: h.date,
            )
        ),
    )


def _span(entry: dict[str, Any]) -> _Span:
    grades = entry.get("grades")
    return _Span(
        start=parse_date(entry["start"]),
        end=parse_date(entry["end"]),
        grades=None if grades is None else frozenset(grades),
    )


def _data_dir() -> Traversable:
    return resources.files(__package__).joinpath("data")
