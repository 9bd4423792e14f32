"""Store items as the facts `chalicelib.domain.kundelik` maps, and the batched reads of names they need."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from chalicelib.domain import kundelik as v2
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SubjectItem
from chalicelib.store.people import person_key

__all__ = ["ClassDays", "lesson_of", "work_of", "entry_of", "person_of", "group_of", "subject_name",
           "subjects", "persons", "class_days", "teachers_by_journal"]


def lesson_of(item: store.Lesson) -> v2.Lesson:
    return v2.Lesson(lesson_id=item.lesson_id, journal_id=item.pk[2:], class_id=(item.gpk or "")[2:],
                     subject_id=item.subject_id, day=date.fromisoformat(store.date_of(item)),
                     number=int(item.number), term=item.sk[:2], topic=item.topic, homework=item.homework)


def work_of(item: store.Work) -> v2.Work:
    return v2.Work(work_id=item.work_id, journal_id=item.pk[2:], class_id=(item.gpk or "")[2:],
                   subject_id=item.subject_id, day=date.fromisoformat(store.date_of(item)), kind=item.kind,
                   period=item.period, title=item.title, max_points=int(item.max_points))


def entry_of(item: store.Entry) -> v2.Entry:
    _, kind, target, pupil = store.parse_entry_sk(item.sk)
    return v2.Entry(kind=kind, target_id=target, pupil_id=pupil, day=date.fromisoformat(store.date_of(item)),
                    points=int(item.points) if item.points is not None else None, status=item.status,
                    comment=item.comment, at=item.at)


def person_of(item: PersonItem) -> v2.Person:
    return v2.Person(item.person_id, item.last_name, item.first_name, item.middle_name)


def group_of(item: ClassItem) -> v2.Group:
    return v2.Group(item.class_id, int(item.grade), item.letter, int(item.year))


def subject_name(item: SubjectItem, language: str) -> str:
    return item.name_kk if language == "kk" else item.name_ru


def subjects(ids: Iterable[str], language: str) -> dict[str, v2.Subject]:
    """Subjects by id, named in `language` (one BatchGetItem)."""
    keys = [(f"SUB#{s}", "#") for s in sorted(set(ids))]
    return {s.subject_id: v2.Subject(s.subject_id, subject_name(s, language), s.code)
            for s in SubjectItem.batch_get(keys)} if keys else {}


def persons(ids: Iterable[str]) -> dict[str, PersonItem]:
    """People by id (one BatchGetItem)."""
    keys = [(person_key(p), "#") for p in sorted(set(ids))]
    return {p.person_id: p for p in PersonItem.batch_get(keys)} if keys else {}


def teachers_by_journal(journals: Iterable[JournalItem]) -> dict[str, list[str]]:
    return {j.journal_id: list(j.teacher_ids) for j in journals}


class ClassDays:
    """A class's lessons and works of a date range (one Query of the journal table's `by_owner`)."""

    def __init__(self, lessons: list[v2.Lesson], works: list[v2.Work]) -> None:
        self.lessons = sorted(lessons, key=lambda x: (x.day, x.number, x.journal_id))
        self.works = sorted(works, key=lambda w: (w.day, w.work_id))
        self.lesson_by_id = {x.lesson_id: x for x in self.lessons}
        self.work_by_id = {w.work_id: w for w in self.works}

    def works_of(self, lesson: v2.Lesson) -> list[dict[str, Any]]:
        """A lesson's works as v2 shows them: its formative work, its homework, the journal's SOR/SOCH that day."""
        shown = [v2.formative_work(lesson)]
        homework = v2.homework_work(lesson)
        if homework is not None:
            shown.append(homework)
        first = v2.lesson_on(self.lessons, lesson.journal_id, lesson.day)
        if first is not None and first.lesson_id == lesson.lesson_id:
            shown += [v2.summative_work(w, lesson.lesson_id) for w in self.works
                      if w.journal_id == lesson.journal_id and w.day == lesson.day]
        return shown


def class_days(class_id: str, start: date, end: date) -> ClassDays:
    lessons, works = [], []
    for item in store.class_items(class_id, start, end):
        if isinstance(item, store.Lesson):
            lessons.append(lesson_of(item))
        else:
            works.append(work_of(item))
    return ClassDays(lessons, works)
