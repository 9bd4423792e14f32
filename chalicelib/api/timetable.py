"""The timetable: bells, a class's weekly grid per period, planned lessons made from it, substitutions and
cancelled lessons (issue "school life", item 1).

A substitute teacher acts as the journal's teacher for that one lesson (its attendance and formative entries);
a cancelled lesson takes no entries until it is restored. The school_admin sets bells, grids and substitutes;
a cancellation is set by the journal's teacher or the school_admin, inside the edit window like any change.
Planning writes into no closed period and no school year made read-only by its rollover (409, nothing planned).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.http import Call, Query, Reply, endpoint
from chalicelib.api.journal import admit, lesson_view, rules_of, school_calendar, visible_journal
from chalicelib.api.schools import visible_school
from chalicelib.api.views import target_of
from chalicelib.auth import authorize
from chalicelib.domain import dates
from chalicelib.domain import timetable as rules
from chalicelib.domain.errors import BadRequest, Conflict, FieldError, NotFound, RuleViolation, StaleVersion
from chalicelib.domain.journal import PERIODS, PeriodClosed, RulesBroken, Violation
from chalicelib.domain.policy import Action, Caller, Role, Target
from chalicelib.store import people, schools
from chalicelib.store import journal as journals
from chalicelib.store import timetable as store
from chalicelib.store.directory import ClassItem, JournalItem
from chalicelib.store.movement import YEAR_CLOSED

__all__ = ["bp", "lesson_caller", "refuse_cancelled", "LessonCancelled", "YearReadOnly", "bells_of", "schedule_view",
           "find_lesson"]

bp = Blueprint(__name__)

_BELL = {"number": Field(int), "start": Field(str), "end": Field(str)}
_SLOT = {"weekday": Field(int), "number": Field(int), "journal_id": Field(str),
         "room": Field(str, required=False, nullable=True)}
_GRID = {"slots": Field(ListOf(_SLOT, max_items=6 * 12 * 8))}
_REASON = Field(str, required=False, nullable=True)
_SUBSTITUTE = {"teacher_id": Field(str), "reason": _REASON, "version": Field(int, required=False, nullable=True)}
_CANCEL = {"reason": Field(str), "version": Field(int, required=False, nullable=True)}


class LessonCancelled(RuleViolation):
    slug, title = "lesson-cancelled", "The lesson is cancelled"


def refuse_cancelled(lesson: journals.Lesson, action: Action) -> None:
    """422 for a write to a cancelled lesson (asked once the caller may write it)."""
    if action == Action.WRITE_JOURNAL and lesson.cancelled:
        raise LessonCancelled("The lesson is cancelled: restore it before recording anything.",
                              [FieldError("lesson_id", "cancelled")])


def lesson_caller(caller: Caller, journal_id: str, lesson: journals.Lesson) -> Caller:
    """Who `caller` is for this lesson: its substitute acts as the journal's teacher."""
    if lesson.substitute and lesson.substitute == caller.person_id and any(
            g.role == Role.TEACHER for g in caller.grants):
        return replace(caller, journals=caller.journals | {journal_id})
    return caller


def bells_of(school_id: str) -> dict[int, dict[str, Any]]:
    """The school's bells by lesson number (one GetItem)."""
    return {int(b["number"]): b for b in store.get_bells(school_id)}


def schedule_view(lesson: journals.Lesson, bells: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """What a pupil's diary shows of a lesson's place in the day: times, room, substitute, cancellation."""
    bell = bells.get(int(lesson.number), {})
    return {"start": bell.get("start"), "end": bell.get("end"), "room": lesson.room,
            "substitute_id": lesson.substitute, "cancelled": lesson.cancelled}


def _bells_view(bells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"number": b["number"], "start": b["start"], "end": b["end"]} for b in bells]


@endpoint(bp, "/v1/schools/{school_id}/bells", summary="The school's bells", statuses=(200, 404))
def get_bells(call: Call, school_id: str) -> list[dict[str, Any]]:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    return _bells_view(store.get_bells(school_id))


@endpoint(bp, "/v1/schools/{school_id}/bells", "PUT", summary="Set the school's bells (school_admin)",
          request={"bells": Field(ListOf(_BELL, max_items=12))}, statuses=(200, 400, 403, 404, 422))
def put_bells(call: Call, school_id: str) -> list[dict[str, Any]]:
    visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    body = call.json({"bells": Field(ListOf(_BELL, max_items=12))})
    bells, violations = rules.check_bells([(b["number"], b["start"], b["end"]) for b in body["bells"]])
    if violations:
        raise RulesBroken("The bells cannot be saved.", violations)
    saved = [{"number": b.number, "start": b.start.strftime("%H:%M"), "end": b.end.strftime("%H:%M")}
             for b in bells]
    store.put_bells(school_id, saved)
    return saved


