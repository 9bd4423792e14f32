"""Lessons: one lesson with its works, homework of a school's classes, a pupil's schedule by day.

Reads: the class's lessons and works of the dates (one Query of `by_owner`), its journals for the teachers (one
Query), a pupil's entries (one Query), and BatchGetItems for names.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from chalicelib.api.kundelik.access import Call, family_of, visible_lesson, visible_pupil, visible_school
from chalicelib.api.kundelik.envelope import NotVisible
from chalicelib.api.kundelik.facts import (
    ClassDays, class_days, entry_of, lesson_of, person_of, persons, subjects, teachers_by_journal,
)
from chalicelib.domain import kundelik as v2
from chalicelib.domain.policy import Caller, Role
from chalicelib.store import journal as store
from chalicelib.store import schools
from chalicelib.store.directory import ClassItem

__all__ = ["lesson", "homeworks", "schedule"]


def lesson(call: Call) -> dict[str, Any]:
    """`lessons/{id}`."""
    klass, journal, item = visible_lesson(call.caller, call.id("lesson"))
    facts = lesson_of(item)
    named = subjects([facts.subject_id], klass.language)
    works = class_days(klass.class_id, facts.day, facts.day).works_of(facts)
    return v2.lesson_shape(facts, named.get(facts.subject_id), works, journal.teacher_ids)


def _school_classes(caller: Caller, school_id: str) -> list[ClassItem]:
    """The classes of a school the caller sees homework of: all (its admin), taught, own, their children's."""
    if caller.has(Role.SCHOOL_ADMIN, school_id):
        return schools.classes_of_school(school_id)
    family = family_of(caller)
    visible_school(caller, family, school_id)
    wanted = {family.own_class(), *(c for s, c in family.children.values() if s == school_id),
              *caller.taught_classes, *caller.homeroom_classes} - {None}
    keys = [(f"CLS#{c}", "#") for c in sorted(wanted)]
    return [c for c in ClassItem.batch_get(keys) if c.school_id == school_id] if keys else []


def homeworks(call: Call) -> dict[str, Any]:
    """`users/me/school/{s}/homeworks?startDate&endDate`: the homework set in the caller's classes."""
    school_id = call.id("school")
    start, end = call.query_days(v2.GROUP_DAYS)
    works, lessons, named, teachers = [], [], {}, set()
    for klass in sorted(_school_classes(call.caller, school_id), key=lambda c: c.class_id):
        days = class_days(klass.class_id, start, end)
        set_homework = [x for x in days.lessons if x.homework]
        if not set_homework:
            continue
        staff = teachers_by_journal(schools.journals_of_class(klass.class_id))
        named |= subjects({x.subject_id for x in set_homework}, klass.language)
        for x in set_homework:
            work = v2.homework_work(x)
            works.append(work)
            lessons.append(v2.lesson_brief(x, [work["id_str"]], staff.get(x.journal_id, [])))
            teachers |= set(staff.get(x.journal_id, []))
    return {"works": works, "subjects": [v2.subject_shape(s) for s in sorted(named.values(), key=lambda s: s.name)],
            "lessons": lessons, "files": [],
            "teachers": [v2.person_shape(person_of(p)) for _, p in sorted(persons(teachers).items())]}


def schedule(call: Call) -> dict[str, Any]:
    """`persons/{p}/groups/{g}/schedules?startDate&endDate`: every day of the range."""
    person_id, class_id = call.id("person"), call.id("group")
    start, end = call.query_days(v2.GROUP_DAYS)
    pupil = visible_pupil(call.caller, person_id)
    klass = schools.get_class(class_id)
    if pupil.class_id != class_id or klass is None:
        raise NotVisible("No such group.")
    days = class_days(class_id, start, end)
    staff = teachers_by_journal(schools.journals_of_class(class_id))
    named = subjects({x.subject_id for x in days.lessons} | {w.subject_id for w in days.works}, klass.language)
    entries = defaultdict(list)
    for entry in store.pupil_entries(person_id, start, end):
        entries[store.date_of(entry)].append(entry_of(entry))
    return {"days": [_day(day, days, entries[day.isoformat()], staff, named) for day in v2.days_between(start, end)]}


def _day(day: date, days: ClassDays, entries: list[v2.Entry], staff: dict[str, list[str]],
         named: dict[str, v2.Subject]) -> dict[str, Any]:
    lessons = [x for x in days.lessons if x.day == day]
    shown, works, homework = [], [], []
    for x in lessons:
        of_lesson = days.works_of(x)
        shown.append(v2.lesson_brief(x, [w["id_str"] for w in of_lesson], staff.get(x.journal_id, [])))
        works += [w for w in of_lesson if w["type"] != "Homework"]
        homework += [w for w in of_lesson if w["type"] == "Homework"]
    attached = {w["id_str"] for w in works}
    works += [v2.summative_work(w, None) for w in days.works if w.day == day and w.work_id not in attached]
    subject_ids = {x.subject_id for x in lessons} | {w.subject_id for w in days.works if w.day == day}
    return {"date": v2.day_text(day), "lessons": shown,
            "marks": v2.marks_of(entries, days.lesson_by_id, days.work_by_id), "works": works, "homeworks": homework,
            "subjects": [v2.subject_shape(named[s]) for s in sorted(subject_ids) if s in named],
            "lessonLogEntries": [v2.log_entry(e) for e in sorted(entries, key=lambda e: e.target_id) if e.kind == "A"]}
