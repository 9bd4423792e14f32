"""A pupil's diary and the history of their entries (api-contract.md, Diary, standing, history).

The diary is two Queries of the journal table's `by_owner` index (the class's lessons and works of the dates,
the pupil's entries of the dates), every item of which it shows, and no other Query. From the directory, by key:
the pupil and the class, the journals (who is in which subgroup) and the subjects shown (BatchGetItems), the
school's bells and, only when something shown names learning objectives, their texts.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.api import timetable
from chalicelib.api.http import Call, Query, endpoint
from chalicelib.api.journal import HISTORY_QUERY, actor_names, audit_view, history_limits
from chalicelib.auth import authorize
from chalicelib.domain import dates
from chalicelib.domain.errors import BadRequest, FieldError, NotFound
from chalicelib.domain.policy import Action, Caller, Target
from chalicelib.store import audit, curriculum, membership, movement, people, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import JournalItem, PersonItem, SubjectItem

__all__ = ["bp", "MAX_DAYS"]

bp = Blueprint(__name__)

MAX_DAYS = 92


def visible_pupil(caller: Caller, student_id: str) -> PersonItem:
    """The pupil if `caller` may read them: 404 for an unknown id or someone else's child."""
    pupil = people.get_person(student_id)
    if pupil is None or pupil.role != "student":
        raise NotFound("No such pupil.")
    authorize(caller, Action.READ_PUPIL, Target(pupil.school_id, pupil.region, class_id=pupil.class_id,
                                                student_id=pupil.person_id), what="pupil")
    return pupil


def _range(call: Call) -> tuple[date, date]:
    errors, found = [], {}
    for name in ("from", "to"):
        try:
            found[name] = dates.parse_date(call.query(name) or "")
        except dates.InvalidDate as exc:
            errors.append(FieldError(name, str(exc)))
    if not errors and not timedelta(0) <= found["to"] - found["from"] < timedelta(days=MAX_DAYS):
        errors.append(FieldError("to", f"from <= to, at most {MAX_DAYS} days"))
    if errors:
        raise BadRequest("from and to are dates YYYY-MM-DD, at most 92 days apart.", errors)
    return found["from"], found["to"]


def _subjects(ids: set[str]) -> dict[str, dict[str, Any]]:
    keys = [(f"SUB#{s}", "#") for s in sorted(ids)]
    return {s.subject_id: {"subject_id": s.subject_id, "code": s.code, "name": {"kk": s.name_kk, "ru": s.name_ru}}
            for s in SubjectItem.batch_get(keys)} if keys else {}


def _names_objectives(item: store.Lesson | store.Work, entries: dict[tuple[str, str], store.Entry]) -> bool:
    """Whether a lesson or work, or the pupil's formative entry or result of it, names learning objectives."""
    kind, target = ("F", item.lesson_id) if isinstance(item, store.Lesson) else ("R", item.work_id)
    entry = entries.get((kind, target))
    return bool(item.objectives or (entry is not None and entry.notes))


def _objectives(codes: list[str], texts: dict[str, dict[str, str]], notes: dict[str, str] | None = None
                ) -> list[dict[str, Any]]:
    shown = []
    for code in codes:
        item: dict[str, Any] = {"code": code, "text": texts.get(code)}
        if notes is not None:
            item["feedback"] = notes.get(code) or None
        shown.append(item)
    return shown


@endpoint(bp, "/v1/students/{student_id}/diary", summary="A pupil's diary for a date range",
          statuses=(200, 400, 403, 404),
          query={"from": Query.date("The first day: YYYY-MM-DD", required=True),
                 "to": Query.date(f"The last day: YYYY-MM-DD, from..from + {MAX_DAYS - 1} days", required=True)})