def _class(call: Call, class_id: str, action: Action) -> ClassItem:
    klass = schools.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, action, target_of(klass), what="class")
    return klass


def _period(period: str) -> str:
    if period not in PERIODS:
        raise NotFound(f"No such period: one of {', '.join(PERIODS)}.")
    return period


def _groups(journals_of_class: list[JournalItem]) -> dict[str, rules.Group]:
    return {j.journal_id: rules.Group(j.class_id, frozenset(j.student_ids) if j.student_ids else None,
                                      frozenset(j.teacher_ids)) for j in journals_of_class}


def _grid_view(klass: ClassItem, period: str, grid: store.GridItem | None, bells: list[dict[str, Any]],
               subjects: dict[str, str]) -> dict[str, Any]:
    times = {b["number"]: b for b in bells}
    slots = sorted(grid.slots if grid else [], key=lambda s: (s["weekday"], s["number"], s["journal_id"]))
    return {"class_id": klass.class_id, "period": period, "updated_at": grid.at if grid else None, "slots": [
        {"weekday": s["weekday"], "number": s["number"], "journal_id": s["journal_id"],
         "subject_id": subjects.get(s["journal_id"]), "room": s.get("room"),
         "start": times.get(s["number"], {}).get("start"), "end": times.get(s["number"], {}).get("end")}
        for s in slots]}


@endpoint(bp, "/v1/classes/{class_id}/timetable/{period}", summary="A class's weekly timetable for a period",
          statuses=(200, 404))
def get_grid(call: Call, class_id: str, period: str) -> dict[str, Any]:
    klass = _class(call, class_id, Action.READ_SCHOOL)
    subjects = {j.journal_id: j.subject_id for j in schools.journals_of_class(class_id)}
    return _grid_view(klass, _period(period), store.get_grid(class_id, period), store.get_bells(klass.school_id),
                      subjects)


@endpoint(bp, "/v1/classes/{class_id}/timetable/{period}", "PUT",
          summary="Set a class's weekly timetable for a period (school_admin)", request=_GRID,
          statuses=(200, 400, 403, 404, 422))
def put_grid(call: Call, class_id: str, period: str) -> dict[str, Any]:
    klass = _class(call, class_id, Action.MANAGE_SCHOOL)
    _period(period)
    body = call.json(_GRID)
    slots = [rules.Slot(s["weekday"], s["number"], s["journal_id"], (s.get("room") or "").strip() or None)
             for s in body["slots"]]
    own = schools.journals_of_class(class_id)
    groups = _groups(own)
    violations = rules.check_grid(class_id, slots, groups)
    if not violations:
        violations = rules.teacher_clashes(slots, groups, _busy_elsewhere(klass, period))
    if violations:
        raise RulesBroken("The timetable cannot be saved.", violations)
    saved = [{"weekday": s.weekday, "number": s.number, "journal_id": s.journal_id, "room": s.room,
              "teachers": sorted(groups[s.journal_id].teachers)} for s in slots]
    grid = store.put_grid(klass, period, saved, call.caller.person_id, dates.to_rfc3339(dates.now_kz()))
    return _grid_view(klass, period, grid, store.get_bells(klass.school_id),
                      {j.journal_id: j.subject_id for j in own})


def _busy_elsewhere(klass: ClassItem, period: str) -> dict[tuple[int, int], frozenset[str]]:
    """(weekday, number) -> the teachers teaching the school's other classes then (one Query)."""
    busy: dict[tuple[int, int], frozenset[str]] = {}
    for grid in store.school_grids(klass.school_id, int(klass.year), period):
        if grid.class_id == klass.class_id:
            continue
        for s in grid.slots:
            key = (s["weekday"], s["number"])
            busy[key] = busy.get(key, frozenset()) | frozenset(s.get("teachers") or ())
    return busy


_NARROWED = {"from": Query.date("Plan no day before this one: YYYY-MM-DD"),  # what `_narrowed` reads
             "to": Query.date("Plan no day after this one: YYYY-MM-DD")}


def _narrowed(call: Call) -> tuple[date | None, date | None]:
    """`?from` and `?to`, when given."""
    found, errors = [], []
    for name in ("from", "to"):
        raw = call.query(name)
        try:
            found.append(dates.parse_date(raw) if raw is not None else None)
        except dates.InvalidDate as exc:
            errors.append(FieldError(name, str(exc)))
    if errors:
        raise BadRequest("from and to are dates YYYY-MM-DD.", errors)
    return found[0], found[1]


@dataclass(frozen=True, slots=True)
class _ClassPlan:
    """What planning a class's period would write: its lessons not there yet, with each day's term."""

    klass: ClassItem
    start: date | None
    end: date | None
    planned: int
    fresh: list[rules.Planned]
    terms: dict[date, str]
    subjects: dict[str, str]


