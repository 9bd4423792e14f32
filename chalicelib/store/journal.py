"""The journal table: lessons, summative works and every pupil's entries, streamed to the audit trail.

One partition per journal; sort keys start with the term, so a period's grid is one Query:

    J#<journal>  <T>#L#<date>#<nn>            a lesson         by_owner: C#<class>  <date>#L#<nn>
    J#<journal>  <T>#W#<work>                 a SOR or SOCH    by_owner: C#<class>  <date>#W#<work>
    J#<journal>  <T>#A#<lesson>#<pupil>       attendance       by_owner: S#<pupil>  <date>
    J#<journal>  <T>#F#<lesson>#<pupil>       formative entry  by_owner: S#<pupil>  <date>
    J#<journal>  <T>#R#<work>#<pupil>         summative result by_owner: S#<pupil>  <date>
    J#<journal>  C#<period>                   the period is closed (read-only)
    R#<lesson or work>  #                     where a lesson or work lives (its journal and sort key)

`by_owner` gives a class's lessons and works and a pupil's entries by date: a diary is two Queries.
Attribute names are short (an attendance entry is about 180 bytes). Every lesson, work and entry carries its
`v`ersion (conditional writes) and its last writer (`by` person, `ro` role, `at` time, `re` reason). A removed
entry stays as a tombstone (values and index keys cleared, writer recorded, `ex` TTL), so the stream says who
removed it and the version never goes back; readers skip tombstones.

    J#<journal>  G#<term>                     the term's gate: write requests in flight, closed periods

A close shuts the gates of its period's terms, so that it reads the entries with no write in flight. Lessons,
works and attendance hold the gate while they write (`writing`: 1 write unit in, 1 out). Formative entries and
results note their entries in the pupils' partitions first, as the standing needs anyway (store.marks), and then
only read the gate (`check_open`, 1 read unit); a close, once the gates are shut, waits until every entry noted
before holds its batch's write (`shut`). Either the batch reads the gate shut and writes nothing, or the close
finds its notes. A formative entry or result thus costs 3 write units: its note, itself and its index entry.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterator, Mapping, NoReturn

from pynamodb.attributes import (
    JSONAttribute, ListAttribute, NumberAttribute, NumberSetAttribute, TTLAttribute, UnicodeAttribute,
    UnicodeSetAttribute, VersionAttribute,
)
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.domain.errors import Conflict, RuleViolation
from chalicelib.domain.journal import TERMS, PeriodClosed, terms_of
from chalicelib.store.base import TableMeta, register

__all__ = [
    "TOMBSTONE_DAYS", "LEASE_SECONDS", "CLOSE_STALE_SECONDS", "Actor", "JournalRecord", "Lesson", "Work", "Entry",
    "Ref", "PeriodClose", "Gate", "Period", "LessonTaken", "JournalBusy", "VersionConflict", "journal_key",
    "lesson_sk", "lesson_index_key", "work_sk", "entry_sk", "parse_entry_sk", "date_of", "get_ref", "get_lesson", "get_work",
    "get_entries", "entries_of", "closes", "closed_periods", "close_marker", "mark_closed", "begin_close", "shut",
    "abandon_close", "finish_close", "writing", "check_open", "read_period", "marked_entries", "class_items",
    "pupil_entries", "works_of", "class_works_on", "create_lesson", "create_work", "update_lesson", "write_entry",
    "undo_entry", "decode", "journal_items", "entry_values", "lesson_values", "work_values", "KINDS", "VALUE_FIELDS",
    "FIELDS_OF",
]

TOMBSTONE_DAYS = 3
KINDS = {"A": "attendance", "F": "formative", "R": "result"}
LEASE_SECONDS = 35  # longer than any write request lives (the Lambda timeout is 29 s)
CLOSE_STALE_SECONDS = 120  # a close still "closing" after this died midway; closing again takes it over
_SHUT_WAIT = 3.0  # how long a close waits for writes in flight before answering 409 journal-busy
_SHUT_POLL = 0.25


class LessonTaken(RuleViolation):
    slug = "lesson-exists"


class JournalBusy(Conflict):
    """Entries are being written in the period right now; the close can be retried in a moment."""

    slug, title = "journal-busy", "Entries are being written right now"


class VersionConflict(Exception):
    """Someone wrote the item between our read and our write; `current` is what it holds now."""

    def __init__(self, current: Model | None) -> None:
        super().__init__("version conflict")
        self.current = current


class ByOwner(GlobalSecondaryIndex):
    """A class's lessons and works, a pupil's entries, by date."""

    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    gpk = UnicodeAttribute(hash_key=True)
    gsk = UnicodeAttribute(range_key=True)


class JournalRecord(Model):
    """Keys every item of the journal table has."""

    class Meta(metaclass=TableMeta):
        table_suffix = "journal"
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gpk = UnicodeAttribute(null=True)
    gsk = UnicodeAttribute(null=True)
    expires = TTLAttribute(attr_name="ex", null=True)  # set on tombstones only
    by_owner = ByOwner()


register(JournalRecord)


class _Written(JournalRecord):
    """An item people write: versioned, with its last writer."""

    version = VersionAttribute(attr_name="v")
    by = UnicodeAttribute(null=True)
    role = UnicodeAttribute(attr_name="ro", null=True)
    at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(attr_name="re", null=True)


class Lesson(_Written):
    lesson_id = UnicodeAttribute(attr_name="id")
    number = NumberAttribute(attr_name="n")
    subject_id = UnicodeAttribute(attr_name="su")
    topic = UnicodeAttribute(attr_name="tp", null=True)
    homework = UnicodeAttribute(attr_name="hw", null=True)
    objectives = ListAttribute(attr_name="ob", of=UnicodeAttribute, null=True)
    room = UnicodeAttribute(attr_name="rm", null=True)  # from the timetable
    substitute = UnicodeAttribute(attr_name="sb", null=True)  # the teacher taking this one lesson instead
    cancelled = UnicodeAttribute(attr_name="cx", null=True)  # why the lesson does not take place


class Work(_Written):
    work_id = UnicodeAttribute(attr_name="id")
    kind = UnicodeAttribute(attr_name="k")
    period = UnicodeAttribute(attr_name="pe")
    title = UnicodeAttribute(attr_name="ti")
    max_points = NumberAttribute(attr_name="mx")
    subject_id = UnicodeAttribute(attr_name="su")
    criteria = JSONAttribute(attr_name="cr", null=True)
    objectives = ListAttribute(attr_name="ob", of=UnicodeAttribute, null=True)


class Entry(_Written):
    """Attendance (`status`, `comment`), formative (`points`, `feedback`, `notes`) or a result (+ `met`)."""

    status = UnicodeAttribute(attr_name="s", null=True)
    comment = UnicodeAttribute(attr_name="c", null=True)
    points = NumberAttribute(attr_name="p", null=True)
    feedback = UnicodeAttribute(attr_name="f", null=True)
    notes = JSONAttribute(attr_name="o", null=True)  # {objective code: feedback}
    met = NumberSetAttribute(attr_name="d", null=True)  # descriptor ids met
    max_points = NumberAttribute(attr_name="mx", null=True)  # a result: its work's maximum
    work_kind = UnicodeAttribute(attr_name="wk", null=True)  # a result: its work's kind, SOR or SOCH

    @property
    def removed(self) -> bool:
        return self.expires is not None


class Ref(JournalRecord):
    """Where a lesson or work lives, for routes that name it by id alone."""

    journal_id = UnicodeAttribute(attr_name="j")
    target_sk = UnicodeAttribute(attr_name="k")


class PeriodClose(JournalRecord):
    """A period's close: `closing` from its start, `closed` with every pupil's final mark (`marks`)."""

    by = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    state = UnicodeAttribute(attr_name="st", null=True)  # closing | closed
    done = UnicodeAttribute(attr_name="dn", null=True)  # when the marks were written
    marks = JSONAttribute(attr_name="mk", null=True)  # {pupil id: final mark or null}

    @property
    def closed(self) -> bool:
        return self.state != "closing"


class Gate(JournalRecord):
    """A term's gate: write requests in flight (`n`, the last one started at `t`, epoch seconds) and the
    periods covering the term that are closed (`cl`)."""

    writers = NumberAttribute(attr_name="n", null=True)
    started = NumberAttribute(attr_name="t", null=True)
    closed = UnicodeSetAttribute(attr_name="cl", null=True)


VALUE_FIELDS = ("status", "comment", "points", "feedback", "notes", "met", "max_points", "work_kind")
FIELDS_OF = {"A": ("status", "comment"), "F": ("points", "feedback", "notes"),
             "R": ("points", "feedback", "notes", "met", "max_points", "work_kind")}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who writes, in which role, when (RFC 3339) and why."""

    person_id: str
    role: str
    at: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A journal's lessons, works and live entries for a span of terms (tombstones left out)."""

    lessons: list[Lesson]
    works: list[Work]
    entries: list[Entry]


