"""Who a journal is kept for: its class's pupils, or a subgroup's (a language or IT group: part of the class).

    JRN#<journal>  #                     a subgroup is a journal with `group_name` and `student_ids`
    CLS#<class>    JGRP#<subject>#<name>  guard: one group of that name per class and subject

A class may have a journal of the whole class for a subject (guard `JSUB#<subject>`) or several subgroups of it.
A journal's `enrolment` holds the dates of pupils who moved into or out of its class (`chalicelib.store.movement`).
Every read and write of a journal's pupils goes through `pupils_of_journal` (one Query of the class, filtered).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from chalicelib.domain import movement
from chalicelib.domain.errors import FieldError
from chalicelib.domain.ids import new_id
from chalicelib.store import people
from chalicelib.store.directory import ClassItem, GuardItem, JournalItem, LinkItem, PersonItem, SubjectItem
from chalicelib.store.schools import create_all

__all__ = ["pupils_of_journal", "in_journal", "spans_in", "enrolment_view", "create_subgroup", "set_group_pupils",
           "journals_by_id"]


def pupils_of_journal(journal: JournalItem, on: date | None = None) -> list[PersonItem]:
    """The pupils a journal is kept for (the class's, or its subgroup's), with those who moved out of the class
    (their entries stay theirs); `on` a day: only those in it that day. One Query, and a BatchGetItem for
    pupils who moved out."""
    pupils = people.pupils_of_class(journal.class_id)
    known = {p.person_id for p in pupils}
    former = sorted(pid for pid in journal.enrolment or {} if pid not in known)
    if former:
        pupils += list(PersonItem.batch_get([(people.person_key(pid), "#") for pid in former]))
    return [p for p in pupils if in_journal(journal, p.person_id)
            and (on is None or movement.enrolled_on(spans_in(journal, p.person_id), on))]


def in_journal(journal: JournalItem, pupil_id: str) -> bool:
    """Whether a pupil of the journal's class belongs to the journal (every pupil, unless it is a subgroup)."""
    return not journal.student_ids or pupil_id in journal.student_ids


def spans_in(journal: JournalItem, pupil_id: str) -> list[movement.Span]:
    """When a pupil is in the journal's class ([]: as long as they are in it)."""
    return movement.spans_of((journal.enrolment or {}).get(pupil_id))


def enrolment_view(journal: JournalItem, pupil_id: str) -> dict[str, Any]:
    """A pupil's dates in the journal, as the grid shows them (null: always)."""
    spans = (journal.enrolment or {}).get(pupil_id)
    return {"enrolled": [{"from": s, "to": e} for s, e in spans] if spans else None}


def _name_key(name: str) -> str:
    """The guard's form of a group name: case and spacing do not make another group."""
    return " ".join(name.casefold().split())


def create_subgroup(klass: ClassItem, subject: SubjectItem, name: str, teacher_ids: list[str],
                    hours_per_week: int, student_ids: set[str]) -> JournalItem:
    """A journal for part of a class, with its teachers' links (one transaction)."""
    journal_id = new_id()
    item = JournalItem(f"JRN#{journal_id}", "#", journal_id=journal_id, school_id=klass.school_id,
                       region=klass.region, class_id=klass.class_id, subject_id=subject.subject_id,
                       teacher_ids=teacher_ids, hours_per_week=hours_per_week, group_name=name,
                       student_ids=student_ids,
                       gsi1pk=f"CLS#{klass.class_id}#JRN", gsi1sk=f"{subject.subject_id}#{journal_id}")
    guard = GuardItem(f"CLS#{klass.class_id}", f"JGRP#{subject.subject_id}#{_name_key(name)}", ref=journal_id)
    links = [LinkItem(f"PER#{t}", f"JRN#{journal_id}", kind="journal", school_id=klass.school_id,
                      ref=journal_id, class_id=klass.class_id, subject_id=subject.subject_id)
             for t in teacher_ids]
    create_all([item, guard, *links],
               {1: FieldError("name", "this class already has a group of this name in this subject")})
    return item


def set_group_pupils(journal: JournalItem, student_ids: set[str]) -> JournalItem:
    """A subgroup's new pupils (on condition the journal is as read)."""
    journal.update(actions=[JournalItem.student_ids.set(student_ids)])
    return journal


def journals_by_id(ids: Iterable[str]) -> dict[str, JournalItem]:
    """Journals by id (one BatchGetItem per 100)."""
    keys = [(f"JRN#{j}", "#") for j in sorted(set(ids))]
    return {j.journal_id: j for j in JournalItem.batch_get(keys)} if keys else {}

