"""The audit consumer: every change on the journal table's stream becomes one audit record.

At-least-once in, exactly-once out: the record's key comes from the change itself (entry key, version, write
time), so a replayed or duplicated stream record overwrites its own audit item. What `change_of` leaves out
(expiries by TTL, the emulator's key-only INSERT and no-op MODIFY, items that are not entries, lessons or
works) is not audited. A batch's records are written together (BatchWriteItem); failures are handled by
`chalicelib.streams.batch` (reported, parked, dead-lettered after bounded attempts).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain.dates import KZ_TZ, to_rfc3339
from chalicelib.store.audit import AuditRecord, audit_sk
from chalicelib.store.journal import KINDS, Entry, Lesson, Work, entry_values, lesson_values, work_values
from chalicelib.streams.batch import Consumer, handle as handle_batch
from chalicelib.streams.records import Change, StreamRecord, change_of

__all__ = ["CONSUMER", "handle", "audit_of"]


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """A Lambda DynamoDB Streams event in, `{"batchItemFailures": [...]}` out."""
    return handle_batch(event, CONSUMER)


def _when(created: datetime) -> str:
    return to_rfc3339(created.astimezone(KZ_TZ))


def audit_of(change: Change) -> AuditRecord | None:
    """The audit record of one change, or None when it changes nothing the trail keeps."""
    item, old, new = change.item, change.old, change.new
    if change.expired or not isinstance(item, (Entry, Lesson, Work)):
        return None
    journal_id = change.journal_id
    previous = int(old.version) if old is not None and old.version is not None else 0
    version = int(new.version) if new is not None else previous + 1
    at = new.at if isinstance(new, (Entry, Lesson, Work)) and new.at else _when(change.record.created)
    writer = new if isinstance(new, (Entry, Lesson, Work)) else None
    common = dict(journal_id=journal_id, at=at, version=version,
                  previous_at=getattr(old, "at", None),
                  by=writer.by if writer else None, role=writer.role if writer else None,
                  reason=writer.reason if writer else None)
    if isinstance(item, Lesson):
        if isinstance(old, Lesson) and old.expires is not None and new is not None:
            common["previous_at"] = None  # a new lesson in a removed one's place: its own chain starts here
        return AuditRecord(f"J#{journal_id}", audit_sk(at, journal_id, "L", item.lesson_id, version), what="lesson",
                           target_id=item.lesson_id, day=item.sk.split("#")[2],
                           before=lesson_values(old) if isinstance(old, Lesson) else None,
                           after=lesson_values(new) if isinstance(new, Lesson) else None, **common)
    if isinstance(item, Work):
        return AuditRecord(f"J#{journal_id}", audit_sk(at, journal_id, "W", item.work_id, version), what="work",
                           target_id=item.work_id, day=((new and new.gsk) or (old and old.gsk) or "")[:10] or None,
                           before=work_values(old) if isinstance(old, Work) else None,
                           after=work_values(new) if isinstance(new, Work) else None, **common)
    kind, target, pupil = change.entry  # type: ignore[misc]
    return AuditRecord(f"S#{pupil}", audit_sk(at, journal_id, kind, target, version), what=KINDS[kind],
                       target_id=target, day=((new and new.gsk) or (old and old.gsk) or "")[:10] or None,
                       before=entry_values(old) if isinstance(old, Entry) else None,
                       after=entry_values(new) if isinstance(new, Entry) else None, **common)


def prepare(record: StreamRecord) -> AuditRecord | None:
    change = change_of(record)
    return None if change is None else audit_of(change)


def apply(batch: Sequence[tuple[StreamRecord, AuditRecord]]) -> dict[str, str]:
    """Write the batch's audit records (all or, on an error, none reported as written)."""
    with AuditRecord.batch_write() as writer:
        for _, audit in batch:
            writer.save(audit)
    return {}


CONSUMER: Consumer[AuditRecord] = Consumer("audit", prepare, apply)