class YearReadOnly(Conflict):
    slug, title = "year-read-only", "The school year is read-only"


def _class_plan(klass: ClassItem, period: str, grid: store.GridItem,
                narrowed: tuple[date | None, date | None] = (None, None)) -> _ClassPlan:
    """A class's planned lessons of a period from its grid, those already there left out."""
    calendar = school_calendar(klass.school_id, int(klass.year), int(klass.grade))
    own = {j.journal_id: j.subject_id for j in schools.journals_of_class(klass.class_id)}
    if period not in calendar.periods:
        return _ClassPlan(klass, None, None, 0, [], {}, own)
    start, end = calendar.periods[period]
    start, end = max(start, narrowed[0] or start), min(end, narrowed[1] or end)
    slots = [rules.Slot(s["weekday"], s["number"], s["journal_id"], s.get("room")) for s in grid.slots
             if s["journal_id"] in own]  # a journal removed since the grid was set plans nothing
    existing = frozenset((lesson.pk[2:], date.fromisoformat(journals.date_of(lesson)), int(lesson.number))
                         for lesson in store.planned_lessons(klass.class_id, start, end))
    wanted = rules.plan(slots, calendar, start, end)
    fresh = [p for p in wanted if (p.journal_id, p.day, p.number) not in existing]
    return _ClassPlan(klass, start, end, len(wanted), fresh, {p.day: calendar.term_of(p.day) for p in fresh}, own)


def _refused(shut: dict[tuple[str, str], frozenset[str]], classes: dict[str, str]) -> Conflict:
    """409 naming every journal term planning would write into that is read-only, and why."""
    errors = [FieldError(f"journals.{journal_id}", f"{term} of class {classes[journal_id]} is read-only: " + (
        "its school year has ended (rollover)" if YEAR_CLOSED in closed else f"{', '.join(sorted(closed))} closed"))
        for (journal_id, term), closed in sorted(shut.items())]
    if any(YEAR_CLOSED in closed for closed in shut.values()):
        return YearReadOnly("The school year has ended: its journals are read-only and nothing was planned.",
                            errors)
    return PeriodClosed("Closed periods take no lessons: nothing was planned; plan the dates still open (?from, ?to).",
                     errors)


def _write(plans: list[_ClassPlan], actor: journals.Actor) -> list[dict[str, Any]]:
    """Create the planned lessons of every class, or none if any would go into a read-only journal term."""
    terms = [(p.journal_id, plan.terms[p.day]) for plan in plans for p in plan.fresh]
    try:
        with store.open_gates(terms):
            return [{"class_id": plan.klass.class_id, "from": plan.start.isoformat() if plan.start else None,
                     "to": plan.end.isoformat() if plan.end else None, "planned": plan.planned,
                     "created": store.create_planned(plan.klass.class_id, plan.subjects, plan.fresh, plan.terms,
                                                    actor)} for plan in plans]
    except store.TermsShut as closed:
        raise _refused(closed.shut, {j: plan.klass.class_id for plan in plans for j in plan.subjects}) from None


def _actor(caller: Caller) -> journals.Actor:
    return journals.Actor(caller.person_id, "school_admin", dates.to_rfc3339(dates.now_kz()))


@endpoint(bp, "/v1/classes/{class_id}/timetable/{period}/lessons", "POST", creates=True,
          summary="Plan a class's lessons of a period from its timetable (?from, ?to narrow the dates); 409 "
                  "period-closed or year-read-only, planning nothing, if a day falls in a read-only journal term",
          statuses=(201, 400, 403, 404, 409, 422), query=_NARROWED)
def generate_class(call: Call, class_id: str, period: str) -> Reply:
    klass = _class(call, class_id, Action.MANAGE_SCHOOL)
    grid = store.get_grid(class_id, _period(period))
    if grid is None:
        raise RulesBroken("This class has no timetable for the period.",
                          [Violation("no-timetable", "period", f"set the timetable of {period} first")])
    done = _write([_class_plan(klass, period, grid, _narrowed(call))], _actor(call.caller))
    return Reply({"period": period, **done[0]}, 201)


@endpoint(bp, "/v1/schools/{school_id}/timetable/{period}/lessons", "POST", creates=True,
          summary="Plan every class's lessons of a period from the timetables (?year=, ?from, ?to); 409, planning "
                  "nothing, if any class's day falls in a read-only journal term", statuses=(201, 400, 403, 404, 409),
          query={"year": Query.integer("The school year, by the year it begins: 2000..2100, e.g. 2026", 2000, 2100,
                                       required=True), **_NARROWED})
