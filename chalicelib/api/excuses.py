"""A parent's excuse: their child will be, or was, away on some dates, for a reason (issue "school life", item 8).

The teacher sees those pupils prefilled as excused when taking a lesson's attendance (`prefill`, in the lesson's
view and in the class's excuses); notifications do not tell parents of an "unexcused" absence on an excused day
(`chalicelib.store.excuses.excused_on`). A parent reports for their own children; the school_admin may enter a
parent's note; a parent withdraws their own excuse.

Decisions: an excuse spans at most 31 days, starts at most 30 days back and at most 90 days ahead.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field
from chalicelib.api.diary import visible_pupil
from chalicelib.api.http import Call, Query, Reply, endpoint
from chalicelib.api.views import target_of
from chalicelib.auth import authorize
from chalicelib.domain import dates
from chalicelib.domain.errors import BadRequest, FieldError, Forbidden, NotFound, RuleViolation
from chalicelib.domain.journal import MAX_TEXT
from chalicelib.domain.policy import Action, Role
from chalicelib.store import excuses as store
from chalicelib.store import schools
from chalicelib.store.journal import Entry

__all__ = ["bp", "prefill"]

bp = Blueprint(__name__)

_EXCUSE = {"from": Field(str), "to": Field(str), "reason": Field(str)}
MAX_DAYS = 31
PAST_DAYS = 30
AHEAD_DAYS = 90


def excuse_view(e: store.ExcuseItem) -> dict[str, Any]:
    return {"excuse_id": e.excuse_id, "student_id": e.student_id, "from": e.start, "to": e.end,
            "reason": e.reason, "created_by": e.by, "created_at": e.at}


def prefill(class_id: str, day: date, pupils: set[str], attendance: dict[str, Entry]) -> list[dict[str, Any]]:
    """Pupils of a lesson on `day` whose parents excused them and who have no attendance yet: status excused."""
    shown = []
    for e in store.class_excuses(class_id, day, day):
        held = attendance.get(e.student_id)
        if e.student_id in pupils and e.covers(day) and (held is None or held.removed):
            shown.append({"student_id": e.student_id, "status": "excused", "excuse_id": e.excuse_id,
                          "comment": e.reason})
    return sorted(shown, key=lambda p: p["student_id"])


def _dates(body: dict[str, Any]) -> tuple[date, date]:
    errors, found = [], []
    for name in ("from", "to"):
        try:
            found.append(dates.parse_date(body[name]))
        except dates.InvalidDate as exc:
            errors.append(FieldError(name, str(exc)))
    if errors:
        raise RuleViolation("The dates are not valid.", errors, slug="invalid-date")
    start, end = found
    today = dates.today_kz()
    if start > end or (end - start).days >= MAX_DAYS:
        errors.append(FieldError("to", f"from <= to, at most {MAX_DAYS} days"))
    if start < today - timedelta(days=PAST_DAYS) or start > today + timedelta(days=AHEAD_DAYS):
        errors.append(FieldError("from", f"from {PAST_DAYS} days back to {AHEAD_DAYS} days ahead"))
    if errors:
        raise RuleViolation("The excuse's dates are out of range.", errors, slug="date-out-of-range")
    return start, end


@endpoint(bp, "/v1/students/{student_id}/excuses", "POST", creates=True,
          summary="A parent excuses their child's absence on some dates (or the school_admin enters it)",
          request=_EXCUSE, statuses=(201, 400, 403, 404, 422))
def create_excuse(call: Call, student_id: str) -> Reply:
    caller = call.caller
    pupil = visible_pupil(caller, student_id)
    if student_id not in caller.children and not caller.has(Role.SCHOOL_ADMIN, pupil.school_id):
        raise Forbidden("Only the pupil's parents (or the school_admin) excuse an absence.")
    body = call.json(_EXCUSE)
    start, end = _dates(body)
    reason = body["reason"].strip()
    if not 0 < len(reason) <= MAX_TEXT:
        raise RuleViolation("The excuse needs a reason.", [FieldError("reason", f"1 to {MAX_TEXT} characters")])
    excuse = store.create_excuse(student_id, pupil.class_id, pupil.school_id, start, end, reason,
                                 caller.person_id, dates.to_rfc3339(dates.now_kz()))
    return Reply(excuse_view(excuse), 201)


@endpoint(bp, "/v1/students/{student_id}/excuses", summary="A pupil's excuses (?from, ?to)",
          statuses=(200, 400, 403, 404),
          query={"from": Query.date("Only excuses up to this day or later: YYYY-MM-DD"),
                 "to": Query.date("Only excuses from this day or earlier: YYYY-MM-DD")})
def list_excuses(call: Call, student_id: str) -> list[dict[str, Any]]:
    visible_pupil(call.caller, student_id)
    start, end = _range(call, required=False)
    return [excuse_view(e) for e in store.excuses_of(student_id, start, end)]


@endpoint(bp, "/v1/students/{student_id}/excuses/{excuse_id}", "DELETE",
          summary="Withdraw an excuse (the parent who gave it, school_admin)", statuses=(200, 403, 404))
def delete_excuse(call: Call, student_id: str, excuse_id: str) -> dict[str, Any]:
    caller = call.caller
    pupil = visible_pupil(caller, student_id)
    excuse = next((e for e in store.excuses_of(student_id) if e.excuse_id == excuse_id), None)
    if excuse is None:
        raise NotFound("No such excuse.")
    if excuse.by != caller.person_id and not caller.has(Role.SCHOOL_ADMIN, pupil.school_id):
        raise Forbidden("Only the parent who gave the excuse (or the school_admin) withdraws it.")
    store.remove_excuse(excuse)
    return {"excuse_id": excuse_id, "withdrawn": True}


def _range(call: Call, *, required: bool) -> tuple[date | None, date | None]:
    found, errors = [], []
    for name in ("from", "to"):
        raw = call.query(name)
        if raw is None and not required:
            found.append(None)
            continue
        try:
            found.append(dates.parse_date(raw or ""))
        except dates.InvalidDate as exc:
            errors.append(FieldError(name, str(exc)))
    if errors:
        raise BadRequest("from and to are dates YYYY-MM-DD.", errors)
    return found[0], found[1]


@endpoint(bp, "/v1/classes/{class_id}/excuses", summary="The excuses of a class's pupils from..to (its teachers, "
          "school_admin)", statuses=(200, 400, 403, 404),
          query={"from": Query.date("The first day: YYYY-MM-DD", required=True),
                 "to": Query.date("The last day: YYYY-MM-DD, at most 92 days after from", required=True)})
def class_excuses(call: Call, class_id: str) -> list[dict[str, Any]]:
    klass = schools.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.READ_JOURNAL, target_of(klass), what="class")
    start, end = _range(call, required=True)
    if start > end or (end - start).days > 92:
        raise BadRequest("from <= to, at most 92 days apart.", [FieldError("to", "from <= to, at most 92 days")])
    return [excuse_view(e) for e in sorted(store.class_excuses(class_id, start, end), key=lambda e: e.sk)]
