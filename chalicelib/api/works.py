"""Summative works (SOR, SOCH) with criteria and descriptors, and their results (api-contract.md, Journal)."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.entries import Wanted, save_entries
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.api.journal import admit, parse_day, rules_of, school_calendar, visible_journal, work_view
from chalicelib.api.lessons import ENTRY_LIMIT, NOTE, notes_of, ordered_entries
from chalicelib.domain import dates
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.journal import (
    MAX_TEXT, WORK_PERIODS, Descriptor, RulesBroken, Violation, WorkFacts, check_results, check_work, is_removal,
    result_points, terms_of,
)
from chalicelib.domain.policy import Action
from chalicelib.store import curriculum, membership
from chalicelib.store import journal as store
from chalicelib.store.directory import JournalItem

__all__ = ["bp"]

bp = Blueprint(__name__)

_NAME = {"kk": Field(str), "ru": Field(str)}
_CRITERION = {"objective": Field(str, required=False, nullable=True), "text": Field(_NAME),
              "descriptors": Field(ListOf({"text": Field(_NAME), "points": Field(int)}, max_items=30))}
_WORK = {"kind": Field(str), "period": Field(str), "date": Field(str), "title": Field(str), "max_points": Field(int),
         "criteria": Field(ListOf(_CRITERION, max_items=30), required=False, nullable=True),
         "objectives": Field(ListOf(str, max_items=30), required=False, nullable=True),
         "reason": Field(str, required=False, nullable=True)}
_TEXT = Field(str, required=False, nullable=True)
_CRITERIA_BYTES = 64_000
_RESULTS = {"entries": Field(ListOf({
    "student_id": Field(str), "points": Field(int, required=False, nullable=True), "feedback": _TEXT,
    "descriptors_met": Field(ListOf(str, max_items=100), required=False, nullable=True),
    "objectives": Field(ListOf(NOTE, max_items=30), required=False, nullable=True),
    "version": Field(int, required=False, nullable=True)}, max_items=ENTRY_LIMIT)), "reason": _TEXT}


def _criteria(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The criteria as stored: descriptors numbered 1..n across the work (their ids)."""
    if raw is None:
        return None
    number, out = 0, []
    for criterion in raw:
        descriptors = []
        for d in criterion["descriptors"]:
            number += 1
            descriptors.append({"descriptor_id": str(number), "text": {"kk": d["text"]["kk"], "ru": d["text"]["ru"]},
                                "points": d["points"]})
        out.append({"objective": criterion.get("objective"),
                    "text": {"kk": criterion["text"]["kk"], "ru": criterion["text"]["ru"]},
                    "descriptors": descriptors})
    return out


def _criteria_size(criteria: list[dict[str, Any]]) -> list[Violation]:
    """Criteria and descriptors are short texts, and all of them fit in the work's item."""
    texts = [t for c in criteria for part in (c, *c["descriptors"]) for t in part["text"].values()]
    size = len(json.dumps(criteria, ensure_ascii=False).encode())
    if any(len(t) > MAX_TEXT for t in texts) or size > _CRITERIA_BYTES:
        return [Violation("too-long", "criteria", f"texts of at most {MAX_TEXT} characters, "
                                                  f"{_CRITERIA_BYTES // 1000} KB in all")]
    return []


def descriptors_of(work: store.Work) -> dict[str, Descriptor]:
    return {d["descriptor_id"]: Descriptor(d["descriptor_id"], int(d["points"]))
            for c in work.criteria or [] for d in c["descriptors"]}


@endpoint(bp, "/v1/journals/{journal_id}/works", "POST", summary="Set a summative work (SOR or SOCH)",
          creates=True, request=_WORK, statuses=(201, 400, 403, 404, 409, 422))