def generate_school(call: Call, school_id: str, period: str) -> Reply:
    visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    raw = call.query("year") or ""
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100):
        raise BadRequest("year is required, e.g. 2026.", [FieldError("year", "a school year 2000..2100")])
    grids = {g.class_id: g for g in store.school_grids(school_id, int(raw), _period(period))}
    classes = [c for c in schools.classes_of_school(school_id) if c.class_id in grids]
    narrowed = _narrowed(call)
    done = _write([_class_plan(c, period, grids[c.class_id], narrowed)
                   for c in sorted(classes, key=lambda c: c.class_id)], _actor(call.caller))
    return Reply({"period": period, "year": int(raw), "classes": done,
                  "created": sum(d["created"] for d in done)}, 201)


def find_lesson(call: Call, lesson_id: str, action: Action) -> tuple[JournalItem, journals.Lesson]:
    """A lesson by id and its journal, if `caller` may do `action` on it (404 / 403 otherwise)."""
    ref = journals.get_ref(lesson_id)
    if ref is None or "#L#" not in ref.target_sk:
        raise NotFound("No such lesson.")
    journal = visible_journal(call.caller, ref.journal_id, action)
    lesson = journals.get_lesson(ref.journal_id, ref.target_sk)
    if lesson is None:
        raise NotFound("No such lesson.")
    return journal, lesson


def _stale(lesson: journals.Lesson | None) -> StaleVersion:
    return StaleVersion("Someone changed this lesson since you read it; here is what it holds now.",
                        [FieldError("version", "stale")],
                        extra={"current": lesson_view(lesson) if lesson is not None else None})


def _mark(call: Call, lesson_id: str, name: str, value: str | None, body: dict[str, Any],
          action: Action) -> dict[str, Any]:
    journal, lesson = find_lesson(call, lesson_id, action)
    if body.get("version") is not None and body["version"] != int(lesson.version):
        raise _stale(lesson)
    day = date.fromisoformat(journals.date_of(lesson))
    with admit(rules_of(journal), call.caller, day, lesson.sk[:2], body.get("reason")) as actor:
        try:
            return lesson_view(store.set_lesson_mark(lesson, name, value, actor))
        except journals.VersionConflict as conflict:
            raise _stale(conflict.current) from None


@endpoint(bp, "/v1/lessons/{lesson_id}/substitution", "PUT",
          summary="Another teacher takes this lesson and may fill its entries (school_admin)",
          request=_SUBSTITUTE, statuses=(200, 400, 403, 404, 409, 422))
def put_substitution(call: Call, lesson_id: str) -> dict[str, Any]:
    body = call.json(_SUBSTITUTE)
    ref = journals.get_ref(lesson_id)
    journal = schools.get_journal(ref.journal_id) if ref is not None else None
    if journal is None:
        raise NotFound("No such lesson.")
    authorize(call.caller, Action.MANAGE_SCHOOL, Target(journal.school_id, journal.region), what="lesson")
    teacher = people.get_person(body["teacher_id"])
    if teacher is None or teacher.role != "teacher" or teacher.school_id != journal.school_id:
        raise RuleViolation("The substitute is not a teacher of this school.",
                            [FieldError("teacher_id", "not a teacher of this school")], slug="unknown-teacher")
    return _mark(call, lesson_id, "substitute", teacher.person_id, body, Action.MANAGE_SCHOOL)


@endpoint(bp, "/v1/lessons/{lesson_id}/substitution", "DELETE", summary="The lesson's own teacher again",
          statuses=(200, 403, 404, 409))
def delete_substitution(call: Call, lesson_id: str) -> dict[str, Any]:
    return _mark(call, lesson_id, "substitute", None, {}, Action.MANAGE_SCHOOL)


@endpoint(bp, "/v1/lessons/{lesson_id}/cancellation", "PUT", summary="Cancel a lesson, with a reason",
          request=_CANCEL, statuses=(200, 400, 403, 404, 409, 422))
def put_cancellation(call: Call, lesson_id: str) -> dict[str, Any]:
    body = call.json(_CANCEL)
    reason = body["reason"].strip()
    if not reason:
        raise RuleViolation("A cancellation needs a reason.", [FieldError("reason", "required")],
                            slug="reason-required")
    journal, lesson = find_lesson(call, lesson_id, Action.WRITE_JOURNAL)
    if any(not e.removed for kind in ("A", "F")
           for e in journals.entries_of(journal.journal_id, lesson.sk[:2], kind, lesson_id).values()):
        raise RuleViolation("The lesson has attendance or marks: it took place.",
                            [FieldError("lesson_id", "has entries")], slug="lesson-has-entries")
    return _mark(call, lesson_id, "cancelled", reason, {**body, "reason": reason}, Action.WRITE_JOURNAL)


@endpoint(bp, "/v1/lessons/{lesson_id}/cancellation", "DELETE", summary="Restore a cancelled lesson",
          statuses=(200, 403, 404, 409))
def delete_cancellation(call: Call, lesson_id: str) -> dict[str, Any]:
    return _mark(call, lesson_id, "cancelled", None, {}, Action.WRITE_JOURNAL)
