"""Classes, subjects and journals of a school (api-contract.md, Directory)."""
from __future__ import annotations

import re
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.http import Call, Query, Reply, endpoint
from chalicelib.api.lists import LANGUAGE_QUERY, PAGE_QUERY, class_key, language_of, page_reply, subject_key
from chalicelib.api.schools import visible_school
from chalicelib.api.views import class_view, journal_view, subject_view, target_of
from chalicelib.auth import authorize
from chalicelib.domain.errors import BadRequest, FieldError, NotFound, RuleViolation
from chalicelib.domain.policy import Action
from chalicelib.store import people, schools as store

__all__ = ["bp", "teachers_of_school"]

bp = Blueprint(__name__)

_CLASS = {"year": Field(int), "grade": Field(int), "letter": Field(str), "language": Field(str),
          "homeroom_teacher_id": Field(str, required=False, nullable=True)}
_SUBJECT = {"code": Field(str), "name": Field({"kk": Field(str), "ru": Field(str)}), "assessment": Field(str)}
_JOURNAL = {"subject_id": Field(str), "teacher_ids": Field(ListOf(str, max_items=10)),
            "hours_per_week": Field(int)}
_LETTER = re.compile(r"^[^\W\d_]{1,2}$")
_CODE = re.compile(r"^[a-z0-9_]{1,32}$")
ASSESSMENTS = ("criteria", "pass_fail", "none")


def teachers_of_school(school_id: str, ids: list[str], field: str) -> list[FieldError]:
    """An error for each of `ids` that is not a teacher of the school (one BatchGetItem)."""
    found = {p.person_id: p for p in people.get_people(ids)}
    errors = []
    for i, person_id in enumerate(ids):
        person = found.get(person_id)
        if person is None or person.school_id != school_id or person.role != "teacher":
            errors.append(FieldError(field if len(ids) == 1 and field.endswith("_id") else f"{field}[{i}]",
                                     "not a teacher of this school"))
    return errors


@endpoint(bp, "/v1/schools/{school_id}/classes", "POST", summary="Create a class (school_admin)", creates=True,
          request=_CLASS, statuses=(201, 400, 403, 404, 422))
def create_class(call: Call, school_id: str) -> Reply:
    school = visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    body = call.json(_CLASS)
    errors = []
    if not 2000 <= body["year"] <= 2100:
        errors.append(FieldError("year", "a school year such as 2026"))
    if not 1 <= body["grade"] <= 11:
        errors.append(FieldError("grade", "must be 1..11"))
    letter = body["letter"].strip().upper()
    if not _LETTER.match(letter):
        errors.append(FieldError("letter", "one or two letters, e.g. А or Ә"))
    if body["language"] not in ("kk", "ru"):
        errors.append(FieldError("language", "kk or ru"))
    homeroom = body.get("homeroom_teacher_id")
    if homeroom:
        errors += teachers_of_school(school_id, [homeroom], "homeroom_teacher_id")
    if errors:
        raise RuleViolation("The class cannot be created.", errors)
    klass = store.create_class(school, body["year"], body["grade"], letter, body["language"], homeroom)
    return Reply(class_view(klass), 201)


@endpoint(bp, "/v1/schools/{school_id}/classes", summary="The classes of a school (?year=, ?limit=, ?cursor=)",
          statuses=(200, 400, 404),
          query={**PAGE_QUERY, "year": Query.integer("Only the classes of this school year (the year it begins, "
                                                     "2000..2100, e.g. 2026)", 2000, 2100)})
def list_classes(call: Call, school_id: str) -> Reply:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    year = call.query("year")
    if year is not None and not (year.isascii() and year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100):
        raise BadRequest("year is a school year 2000..2100.", [FieldError("year", "an integer 2000..2100")])
    found = store.classes_of_school(school_id)
    if year is not None:
        found = [c for c in found if int(c.year) == int(year)]
    return page_reply(call, found, class_key, class_view)  # paginated, by year, grade and letter


@endpoint(bp, "/v1/classes/{class_id}", summary="A class", statuses=(200, 404))
def get_class(call: Call, class_id: str) -> dict[str, Any]:
    klass = store.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.READ_SCHOOL, target_of(klass), what="class")
    return class_view(klass)


@endpoint(bp, "/v1/schools/{school_id}/subjects", "POST", summary="Create a subject (school_admin)",
          creates=True, request=_SUBJECT, statuses=(201, 400, 403, 404, 422))
def create_subject(call: Call, school_id: str) -> Reply:
    school = visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    body = call.json(_SUBJECT)
    errors = []
    code = body["code"].strip().lower()
    if not _CODE.match(code):
        errors.append(FieldError("code", "1..32 of a-z, 0-9 and _"))
    if body["assessment"] not in ASSESSMENTS:
        errors.append(FieldError("assessment", f"one of {', '.join(ASSESSMENTS)}"))
    for lang in ("kk", "ru"):
        if not body["name"][lang].strip():
            errors.append(FieldError(f"name.{lang}", "must not be empty"))
    if errors:
        raise RuleViolation("The subject cannot be created.", errors)
    subject = store.create_subject(school, code, body["name"]["kk"].strip(), body["name"]["ru"].strip(),
                                   body["assessment"])
    return Reply(subject_view(subject), 201)


@endpoint(bp, "/v1/schools/{school_id}/subjects", summary="The subjects of a school, by name (?language=, ?limit=, "
          "?cursor=)", statuses=(200, 400, 404), query={**PAGE_QUERY, **LANGUAGE_QUERY})
def list_subjects(call: Call, school_id: str) -> Reply:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    return page_reply(call, store.subjects_of_school(school_id), subject_key(language_of(call)), subject_view)


@endpoint(bp, "/v1/classes/{class_id}/journals", "POST", summary="Create a journal (school_admin)",
          creates=True, request=_JOURNAL, statuses=(201, 400, 403, 404, 422))
def create_journal(call: Call, class_id: str) -> Reply:
    klass = store.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.MANAGE_SCHOOL, target_of(klass), what="class")
    body = call.json(_JOURNAL)
    errors = []
    subject = store.get_subject(body["subject_id"])
    if subject is None or subject.school_id != klass.school_id:
        errors.append(FieldError("subject_id", "not a subject of this school"))
    teacher_ids = list(dict.fromkeys(body["teacher_ids"]))
    if not teacher_ids:
        errors.append(FieldError("teacher_ids", "at least one teacher"))
    errors += teachers_of_school(klass.school_id, teacher_ids, "teacher_ids")
    if not 1 <= body["hours_per_week"] <= 40:
        errors.append(FieldError("hours_per_week", "must be 1..40"))
    if errors:
        raise RuleViolation("The journal cannot be created.", errors)
    journal = store.create_journal(klass, subject, teacher_ids, body["hours_per_week"])
    return Reply(journal_view(journal), 201)


@endpoint(bp, "/v1/classes/{class_id}/journals", summary="The journals of a class", statuses=(200, 403, 404))
def list_journals(call: Call, class_id: str) -> list[dict[str, Any]]:
    klass = store.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.READ_SCHOOL, target_of(klass), what="class")
    return [journal_view(j) for j in store.journals_of_class(class_id)]
