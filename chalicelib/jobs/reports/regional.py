"""Region and national reports, from the schools' rollups only (no counters, no journal, no pupil).

Reads per region: its schools (one Query of the directory's `by_collection` index: names, and which schools
have no rollup), the schools' tallies for the period (one Query, `FIG#`), their last timeliness checks (one
Query, `TML#`). A region report is 3 Queries; a national report 3 per region (60). Both grow with the number
of schools, never with pupils or journal entries.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.notices import Names
from chalicelib.domain.policy import REGIONS
from chalicelib.domain.reports import (
    Punctuality, Report, SchoolRollup, SheetHeading, Tally, national_report, region_report,
)
from chalicelib.store import reports, schools
from chalicelib.store.reports import Spec

__all__ = ["rollups_of", "build_region", "build_national"]


def rollups_of(region: str, year: int, period: str) -> tuple[list[SchoolRollup], str | None]:
    """Every school of the region with its tally for the period and its last timeliness check, and when the
    newest tally was counted (3 Queries)."""
    figures = {item.school_id: item for item in reports.rollups(year, period, region)}
    checks = {item.school_id: item for item in reports.punctualities(region)}
    found = []
    for school in schools.schools_of_region(region):
        figure, check = figures.get(school.school_id), checks.get(school.school_id)
        found.append(SchoolRollup(school.school_id, Names(school.name_kk, school.name_ru), region,
                                  Tally.from_json(figure.figures) if figure else None,
                                  Punctuality.from_json(check.figures) if check else None))
    return found, max((item.at for item in figures.values()), default=None)


def _heading(spec: Spec, as_of: str | None) -> SheetHeading:
    return SheetHeading(None, "", spec.year, spec.period or "", as_of, final=False)


def build_region(spec: Spec, now: datetime) -> Report:
    found, as_of = rollups_of(spec.region or "", spec.year, spec.period or "")
    return region_report(spec.language, _heading(spec, as_of), spec.region or "", found)


def build_national(spec: Spec, now: datetime) -> Report:
    regions, stamps = {}, []
    for region in sorted(REGIONS):
        regions[region], as_of = rollups_of(region, spec.year, spec.period or "")
        stamps += [as_of] if as_of else []
    return national_report(spec.language, _heading(spec, max(stamps, default=None)), regions)
