"""The parked table: stream records a consumer failed on, kept whole until a retry or a redrive applies them.

    <eventID>  <consumer>      the record (JSON, as delivered), attempts, last error, when parked and buried
               (by_consumer: <consumer>, <parked at>#<eventID>: every parked record of a consumer, oldest first)

The stream keeps records for 24 hours and Lambda's failure destination only their position, so the consumer
keeps the record itself. An item is removed when the record is finally applied. `dead` marks a record given
up on in the stream (sent to the dead-letter queue); the redrive replays it. No TTL: a parked record waits
for its redrive. Not streamed, so parking never triggers a consumer.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.store.base import TableMeta, register

__all__ = ["ParkedRecord", "park", "bury", "parked_among", "release", "parked_of"]

_ERROR_LIMIT = 300
_BATCH_GET = 100


class ByConsumer(GlobalSecondaryIndex):
    """A consumer's parked records, oldest first."""

    class Meta:
        index_name = "by_consumer"
        projection = AllProjection()

    consumer = UnicodeAttribute(hash_key=True)
    since = UnicodeAttribute(range_key=True, attr_name="at")


class ParkedRecord(Model):
    """One stream record a consumer could not apply."""

    class Meta(metaclass=TableMeta):
        table_suffix = "parked"

    event_id = UnicodeAttribute(hash_key=True)
    consumer = UnicodeAttribute(range_key=True)
    since = UnicodeAttribute(attr_name="at")  # <parked at>#<eventID>
    body = UnicodeAttribute(attr_name="r")
    attempts = NumberAttribute(attr_name="n", default=0)
    error = UnicodeAttribute(attr_name="e", null=True)
    dead = UnicodeAttribute(attr_name="d", null=True)  # when it was given up on in the stream
    by_consumer = ByConsumer()

    @property
    def record(self) -> dict[str, Any]:
        return json.loads(self.body)


register(ParkedRecord)


def park(consumer: str, event_id: str, record: Mapping[str, Any], error: str) -> int:
    """Keep `record` (once) and count a failed attempt; returns the attempts so far."""
    item = ParkedRecord(event_id, consumer)
    item.update(actions=[
        ParkedRecord.body.set(ParkedRecord.body | json.dumps(record, ensure_ascii=False, default=str)),
        ParkedRecord.since.set(ParkedRecord.since | f"{to_rfc3339(now_kz())}#{event_id}"),
        ParkedRecord.attempts.add(1),
        ParkedRecord.error.set(error[:_ERROR_LIMIT]),
    ])
    return int(item.attempts)


def bury(consumer: str, event_id: str) -> None:
    """Mark a parked record as given up on in the stream (it waits for the redrive)."""
    ParkedRecord(event_id, consumer).update(actions=[ParkedRecord.dead.set(to_rfc3339(now_kz()))])


def parked_among(consumer: str, event_ids: Iterable[str], *, consistent: bool = False) -> set[str]:
    """Which of `event_ids` the consumer has parked (one BatchGetItem per 100)."""
    keys = sorted({(event_id, consumer) for event_id in event_ids})
    found: set[str] = set()
    for start in range(0, len(keys), _BATCH_GET):
        found |= {item.event_id for item in ParkedRecord.batch_get(keys[start:start + _BATCH_GET], consistent_read=consistent,
                                                                   attributes_to_get=["event_id", "consumer"])}
    return found


def release(consumer: str, event_ids: Iterable[str]) -> None:
    """Forget parked records that have now been applied."""
    with ParkedRecord.batch_write() as batch:
        for event_id in sorted(set(event_ids)):
            batch.delete(ParkedRecord(event_id, consumer))


def parked_of(consumer: str) -> Iterator[ParkedRecord]:
    """Every record the consumer has parked, oldest first."""
    return ParkedRecord.by_consumer.query(consumer)
