"""Schools, their settings, periods and holidays (api-contract.md, Directory)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf, check_shape, parse_json
from chalicelib.api.http import Call, Query, Reply, endpoint
from chalicelib.api.views import school_view, target_of
from chalicelib.auth import authorize
from chalicelib.domain import calendar
from chalicelib.domain.assessment.packs import SOR_METHODS
from chalicelib.domain.dates import InvalidDate, parse_date
from chalicelib.domain.errors import BadRequest, FieldError, NotFound, RuleViolation
from chalicelib.domain.policy import REGIONS, Action, Caller, Target
from chalicelib.store import schools as store
from chalicelib.store.directory import SchoolItem

__all__ = ["bp", "visible_school"]

bp = Blueprint(__name__)

_NAME = {"kk": Field(str), "ru": Field(str)}
_SCHOOL = {"name": Field(_NAME), "region": Field(str), "locality": Field(str, required=False, nullable=True)}
_PERIOD = {"period": Field(str), "start": Field(str), "end": Field(str)}
_HOLIDAY = {"date": Field(str), "name": Field(_NAME)}
_SETTINGS = {"edit_window_days": Field(int, nullable=True),
             "sor_method": Field(str, required=False), "pool_fo_with_sor": Field(bool, required=False),
             "fo_max": Field(int, required=False)}
_FO_MAX = 100
PERIOD_CODES = ("T1", "T2", "T3", "T4", "H1", "H2", "Y")
_ASSESSMENT_DEFAULTS = {"sor_method": "points", "pool_fo_with_sor": False, "fo_max": 10}
_YEAR = {"year": Query.integer("The school year, by the year it begins: 2000..2100, e.g. 2026", 2000, 2100,
                               required=True)}
_YEAR_AND_GRADE = {**_YEAR, "grade": Query.integer("The grade: 1..11", 1, 11, required=True)}


def visible_school(caller: Caller, school_id: str, action: Action) -> SchoolItem:
    """The school if `caller` may do `action` in it; 404 if unknown or hidden, 403 if the role may not."""
    school = store.get_school(school_id)
    if school is None:
        raise NotFound("No such school.")
    authorize(caller, action, target_of(school), what="school")
    return school


@endpoint(bp, "/v1/schools", "POST", summary="Create a school (ministry, region_admin of its region)",
          creates=True, request=_SCHOOL, statuses=(201, 400, 403, 422))
def create_school(call: Call) -> Reply:
    body = call.json(_SCHOOL)
    errors = []
    if body["region"] not in REGIONS:
        errors.append(FieldError("region", "unknown region code"))
    for lang in ("kk", "ru"):
        if not body["name"][lang].strip():
            errors.append(FieldError(f"name.{lang}", "must not be empty"))
    authorize(call.caller, Action.CREATE_SCHOOL, Target(None, body["region"]), what="region")
    if errors:
        raise RuleViolation("The school cannot be created.", errors)
    school = store.create_school(body["name"]["kk"].strip(), body["name"]["ru"].strip(), body["region"],
                                 (body.get("locality") or "").strip() or None)
    return Reply(school_view(school), 201)


@endpoint(bp, "/v1/schools/{school_id}", summary="A school", statuses=(200, 404))
def get_school(call: Call, school_id: str) -> dict[str, Any]:
    return school_view(visible_school(call.caller, school_id, Action.READ_SCHOOL))


@endpoint(bp, "/v1/schools/{school_id}/settings", summary="A school's settings", statuses=(200, 404))
def get_settings(call: Call, school_id: str) -> dict[str, Any]:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    return _settings_view(store.get_settings(school_id))


@endpoint(bp, "/v1/schools/{school_id}/settings", "PUT",
          summary="Change a school's settings (school_admin): the edit window (days, null: unlimited) and the "
                  "assessment settings of assessment-rules.md §3 (sor_method points|mean_of_percentages, "
                  "pool_fo_with_sor, fo_max, which may only grow); assessment settings left out stay as they are",
          request=_SETTINGS, statuses=(200, 400, 403, 404, 422))
def put_settings(call: Call, school_id: str) -> dict[str, Any]:
    visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    changes = call.json(_SETTINGS)
    current = _settings_view(store.get_settings(school_id))
    errors = []
    days = changes["edit_window_days"]
    if days is not None and not 0 <= days <= 366:
        errors.append(FieldError("edit_window_days", "must be 0..366 or null"))
    if "sor_method" in changes and changes["sor_method"] not in SOR_METHODS:
        errors.append(FieldError("sor_method", f"one of {', '.join(SOR_METHODS)}"))
    if "fo_max" in changes and not current["fo_max"] <= changes["fo_max"] <= _FO_MAX:
        errors.append(FieldError("fo_max", f"{current['fo_max']}..{_FO_MAX}: formative points already given "
                                           "must stay within it"))
    if errors:
        raise RuleViolation("The settings cannot be saved.", errors)
    return _settings_view(store.put_settings(school_id, changes))


def _settings_view(item: Any) -> dict[str, Any]:
    """The settings in force: the school's own, or the defaults (7 days; §3: points, separate, FO out of 10)."""
    if item is None:
        return {"edit_window_days": 7, **_ASSESSMENT_DEFAULTS}
    return {"edit_window_days": None if item.unlimited else int(item.edit_window_days),
            "sor_method": item.sor_method or _ASSESSMENT_DEFAULTS["sor_method"],
            "pool_fo_with_sor": (_ASSESSMENT_DEFAULTS["pool_fo_with_sor"] if item.pool_fo_with_sor is None
                                 else item.pool_fo_with_sor),
            "fo_max": _ASSESSMENT_DEFAULTS["fo_max"] if item.fo_max is None else int(item.fo_max)}


