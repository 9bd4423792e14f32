"""Pupil movement: a transfer between classes with its date, leaving school, and the year's end (issue "school
life", item 3). The school_admin moves pupils; see `chalicelib.domain.movement` for the decisions.

A moved pupil appears in each journal only for their dates there; the entries recorded stay theirs (in their
history and diary). At the year's end each pupil of a class goes up a grade, graduates, repeats the year or waits
for a year summative (assessment-rules.md §5); once no pupil waits, the old year's journals are read-only.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field
from chalicelib.api.diary import visible_pupil
from chalicelib.api.http import Call, endpoint
from chalicelib.api.journal import parse_day
from chalicelib.api.views import class_view, target_of
from chalicelib.auth import authorize
from chalicelib.domain import movement as rules
from chalicelib.domain.errors import FieldError, NotFound, RuleViolation
from chalicelib.domain.policy import Action, Target
from chalicelib.store import movement as store
from chalicelib.store import people, schools
from chalicelib.store.directory import ClassItem, PersonItem
from chalicelib.store.schools import AlreadyTaken

__all__ = ["bp"]

bp = Blueprint(__name__)

_TRANSFER = {"class_id": Field(str), "date": Field(str)}
_LEAVE = {"date": Field(str)}


def _pupil(call: Call, student_id: str) -> PersonItem:
    """A pupil the caller may move: their school's admin (404 if hidden, 403 otherwise)."""
    pupil = people.get_person(student_id)
    if pupil is None or pupil.role != "student":
        raise NotFound("No such pupil.")
    authorize(call.caller, Action.MANAGE_SCHOOL, Target(pupil.school_id, pupil.region), what="pupil")
    return pupil


def _moved_since(pupil: PersonItem, day: date) -> list[FieldError]:
    """A move takes effect after the pupil's last one."""
    last = max((c[1] for c in pupil.classes or []), default=None)
    if last is not None and day <= date.fromisoformat(last):
        return [FieldError("date", f"after the pupil's last move ({last})")]
    return []


def history_view(pupil: PersonItem) -> dict[str, Any]:
    return {"student_id": pupil.person_id, "class_id": pupil.class_id, "left_on": pupil.left_on,
            "classes": [{"class_id": c, "until": last} for c, last in pupil.classes or []]}


@endpoint(bp, "/v1/students/{student_id}/transfer", "POST",
          summary="Move a pupil to another class of the school from a date (school_admin)", request=_TRANSFER,
          statuses=(200, 400, 403, 404, 422))
def transfer(call: Call, student_id: str) -> dict[str, Any]:
    pupil = _pupil(call, student_id)
    body = call.json(_TRANSFER)
    day = parse_day(body["date"])
    target = schools.get_class(body["class_id"])
    errors = _moved_since(pupil, day)
    if target is None or target.school_id != pupil.school_id:
        errors.append(FieldError("class_id", "not a class of this school"))
    elif target.class_id == pupil.class_id:
        errors.append(FieldError("class_id", "the pupil is in this class already"))
    if errors:
        raise RuleViolation("The pupil cannot be moved.", errors, slug="transfer-refused")
    return history_view(store.move(pupil, target, day))


@endpoint(bp, "/v1/students/{student_id}/leave", "POST",
          summary="A pupil leaves the school: `date` is their first day away (school_admin)", request=_LEAVE,
          statuses=(200, 400, 403, 404, 422))
def leave(call: Call, student_id: str) -> dict[str, Any]:
    pupil = _pupil(call, student_id)
    day = parse_day(call.json(_LEAVE)["date"])
    errors = _moved_since(pupil, day)
    if pupil.class_id is None:
        errors.append(FieldError("student_id", "the pupil is in no class"))
    if errors:
        raise RuleViolation("The pupil cannot leave.", errors, slug="transfer-refused")
    return history_view(store.move(pupil, None, day))


@endpoint(bp, "/v1/students/{student_id}/classes", summary="A pupil's classes: now and before, with dates",
          statuses=(200, 403, 404))
def classes_of(call: Call, student_id: str) -> dict[str, Any]:
    return history_view(visible_pupil(call.caller, student_id))


def _next_class(klass: ClassItem, grade: int) -> ClassItem:
    """Next year's class of `grade` with the same letter: found, or created like the old one."""
    year = int(klass.year) + 1
    for c in schools.classes_of_school(klass.school_id):
        if int(c.year) == year and int(c.grade) == grade and c.letter == klass.letter:
            return c
    school = schools.get_school(klass.school_id)
    try:
        return schools.create_class(school, year, grade, klass.letter, klass.language, klass.homeroom_teacher_id)
    except AlreadyTaken:  # made meanwhile by another request
        return _next_class(klass, grade)


@endpoint(bp, "/v1/classes/{class_id}/rollover", "POST",
          summary="The year's end for a class: promotion, graduation, repeating, year summatives; the old "
                  "year read-only once no pupil waits (school_admin)", statuses=(200, 403, 404))
def rollover(call: Call, class_id: str) -> dict[str, Any]:
    klass = schools.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.MANAGE_SCHOOL, target_of(klass), what="class")
    year, grade = int(klass.year), int(klass.grade)
    first_day = date(year + 1, 9, 1)
    moved, targets = [], {}
    for pupil in people.pupils_of_class(class_id):
        outcome = rules.outcome(grade, store.annual_marks(pupil.person_id, year))
        to = None
        if outcome in (rules.Outcome.PROMOTED, rules.Outcome.REPEATS):
            next_grade = grade + 1 if outcome == rules.Outcome.PROMOTED else grade
            to = targets.get(next_grade) or targets.setdefault(next_grade, _next_class(klass, next_grade))
        if outcome != rules.Outcome.YEAR_SUMMATIVE:
            store.move(pupil, to, first_day)
        moved.append({"student_id": pupil.person_id, "outcome": str(outcome), "class_id": to.class_id if to
                      else (class_id if outcome == rules.Outcome.YEAR_SUMMATIVE else None)})
    waiting = any(m["outcome"] == rules.Outcome.YEAR_SUMMATIVE for m in moved)
    journal_ids = [j.journal_id for j in schools.journals_of_class(class_id)]
    if not waiting:
        store.close_year(journal_ids)
    return {"class_id": class_id, "year": year, "pupils": moved,
            "next_classes": [class_view(c) for _, c in sorted(targets.items())],
            "read_only": not waiting}