def journal_key(journal_id: str) -> str:
    return f"J#{journal_id}"


def lesson_sk(term: str, day: date, number: int) -> str:
    return f"{term}#L#{day.isoformat()}#{number:02d}"


def lesson_index_key(day: date, number: int) -> str:
    """A lesson's sort key on the class's `by_owner` partition (the diary reads a week of them)."""
    return f"{day}#L#{number:02d}"


def work_sk(term: str, work_id: str) -> str:
    return f"{term}#W#{work_id}"


def entry_sk(term: str, kind: str, target_id: str, pupil_id: str) -> str:
    return f"{term}#{kind}#{target_id}#{pupil_id}"


def parse_entry_sk(sk: str) -> tuple[str, str, str, str] | None:
    """(term, kind letter, lesson or work id, pupil id) of an entry's sort key; None for other items."""
    parts = sk.split("#")
    return (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 and parts[1] in KINDS else None


def date_of(item: JournalRecord) -> str:
    """The date of a lesson or work (from its index key) or of an entry (its lesson's or work's date)."""
    if isinstance(item, Lesson):
        return item.sk.split("#")[2]
    return (item.gsk or "")[:10]


def decode(raw: Mapping[str, Any]) -> JournalRecord:
    """The typed item of a raw DynamoDB item of this table (Query pages, stream images)."""
    sk = raw["sk"]["S"]
    if raw["pk"]["S"].startswith("R#"):
        return Ref.from_raw_data(dict(raw))
    kind = sk.split("#")[1] if "#" in sk else ""
    model = {"L": Lesson, "W": Work, "A": Entry, "F": Entry, "R": Entry}.get(kind)
    if raw["pk"]["S"].startswith("J#") and sk.startswith("C#"):
        model = PeriodClose
    elif raw["pk"]["S"].startswith("J#") and sk.startswith("G#"):
        model = Gate
    return (model or JournalRecord).from_raw_data(dict(raw))


def _query(pk: str, *, index: str | None = None, consistent: bool = False, **conditions: Any) -> Iterator[
        JournalRecord]:
    connection = JournalRecord._get_connection()
    last = None
    while True:
        page = connection.query(pk, index_name=index, consistent_read=consistent, exclusive_start_key=last,
                                **conditions)
        yield from (decode(raw) for raw in page.get("Items", []))
        last = page.get("LastEvaluatedKey")
        if not last:
            return


def get_ref(target_id: str) -> Ref | None:
    try:
        return Ref.get(f"R#{target_id}", "#")
    except DoesNotExist:
        return None


def get_lesson(journal_id: str, sk: str) -> Lesson | None:
    try:
        return Lesson.get(journal_key(journal_id), sk, consistent_read=True)
    except DoesNotExist:
        return None


def get_work(journal_id: str, sk: str) -> Work | None:
    try:
        return Work.get(journal_key(journal_id), sk, consistent_read=True)
    except DoesNotExist:
        return None


def entries_of(journal_id: str, term: str, kind: str, target_id: str) -> dict[str, Entry]:
    """Every entry (tombstones included) of one lesson or work and kind, by pupil: one consistent Query."""
    prefix = f"{term}#{kind}#{target_id}#"
    return {item.sk.removeprefix(prefix): item
            for item in _query(journal_key(journal_id), consistent=True, range_key_condition=JournalRecord.sk
                               .startswith(prefix)) if isinstance(item, Entry)}


def get_entries(keys: list[tuple[str, str]]) -> list[Entry]:
    """Entries by (journal id, sort key), read consistently (BatchGetItem); tombstones included."""
    return list(Entry.batch_get([(journal_key(j), sk) for j, sk in keys], consistent_read=True)) if keys else []


def closes(journal_id: str) -> dict[str, PeriodClose]:
    """The closes of a journal's closed periods, by period, with every pupil's final mark: one consistent Query."""
    return {item.sk[2:]: item for item in _query(journal_key(journal_id), consistent=True,
                                                 range_key_condition=JournalRecord.sk.startswith("C#"))
            if isinstance(item, PeriodClose) and item.closed}


def closed_periods(journal_id: str) -> frozenset[str]:
    """The periods of a journal that are closed (read-only)."""
    return frozenset(closes(journal_id))


def close_marker(journal_id: str, period: str) -> PeriodClose | None:
    """The close of a period, if it began (consistent GetItem)."""
    try:
        return PeriodClose.get(journal_key(journal_id), f"C#{period}", consistent_read=True)
    except DoesNotExist:
        return None


def _terms(period: str) -> tuple[str, ...]:
    first, last = terms_of(period)
    return TERMS[TERMS.index(first):TERMS.index(last) + 1]


def begin_close(journal_id: str, period: str, person_id: str, at: str) -> None:
    """Write the period's marker, `closing`, on condition that it has none (or one left by a close that died).

    409 `period-closed` when the period is closed, or being closed right now.
    """
    stale = to_rfc3339(now_kz() - timedelta(seconds=CLOSE_STALE_SECONDS))
    marker = PeriodClose(journal_key(journal_id), f"C#{period}", by=person_id, at=at, state="closing")
    try:
        marker.save(condition=PeriodClose.pk.does_not_exist()
                    | ((PeriodClose.state == "closing") & (PeriodClose.at < stale)))
    except PutError as exc:
        if not _conflict(exc):
            raise
        current = close_marker(journal_id, period)
        raise PeriodClosed(f"{period} is already closed." if current is None or current.closed
                           else f"{period} is being closed right now.") from None


def shut(journal_id: str, period: str) -> None:
    """Shut the gates of the period's terms as soon as no write is in flight there, then wait for the formative
    and result batches noted before (`JournalBusy` if either takes more than a few seconds; the gates already
    shut are opened again)."""
    done: list[str] = []
    deadline = time.monotonic() + _SHUT_WAIT
    for term in _terms(period):
        while not _shut_gate(journal_id, term, period):
            if time.monotonic() >= deadline:
                _busy(journal_id, period, done)
            time.sleep(_SHUT_POLL)
        done.append(term)
    if not _settled(journal_id, period, deadline):
        _busy(journal_id, period, done)


def _busy(journal_id: str, period: str, shut_terms: list[str]) -> NoReturn:
    for term in shut_terms:
        _open_gate(journal_id, term, period)
    raise JournalBusy("Entries of this period are being written right now; close again in a moment.",
                      headers={"Retry-After": "5"})


def _settled(journal_id: str, period: str, deadline: float) -> bool:
    """Whether every entry noted in the period's terms within `LEASE_SECONDS` holds its batch's write (the
    batch stamps its `at` on it), polled until `deadline`. A batch that gave up forgot its notes; one that died
    is ignored once its lease is over."""
    from chalicelib.store import marks  # marks builds on this module

    since = to_rfc3339(now_kz() - timedelta(seconds=LEASE_SECONDS))
    pupils: list[str] | None = None
    while True:
        notes = marks.noted_in(journal_id, _terms(period), since, pupils)
        written = {(e.pk, e.sk): e.at for e in get_entries(sorted({(n.journal_id, n.entry_sk) for n in notes}))}
        waiting = [n for n in notes if written.get(n.entry_key) != n.at]
        if not waiting:
            return True
        if time.monotonic() >= deadline:
            return False
        pupils = sorted({n.pk[2:] for n in waiting})
        time.sleep(_SHUT_POLL)


def _shut_gate(journal_id: str, term: str, period: str) -> bool:
    gate = Gate(journal_key(journal_id), f"G#{term}")
    try:
        gate.update(actions=[Gate.closed.add({period}), Gate.writers.set(0)],
                    condition=Gate.writers.does_not_exist() | (Gate.writers <= 0)
                    | (Gate.started < time.time() - LEASE_SECONDS))
    except UpdateError as exc:
        if _conflict(exc):
            return False
        raise
    return True


def _open_gate(journal_id: str, term: str, period: str) -> None:
    Gate(journal_key(journal_id), f"G#{term}").update(actions=[Gate.closed.delete({period})])


def abandon_close(journal_id: str, period: str) -> None:
    """Undo a close that cannot complete: open the gates again and remove the marker."""
    for term in _terms(period):
        _open_gate(journal_id, term, period)
    try:
        PeriodClose(journal_key(journal_id), f"C#{period}").delete(condition=PeriodClose.state == "closing")
    except DeleteError as exc:
        if not _conflict(exc):
            raise


def finish_close(journal_id: str, period: str, marks: Mapping[str, Any], done: str) -> PeriodClose:
    """Mark the close complete, with every pupil's final mark (statistics after the close read these)."""
    marker = PeriodClose(journal_key(journal_id), f"C#{period}")
    marker.update(actions=[PeriodClose.state.set("closed"), PeriodClose.marks.set(dict(marks)),
                           PeriodClose.done.set(done)])
    return marker


def mark_closed(journal_id: str, period: str, person_id: str, at: str) -> None:
    """Close a period with no marks to record: marker, gates, done (a period where nothing is marked)."""
    begin_close(journal_id, period, person_id, at)
    shut(journal_id, period)
    finish_close(journal_id, period, {}, at)


@contextmanager
def writing(journal_id: str, term: str) -> Iterator[None]:
    """Count a write request in the term's gate while it runs; 409 `period-closed` if the term is shut."""
    gate = Gate(journal_key(journal_id), f"G#{term}")
    try:
        gate.update(actions=[Gate.writers.add(1), Gate.started.set(round(time.time(), 3))],
                    condition=Gate.closed.does_not_exist())
    except UpdateError as exc:
        if _conflict(exc):
            raise PeriodClosed(f"A period covering {term} is closed: its entries are read-only.") from None
        raise
    try:
        yield
    finally:
        _leave(gate)


def _leave(gate: Gate) -> None:
    """Count a write request out; a close that found it dead (after `LEASE_SECONDS`) already did."""
    try:
        gate.update(actions=[Gate.writers.add(-1)], condition=Gate.writers > 0)
    except UpdateError as exc:
        if not _conflict(exc):
            raise


def check_open(journal_id: str, term: str) -> None:
    """409 `period-closed` if the term's gate is shut (one consistent GetItem): what a formative or result batch
    reads once its notes are written, instead of holding the gate."""
    try:
        gate = Gate.get(journal_key(journal_id), f"G#{term}", consistent_read=True)
    except DoesNotExist:
        return
    if gate.closed:
        raise PeriodClosed(f"A period covering {term} is closed: its entries are read-only.")


def marked_entries(journal_id: str, terms: tuple[str, ...]) -> list[Entry]:
    """The live formative entries and results of the terms: two consistent Queries per term."""
    pk, found = journal_key(journal_id), []
    for term in terms:
        for prefix in (f"{term}#F#", f"{term}#R#"):
            found += [item for item in _query(pk, consistent=True, range_key_condition=JournalRecord.sk
                                              .startswith(prefix)) if isinstance(item, Entry) and not item.removed]
    return found


def read_period(journal_id: str, first_term: str, last_term: str) -> Period:
    """A journal's lessons, works and live entries of the terms first..last: one Query."""
    found = Period([], [], [])
    for item in _query(journal_key(journal_id), range_key_condition=JournalRecord.sk.between(
            f"{first_term}#", f"{last_term}$")):
        if isinstance(item, Lesson) and item.expires is None:  # a removed lesson or work is a tombstone
            found.lessons.append(item)
        elif isinstance(item, Work) and item.expires is None:
            found.works.append(item)
        elif isinstance(item, Entry) and not item.removed:
            found.entries.append(item)
    return found


def class_items(class_id: str, start: date, end: date) -> list[Lesson | Work]:
    """Every lesson and work of a class's journals dated start..end: one Query of by_owner."""
    return [item for item in _query(f"C#{class_id}", index=ByOwner.Meta.index_name,
                                    range_key_condition=ByOwner.gsk.between(start.isoformat(), f"{end}$"))
            if isinstance(item, (Lesson, Work))]


def pupil_entries(pupil_id: str, start: date, end: date) -> list[Entry]:
    """A pupil's live entries in every journal dated start..end: one Query of by_owner."""
    return [item for item in _query(f"S#{pupil_id}", index=ByOwner.Meta.index_name,
                                    range_key_condition=ByOwner.gsk.between(start.isoformat(), f"{end}$"))
            if isinstance(item, Entry)]


def works_of(journal_id: str, terms: tuple[str, ...]) -> list[Work]:
    """A journal's works in the given terms (one consistent Query per term)."""
    return [item for term in terms
            for item in _query(journal_key(journal_id), consistent=True,
                               range_key_condition=JournalRecord.sk.startswith(f"{term}#W#"))
            if isinstance(item, Work) and item.expires is None]


def class_works_on(class_id: str, day: date) -> list[Work]:
    """The works of every journal of a class on one day."""
    return [item for item in _query(f"C#{class_id}", index=ByOwner.Meta.index_name,
                                    range_key_condition=ByOwner.gsk.startswith(f"{day}#W#"))
            if isinstance(item, Work)]


def _create(item: _Written, ref: Ref) -> None:
    """The item and its reference together (a transaction: 2 items, each on condition it is new). The place of
    a removed lesson (its tombstone) is taken again, its version going on."""
    try:
        with TransactWrite(connection=JournalRecord._get_connection().connection) as tx:
            tx.save(item, condition=JournalRecord.pk.does_not_exist())
            tx.save(ref, condition=JournalRecord.pk.does_not_exist())
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if not (reasons and reasons[0] and reasons[0].code == "ConditionalCheckFailed"):
            raise
        old = get_lesson(item.pk[2:], item.sk) if isinstance(item, Lesson) else None
        if old is None or old.expires is None:
            raise LessonTaken("This journal already has a lesson with this date and number.") from None
        item.version = old.version
        with TransactWrite(connection=JournalRecord._get_connection().connection) as tx:
            tx.save(item, condition=JournalRecord.expires.exists())
            tx.save(ref, condition=JournalRecord.pk.does_not_exist())
        return
    item.version = 1


def _stamp(item: _Written, actor: Actor) -> None:
    item.by, item.role, item.at, item.reason = actor.person_id, actor.role, actor.at, actor.reason


def create_lesson(journal_id: str, class_id: str, subject_id: str, term: str, day: date, number: int,
                  lesson_id: str, actor: Actor, *, topic: str | None, homework: str | None,
                  objectives: list[str]) -> Lesson:
    """A new lesson; `LessonTaken` when the journal has one with this date and number."""
    lesson = Lesson(journal_key(journal_id), lesson_sk(term, day, number), lesson_id=lesson_id, number=number,
                    subject_id=subject_id, topic=topic, homework=homework, objectives=objectives or None,
                    gpk=f"C#{class_id}", gsk=lesson_index_key(day, number))
    _stamp(lesson, actor)
    _create(lesson, Ref(f"R#{lesson_id}", "#", journal_id=journal_id, target_sk=lesson.sk))
    return lesson


def create_work(journal_id: str, class_id: str, subject_id: str, term: str, day: date, work_id: str,
                actor: Actor, *, kind: str, period: str, title: str, max_points: int,
                criteria: list[dict[str, Any]] | None, objectives: list[str]) -> Work:
    work = Work(journal_key(journal_id), work_sk(term, work_id), work_id=work_id, kind=kind, period=period,
                title=title, max_points=max_points, subject_id=subject_id, criteria=criteria,
                objectives=objectives or None, gpk=f"C#{class_id}", gsk=f"{day}#W#{work_id}")
    _stamp(work, actor)
    _create(work, Ref(f"R#{work_id}", "#", journal_id=journal_id, target_sk=work.sk))
    return work


def _conflict(exc: UpdateError | PutError | DeleteError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def update_lesson(lesson: Lesson, changes: Mapping[str, Any], actor: Actor) -> Lesson:
    """Set a lesson's topic, homework or objectives, on condition its version is the one read."""
    actions = [getattr(Lesson, name).set(value) if value not in (None, [], "") else getattr(Lesson, name).remove()
               for name, value in changes.items()]
    actions += [Lesson.by.set(actor.person_id), Lesson.role.set(actor.role), Lesson.at.set(actor.at),
                Lesson.reason.set(actor.reason) if actor.reason else Lesson.reason.remove()]
    try:
        lesson.update(actions=actions)
    except UpdateError as exc:
        if _conflict(exc):
            raise VersionConflict(get_lesson(lesson.pk[2:], lesson.sk)) from None
        raise
    return lesson


def write_entry(current: Entry | None, journal_id: str, sk: str, day: str, pupil_id: str,
                values: Mapping[str, Any] | None, actor: Actor) -> Entry:
    """Write one entry (None values: remove it) on condition that it is still as `current` was read.

    One UpdateItem: about 1 WRU for the item and 1 for its index entry. `VersionConflict` if it changed.
    """
    item = Entry(journal_key(journal_id), sk)
    if current is not None:
        item.version = current.version
    actions = [Entry.by.set(actor.person_id), Entry.role.set(actor.role), Entry.at.set(actor.at),
               Entry.reason.set(actor.reason) if actor.reason else Entry.reason.remove()]
    for name in FIELDS_OF[parse_entry_sk(sk)[1]]:
        value = (values or {}).get(name)
        attribute = getattr(Entry, name)
        actions.append(attribute.set(value) if value not in (None, "", set(), {}) else attribute.remove())
    if values is None:
        actions += [Entry.gpk.remove(), Entry.gsk.remove(), Entry.expires.set(timedelta(days=TOMBSTONE_DAYS))]
    else:
        actions += [Entry.gpk.set(f"S#{pupil_id}"), Entry.gsk.set(day), Entry.expires.remove()]
    try:
        item.update(actions=actions)
    except UpdateError as exc:
        if _conflict(exc):
            raise VersionConflict(_get_entry(journal_id, sk)) from None
        raise
    return item


def _get_entry(journal_id: str, sk: str) -> Entry | None:
    try:
        return Entry.get(journal_key(journal_id), sk, consistent_read=True)
    except DoesNotExist:
        return None


def undo_entry(written: Entry, before: Entry | None, actor: Actor) -> None:
    """Put back what an entry held before this request wrote it, unless someone wrote it since."""
    values = None if before is None or before.removed else {name: getattr(before, name) for name in VALUE_FIELDS}
    pupil = written.sk.rsplit("#", 1)[1]
    day = written.gsk or (before.gsk if before is not None else None) or ""
    try:
        write_entry(written, written.pk[2:], written.sk, day, pupil, values, actor)
    except VersionConflict:
        pass  # a later write by someone else stands; ours is already superseded


def journal_items(journal_id: str) -> list[JournalRecord]:
    """Every item of a journal, tombstones included (reconciliation; never on a request path)."""
    return list(_query(journal_key(journal_id), consistent=True))


def entry_values(entry: Entry) -> dict[str, Any] | None:
    """An entry's fields as the grid and the history show them; None for a tombstone."""
    parsed = parse_entry_sk(entry.sk)
    if entry.removed or entry.version is None or parsed is None:
        return None
    if parsed[1] == "A":
        return {"status": entry.status, "comment": entry.comment}
    values: dict[str, Any] = {
        "points": int(entry.points) if entry.points is not None else None,
        "feedback": entry.feedback,
        "objectives": [{"code": code, "feedback": note or None} for code, note in sorted((entry.notes or {}).items())],
    }
    if parsed[1] == "R":
        values["descriptors_met"] = [str(d) for d in sorted(entry.met or ())]
    return values


def lesson_values(lesson: Lesson) -> dict[str, Any] | None:
    """What the audit trail keeps of a lesson: its topic, homework and objectives (and its substitute teacher
    and cancellation, when it has them)."""
    if lesson.expires is not None:
        return None  # removed
    values = {"topic": lesson.topic, "homework": lesson.homework, "objectives": list(lesson.objectives or [])}
    return values | {name: getattr(lesson, name) for name in ("substitute", "cancelled") if getattr(lesson, name)}


def work_values(work: Work) -> dict[str, Any] | None:
    """What the audit trail keeps of a work: kind, period, date, title, maximum (None once it is removed)."""
    if work.expires is not None:
        return None
    return {"kind": work.kind, "period": work.period, "date": date_of(work) or None, "title": work.title,
            "max_points": int(work.max_points)}
