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
from chalicelib.store import people
from chalicelib.store.directory import JournalItem, PersonItem

__all__ = ["pupils_of_journal", "in_journal", "spans_in", "enrolment_view", "set_group_pupils",
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


def set_group_pupils(journal: JournalItem, student_ids: set[str]) -> JournalItem:
    """A subgroup's new pupils (on condition the journal is as read)."""
    journal.update(actions=[JournalItem.student_ids.set(student_ids)])
    return journal


def journals_by_id(ids: Iterable[str]) -> dict[str, JournalItem]:
    """Journals by id (one BatchGetItem per 100)."""
    keys = [(f"JRN#{j}", "#") for j in sorted(set(ids))]
    return {j.journal_id: j for j in JournalItem.batch_get(keys)} if keys else {}

