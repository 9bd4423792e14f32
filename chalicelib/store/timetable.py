"""Timetables in the directory table, and the planned lessons they make in the journal table.

    CLS#<class>  TT#<period>   a class's weekly grid for a period   (by_collection: SCH#<school>#TT#<year>#<period>)
    SCH#<school> BELLS          the school's bells (when each lesson number starts and ends)

A planned lesson is an ordinary lesson of its journal (`chalicelib.store.journal.Lesson`, with its `room`), made
ahead of time, so the grid, the diary, attendance and the Kundelik schedule all see it. Lessons are created 50
to a transaction (100 items with their references), each on condition that its journal has no lesson with that
date and number: about 5 write units a lesson with its index entry. A lesson a teacher made meanwhile in the
same place is left alone (the transaction is retried without it). Planning counts itself into the gate of every
journal term it writes (`open_gates`, as any journal write does), so nothing is planned into a closed period or a
school year made read-only at its end, nor while such a close is under way.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.ids import new_id
from chalicelib.domain.journal import PeriodClosed
from chalicelib.domain.timetable import Planned
from chalicelib.store import schools
from chalicelib.store import journal as lessons
from chalicelib.store.directory import ClassItem, DirectoryItem

__all__ = ["GridItem", "TX_LESSONS", "TermsShut", "get_grid", "put_grid", "school_grids", "get_bells", "put_bells",
           "planned_lessons", "open_gates", "create_planned", "set_lesson_mark"]

TX_LESSONS = 50  # lessons per transaction: with their references, DynamoDB's 100 items
_BELLS = "BELLS"


class GridItem(DirectoryItem):
    """A class's weekly grid for one period: [{weekday, number, journal_id, room, teachers}]."""

    class_id = UnicodeAttribute()
    school_id = UnicodeAttribute()
    year = NumberAttribute()
    period = UnicodeAttribute()
    slots = JSONAttribute()
    by = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    version = VersionAttribute()


def _grid_sk(period: str) -> str:
    return f"TT#{period}"


def get_grid(class_id: str, period: str) -> GridItem | None:
    try:
        return GridItem.get(f"CLS#{class_id}", _grid_sk(period), consistent_read=True)
    except DoesNotExist:
        return None


def put_grid(klass: ClassItem, period: str, slots: list[dict[str, Any]], by: str, at: str) -> GridItem:
    """Replace a class's grid for a period (the last writer wins: a grid is set by one administrator)."""
    item = get_grid(klass.class_id, period) or GridItem(
        f"CLS#{klass.class_id}", _grid_sk(period), class_id=klass.class_id, school_id=klass.school_id,
        year=int(klass.year), period=period,
        gsi1pk=f"SCH#{klass.school_id}#TT#{int(klass.year)}#{period}", gsi1sk=klass.class_id)
    item.slots, item.by, item.at = slots, by, at
    item.save()
    return item


def school_grids(school_id: str, year: int, period: str) -> list[GridItem]:
    """Every class's grid of a school for a year and period: one Query."""
    return list(GridItem.by_collection.query(f"SCH#{school_id}#TT#{year}#{period}"))


def get_bells(school_id: str) -> list[dict[str, Any]]:
    """The school's bells [{number, start, end}] ([] until it sets them)."""
    return schools.get_override(school_id, _BELLS) or []


def put_bells(school_id: str, bells: list[dict[str, Any]]) -> None:
    schools.put_override(school_id, _BELLS, bells)


def planned_lessons(class_id: str, start: date, end: date) -> list[lessons.Lesson]:
    """Every lesson of a class's journals dated start..end (planned or recorded; with room, substitute and
    cancellation): one Query. The diary and the Kundelik schedule read these."""
    return [item for item in lessons.class_items(class_id, start, end) if isinstance(item, lessons.Lesson)]


class TermsShut(Exception):
    """Journal terms that take no writes: (journal, term) -> the periods closing it ("year": rolled over)."""

    def __init__(self, shut: dict[tuple[str, str], frozenset[str]]) -> None:
        super().__init__(f"{len(shut)} journal term(s) are read-only")
        self.shut = shut


@contextmanager
def open_gates(terms: Iterable[tuple[str, str]]) -> Iterator[None]:
    """Count a planning in the gate of every (journal, term) while it writes: one update each way; `TermsShut`
    naming every shut one (and nothing written) if any is."""
    with ExitStack() as stack:
        shut: dict[tuple[str, str], frozenset[str]] = {}
        for journal_id, term in sorted(set(terms)):
            try:
                stack.enter_context(lessons.writing(journal_id, term))
            except PeriodClosed:
                gate = lessons.Gate.get(lessons.journal_key(journal_id), f"G#{term}", consistent_read=True)
                shut[(journal_id, term)] = frozenset(gate.closed or ())
        if shut:
            raise TermsShut(shut)
        yield


@dataclass(frozen=True, slots=True)
class _New:
    lesson: lessons.Lesson
    ref: lessons.Ref


def create_planned(class_id: str, subjects: dict[str, str], planned: Sequence[Planned], terms: dict[date, str],
                   actor: lessons.Actor) -> int:
    """Create the planned lessons (`subjects`: journal -> subject, `terms`: day -> term); returns how many were
    created (those whose place a lesson took meanwhile are not)."""
    made = [_new(class_id, subjects[p.journal_id], p, terms[p.day], actor) for p in planned]
    created = 0
    for start in range(0, len(made), TX_LESSONS):
        created += _write(made[start:start + TX_LESSONS])
    return created


def _new(class_id: str, subject_id: str, p: Planned, term: str, actor: lessons.Actor) -> _New:
    lesson_id = new_id()
    lesson = lessons.Lesson(lessons.journal_key(p.journal_id), lessons.lesson_sk(term, p.day, p.number),
                            lesson_id=lesson_id, number=p.number, subject_id=subject_id, room=p.room,
                            gpk=f"C#{class_id}", gsk=lessons.lesson_index_key(p.day, p.number),
                            by=actor.person_id, role=actor.role, at=actor.at, reason=actor.reason)
    return _New(lesson, lessons.Ref(f"R#{lesson_id}", "#", journal_id=p.journal_id, target_sk=lesson.sk))


def _write(chunk: list[_New]) -> int:
    """One transaction; lessons whose place is taken are dropped and the rest written again."""
    while chunk:
        try:
            with TransactWrite(connection=lessons.JournalRecord._get_connection().connection) as tx:
                for new in chunk:
                    tx.save(new.lesson, condition=lessons.JournalRecord.pk.does_not_exist())
                    tx.save(new.ref, condition=lessons.JournalRecord.pk.does_not_exist())
            return len(chunk)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            taken = {i // 2 for i, r in enumerate(reasons) if r and r.code == "ConditionalCheckFailed"}
            if not taken:
                raise
            chunk = [new for i, new in enumerate(chunk) if i not in taken]
    return 0


def set_lesson_mark(lesson: lessons.Lesson, name: str, value: str | None, actor: lessons.Actor) -> lessons.Lesson:
    """Set or clear a lesson's `substitute` or `cancelled`, on condition its version is the one read."""
    attribute = getattr(lessons.Lesson, name)
    actions = [attribute.set(value) if value else attribute.remove(),
               lessons.Lesson.by.set(actor.person_id), lessons.Lesson.role.set(actor.role),
               lessons.Lesson.at.set(actor.at),
               lessons.Lesson.reason.set(actor.reason) if actor.reason else lessons.Lesson.reason.remove()]
    try:
        lesson.update(actions=actions)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise lessons.VersionConflict(lessons.get_lesson(lesson.pk[2:], lesson.sk)) from None
        raise
    return lesson