def diary(call: Call, student_id: str) -> dict[str, Any]:
    pupil = visible_pupil(call.caller, student_id)
    start, end = _range(call)
    klass = schools.get_class(pupil.class_id) if pupil.class_id else None
    items = movement.pupil_items(pupil, start, end)  # each class the pupil was in, for its dates
    groups = membership.journals_by_id({i.pk[2:] for i in items})
    items = [i for i in items if i.pk[2:] not in groups or membership.in_journal(groups[i.pk[2:]], student_id)]
    entries: dict[tuple[str, str], store.Entry] = {}
    for entry in store.pupil_entries(student_id, start, end):
        _, kind, target, _ = store.parse_entry_sk(entry.sk)
        entries[(kind, target)] = entry
    subjects = _subjects({i.subject_id for i in items})
    grade = int(klass.grade) if klass else 0
    texts = curriculum.texts_of({(i.subject_id, grade) for i in items if _names_objectives(i, entries)})
    bells = timetable.bells_of(pupil.school_id) if items and pupil.school_id else {}
    days: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {"lessons": [], "works": []})
    for item in sorted(items, key=lambda i: i.gsk or ""):
        known = texts.get((item.subject_id, grade), {})
        day = days[store.date_of(item)]
        if isinstance(item, store.Lesson):
            day["lessons"].append({**_lesson(item, entries, subjects, known), **timetable.schedule_view(item, bells)})
        else:
            day["works"].append(_work(item, entries, subjects, known))
    return {"student_id": student_id, "from": start.isoformat(), "to": end.isoformat(),
            "days": [{"date": d, **days[d]} for d in sorted(days)]}


def _lesson(lesson: store.Lesson, entries: dict[tuple[str, str], store.Entry], subjects: dict[str, Any],
            texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    attendance = entries.get(("A", lesson.lesson_id))
    formative = entries.get(("F", lesson.lesson_id))
    marked = store.entry_values(formative) if formative else None
    notes = (formative.notes or {}) if formative else {}
    return {
        "lesson_id": lesson.lesson_id, "journal_id": lesson.pk[2:], "subject": subjects.get(lesson.subject_id),
        "number": int(lesson.number), "topic": lesson.topic, "homework": lesson.homework,
        "objectives": _objectives(list(lesson.objectives or []), texts),
        "attendance": attendance.status if attendance else None,
        "formative": None if marked is None else {
            "points": marked["points"], "feedback": marked["feedback"],
            "objectives": _objectives(sorted(notes), texts, notes)},
    }


def _work(work: store.Work, entries: dict[tuple[str, str], store.Entry], subjects: dict[str, Any],
          texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    result = entries.get(("R", work.work_id))
    values = store.entry_values(result) if result else None
    notes = (result.notes or {}) if result else {}
    return {
        "work_id": work.work_id, "journal_id": work.pk[2:], "subject": subjects.get(work.subject_id),
        "kind": work.kind, "title": work.title, "max_points": int(work.max_points),
        "points": values["points"] if values else None, "feedback": values["feedback"] if values else None,
        "descriptors_met": values["descriptors_met"] if values else [],
        "criteria": work.criteria or [],
        "objectives": _objectives(sorted(set(work.objectives or []) | set(notes)), texts, notes),
    }


@endpoint(bp, "/v1/students/{student_id}/history", summary="Every change to a pupil's journal entries",
          statuses=(200, 400, 403, 404), query=HISTORY_QUERY)
def history(call: Call, student_id: str) -> list[dict[str, Any]]:
    visible_pupil(call.caller, student_id)
    limit, before = history_limits(call)
    records = audit.history(f"S#{student_id}", limit, before)
    names = actor_names({r.by for r in records})
    subjects = _journal_subjects({r.journal_id for r in records})
    return [{**audit_view(r, names), "subject": subjects.get(r.journal_id)} for r in records]


def _journal_subjects(journal_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Subject of each journal (two BatchGetItems)."""
    keys = [(f"JRN#{j}", "#") for j in sorted(journal_ids)]
    journals = {j.journal_id: j.subject_id for j in JournalItem.batch_get(keys)} if keys else {}
    subjects = _subjects(set(journals.values()))
    return {j: subjects.get(s) for j, s in journals.items()}
