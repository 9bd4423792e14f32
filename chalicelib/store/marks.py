"""Final marks and what they depend on, in the journal table: each pupil's period records, the journal's status
sheets, and the notes that make a pupil's standing read its own writes.

    S#<pupil>    <year>#I#<at>#<journal>#<entry sk>   a write note: the entry is being written to version `v`
    S#<pupil>    <year>#P#<period>#<journal>          the pupil's record for one subject (journal) and period
    J#<journal>  X#<period>                           the status sheet: every pupil's status and verdict

The status sheet repeats the pupils' statuses and verdicts for the journal's side (the close and the live
statistics read one item instead of one per pupil); both change together, in one transaction.

A period record holds what the school said (`st` exempt | not_assessed, its `rs` reason and `dd` document date),
the teacher's pass/fail verdict (`pv`), and once the period closes its final mark (`mk`), the exact figures
behind it (`fg`, fractions as text) and the rule pack and settings used (`rp`); period `Y` holds the annual mark.
Marks are never revised: the close writes them once, and the period is read-only from then on.

Why notes: a pupil's entries are read from the `by_owner` index, which is eventually consistent. Before a
formative entry or result is written, a note naming it and the version it will have is put in the pupil's
partition (1 write unit). The standing reads the notes of the last `NOTE_WINDOW` with the period records in one
consistent Query, and reads again, consistently, the few noted entries the index does not show at that version
yet. Notes expire after a day (TTL); the index catches up in well under a second.

A note also tells a close that a batch is being written: a formative or result batch notes its entries, then
reads its term's gate (store.journal.check_open), and a close, having shut the gates, reads the journal's
pupils' recent notes (`noted_in`) and waits until each noted entry holds its batch's write (store.journal.shut).
A batch forgets the notes of entries it did not write after all, and those of another batch's writes it just
overwrote (`forget_writes`), so that a close waits for no write that is done or will never come.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.store import membership, schools
from chalicelib.store.journal import JournalRecord, journal_key

__all__ = [
    "NOTE_WINDOW", "NOTE_TTL", "STATUS_FIELDS", "PeriodRecord", "StatusSheet", "WriteNote", "Noted", "record_key",
    "pupil_year", "status_sheet", "set_statuses", "put_records", "note_writes", "forget_writes", "noted_in", "mark_of",
    "mark_text",
]

STATUS_FIELDS = ("status", "reason", "document_date", "passed")
_ATTEMPTS = 3

NOTE_WINDOW = timedelta(minutes=10)  # notes younger than this are checked against the index
NOTE_TTL = timedelta(days=1)


class PeriodRecord(JournalRecord):
    """One pupil, subject (journal) and period: status, verdict, and the final mark once closed."""

    status = UnicodeAttribute(attr_name="st", null=True)  # exempt | not_assessed; absent: assessed
    reason = UnicodeAttribute(attr_name="rs", null=True)
    document_date = UnicodeAttribute(attr_name="dd", null=True)
    passed = BooleanAttribute(attr_name="pv", null=True)
    mark = UnicodeAttribute(attr_name="mk", null=True)  # "2".."5", pass, fail, exempt, not_assessed
    figures = JSONAttribute(attr_name="fg", null=True)  # {"fo", "sor", "soch", "total"}: "n/d" or null
    rule_pack = JSONAttribute(attr_name="rp", null=True)  # {"code", "scheme", "sor_method", "pool", "fo_max"}
    periods = JSONAttribute(attr_name="pm", null=True)  # annual: {period: mark} it was computed from
    closed_at = UnicodeAttribute(attr_name="ca", null=True)
    closed_by = UnicodeAttribute(attr_name="cb", null=True)
    by = UnicodeAttribute(null=True)
    role = UnicodeAttribute(attr_name="ro", null=True)
    at = UnicodeAttribute(null=True)

    @property
    def final(self) -> bool:
        return self.closed_at is not None

    @property
    def period(self) -> str:
        return self.sk.split("#")[2]

    @property
    def journal_id(self) -> str:
        return self.sk.split("#")[3]

    @property
    def pupil_id(self) -> str:
        return self.pk[2:]


class StatusSheet(JournalRecord):
    """A journal's period: each pupil's status fields (`STATUS_FIELDS`, only those set), by pupil."""

    pupils = JSONAttribute(attr_name="p", null=True)
    version = VersionAttribute(attr_name="v")


class WriteNote(JournalRecord):
    """An entry of this pupil written at `at` (in the key) to version `v`."""

    version = NumberAttribute(attr_name="v")

    @property
    def at(self) -> str:
        """When the batch writing the entry began (the `at` its write stamps on the entry)."""
        return self.sk.split("#")[2]

    @property
    def journal_id(self) -> str:
        return self.sk.split("#")[3]

    @property
    def entry_sk(self) -> str:
        return self.sk.split("#", 4)[4]

    @property
    def entry_key(self) -> tuple[str, str]:
        """The (pk, sk) of the entry it names."""
        return journal_key(self.journal_id), self.entry_sk


@dataclass(frozen=True, slots=True)
class Noted:
    """An entry about to be written: its pupil, journal, sort key and the version it will have."""

    pupil_id: str
    journal_id: str
    entry_sk: str
    version: int


def record_key(pupil_id: str, year: int, period: str, journal_id: str) -> tuple[str, str]:
    return f"S#{pupil_id}", f"{year}#P#{period}#{journal_id}"


def pupil_year(pupil_id: str, year: int, since: str) -> tuple[list[PeriodRecord], list[WriteNote]]:
    """A pupil's period records of the year and the write notes since `since` (RFC 3339): one consistent Query."""
    records: list[PeriodRecord] = []
    notes: list[WriteNote] = []
    for raw in _items(f"S#{pupil_id}", JournalRecord.sk.between(f"{year}#I#{since}", f"{year}#P#~")):
        kind = raw["sk"]["S"].split("#")[1]
        if kind == "P":
            records.append(PeriodRecord.from_raw_data(raw))
        elif kind == "I":
            notes.append(WriteNote.from_raw_data(raw))
    return records, notes


