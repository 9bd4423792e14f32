"""Marks and attendance: a pupil's marks, a class's marks, a pupil's lesson log entries.

Reads: a pupil's entries are one Query of `by_owner` (S#pupil, dated); the class's lessons and works one more
(C#class, dated). A class's marks take one Query per journal of the class (its partition, the terms of the
range, at most `GROUP_DAYS` days): fewer round trips than a Query per pupil.
"""
from __future__ import annotations

from typing import Any

from chalicelib.api.journal import school_calendar
from chalicelib.api.kundelik.access import Call, visible_class, visible_pupil
from chalicelib.api.kundelik.envelope import NotVisible
from chalicelib.api.kundelik.facts import class_days, entry_of, lesson_of, work_of
from chalicelib.domain import kundelik as v2
from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.store import journal as store
from chalicelib.store import marks, schools

__all__ = ["person_marks", "group_marks", "log_entries", "final_marks"]


def person_marks(call: Call) -> list[dict[str, Any]]:
    """`persons/{p}/schools/{s}/marks/{from}/{to}`."""
    person_id, school_id = call.id("person"), call.id("school")
    start, end = call.days(v2.PERSON_DAYS)
    pupil = visible_pupil(call.caller, person_id)
    if pupil.school_id != school_id or not pupil.class_id:
        raise NotVisible("No such school.")
    days = class_days(pupil.class_id, start, end)
    entries = [entry_of(e) for e in store.pupil_entries(person_id, start, end)]
    return v2.marks_of(entries, days.lesson_by_id, days.work_by_id)


def group_marks(call: Call) -> list[dict[str, Any]]:
    """`edu-groups/{g}/marks/{from}/{to}`: every pupil's (its teachers, the school's admin), else the caller's
    own and their children's rows. One Query per journal of the class: its items of the terms of the range."""
    class_id = call.id("group")
    start, end = call.days(v2.GROUP_DAYS)
    klass, rows = visible_class(call.caller, class_id)
    calendar = school_calendar(klass.school_id, int(klass.year), int(klass.grade))
    terms = v2.terms_within(calendar.periods, start, end)
    lessons: dict[str, v2.Lesson] = {}
    works: dict[str, v2.Work] = {}
    entries: list[v2.Entry] = []
    for journal in schools.journals_of_class(class_id) if terms else []:
        found = store.read_period(journal.journal_id, terms[0], terms[-1])
        lessons |= {x.lesson_id: x for x in map(lesson_of, found.lessons) if start <= x.day <= end}
        works |= {w.work_id: w for w in map(work_of, found.works) if start <= w.day <= end}
        entries += [e for e in map(entry_of, found.entries)
                    if e.kind != "A" and start <= e.day <= end and (rows is None or e.pupil_id in rows)]
    return v2.marks_of(entries, lessons, works)


def log_entries(call: Call) -> list[dict[str, Any]]:
    """`persons/{p}/lesson-log-entries?startDate&endDate`: the pupil's attendance."""
    person_id = call.id("person")
    start, end = call.query_days(v2.PERSON_DAYS)
    visible_pupil(call.caller, person_id)
    entries = sorted((entry_of(e) for e in store.pupil_entries(person_id, start, end)
                      if store.parse_entry_sk(e.sk)[1] == "A"), key=lambda e: (e.day, e.target_id))
    return [v2.log_entry(e) for e in entries]


def final_marks(call: Call) -> list[dict[str, Any]]:
    """`persons/{p}/edu-groups/{g}/final-marks`: the marks of the pupil's closed periods in the class's subjects
    (one consistent Query of the pupil's partition, one of the class's journals)."""
    person_id, class_id = call.id("person"), call.id("group")
    pupil = visible_pupil(call.caller, person_id)
    klass = schools.get_class(class_id)
    if klass is None or pupil.class_id != class_id:
        raise NotVisible("No such group.")
    subject_of = {j.journal_id: j.subject_id for j in schools.journals_of_class(class_id)}
    records, _ = marks.pupil_year(person_id, int(klass.year), to_rfc3339(now_kz()))
    order = {code: n for n, code in enumerate(("T1", "T2", "H1", "T3", "T4", "H2", "Y"))}
    closed = sorted((r for r in records if r.final and r.mark and r.journal_id in subject_of),
                    key=lambda r: (order.get(r.period, len(order)), subject_of[r.journal_id]))
    return [v2.final_mark(v2.FinalMark(person_id, class_id, subject_of[r.journal_id], r.period, r.mark, r.closed_at))
            for r in closed]
