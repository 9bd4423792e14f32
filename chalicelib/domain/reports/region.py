"""Region and national reports (pure): aggregates only, from each school's rollup, never a pupil's name or mark.

A region report has a row per school of the region and the region's total; a national report a row per region
and the country's total. Every pupil count of 1..4 and every figure computed from fewer than 5 pupils is
hidden (`figures.shown_count`, `shown_share`, `hide_complements`). Journal timeliness (share of the planned
lessons filled on time at the school's last daily check) is about lessons, not pupils, and is not hidden.
Schools with no rollup yet (their school job has not run, or failed) are listed in a note under the table.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.notices import Names
from chalicelib.domain.reports.class_sheet import SheetHeading, heading_lines
from chalicelib.domain.reports.document import Column, Kind, Report, Row, Table, percent_of
from chalicelib.domain.reports.figures import CATEGORIES, Tally, hide_complements, shown_count, shown_share
from chalicelib.domain.reports.school import statistics_columns
from chalicelib.domain.reports.words import region_name, word

__all__ = ["Punctuality", "SchoolRollup", "region_report", "national_report"]


@dataclass(frozen=True, slots=True)
class Punctuality:
    """A school's last daily timeliness check: its day, the lessons and works planned in the window, those filled."""

    day: date
    planned: int
    on_time: int

    def __add__(self, other: Punctuality) -> Punctuality:
        return Punctuality(max(self.day, other.day), self.planned + other.planned, self.on_time + other.on_time)

    def as_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "planned": self.planned, "on_time": self.on_time}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Punctuality:
        return cls(date.fromisoformat(raw["day"]), int(raw["planned"]), int(raw["on_time"]))


@dataclass(frozen=True, slots=True)
class SchoolRollup:
    """What a region report knows of one school: its names, its tally for the period (None: no rollup yet) and
    its last timeliness check (None: none yet)."""

    school_id: str
    name: Names
    region: str
    tally: Tally | None
    punctuality: Punctuality | None = None


def _columns(language: str, first: Column) -> tuple[Column, ...]:
    return (first, Column("schools", word(language, "schools"), Kind.COUNT), *statistics_columns(language),
            Column("missed_per_pupil", word(language, "missed_per_pupil"), Kind.AVERAGE),
            Column("on_time", word(language, "timeliness_school"), Kind.PERCENT))


def _cells(label: str, schools: Sequence[SchoolRollup]) -> tuple[object, ...]:
    tallies = [s.tally for s in schools if s.tally is not None]
    checks = [s.punctuality for s in schools if s.punctuality is not None]
    punctuality = sum(checks[1:], checks[0]) if checks else None
    share = percent_of(punctuality.on_time, punctuality.planned) if punctuality else None
    if not tallies:
        return (label, len(schools), *([None] * (len(CATEGORIES) + 7)), share)
    tally = sum(tallies[1:], tallies[0])
    counts = [tally.count(c) for c in CATEGORIES]
    categories = hide_complements(counts, [shown_count(n) for n in counts])
    return (label, len(schools), shown_count(tally.pupils), shown_count(tally.assessed), *categories,
            shown_share(tally.pass_rate, tally.assessed), shown_share(tally.quality, tally.assessed),
            shown_share(tally.sou, tally.assessed), shown_share(tally.average, tally.assessed),
            shown_share(tally.missed_per_pupil(), tally.pupils), share)


def _notes(language: str, schools: Sequence[SchoolRollup]) -> tuple[str, ...]:
    notes = [word(language, "suppressed")]
    missing = sorted((s.name.in_(language) for s in schools if s.tally is None), key=name_sort_key)
    if missing:
        notes.append(word(language, "no_data", names=", ".join(missing)))
    return tuple(notes)


def region_report(language: str, heading: SheetHeading, region: str, schools: Sequence[SchoolRollup]) -> Report:
    """Per school of `region` and for the region as a whole."""
    ordered = sorted(schools, key=lambda s: name_sort_key(s.name.in_(language)))
    rows = [Row(_cells(s.name.in_(language), [s])) for s in ordered]  # type: ignore[arg-type]
    rows.append(Row(_cells(word(language, "total"), ordered), total=True))  # type: ignore[arg-type]
    table = Table("schools", word(language, "schools"), _columns(language, Column("school", word(language, "school_name"))),
                  tuple(rows), _notes(language, ordered))
    lines = (word(language, "region_of", name=region_name(language, region)), *heading_lines(language, heading))
    return Report("region", language, word(language, "region"), lines, (table,), landscape=True)


def national_report(language: str, heading: SheetHeading, regions: Mapping[str, Sequence[SchoolRollup]]) -> Report:
    """Per region and for the country."""
    names = {code: region_name(language, code) for code in regions}
    ordered = sorted(regions, key=lambda code: name_sort_key(names[code]))
    rows = [Row(_cells(names[code], regions[code])) for code in ordered]  # type: ignore[arg-type]
    everyone = [s for code in ordered for s in regions[code]]
    rows.append(Row(_cells(word(language, "total"), everyone), total=True))  # type: ignore[arg-type]
    table = Table("regions", word(language, "regions"), _columns(language, Column("region", word(language, "region_name"))),
                  tuple(rows), _notes(language, everyone))
    return Report("national", language, word(language, "national"), heading_lines(language, heading), (table,),
                  landscape=True)
