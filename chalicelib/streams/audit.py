"""The audit consumer: every change on the journal table's stream becomes one audit record.

At-least-once in, exactly-once out: the record's key comes from the change itself (entry key, version, write
time), so a replayed or duplicated stream record overwrites its own audit item. Ignored: expiries by TTL
(tombstones leaving), images without a version (the emulator's extra key-only INSERT), writes that kept the
version (the emulator's no-op MODIFY), and items that are not entries or lessons. A record that cannot be
processed is reported in `batchItemFailures`; the others of the batch still count.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from chalicelib.domain.dates import KZ_TZ, to_rfc3339
from chalicelib.store.audit import AuditRecord, audit_sk
from chalicelib.store.journal import KINDS, Entry, Lesson, decode, entry_values, lesson_values, parse_entry_sk

__all__ = ["handle", "audit_of", "TTL_PRINCIPAL"]

TTL_PRINCIPAL = "dynamodb.amazonaws.com"

_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """A Lambda DynamoDB Streams event in, `{"batchItemFailures": [...]}` out."""
    return process_partial_response(event=event, record_handler=_record, processor=_processor)


def _record(record: DynamoDBRecord) -> None:
    audit = audit_of(record.raw_event)
    if audit is not None:
        audit.save()


def _expired(raw: Mapping[str, Any]) -> bool:
    who = raw.get("userIdentity") or {}
    return who.get("type") == "Service" and who.get("principalId") == TTL_PRINCIPAL


def _when(raw: Mapping[str, Any]) -> str:
    seconds = raw["dynamodb"].get("ApproximateCreationDateTime") or 0
    return to_rfc3339(datetime.fromtimestamp(float(seconds), timezone.utc).astimezone(KZ_TZ))


def audit_of(raw: Mapping[str, Any]) -> AuditRecord | None:
    """The audit record of one stream record, or None when it changes nothing the trail keeps."""
    if _expired(raw):
        return None
    images = raw["dynamodb"]
    old = decode(images["OldImage"]) if images.get("OldImage") else None
    new = decode(images["NewImage"]) if images.get("NewImage") else None
    item = new or old
    if not isinstance(item, (Entry, Lesson)):
        return None
    if new is not None and new.version is None:
        return None
    if old is not None and new is not None and old.version == new.version:
        return None
    journal_id = item.pk[2:]
    previous = int(old.version) if old is not None and old.version is not None else 0
    version = int(new.version) if new is not None else previous + 1
    at = new.at if new is not None and new.at else _when(raw)
    writer = new if new is not None else None
    common = dict(journal_id=journal_id, at=at, version=version,
                  previous_at=old.at if old is not None else None,
                  by=writer.by if writer else None, role=writer.role if writer else None,
                  reason=writer.reason if writer else None)
    if isinstance(item, Lesson):
        return AuditRecord(f"J#{journal_id}", audit_sk(at, journal_id, "L", item.lesson_id, version), what="lesson",
                           target_id=item.lesson_id, day=item.sk.split("#")[2],
                           before=lesson_values(old) if isinstance(old, Lesson) else None,
                           after=lesson_values(new) if isinstance(new, Lesson) else None, **common)
    parsed = parse_entry_sk(item.sk)
    if parsed is None:
        raise ValueError(f"unexpected entry key {item.sk!r}")
    _, kind, target, pupil = parsed
    return AuditRecord(f"S#{pupil}", audit_sk(at, journal_id, kind, target, version), what=KINDS[kind],
                       target_id=target, day=((new and new.gsk) or (old and old.gsk) or "")[:10] or None,
                       before=entry_values(old) if isinstance(old, Entry) else None,
                       after=entry_values(new) if isinstance(new, Entry) else None, **common)
