"""Lessons, their attendance and formative entries (api-contract.md, Journal)."""
from __future__ import annotations

from datetime import date
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.entries import Wanted, save_entries
from chalicelib.api.excuses import prefill
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.api.timetable import lesson_caller, refuse_cancelled
from chalicelib.api.journal import (
    admit, entry_view, lesson_view, parse_day, rules_of, school_calendar, visible_journal,
)
from chalicelib.domain import dates
from chalicelib.domain.collation import sort_people
from chalicelib.domain.errors import FieldError, NotFound, StaleVersion
from chalicelib.domain.ids import new_id
from chalicelib.domain.journal import (
    RulesBroken, check_attendance, check_formative, check_lesson, check_lesson_text, is_removal,
)
from chalicelib.domain.policy import Action
from chalicelib.store import curriculum, membership
from chalicelib.store import journal as store
from chalicelib.store.directory import JournalItem, PersonItem

__all__ = ["bp", "NOTE", "ENTRY_LIMIT", "notes_of", "ordered_entries"]

bp = Blueprint(__name__)

ENTRY_LIMIT = 100
NOTE = {"code": Field(str), "feedback": Field(str, required=False, nullable=True)}
_TEXT = Field(str, required=False, nullable=True)
_CODES = Field(ListOf(str, max_items=30), required=False, nullable=True)
_VERSION = Field(int, required=False, nullable=True)
_LESSON = {"date": Field(str), "number": Field(int), "topic": _TEXT, "homework": _TEXT, "objectives": _CODES,
           "reason": _TEXT}
_LESSON_CHANGE = {"topic": _TEXT, "homework": _TEXT, "objectives": _CODES, "version": _VERSION, "reason": _TEXT}
_ATTENDANCE = {"entries": Field(ListOf({"student_id": Field(str), "status": Field(str), "comment": _TEXT,
                                        "version": _VERSION}, max_items=ENTRY_LIMIT)), "reason": _TEXT}
_FORMATIVE = {"entries": Field(ListOf({"student_id": Field(str), "points": Field(int, required=False, nullable=True),
                                       "feedback": _TEXT, "objectives": Field(ListOf(NOTE, max_items=30),
                                                                              required=False, nullable=True),
                                       "version": _VERSION}, max_items=ENTRY_LIMIT)), "reason": _TEXT}


def _lesson(call: Call, lesson_id: str, action: Action) -> tuple[JournalItem, store.Lesson]:
    ref = store.get_ref(lesson_id)
    if ref is None or "#L#" not in ref.target_sk:
        raise NotFound("No such lesson.")
    lesson = store.get_lesson(ref.journal_id, ref.target_sk)
    if lesson is None:
        raise NotFound("No such lesson.")
    call.act_as(lesson_caller(call.caller, ref.journal_id, lesson))  # a substitute acts as the journal's teacher
    journal = visible_journal(call.caller, ref.journal_id, action)
    refuse_cancelled(lesson, action)
    return journal, lesson


def notes_of(entry: dict[str, Any]) -> dict[str, str] | None:
    """Feedback per learning objective, as stored: {code: feedback}."""
    notes = {n["code"]: (n.get("feedback") or "") for n in entry.get("objectives") or []}
    return notes or None


def ordered_entries(pupils: list[PersonItem], entries: dict[str, store.Entry]) -> list[dict[str, Any]]:
    """Live entries in the class list's alphabetical order."""
    order = {p.person_id: i for i, p in enumerate(sort_people(pupils))}
    live = [e for e in entries.values() if not e.removed]
    return [entry_view(e) for e in sorted(live, key=lambda e: (order.get(store.parse_entry_sk(e.sk)[3], len(order)),
                                                               e.sk))]


@endpoint(bp, "/v1/journals/{journal_id}/lessons", "POST", summary="Plan or record a lesson", creates=True,
          request=_LESSON, statuses=(201, 400, 403, 404, 409, 422))
def create_lesson(call: Call, journal_id: str) -> Reply:
    journal = visible_journal(call.caller, journal_id, Action.WRITE_JOURNAL)
    body = call.json(_LESSON)
    rules = rules_of(journal)
    day = parse_day(body["date"])
    cal = school_calendar(journal.school_id, int(rules.klass.year), rules.marking.grade)
    objectives = list(dict.fromkeys(body.get("objectives") or []))
    known = curriculum.codes_of(journal.subject_id, rules.marking.grade) if objectives else frozenset()
    violations = check_lesson(day, body["number"], cal, topic=body.get("topic"), homework=body.get("homework"),
                              objectives=objectives, known_objectives=known)
    if violations:
        raise RulesBroken("The lesson cannot be saved.", violations)
    term = cal.term_of(day)
    with admit(rules, call.caller, day, term, body.get("reason")) as actor:
        lesson = store.create_lesson(journal_id, journal.class_id, journal.subject_id, term, day, body["number"],
                                     new_id(), actor, topic=(body.get("topic") or "").strip() or None,
                                     homework=(body.get("homework") or "").strip() or None, objectives=objectives)
    return Reply(lesson_view(lesson), 201)


