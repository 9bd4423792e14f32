"""Subgroups: a journal for part of a class (a language or IT group), and the pupils a journal is kept for.

A subgroup's grid, entries, works, statistics and closes cover its pupils only (`chalicelib.store.membership`),
and only its teachers write it (the policy's WRITE_JOURNAL: the journals a teacher is linked to); a pupil's
diary and standing show the whole-class journals and their own groups. A pupil taken out of a group keeps
the entries recorded while they were in it (they are in the pupil's history).
"""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field, ListOf
from chalicelib.api.classes import teachers_of_school
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.api.journal import pupil_view, visible_journal
from chalicelib.api.lists import PAGE_QUERY, page_reply
from chalicelib.api.views import journal_view, target_of
from chalicelib.auth import authorize
from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.errors import FieldError, NotFound, RuleViolation
from chalicelib.domain.policy import Action
from chalicelib.store import membership, people, schools
from chalicelib.store.directory import ClassItem, JournalItem

__all__ = ["bp", "group_view"]

bp = Blueprint(__name__)

_PUPILS = Field(ListOf(str, max_items=60))
_GROUP = {"subject_id": Field(str), "name": Field(str), "teacher_ids": Field(ListOf(str, max_items=10)),
          "hours_per_week": Field(int), "student_ids": _PUPILS}
_MAX_NAME = 64


def group_view(j: JournalItem) -> dict[str, Any]:
    return {**journal_view(j), "group_name": j.group_name,
            "student_ids": sorted(j.student_ids) if j.student_ids else None}


def _pupils_of_class(klass: ClassItem, ids: list[str], field: str) -> tuple[set[str], list[FieldError]]:
    pupils = {p.person_id for p in people.pupils_of_class(klass.class_id)}
    errors = [FieldError(f"{field}[{i}]", "not a pupil of this class") for i, pid in enumerate(ids)
              if pid not in pupils]
    if not ids:
        errors.append(FieldError(field, "at least one pupil"))
    return set(ids), errors


@endpoint(bp, "/v1/classes/{class_id}/subgroups", "POST", summary="Create a subgroup's journal (school_admin)",
          creates=True, request=_GROUP, statuses=(201, 400, 403, 404, 422))
def create_subgroup(call: Call, class_id: str) -> Reply:
    klass = schools.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.MANAGE_SCHOOL, target_of(klass), what="class")
    body = call.json(_GROUP)
    name = body["name"].strip()
    errors = [] if 0 < len(name) <= _MAX_NAME else [FieldError("name", f"1 to {_MAX_NAME} characters")]
    subject = schools.get_subject(body["subject_id"])
    if subject is None or subject.school_id != klass.school_id:
        errors.append(FieldError("subject_id", "not a subject of this school"))
    teacher_ids = list(dict.fromkeys(body["teacher_ids"]))
    if not teacher_ids:
        errors.append(FieldError("teacher_ids", "at least one teacher"))
    errors += teachers_of_school(klass.school_id, teacher_ids, "teacher_ids")
    if not 1 <= body["hours_per_week"] <= 40:
        errors.append(FieldError("hours_per_week", "must be 1..40"))
    pupils, wrong = _pupils_of_class(klass, list(dict.fromkeys(body["student_ids"])), "student_ids")
    errors += wrong
    if errors:
        raise RuleViolation("The subgroup cannot be created.", errors)
    journal = schools.create_journal(klass, subject, teacher_ids, body["hours_per_week"], group=(name, pupils))
    return Reply(group_view(journal), 201)


@endpoint(bp, "/v1/journals/{journal_id}/pupils", summary="The pupils a journal is kept for, alphabetically",
          statuses=(200, 400, 403, 404), query=PAGE_QUERY)
def journal_pupils(call: Call, journal_id: str) -> Reply:
    journal = visible_journal(call.caller, journal_id, Action.READ_JOURNAL)
    return page_reply(call, membership.pupils_of_journal(journal),
                      lambda p: (name_sort_key(p.last_name, p.first_name, p.middle_name), p.person_id), pupil_view)


@endpoint(bp, "/v1/journals/{journal_id}/pupils", "PUT", summary="Change a subgroup's pupils (school_admin)",
          request={"student_ids": _PUPILS}, statuses=(200, 400, 403, 404, 422))
def put_journal_pupils(call: Call, journal_id: str) -> dict[str, Any]:
    journal = visible_journal(call.caller, journal_id, Action.MANAGE_SCHOOL)
    if not journal.group_name:
        raise RuleViolation("The journal of the whole class has every pupil of the class.",
                            [FieldError("journal_id", "not a subgroup")], slug="not-a-subgroup")
    klass = schools.get_class(journal.class_id)
    if klass is None:
        raise NotFound("The journal's class no longer exists.")
    pupils, errors = _pupils_of_class(klass, list(dict.fromkeys(call.json({"student_ids": _PUPILS})["student_ids"])),
                                      "student_ids")
    if errors:
        raise RuleViolation("The subgroup's pupils cannot be changed.", errors)
    return group_view(membership.set_group_pupils(journal, pupils))