def _year(call: Call, required: bool = True) -> int:
    return _int_param(call, "year", 2000, 2100)


def _int_param(call: Call, name: str, low: int, high: int) -> int:
    raw = call.query(name)
    if raw is None or not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not low <= int(raw) <= high:
        raise BadRequest(f"Query parameter {name} is required: an integer {low}..{high}.",
                         [FieldError(name, f"an integer {low}..{high} is required")])
    return int(raw)


@endpoint(bp, "/v1/schools/{school_id}/periods", summary="Periods of a year and grade", statuses=(200, 400, 404),
          query=_YEAR_AND_GRADE)
def get_periods(call: Call, school_id: str) -> list[dict[str, str]]:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    year, grade = _year(call), _int_param(call, "grade", 1, 11)
    own = store.get_override(school_id, f"PERIODS#{year}#{grade}")
    if own is not None:
        return own
    try:
        return [{"period": p.code, "start": p.start.isoformat(), "end": p.end.isoformat()}
                for p in calendar.periods(year, grade)]
    except calendar.CalendarUnknown:
        raise NotFound(f"No calendar is known for the school year {year}.") from None


@endpoint(bp, "/v1/schools/{school_id}/periods", "PUT", summary="Adjust the periods of a year and grade",
          request={"periods": Field(ListOf(_PERIOD))}, statuses=(200, 400, 403, 404, 422), query=_YEAR_AND_GRADE)
def put_periods(call: Call, school_id: str) -> list[dict[str, str]]:
    visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    year, grade = _year(call), _int_param(call, "grade", 1, 11)
    entries = _list_body(call, "periods", _PERIOD)
    errors, seen = [], set()
    for i, entry in enumerate(entries):
        if entry["period"] not in PERIOD_CODES or entry["period"] in seen:
            errors.append(FieldError(f"periods[{i}].period", f"one of {', '.join(PERIOD_CODES)}, once each"))
        seen.add(entry["period"])
        start, end = _date(entry["start"], f"periods[{i}].start", errors), _date(entry["end"], f"periods[{i}].end",
                                                                               errors)
        if start and end and start > end:
            errors.append(FieldError(f"periods[{i}]", "start is after end"))
        if start and not (year <= start.year <= year + 1):
            errors.append(FieldError(f"periods[{i}].start", f"outside the school year {year}-{year + 1}"))
    if errors:
        raise RuleViolation("The periods cannot be saved.", errors)
    clean = [{"period": e["period"], "start": e["start"], "end": e["end"]} for e in entries]
    store.put_override(school_id, f"PERIODS#{year}#{grade}", clean)
    return clean


@endpoint(bp, "/v1/schools/{school_id}/holidays", summary="Public holidays of a school year",
          statuses=(200, 400, 404), query=_YEAR)
def get_holidays(call: Call, school_id: str) -> list[dict[str, Any]]:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    year = _year(call)
    own = store.get_override(school_id, f"HOLIDAYS#{year}")
    if own is not None:
        return own
    try:
        return [{"date": h.date.isoformat(), "name": dict(h.name)} for h in calendar.holidays(year)]
    except calendar.CalendarUnknown:
        raise NotFound(f"No calendar is known for the school year {year}.") from None


@endpoint(bp, "/v1/schools/{school_id}/holidays", "PUT", summary="Adjust the holidays of a school year",
          request={"holidays": Field(ListOf(_HOLIDAY))}, statuses=(200, 400, 403, 404, 422), query=_YEAR)
def put_holidays(call: Call, school_id: str) -> list[dict[str, Any]]:
    visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    year = _year(call)
    entries = _list_body(call, "holidays", _HOLIDAY)
    errors: list[FieldError] = []
    for i, entry in enumerate(entries):
        day = _date(entry["date"], f"holidays[{i}].date", errors)
        if day and not (year <= day.year <= year + 1):
            errors.append(FieldError(f"holidays[{i}].date", f"outside the school year {year}-{year + 1}"))
    if errors:
        raise RuleViolation("The holidays cannot be saved.", errors)
    clean = sorted(({"date": e["date"], "name": {"kk": e["name"]["kk"], "ru": e["name"]["ru"]}} for e in entries),
                   key=lambda e: e["date"])
    store.put_override(school_id, f"HOLIDAYS#{year}", clean)
    return clean


def _list_body(call: Call, name: str, item: dict[str, Field]) -> list[dict[str, Any]]:
    """Accept the GET representation (a JSON array) or `{"<name>": [...]}`."""
    body = parse_json(call.raw_body)
    if isinstance(body, list):
        body = {name: body}
    return check_shape(body, {name: Field(ListOf(item))})[name]


def _date(text: str, field: str, errors: list[FieldError]):
    try:
        return parse_date(text)
    except InvalidDate as exc:
        errors.append(FieldError(field, str(exc)))
        return None