def _items(pk: str, condition: Any) -> Iterator[dict[str, Any]]:
    connection, last = JournalRecord._get_connection(), None
    while True:
        page = connection.query(pk, range_key_condition=condition, consistent_read=True, exclusive_start_key=last)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return


def status_sheet(journal_id: str, period: str) -> dict[str, dict[str, Any]]:
    """Every pupil's status fields in a journal's period (one consistent GetItem)."""
    return dict(_sheet(journal_id, period).pupils or {})


def _sheet(journal_id: str, period: str) -> StatusSheet:
    try:
        return StatusSheet.get(journal_key(journal_id), f"X#{period}", consistent_read=True)
    except DoesNotExist:
        return StatusSheet(journal_key(journal_id), f"X#{period}")


def set_statuses(year: int, period: str, journal_id: str, changes: Mapping[str, Mapping[str, Any]],
                 writer: tuple[str, str, str]) -> None:
    """Change status fields of pupils (by pupil: field -> value, None removes it): their records and the sheet
    in one transaction (at most 99 pupils), tried again if someone changed the sheet meanwhile."""
    by, role, at = writer
    for _ in range(_ATTEMPTS):
        sheet = _sheet(journal_id, period)
        pupils = dict(sheet.pupils or {})
        for pupil, fields in changes.items():
            merged = {**pupils.get(pupil, {}), **fields}
            pupils[pupil] = {name: value for name, value in merged.items() if value is not None}
        sheet.pupils = {pupil: fields for pupil, fields in pupils.items() if fields}
        try:
            with TransactWrite(connection=JournalRecord._get_connection().connection) as tx:
                tx.save(sheet)
                for pupil, fields in changes.items():
                    actions = [_set_or_remove(getattr(PeriodRecord, name), value) for name, value in fields.items()]
                    tx.update(PeriodRecord(*record_key(pupil, year, period, journal_id)), actions=[
                        *actions, PeriodRecord.by.set(by), PeriodRecord.role.set(role), PeriodRecord.at.set(at)])
            return
        except TransactWriteError as exc:
            if not any(r and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []):
                raise
    raise Conflict("The statuses of this period are being changed by others right now; retry.", slug="busy")


def put_records(records: Sequence[PeriodRecord]) -> None:
    """Write whole records (the close's final and annual marks): BatchWriteItem."""
    with PeriodRecord.batch_write() as batch:
        for record in records:
            batch.save(record)


def _note_key(year: int, at: str, pupil_id: str, journal_id: str, entry_sk: str) -> tuple[str, str]:
    return f"S#{pupil_id}", f"{year}#I#{at}#{journal_id}#{entry_sk}"


def note_writes(year: int, at: str, noted: Sequence[Noted]) -> None:
    """Note entries about to be written (BatchWriteItem, one small item of 1 write unit each, expiring after a
    day)."""
    with WriteNote.batch_write() as batch:
        for n in noted:
            batch.save(WriteNote(*_note_key(year, at, n.pupil_id, n.journal_id, n.entry_sk), version=n.version,
                                 expires=NOTE_TTL))


def forget_writes(year: int, at: str, noted: Iterable[Noted]) -> None:
    """Remove notes of the batch begun at `at` (BatchWriteItem, 1 write unit each)."""
    with WriteNote.batch_write() as batch:
        for n in noted:
            batch.delete(WriteNote(*_note_key(year, at, n.pupil_id, n.journal_id, n.entry_sk)))


def noted_in(journal_id: str, terms: Collection[str], since: str, pupil_ids: Iterable[str] | None = None
             ) -> list[WriteNote]:
    """The notes since `since` of a journal's entries in `terms`, from the partitions of the given pupils (all
    the journal's pupils by default): one consistent Query per pupil."""
    journal = schools.get_journal(journal_id)
    klass = schools.get_class(journal.class_id) if journal is not None else None
    if klass is None:
        return []
    if pupil_ids is None:
        pupil_ids = [p.person_id for p in membership.pupils_of_journal(journal)]
    year, found = int(klass.year), []
    for pupil_id in pupil_ids:
        for raw in _items(f"S#{pupil_id}", JournalRecord.sk.between(f"{year}#I#{since}", f"{year}#I#~")):
            note = WriteNote.from_raw_data(raw)
            if note.journal_id == journal_id and note.entry_sk.split("#")[0] in terms:
                found.append(note)
    return found


def _set_or_remove(attribute: Any, value: Any) -> Any:
    return attribute.set(value) if value is not None else attribute.remove()


def mark_of(text: str | None) -> int | str | None:
    """A stored mark as the API serves it: 2..5 as numbers, the others as text."""
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def mark_text(mark: int | str | None) -> str | None:
    return None if mark is None else str(mark)
