"""Correcting a journal: removing a lesson, changing or removing a summative work (issue "school life", item 5).

Like entries, these changes obey the edit window and the period's close (`admit`), carry the `version` they were
read with (409 if stale) and a `reason`, and land in the audit trail. Removing a lesson or work removes its
entries first, each as a removal in the pupil's history; one that has entries is removed only with a reason.
A work with results keeps its date and maximum (its results were marked against them); its title may change.
DELETE takes `?reason=` and `?version=` (no body).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field
from chalicelib.api.entries import Wanted, save_entries
from chalicelib.api.http import Call, Query, endpoint
from chalicelib.api.journal import (
    Rules, admit, lesson_view, parse_day, rules_of, school_calendar, visible_journal, work_view,
)
from chalicelib.api.timetable import find_lesson
from chalicelib.domain.errors import BadRequest, FieldError, NotFound, StaleVersion
from chalicelib.domain.journal import MAX_TEXT, ReasonRequired, RulesBroken, Violation, WorkFacts, check_work
from chalicelib.domain.policy import Action
from chalicelib.store import corrections
from chalicelib.store import journal as store
from chalicelib.store.directory import JournalItem

__all__ = ["bp"]

bp = Blueprint(__name__)

_WORK_CHANGE = {"title": Field(str, required=False), "date": Field(str, required=False),
                "max_points": Field(int, required=False), "version": Field(int, required=False, nullable=True),
                "reason": Field(str, required=False, nullable=True)}


_REMOVAL = {  # what `_query_args` reads
    "reason": Query(f"Why it is removed (at most {MAX_TEXT} characters); required when it has entries",
                    (("type", "string"), ("maxLength", MAX_TEXT))),
    "version": Query.integer("The version read with the item (0..999999999): 409 if it changed since", 0,
                             999_999_999),
}


def _query_args(call: Call) -> tuple[str | None, int | None]:
    """`?reason=` and `?version=` of a DELETE."""
    reason, raw = call.query("reason"), call.query("version")
    if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise BadRequest("version is the integer read with the item.", [FieldError("version", "an integer")])
    if reason is not None and len(reason) > MAX_TEXT:
        raise BadRequest("The reason is too long.", [FieldError("reason", f"at most {MAX_TEXT} characters")])
    return (reason or "").strip() or None, int(raw) if raw is not None else None


def _stale(current: store.Lesson | store.Work | None) -> StaleVersion:
    view = None if current is None else (lesson_view(current) if isinstance(current, store.Lesson)
                                         else work_view(current))
    return StaleVersion("Someone changed this since you read it; here is what it holds now.",
                        [FieldError("version", "stale")], extra={"current": view})


def _check_version(version: int | None, item: store.Lesson | store.Work) -> None:
    if version is not None and version != int(item.version):
        raise _stale(item)


def _live(journal_id: str, term: str, kind: str, target_id: str) -> list[store.Entry]:
    return [e for e in store.entries_of(journal_id, term, kind, target_id).values() if not e.removed]


def _remove(journal: JournalItem, item: store.Lesson | store.Work, kinds: tuple[str, ...], call: Call,
            what: str) -> dict[str, Any]:
    """Remove a lesson's or work's entries (as removals) and then the lesson or work itself."""
    reason, version = _query_args(call)
    _check_version(version, item)
    target_id = item.lesson_id if isinstance(item, store.Lesson) else item.work_id
    term, day = item.sk[:2], date.fromisoformat(store.date_of(item))
    live = {kind: _live(journal.journal_id, term, kind, target_id) for kind in kinds}
    if any(live.values()) and not reason:
        raise ReasonRequired(f"This {what} has entries: say why it is removed.",
                             [FieldError("reason", "required when entries are removed")])
    with admit(rules_of(journal), call.caller, day, term, reason) as actor:
        for kind, entries in live.items():
            wanted = [Wanted(i, store.parse_entry_sk(e.sk)[3], None, None) for i, e in enumerate(entries)]
            if wanted:
                save_entries(journal.journal_id, term, kind, target_id, day.isoformat(), wanted, actor)
        try:
            corrections.remove(item, actor)
        except store.VersionConflict as conflict:
            raise _stale(conflict.current) from None
    return {f"{what}_id": target_id, "removed": True, "entries_removed": sum(map(len, live.values()))}


@endpoint(bp, "/v1/lessons/{lesson_id}", "DELETE",
          summary="Remove a lesson and its entries (?reason= required when it has entries, ?version=)",
          statuses=(200, 400, 403, 404, 409, 422), query=_REMOVAL)
def delete_lesson(call: Call, lesson_id: str) -> dict[str, Any]:
    journal, lesson = find_lesson(call, lesson_id, Action.WRITE_JOURNAL)
    return _remove(journal, lesson, ("A", "F"), call, "lesson")


def _work(call: Call, work_id: str) -> tuple[JournalItem, store.Work]:
    ref = store.get_ref(work_id)
    if ref is None or "#W#" not in ref.target_sk:
        raise NotFound("No such work.")
    journal = visible_journal(call.caller, ref.journal_id, Action.WRITE_JOURNAL)
    work = store.get_work(ref.journal_id, ref.target_sk)
    if work is None:
        raise NotFound("No such work.")
    return journal, work


@endpoint(bp, "/v1/works/{work_id}", "DELETE",
          summary="Remove a work; its results go to the pupils' history (?reason= required with results)",
          statuses=(200, 400, 403, 404, 409, 422), query=_REMOVAL)
def delete_work(call: Call, work_id: str) -> dict[str, Any]:
    journal, work = _work(call, work_id)
    return _remove(journal, work, ("R",), call, "work")


@endpoint(bp, "/v1/works/{work_id}", "PATCH", summary="Change a work's title, date or maximum",
          request=_WORK_CHANGE, statuses=(200, 400, 403, 404, 409, 422))
def change_work(call: Call, work_id: str) -> dict[str, Any]:
    journal, work = _work(call, work_id)
    body = call.json(_WORK_CHANGE)
    _check_version(body.get("version"), work)
    rules = rules_of(journal)
    term, old_day = work.sk[:2], date.fromisoformat(store.date_of(work))
    day = parse_day(body["date"]) if "date" in body else old_day
    max_points = body.get("max_points", int(work.max_points))
    results = _live(journal.journal_id, term, "R", work_id)
    violations = _work_rules(journal, work, rules, day, body.get("title", work.title), max_points)
    if results and (day != old_day or max_points != int(work.max_points)):
        violations.append(Violation("work-has-results", "date" if day != old_day else "max_points",
                                    "a work with results keeps its date and maximum"))
    if violations:
        raise RulesBroken("The work cannot be changed.", violations)
    changes: dict[str, Any] = {"title": body.get("title", work.title).strip(), "max_points": max_points}
    if day != old_day:
        changes["day"] = day
    with admit(rules, call.caller, min(day, old_day), term, body.get("reason")) as actor:
        try:
            return work_view(corrections.update_work(work, changes, actor))
        except store.VersionConflict as conflict:
            raise _stale(conflict.current) from None


def _work_rules(journal: JournalItem, work: store.Work, rules: Rules, day: date, title: str,
                max_points: int) -> list[Violation]:
    """The rules a new work obeys, checked against the journal's other works; the day stays in its term."""
    calendar = school_calendar(journal.school_id, int(rules.klass.year), rules.marking.grade)
    if calendar.term_of(day) != work.sk[:2]:
        return [Violation("date-outside-period", "date", f"{day} is not in {work.sk[:2]}, the work's term")]
    others = [w for w in store.works_of(journal.journal_id, (work.sk[:2],)) if w.work_id != work.work_id]
    same_day = [w for w in store.class_works_on(journal.class_id, day)
                if w.work_id != work.work_id] if work.kind == "SOCH" else []
    criteria = [[int(d["points"]) for d in c["descriptors"]] for c in work.criteria] if work.criteria else None
    return check_work(kind=work.kind, period=work.period, day=day, title=title, max_points=max_points,
                      criteria=criteria, objectives=[], calendar=calendar, marking=rules.marking,
                      journal_id=journal.journal_id,
                      works=[WorkFacts(w.kind, w.period, date.fromisoformat(store.date_of(w)), journal.journal_id)
                             for w in others],
                      class_soch_that_day=sum(w.kind == "SOCH" for w in same_day), known_objectives=frozenset())