def create_work(call: Call, journal_id: str) -> Reply:
    journal = visible_journal(call.caller, journal_id, Action.WRITE_JOURNAL)
    body = call.json(_WORK)
    rules = rules_of(journal)
    day, kind, period = parse_day(body["date"]), body["kind"], body["period"]
    cal = school_calendar(journal.school_id, int(rules.klass.year), rules.marking.grade)
    objectives = list(dict.fromkeys([*(body.get("objectives") or []),
                                     *(c["objective"] for c in body.get("criteria") or [] if c.get("objective"))]))
    known = curriculum.codes_of(journal.subject_id, rules.marking.grade) if objectives else frozenset()
    works = store.works_of(journal_id, _terms(period)) if period in WORK_PERIODS else []
    same_day = store.class_works_on(journal.class_id, day) if kind == "SOCH" else []
    violations = check_work(
        kind=kind, period=period, day=day, title=body["title"], max_points=body["max_points"],
        criteria=[[d["points"] for d in c["descriptors"]] for c in body["criteria"]] if body.get("criteria") else None,
        objectives=objectives, calendar=cal, marking=rules.marking, journal_id=journal_id,
        works=[WorkFacts(w.kind, w.period, date.fromisoformat(store.date_of(w)), journal_id) for w in works],
        class_soch_that_day=sum(w.kind == "SOCH" for w in same_day), known_objectives=known)
    violations += _criteria_size(body.get("criteria") or [])
    if violations:
        raise RulesBroken("The work cannot be saved.", violations)
    term = cal.term_of(day)
    with admit(rules, call.caller, day, term, body.get("reason")) as actor:
        work = store.create_work(journal_id, journal.class_id, journal.subject_id, term, day, new_id(), actor,
                                 kind=kind, period=period, title=body["title"].strip(),
                                 max_points=body["max_points"], criteria=_criteria(body.get("criteria")),
                                 objectives=list(body.get("objectives") or []))
    return Reply(work_view(work), 201)


def _terms(period: str) -> tuple[str, ...]:
    first, last = terms_of(period)
    return tuple(f"T{n}" for n in range(int(first[1]), int(last[1]) + 1))


def _work(call: Call, work_id: str, action: Action) -> tuple[JournalItem, store.Work]:
    ref = store.get_ref(work_id)
    if ref is None or "#W#" not in ref.target_sk:
        raise NotFound("No such work.")
    journal = visible_journal(call.caller, ref.journal_id, action)
    work = store.get_work(ref.journal_id, ref.target_sk)
    if work is None:
        raise NotFound("No such work.")
    return journal, work


@endpoint(bp, "/v1/works/{work_id}", summary="A summative work with its results", statuses=(200, 403, 404))
def get_work(call: Call, work_id: str) -> dict[str, Any]:
    journal, work = _work(call, work_id, Action.READ_JOURNAL)
    results = store.entries_of(journal.journal_id, work.sk[:2], "R", work_id)
    return {**work_view(work), "results": ordered_entries(membership.pupils_of_journal(journal), results)}


@endpoint(bp, "/v1/works/{work_id}/results", "PUT", summary="Set pupils' results of a work (merge)",
          request=_RESULTS, statuses=(200, 400, 403, 404, 409, 422))
def put_results(call: Call, work_id: str) -> dict[str, Any]:
    journal, work = _work(call, work_id, Action.WRITE_JOURNAL)
    body = call.json(_RESULTS)
    rules = rules_of(journal)
    day, term, entries = date.fromisoformat(store.date_of(work)), work.sk[:2], body["entries"]
    pupils = membership.pupils_of_journal(journal, day)  # those in the class that day
    ids, descriptors = frozenset(p.person_id for p in pupils), descriptors_of(work)
    noted = any(e.get("objectives") for e in entries)
    known = curriculum.codes_of(journal.subject_id, rules.marking.grade) if noted else frozenset()
    violations = check_results(entries, ids, day, dates.today_kz(), rules.marking, int(work.max_points),
                               descriptors, known)
    if violations:
        raise RulesBroken("The results cannot be saved.", violations)
    wanted = [Wanted(i, e["student_id"], _values(e, work, descriptors, rules.marking.feedback_only), e.get("version"))
              for i, e in enumerate(entries)]
    with admit(rules, call.caller, day, term, body.get("reason"), gated=False) as actor:
        saved = save_entries(journal.journal_id, term, "R", work_id, day.isoformat(), wanted, actor)
    return {"work_id": work_id, "kind": "result", "entries": ordered_entries(pupils, saved)}


def _values(entry: dict[str, Any], work: store.Work, descriptors: dict[str, Descriptor],
            feedback_only: bool) -> dict[str, Any] | None:
    """A result as stored, with its work's kind and maximum (a pupil's standing reads no works)."""
    notes = notes_of(entry)
    if is_removal(entry, "points", "feedback", "descriptors_met") and not any((notes or {}).values()):
        return None
    return {"points": None if feedback_only else result_points(entry, descriptors),
            "feedback": (entry.get("feedback") or "").strip() or None, "notes": notes,
            "met": {int(d) for d in entry.get("descriptors_met") or []} or None,
            "max_points": int(work.max_points), "work_kind": work.kind}
