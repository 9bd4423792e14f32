"""Learning objectives of a subject's curriculum, per grade (issue 3, item 8).

`PUT /v1/subjects/{subject_id}/objectives?grade=7` (school_admin) replaces the grade's list;
`GET` the same path reads it. Codes follow the curriculum's numbering: grade.section.subsection.objective.
"""
from __future__ import annotations

import json
import re
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.http import Call, Query, endpoint
from chalicelib.api.views import target_of
from chalicelib.auth import authorize
from chalicelib.domain.errors import BadRequest, FieldError, NotFound, RuleViolation
from chalicelib.domain.policy import Action, Caller
from chalicelib.store import curriculum, schools
from chalicelib.store.directory import SubjectItem

__all__ = ["bp"]

bp = Blueprint(__name__)

_MAX_BYTES = 300_000  # a directory item holds 400 KB
_CODE = re.compile(r"^[0-9]{1,2}(\.[0-9]{1,3}){1,4}$")
_OBJECTIVES = {"objectives": Field(ListOf({"code": Field(str), "text": Field({"kk": Field(str), "ru": Field(str)})},
                                          max_items=500))}


def _subject(caller: Caller, subject_id: str, action: Action) -> SubjectItem:
    subject = schools.get_subject(subject_id)
    if subject is None:
        raise NotFound("No such subject.")
    authorize(caller, action, target_of(subject), what="subject")
    return subject


_GRADE = {"grade": Query.integer("The grade: 1..11", 1, 11, required=True)}  # what `_grade` reads


def _grade(call: Call) -> int:
    raw = call.query("grade") or ""
    if not raw.isdigit() or not 1 <= int(raw) <= 11:
        raise BadRequest("grade is an integer 1..11.", [FieldError("grade", "an integer 1..11")])
    return int(raw)


def _view(subject_id: str, grade: int, objectives: list[dict[str, Any]]) -> dict[str, Any]:
    return {"subject_id": subject_id, "grade": grade, "objectives": objectives}


@endpoint(bp, "/v1/subjects/{subject_id}/objectives", summary="A subject's learning objectives for a grade",
          statuses=(200, 400, 404), query=_GRADE)
def get_objectives(call: Call, subject_id: str) -> dict[str, Any]:
    _subject(call.caller, subject_id, Action.READ_SCHOOL)
    grade = _grade(call)
    return _view(subject_id, grade, curriculum.objectives_of(subject_id, grade))


@endpoint(bp, "/v1/subjects/{subject_id}/objectives", "PUT", request=_OBJECTIVES,
          summary="Replace a subject's learning objectives for a grade (school_admin)",
          statuses=(200, 400, 403, 404, 422), query=_GRADE)
def put_objectives(call: Call, subject_id: str) -> dict[str, Any]:
    _subject(call.caller, subject_id, Action.MANAGE_SCHOOL)
    grade = _grade(call)
    objectives = call.json(_OBJECTIVES)["objectives"]
    errors, seen = [], set()
    for i, o in enumerate(objectives):
        code = o["code"].strip()
        if not _CODE.match(code) or code.split(".")[0] != str(grade):
            errors.append(FieldError(f"objectives[{i}].code", f"a code such as {grade}.2.1.3 for grade {grade}"))
        elif code in seen:
            errors.append(FieldError(f"objectives[{i}].code", "listed twice"))
        seen.add(code)
        for lang in ("kk", "ru"):
            if not o["text"][lang].strip() or len(o["text"][lang]) > 1000:
                errors.append(FieldError(f"objectives[{i}].text.{lang}", "1..1000 characters"))
    if len(json.dumps(objectives, ensure_ascii=False).encode()) > _MAX_BYTES:
        errors.append(FieldError("objectives", f"at most {_MAX_BYTES // 1000} KB in all"))
    if errors:
        raise RuleViolation("The objectives cannot be saved.", errors)
    clean = [{"code": o["code"].strip(), "text": {"kk": o["text"]["kk"].strip(), "ru": o["text"]["ru"].strip()}}
             for o in objectives]
    curriculum.put_objectives(subject_id, grade, clean)
    return _view(subject_id, grade, clean)
