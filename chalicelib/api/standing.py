"""A pupil's standing, a journal's statistics, and a period's statuses, verdicts and close (issue 4).

- `GET /v1/students/{student_id}/standing?year=&period=&lang=`: the pupil, their parents, their teachers,
  school_admin (READ_PUPIL).
- `GET /v1/journals/{journal_id}/statistics?period=`: who may read the journal (READ_JOURNAL).
- `GET /v1/journals/{journal_id}/periods/{period}`: the period's pupils with status, verdict and final mark.
- `PUT .../periods/{period}/status` (school_admin): exempt / not assessed / assessed, with a reason.
- `PUT .../periods/{period}/verdicts` (teacher of the journal, school_admin): pass/fail verdicts. Kept apart
  from the status route: verdicts are the teacher's, statuses follow the school's documents.
- `POST .../periods/{period}/close` (teacher of the journal, school_admin): the final marks (marking.close_period).
Every change of a period's statuses or verdicts holds the gates of its terms, like any journal write.
"""
from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.diary import visible_pupil
from chalicelib.api.http import Call, Query, endpoint
from chalicelib.api.journal import visible_journal
from chalicelib.api.marking import Setup, check_period, close_period, pupil_standing, setup_of, statistics
from chalicelib.domain import dates
from chalicelib.domain.assessment import Scheme
from chalicelib.domain.collation import sort_people
from chalicelib.domain.errors import BadRequest, FieldError, Forbidden
from chalicelib.domain.journal import MAX_TEXT, PERIODS, RulesBroken, Violation
from chalicelib.domain.policy import Action, Caller, Role
from chalicelib.domain.standing import terms_in
from chalicelib.store import marks, membership, people
from chalicelib.store import journal as store
from chalicelib.store.directory import JournalItem, PersonItem

__all__ = ["bp"]

bp = Blueprint(__name__)

_LANGUAGES = ("kk", "ru")
_STATUSES = ("assessed", "exempt", "not_assessed")
_MARKED = ("T1", "T2", "T3", "T4", "H1", "H2")
_TEXT = Field(str, required=False, nullable=True)
_STATUS = {"entries": Field(ListOf({"student_id": Field(str), "status": Field(str), "reason": _TEXT,
                                    "document_date": _TEXT}, max_items=99))}
_VERDICTS = {"entries": Field(ListOf({"student_id": Field(str), "passed": Field(bool, nullable=True)},
                                     max_items=99))}


def _period(value: str | None, allowed: tuple[str, ...] = PERIODS) -> str:
    if value not in allowed:
        raise BadRequest("period is one of " + ", ".join(allowed) + ".",
                         [FieldError("period", "one of " + ", ".join(allowed))])
    return value


@endpoint(bp, "/v1/students/{student_id}/standing",
          summary="A pupil's standing in every subject of the class for a period (T1..T4, H1, H2, Y): live and "
                  "provisional before the close, final after it; explained in kk or ru (?lang=, default the "
                  "reader's language); ?year= defaults to the class's school year",
          statuses=(200, 400, 403, 404, 422),
          query={"period": Query.one_of("The period: " + ", ".join(PERIODS), PERIODS, required=True),
                 "lang": Query.one_of("The language of the explanations: kk or ru, default the reader's",
                                      _LANGUAGES),
                 "year": Query.integer("The school year, by the year it begins: 2000..2100, default the class's",
                                       2000, 2100)})
def standing(call: Call, student_id: str) -> dict[str, Any]:
    period = _period(call.query("period"))
    language = call.query("lang")
    if language is not None and language not in _LANGUAGES:
        raise BadRequest("lang is kk or ru.", [FieldError("lang", "kk or ru")])
    language = language or (call.caller.language if call.caller.language in _LANGUAGES else "kk")
    raw_year = call.query("year")
    if raw_year is not None and not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4
                                     and 2000 <= int(raw_year) <= 2100):
        raise BadRequest("year is a school year such as 2026.", [FieldError("year", "a year 2000..2100")])
    pupil = visible_pupil(call.caller, student_id)
    return pupil_standing(pupil, int(raw_year) if raw_year else None, period, language)


