"""A class's subjects and reporting periods, and the fixed lists: attendance statuses, mark values."""
from __future__ import annotations

from typing import Any

from chalicelib.api.journal import school_calendar
from chalicelib.api.kundelik.access import Call, visible_class
from chalicelib.api.kundelik.facts import subjects
from chalicelib.domain import kundelik as v2
from chalicelib.store import schools

__all__ = ["group_subjects", "reporting_periods", "attendance_statuses", "mark_values"]


def group_subjects(call: Call) -> list[dict[str, Any]]:
    """`edu-groups/{g}/subjects`: the subjects the class has a journal of."""
    klass, _ = visible_class(call.caller, call.id("group"))
    named = subjects({j.subject_id for j in schools.journals_of_class(klass.class_id)}, klass.language)
    return [v2.subject_shape(s) for s in sorted(named.values(), key=lambda s: s.name)]


def reporting_periods(call: Call) -> list[dict[str, Any]]:
    """`edu-groups/{g}/reporting-periods`: the class's terms, half-years and year (the school's calendar)."""
    klass, _ = visible_class(call.caller, call.id("group"))
    year = int(klass.year)
    calendar = school_calendar(klass.school_id, year, int(klass.grade))
    periods = [v2.Period(code, start, end) for code, (start, end) in calendar.periods.items()]
    return v2.period_shapes(klass.class_id, year, periods, klass.language)


def attendance_statuses(call: Call) -> list[str]:
    """`lesson-log-entries/statuses`."""
    return list(v2.ATTENDANCE_STATUSES)


def mark_values(call: Call) -> list[dict[str, Any]]:
    """`marks/values`: the marks' types and the values each may take."""
    return [dict(kind) for kind in v2.MARK_VALUES]
