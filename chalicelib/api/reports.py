"""Reports through the API (api-contract.md, Reports): ask for one, list those the caller may fetch, fetch one.

`POST /v1/reports` runs the same job the schedule runs, for one scope: the report is made pending (the same
(kind, scope, year, period, date, format, language) keeps its report_id) and queued; the answer is 202.
`GET /v1/reports/{report_id}` gives an absolute pre-signed link (`url`) once the report is ready.

Who may ask for and fetch a report:
- class_sheet: the school's school_admin, and the class's homeroom teacher;
- school, timeliness: the school's school_admin;
- region: the region's region_admin and the ministry; national: the ministry (aggregates only, no names);
- parent_weekly: the pupil's parents.
An id in the body that names nothing the caller may know of is 422 (unknown id); a report of the caller's own
school that their role may not have is 403; any other report is 404. Nothing here loads a report library.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.domain import dates
from chalicelib.domain.errors import FieldError, Forbidden, NotFound, RuleViolation
from chalicelib.domain.journal import PERIODS
from chalicelib.domain.policy import REGIONS, Action, Caller, Role, Target, Verdict, decide
from chalicelib.store import files, people, reports, schools
from chalicelib.store.reports import ReportItem, Spec

__all__ = ["bp", "FORMATS"]

bp = Blueprint(__name__)

FORMATS = {"class_sheet": ("xlsx", "csv", "pdf"), "school": ("xlsx", "csv"), "timeliness": ("xlsx", "csv"),
           "region": ("xlsx", "csv"), "national": ("xlsx", "csv"), "parent_weekly": ("pdf",)}
_WITH_PERIOD = ("class_sheet", "school", "region", "national")
_SCOPE = {"class_sheet": "class_id", "school": "school_id", "timeliness": "school_id", "region": "region",
          "parent_weekly": "student_id"}
_OPTIONAL = Field(str, required=False)
_REQUEST = {"kind": Field(str), "school_id": _OPTIONAL, "class_id": _OPTIONAL, "region": _OPTIONAL,
            "student_id": _OPTIONAL, "year": Field(int), "period": _OPTIONAL, "date": _OPTIONAL,
            "format": Field(str), "language": Field(str)}
_URL_SECONDS = 900


def _broken(field: str, message: str) -> RuleViolation:
    return RuleViolation("The report cannot be made as asked.", [FieldError(field, message)])


def _unknown(field: str) -> RuleViolation:
    return RuleViolation("The body names something that does not exist.", [FieldError(field, "unknown id")],
                         slug="unknown-id")


def _checked(body: dict[str, Any]) -> Spec:
    """The tuple the body asks for, its values checked (422 for each rule broken, the first reported)."""
    from chalicelib.domain.reports import LANGUAGES, week_of  # the reports' modules load on a report's request
    from chalicelib.jobs.reports import KINDS

    kind, fmt, language = body["kind"], body["format"], body["language"]
    if kind not in KINDS:
        raise _broken("kind", "one of " + ", ".join(KINDS))
    if fmt not in FORMATS[kind]:
        raise _broken("format", f"a {kind} report is one of " + ", ".join(FORMATS[kind]))
    if language not in LANGUAGES:
        raise _broken("language", "kk or ru")
    if not 2000 <= body["year"] <= 2100:
        raise _broken("year", "a school year such as 2026")
    scope = _SCOPE.get(kind)
    if scope and not body.get(scope):
        raise _broken(scope, f"a {kind} report needs {scope}")
    period = body.get("period") if kind in _WITH_PERIOD else None
    if kind in _WITH_PERIOD and period not in PERIODS:
        raise _broken("period", "one of " + ", ".join(PERIODS))
    day = None
    if kind in ("timeliness", "parent_weekly"):
        try:
            when = dates.parse_date(body["date"]) if body.get("date") else dates.today_kz()
        except dates.InvalidDate as exc:
            raise _broken("date", str(exc)) from None
        if dates.school_year_of(when) != body["year"]:
            raise _broken("date", f"a day of the school year {body['year']}")
        day = (week_of(when) if kind == "parent_weekly" else when).isoformat()
    return Spec(kind, body["year"], fmt, language, school_id=body.get("school_id") if scope == "school_id" else None,
                class_id=body.get("class_id") if kind == "class_sheet" else None,
                region=body.get("region") if kind == "region" else None,
                student_id=body.get("student_id") if kind == "parent_weekly" else None, period=period, date=day)


def _sees_school(caller: Caller, school_id: str, region: str) -> bool:
    return decide(caller, Action.READ_SCHOOL, Target(school_id, region)) is not Verdict.HIDE


def _admits(caller: Caller, spec: Spec) -> Spec:
    """`spec` (with the class's school) if the caller may have it: 422 for what they may not know of, else 403."""
    if spec.kind == "class_sheet":
        klass = schools.get_class(spec.class_id or "")
        if klass is None or not _sees_school(caller, klass.school_id, klass.region):
            raise _unknown("class_id")
        if int(klass.year) != spec.year:
            raise _broken("year", f"the class is of the school year {int(klass.year)}")
        if caller.has(Role.SCHOOL_ADMIN, klass.school_id) or klass.class_id in caller.homeroom_classes:
            return replace(spec, school_id=klass.school_id)
        raise Forbidden("A class sheet is for the school's administrators and the class's homeroom teacher.")
    if spec.kind in ("school", "timeliness"):
        school = schools.get_school(spec.school_id or "")
        if school is None or not _sees_school(caller, school.school_id, school.region):
            raise _unknown("school_id")
        if caller.has(Role.SCHOOL_ADMIN, school.school_id):
            return spec
        raise Forbidden("This report is for the school's administrators.")
    if spec.kind == "region":
        if spec.region not in REGIONS:
            raise _broken("region", "a region code")
        if caller.has(Role.MINISTRY) or spec.region in caller.regions():
            return spec
        raise Forbidden("A region report is for the region's administrators and the ministry.")
    if spec.kind == "national":
        if caller.has(Role.MINISTRY):
            return spec
        raise Forbidden("The national report is for the ministry.")
    if spec.student_id in caller.children:
        return spec
    pupil = people.get_person(spec.student_id or "")
    if pupil is None or pupil.role != "student" or decide(caller, Action.READ_PUPIL, Target(
            pupil.school_id, pupil.region, pupil.class_id, student_id=pupil.person_id)) is Verdict.HIDE:
        raise _unknown("student_id")
    raise Forbidden("A weekly report goes to the pupil's parents.")


def _verdict(caller: Caller, item: ReportItem) -> Verdict:
    """May the caller fetch this report (ALLOW), is it of their school but not for them (FORBID), or not theirs."""
    kind = item.kind
    if kind == "parent_weekly":
        return Verdict.ALLOW if item.student_id in caller.children else Verdict.HIDE
    if kind == "national":
        return Verdict.ALLOW if caller.has(Role.MINISTRY) else Verdict.HIDE
    if kind == "region":
        allowed = caller.has(Role.MINISTRY) or item.region in caller.regions()
        return Verdict.ALLOW if allowed else Verdict.HIDE
    if caller.has(Role.SCHOOL_ADMIN, item.school_id):
        return Verdict.ALLOW
    if kind == "class_sheet" and item.class_id in caller.homeroom_classes:
        return Verdict.ALLOW
    return Verdict.FORBID if item.school_id in caller.schools() else Verdict.HIDE


def _view(item: ReportItem) -> dict[str, Any]:
    view = {"report_id": item.report_id, "kind": item.kind, "status": item.status, "created_at": item.created_at,
            "updated_at": item.updated_at, "year": int(item.year), "period": item.period, "date": item.day,
            "format": item.fmt, "language": item.language, "school_id": item.school_id, "class_id": item.class_id,
            "region": item.region, "student_id": item.student_id}
    if item.status == "ready" and item.object_key:
        view["url"] = files.presigned_url(item.object_key, expires_in=_URL_SECONDS)
        view["size"] = int(item.size or 0)
    if item.status == "failed":
        view["error"] = item.error
    return view


@endpoint(bp, "/v1/reports", "POST", creates=True, request=_REQUEST, statuses=(202, 400, 401, 403, 422),
          summary="Ask for a report (class sheet, school, timeliness, region, national, parent weekly)")
def ask(call: Call) -> Reply:
    from chalicelib.jobs.reports import request_report

    spec = _admits(call.caller, _checked(call.json(_REQUEST)))
    item = request_report(spec)
    return Reply({"report_id": item.report_id, "status": "pending"}, status=202)


def _fetchable(caller: Caller) -> list[ReportItem]:
    found: list[ReportItem] = []
    for grant in caller.grants:
        if grant.role == Role.SCHOOL_ADMIN and grant.school_id:
            found += reports.reports_in(f"S#{grant.school_id}")
        elif grant.role == Role.REGION_ADMIN and grant.region:
            found += reports.reports_in(f"R#{grant.region}")
        elif grant.role == Role.MINISTRY:
            found += reports.reports_in("N")
            for region in sorted(REGIONS):
                found += reports.reports_in(f"R#{region}")
    for school_id in caller.schools():
        if not caller.has(Role.SCHOOL_ADMIN, school_id):
            for class_id in sorted(caller.homeroom_classes):
                found += reports.reports_in(f"S#{school_id}", f"class_sheet#{class_id}#")
    for child in sorted(caller.children):
        found += reports.reports_in(f"P#{child}")
    unique = {item.report_id: item for item in found}
    return sorted(unique.values(), key=lambda r: (r.created_at, r.report_id), reverse=True)


@endpoint(bp, "/v1/reports", summary="The reports I may fetch, newest first", statuses=(200, 401))
def listing(call: Call) -> list[dict[str, Any]]:
    return [_view(item) for item in _fetchable(call.caller)]


@endpoint(bp, "/v1/reports/{report_id}", summary="One report, with a pre-signed `url` once it is ready",
          statuses=(200, 401, 403, 404))
def fetch(call: Call, report_id: str) -> dict[str, Any]:
    item = reports.get_report(report_id)
    verdict = Verdict.HIDE if item is None else _verdict(call.caller, item)
    if verdict is Verdict.HIDE or item is None:
        raise NotFound("No such report.")
    if verdict is Verdict.FORBID:
        raise Forbidden("Your role does not allow this report.")
    return _view(item)