@endpoint(bp, "/v1/journals/{journal_id}/statistics",
          summary="Class statistics of a journal's period (assessment-rules.md §8): from the final marks once "
                  "the period is closed (final: true), else from every pupil's live mark as the stream-kept "
                  "counters have it; as_of: when they last changed (null: nothing counted yet)",
          statuses=(200, 400, 403, 404, 422),
          query={"period": Query.one_of("The period: " + ", ".join(_MARKED), _MARKED, required=True)})
def journal_statistics(call: Call, journal_id: str) -> dict[str, Any]:
    period = _period(call.query("period"), _MARKED)
    journal = visible_journal(call.caller, journal_id, Action.READ_JOURNAL)
    return statistics(journal, period)


@endpoint(bp, "/v1/journals/{journal_id}/periods/{period}",
          summary="A journal's period: closed or not, and each pupil's status, verdict and final mark",
          statuses=(200, 400, 403, 404, 422))
def period_state(call: Call, journal_id: str, period: str) -> dict[str, Any]:
    _period(period, _MARKED)
    journal = visible_journal(call.caller, journal_id, Action.READ_JOURNAL)
    setup = setup_of(journal)
    check_period(setup, period)
    pupils = sort_people(membership.pupils_of_journal(journal))
    sheet = marks.status_sheet(journal_id, period)
    marker = store.close_marker(journal_id, period)
    final = (marker.marks or {}) if marker is not None and marker.closed else None
    return {"journal_id": journal_id, "period": period, "closed": final is not None,
            "closed_at": marker.done if final is not None else None,
            "closed_by": marker.by if final is not None else None,
            "students": [{"student_id": p.person_id, "display_name": people.display_name(p),
                          **_said(sheet.get(p.person_id, {})), "mark": (final or {}).get(p.person_id)}
                         for p in pupils]}


def _said(fields: dict[str, Any]) -> dict[str, Any]:
    return {"status": fields.get("status") or "assessed", "reason": fields.get("reason"),
            "document_date": fields.get("document_date"), "passed": fields.get("passed")}


def _writable(call: Call, journal_id: str, period: str, action: Action) -> tuple[JournalItem, Setup,
                                                                                 list[PersonItem]]:
    journal = visible_journal(call.caller, journal_id, action)
    setup = setup_of(journal)
    check_period(setup, period)
    return journal, setup, membership.pupils_of_journal(journal)


def _common(entries: list[dict[str, Any]], pupils: list[PersonItem]) -> list[Violation]:
    ids, seen, out = {p.person_id for p in pupils}, set(), []
    for i, entry in enumerate(entries):
        if entry["student_id"] not in ids:
            out.append(Violation("pupil-not-in-class", f"entries[{i}].student_id", "not a pupil of this journal"))
        elif entry["student_id"] in seen:
            out.append(Violation("duplicate-pupil", f"entries[{i}].student_id", "listed twice"))
        seen.add(entry["student_id"])
    return out


def _writer(caller: Caller, journal: JournalItem) -> tuple[str, str, str]:
    role = "school_admin" if caller.has(Role.SCHOOL_ADMIN, journal.school_id) else "teacher"
    return caller.person_id, role, dates.to_rfc3339(dates.now_kz())


def _holding_gates(journal_id: str, period: str) -> ExitStack:
    stack = ExitStack()
    for term in terms_in(period):
        stack.enter_context(store.writing(journal_id, term))
    return stack


@endpoint(bp, "/v1/journals/{journal_id}/periods/{period}/status", "PUT",
          summary="Mark pupils exempt (освобождён) or not assessed (не аттестован) in a period, or assessed again "
                  "(school_admin); exempt and not_assessed need a reason, document_date is YYYY-MM-DD",
          request=_STATUS, statuses=(200, 400, 403, 404, 409, 422))
