"""How every journal-stream consumer takes a batch: record by record, then written at once, failures parked.

A `Consumer` has a `name`, `prepare(record)` (per record: what it means to this consumer, or None for nothing;
raising fails that record alone) and `apply(prepared)` (writes the whole batch at once, e.g. sums per counter;
returns the event ids whose writes failed, with why; raising fails every prepared record).

`handle(event, *consumers)` runs each consumer over a Lambda DynamoDB Streams event through a Powertools
`BatchProcessor(EventType.DynamoDBStreams)` and answers `{"batchItemFailures": [...]}`:

- a record that fails is parked whole in the parked table (eventID + consumer) and its attempts counted;
- below `MAX_ATTEMPTS` it is reported alone in `batchItemFailures`, so Lambda delivers it again (with the
  records after it, which every consumer takes again without effect: consumers are idempotent);
- at `MAX_ATTEMPTS` it goes to the dead-letter queue (SQS, `DEAD_LETTER_QUEUE_URL`), is marked dead and is no
  longer reported: the shard moves on and `python -m chalicelib.jobs.redrive` replays it later;
- a parked record that is applied at last (a retry, a redrive) leaves the parked table.

Several consumers may share one function (DynamoDB Streams serves at most two readers per shard): a record is
reported if any of them reports it. Infra sets Lambda's own retries above `MAX_ATTEMPTS`, so this bound acts
first. Logs carry consumer names, counts and error types, never record contents.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from chalicelib.config import settings
from chalicelib.store import parked
from chalicelib.streams.records import StreamRecord, read_record

__all__ = ["MAX_ATTEMPTS", "Consumer", "handle"]

MAX_ATTEMPTS = 3

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Consumer(Generic[T]):
    """A journal-stream consumer: its name, what a record means to it, and how it writes a batch."""

    name: str
    prepare: Callable[[StreamRecord], T | None]
    apply: Callable[[Sequence[tuple[StreamRecord, T]]], Mapping[str, str]]


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class _Round(BatchProcessor):
    """One consumer over one batch: Powertools isolates the records, `_clean` writes and settles failures."""

    def __init__(self, consumer: Consumer[Any]) -> None:
        super().__init__(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        self.consumer = consumer
        self.prepared: list[tuple[StreamRecord, Any]] = []

    def take(self, record: DynamoDBRecord) -> None:
        read = read_record(record.raw_event)
        self.prepared.append((read, self.consumer.prepare(read)))

    def _clean(self) -> None:
        self._settle()
        super()._clean()

    def _settle(self) -> None:
        work = [(record, value) for record, value in self.prepared if value is not None]
        try:
            errors = dict(self.consumer.apply(work)) if work else {}
        except Exception as exc:  # noqa: BLE001  (the batch's writes failed: every record of it is retried)
            log.exception("%s could not write a batch of %d records", self.consumer.name, len(work))
            errors = {record.event_id: _why(exc) for record, _ in work}
        failed = [(message.raw_event, _why(info[1])) for message, info in zip(self.fail_messages, self.exceptions)]
        failed += [(record.raw, errors[record.event_id]) for record, _ in self.prepared if record.event_id in errors]
        done = [record.event_id for record, _ in self.prepared if record.event_id not in errors]
        name = self.consumer.name
        parked.release(name, parked.parked_among(name, done))
        reported = [raw for raw, why in failed if not self._given_up(raw, why)]
        self.fail_messages = [DynamoDBRecord(raw) for raw in reported]

    def _given_up(self, raw: Mapping[str, Any], why: str) -> bool:
        """Park a failed record; True once it has failed `MAX_ATTEMPTS` times (dead-lettered the first time)."""
        name, event_id = self.consumer.name, _event_id(raw)
        attempts = parked.park(name, event_id, raw, why)
        log.warning("%s failed a record (attempt %d): %s", name, attempts, why.split(":", 1)[0])
        if attempts == MAX_ATTEMPTS:
            _dead_letter(name, event_id, raw, why)
            parked.bury(name, event_id)
        return attempts >= MAX_ATTEMPTS


def _event_id(raw: Mapping[str, Any]) -> str:
    """The record's eventID (a record too broken to have one is named by its contents)."""
    if raw.get("eventID"):
        return str(raw["eventID"])
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _dead_letter(consumer: str, event_id: str, raw: Mapping[str, Any], why: str) -> None:
    url = settings().dead_letter_queue_url
    if not url:
        log.error("%s gave up on a record and no dead-letter queue is set: it waits in the parked table", consumer)
        return
    body = {"consumer": consumer, "event_id": event_id, "error": why, "record": raw}
    boto3.client("sqs", region_name=settings().region).send_message(
        QueueUrl=url, MessageBody=json.dumps(body, ensure_ascii=False, default=str))
    log.error("%s gave up on a record after %d attempts: sent to the dead-letter queue", consumer, MAX_ATTEMPTS)


def handle(event: Mapping[str, Any], *consumers: Consumer[Any]) -> dict[str, list[dict[str, str]]]:
    """Run `consumers` over a DynamoDB Streams event; the records to deliver again, as Lambda expects them."""
    records = list(event.get("Records") or [])
    reported: set[str] = set()
    for consumer in consumers:
        batch = _Round(consumer)
        with batch(records, batch.take):
            batch.process()
        reported |= {failure["itemIdentifier"] for failure in batch.response()["batchItemFailures"]}
    ordered = dict.fromkeys(str(r.get("dynamodb", {}).get("SequenceNumber")) for r in records)
    return {"batchItemFailures": [{"itemIdentifier": number} for number in ordered if number in reported]}