@endpoint(bp, "/v1/lessons/{lesson_id}", summary="A lesson with its attendance and formative entries",
          statuses=(200, 403, 404))
def get_lesson(call: Call, lesson_id: str) -> dict[str, Any]:
    journal, lesson = _lesson(call, lesson_id, Action.READ_JOURNAL)
    term, pupils = lesson.sk[:2], membership.pupils_of_journal(journal)
    attendance = store.entries_of(journal.journal_id, term, "A", lesson_id)
    return {**lesson_view(lesson), "attendance": ordered_entries(pupils, attendance),
            "formative": ordered_entries(pupils, store.entries_of(journal.journal_id, term, "F", lesson_id)),
            "prefill": prefill(journal.class_id, date.fromisoformat(store.date_of(lesson)),
                               {p.person_id for p in pupils}, attendance)}  # parents' excuses


@endpoint(bp, "/v1/lessons/{lesson_id}", "PATCH", summary="Change a lesson's topic, homework or objectives",
          request=_LESSON_CHANGE, statuses=(200, 400, 403, 404, 409, 422))
def change_lesson(call: Call, lesson_id: str) -> dict[str, Any]:
    journal, lesson = _lesson(call, lesson_id, Action.WRITE_JOURNAL)
    body = call.json(_LESSON_CHANGE)
    rules = rules_of(journal)
    day = date.fromisoformat(store.date_of(lesson))
    changes = {name: body[name] for name in ("topic", "homework", "objectives") if name in body}
    if changes.get("objectives"):
        changes["objectives"] = list(dict.fromkeys(changes["objectives"]))
    known = curriculum.codes_of(journal.subject_id, rules.marking.grade) if changes.get("objectives") else frozenset()
    violations = check_lesson_text(topic=changes.get("topic"), homework=changes.get("homework"),
                                   objectives=changes.get("objectives") or [], known_objectives=known)
    if violations:
        raise RulesBroken("The lesson cannot be changed.", violations)
    version = body.get("version")
    if version is not None and version != int(lesson.version):
        raise _stale_lesson(lesson)
    with admit(rules, call.caller, day, lesson.sk[:2], body.get("reason")) as actor:
        if not changes:
            return lesson_view(lesson)
        try:
            return lesson_view(store.update_lesson(lesson, changes, actor))
        except store.VersionConflict as conflict:
            raise _stale_lesson(conflict.current) from None


def _stale_lesson(current: store.Lesson | None) -> StaleVersion:
    return StaleVersion("Someone changed this lesson since you read it; here is what it holds now.",
                        [FieldError("version", "stale")],
                        extra={"current": lesson_view(current) if current is not None else None})


def _entries(call: Call, lesson_id: str, kind: str) -> dict[str, Any]:
    journal, lesson = _lesson(call, lesson_id, Action.WRITE_JOURNAL)
    body = call.json(_ATTENDANCE if kind == "A" else _FORMATIVE)
    rules = rules_of(journal)
    day, term, entries = date.fromisoformat(store.date_of(lesson)), lesson.sk[:2], body["entries"]
    pupils = membership.pupils_of_journal(journal, day)  # those in the class that day
    ids, today = frozenset(p.person_id for p in pupils), dates.today_kz()
    if kind == "A":
        violations = check_attendance(entries, ids, day, today)
    else:
        noted = any(e.get("objectives") for e in entries)
        known = curriculum.codes_of(journal.subject_id, rules.marking.grade) if noted else frozenset()
        violations = check_formative(entries, ids, day, today, rules.marking, known, rules.scale)
    if violations:
        raise RulesBroken("The entries cannot be saved.", violations)
    wanted = [Wanted(i, e["student_id"], _values(kind, e), e.get("version")) for i, e in enumerate(entries)]
    with admit(rules, call.caller, day, term, body.get("reason"), gated=kind == "A") as actor:
        saved = save_entries(journal.journal_id, term, kind, lesson_id, day.isoformat(), wanted, actor)
    return {"lesson_id": lesson_id, "kind": store.KINDS[kind], "entries": ordered_entries(pupils, saved)}


def _values(kind: str, entry: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "A":
        return {"status": entry["status"], "comment": (entry.get("comment") or "").strip() or None}
    notes = notes_of(entry)
    if is_removal(entry, "points", "feedback") and not any((notes or {}).values()):
        return None
    return {"points": entry.get("points"), "feedback": (entry.get("feedback") or "").strip() or None,
            "notes": notes}


@endpoint(bp, "/v1/lessons/{lesson_id}/attendance", "PUT", summary="Set pupils' attendance (merge)",
          request=_ATTENDANCE, statuses=(200, 400, 403, 404, 409, 422))
def put_attendance(call: Call, lesson_id: str) -> dict[str, Any]:
    return _entries(call, lesson_id, "A")


@endpoint(bp, "/v1/lessons/{lesson_id}/formative", "PUT", summary="Set formative points and feedback (merge)",
          request=_FORMATIVE, statuses=(200, 400, 403, 404, 409, 422))
def put_formative(call: Call, lesson_id: str) -> dict[str, Any]:
    return _entries(call, lesson_id, "F")