def put_status(call: Call, journal_id: str, period: str) -> dict[str, Any]:
    _period(period, _MARKED)
    journal, setup, pupils = _writable(call, journal_id, period, Action.READ_JOURNAL)
    if not call.caller.has(Role.SCHOOL_ADMIN, journal.school_id):
        raise Forbidden("Only the school's administrator sets a pupil's status.")
    entries = call.json(_STATUS)["entries"]
    violations = _common(entries, pupils)
    for i, entry in enumerate(entries):
        reason = (entry.get("reason") or "").strip()
        if entry["status"] not in _STATUSES:
            violations.append(Violation("invalid-value", f"entries[{i}].status", "one of " + ", ".join(_STATUSES)))
        elif entry["status"] != "assessed" and not reason:
            violations.append(Violation("reason-required", f"entries[{i}].reason",
                                        "required for exempt and not_assessed"))
        if len(reason) > MAX_TEXT:
            violations.append(Violation("too-long", f"entries[{i}].reason", f"at most {MAX_TEXT} characters"))
        if entry.get("document_date") is not None:
            try:
                dates.parse_date(entry["document_date"])
            except dates.InvalidDate as exc:
                violations.append(Violation("invalid-date", f"entries[{i}].document_date", str(exc)))
    if violations:
        raise RulesBroken("The statuses cannot be saved.", violations)
    changes = {e["student_id"]: {"status": None if e["status"] == "assessed" else e["status"],
                                 "reason": (e.get("reason") or "").strip() or None,
                                 "document_date": None if e["status"] == "assessed" else e.get("document_date")}
               for e in entries}
    with _holding_gates(journal_id, period):
        marks.set_statuses(setup.year, period, journal_id, changes, _writer(call.caller, journal))
    return {"journal_id": journal_id, "period": period, "entries": [
        {"student_id": pupil, "status": _said(fields)["status"], "reason": fields["reason"],
         "document_date": fields["document_date"]} for pupil, fields in changes.items()]}


@endpoint(bp, "/v1/journals/{journal_id}/periods/{period}/verdicts", "PUT",
          summary="Pass/fail verdicts of a pass/fail subject in a period (teacher of the journal, school_admin): "
                  "passed true (зачёт), false (незачёт) or null (not given yet)",
          request=_VERDICTS, statuses=(200, 400, 403, 404, 409, 422))
def put_verdicts(call: Call, journal_id: str, period: str) -> dict[str, Any]:
    _period(period, _MARKED)
    journal, setup, pupils = _writable(call, journal_id, period, Action.WRITE_JOURNAL)
    entries = call.json(_VERDICTS)["entries"]
    violations = _common(entries, pupils)
    if setup.scheme is not Scheme.PASS_FAIL:
        violations.append(Violation("not-pass-fail", "entries", "this subject is not assessed pass/fail"))
    if violations:
        raise RulesBroken("The verdicts cannot be saved.", violations)
    with _holding_gates(journal_id, period):
        marks.set_statuses(setup.year, period, journal_id, {e["student_id"]: {"passed": e["passed"]} for e in entries},
                           _writer(call.caller, journal))
    return {"journal_id": journal_id, "period": period,
            "entries": [{"student_id": e["student_id"], "passed": e["passed"]} for e in entries]}


@endpoint(bp, "/v1/journals/{journal_id}/periods/{period}/close", "POST",
          summary="Close a period (teacher of the journal, school_admin): every pupil's final mark, the annual "
                  "marks when it is the subject's last period; the period is read-only afterwards. 409 "
                  "period-incomplete listing the pupils without a SOCH (SOR, verdict) who are neither not "
                  "assessed nor exempt; 409 period-closed when closed already; 409 journal-busy while entries "
                  "are being written",
          statuses=(200, 400, 403, 404, 409, 422))
def close(call: Call, journal_id: str, period: str) -> dict[str, Any]:
    _period(period, _MARKED)
    journal = visible_journal(call.caller, journal_id, Action.WRITE_JOURNAL)
    setup = setup_of(journal)
    check_period(setup, period)
    return close_period(setup, period, call.caller.person_id)
