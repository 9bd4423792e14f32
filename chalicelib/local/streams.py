"""DynamoDB stream poller: reads a local table's stream and calls the app's `on_dynamodb_record` handler
with Lambda-shaped events, as Lambda's event source mapping does.

Which table: app.py registers each handler with a placeholder stream ARN that infra/ replaces. Locally the
ARN's table name is the table SUFFIX of the store (`chalicelib.store.base`), so
`arn:aws:dynamodb:eu-central-1:000000000000:table/journal/stream/local` reads the stream of the local table
`settings().table("journal")`; region, account and stream label of the placeholder are ignored.

Delivery, as Lambda does it: batches of at most the handler's `batch_size` records from one shard, in order;
each record carries `eventSourceARN` (the local stream's ARN), `awsRegion` and an epoch-seconds
`ApproximateCreationDateTime`. A handler that raises fails the whole batch; one that returns
`{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}, ...]}` fails from the first failed record on,
and the next batch starts at that record (an identifier that is not in the batch fails the whole batch).
A failing position is retried `retries` times; then the rest of the batch is skipped, logged and kept in
`discarded` (Lambda: the on-failure destination), and reading goes on.
Positions start at the stream's end when the poller is made: the runner makes its pollers before it seeds
the demo data, so the handlers see the seed and never a restored data file.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from chalice import Chalice
from chalice.app import DynamoDBEventConfig

from chalicelib.config import settings
from chalicelib.local.functions import functions_of

__all__ = ["Discarded", "StreamPoller", "UnknownStream", "local_table_of", "stream_pollers"]

log = logging.getLogger(__name__)

_ARN = re.compile(r"arn:aws[a-z-]*:dynamodb:[a-z0-9-]*:[0-9]*:table/([A-Za-z0-9_.-]+)/stream/.+")


class UnknownStream(RuntimeError):
    """A handler's stream ARN names no local table with a stream."""


@dataclass(frozen=True, slots=True)
class Discarded:
    """Records given up after the retries: their shard and first and last sequence numbers."""

    shard_id: str
    first_sequence_number: str
    last_sequence_number: str


def local_table_of(stream_arn: str) -> str:
    """The local table whose stream a handler's (placeholder) stream ARN means: its table name is the suffix."""
    match = _ARN.fullmatch(stream_arn)
    if match is None:
        raise UnknownStream(f"not a DynamoDB stream ARN: {stream_arn!r}")
    return settings().table(match[1])


class StreamPoller:
    """Feeds one table's stream to one function, batch by batch, honouring partial batch failures."""

    def __init__(self, function: Callable[[dict[str, Any]], Any], table_name: str, *, batch_size: int = 100,
                 retries: int = 3, idle_seconds: float = 0.2) -> None:
        region = settings().region
        self.function, self.table_name, self.batch_size = function, table_name, batch_size
        self.retries, self.idle_seconds, self.region = retries, idle_seconds, region
        self.discarded: list[Discarded] = []
        self._streams = boto3.client("dynamodbstreams", region_name=region)
        table = boto3.client("dynamodb", region_name=region).describe_table(TableName=table_name)["Table"]
        if not table.get("StreamSpecification", {}).get("StreamEnabled"):
            raise UnknownStream(f"the local table {table_name} has no stream")
        self.stream_arn: str = table["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self._positions = {s["ShardId"]: self._iterator(s["ShardId"], "LATEST") for s in shards}
        self._failing: dict[str, tuple[str, int]] = {}  # shard -> (sequence number failing, attempts so far)

    def poll(self) -> int:
        """Read one batch from every shard and deliver it; returns how many records were done with."""
        done = 0
        for shard_id, position in list(self._positions.items()):
            got = self._streams.get_records(ShardIterator=position, Limit=self.batch_size)
            records, following = got["Records"], got.get("NextShardIterator")
            failed_at = self._deliver(records) if records else None
            if failed_at is None:
                self._failing.pop(shard_id, None)
                self._move(shard_id, following)
                done += len(records)
            else:
                done += failed_at + self._retry_or_skip(shard_id, records, failed_at, following)
        return done

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set, resting `idle_seconds` whenever nothing was done."""
        while not stop.is_set():
            try:
                done = self.poll()
            except (BotoCoreError, ClientError):
                log.exception("reading the stream of %s failed", self.table_name)
                done = 0
            if not done:
                stop.wait(self.idle_seconds)

    def _deliver(self, records: list[dict[str, Any]]) -> int | None:
        """Invoke the function with the batch; the index of the first record to deliver again, or None."""
        event = {"Records": [self._lambda_record(r) for r in records]}
        try:
            result = self.function(event)
        except Exception:
            log.exception("the handler of %s failed a batch of %d records", self.table_name, len(records))
            return 0
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return None
        sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
        failed = {f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures}
        if not failed <= set(sequence):
            return 0
        return min(i for i, number in enumerate(sequence) if number in failed)

    def _retry_or_skip(self, shard_id: str, records: list[dict[str, Any]], failed_at: int,
                       following: str | None) -> int:
        """Deliver again from the failed record, or give up on the rest of the batch; returns records skipped."""
        number = records[failed_at]["dynamodb"]["SequenceNumber"]
        seen, attempts = self._failing.get(shard_id, (number, 0))
        attempts = attempts + 1 if seen == number else 1
        if attempts <= self.retries:
            self._failing[shard_id] = (number, attempts)
            self._positions[shard_id] = self._iterator(shard_id, "AT_SEQUENCE_NUMBER", number)
            return 0
        lost = Discarded(shard_id, number, records[-1]["dynamodb"]["SequenceNumber"])
        log.error("gave up on %d records of %s after %d retries: %s", len(records) - failed_at, self.table_name,
                  self.retries, lost)
        self.discarded.append(lost)
        self._failing.pop(shard_id, None)
        self._move(shard_id, following)
        return len(records) - failed_at

    def _move(self, shard_id: str, following: str | None) -> None:
        if following is None:  # the shard is closed and read to its end
            del self._positions[shard_id]
        else:
            self._positions[shard_id] = following

    def _iterator(self, shard_id: str, kind: str, number: str | None = None) -> str:
        extra = {"SequenceNumber": number} if number else {}
        return self._streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id,
                                                ShardIteratorType=kind, **extra)["ShardIterator"]

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb["ApproximateCreationDateTime"]
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "eventVersion": "1.1", "awsRegion": self.region, "eventSourceARN": self.stream_arn,
                "dynamodb": dynamodb}


def stream_pollers(app: Chalice, *, retries: int = 3) -> list[StreamPoller]:
    """A poller for every `on_dynamodb_record` handler of the app, on the local table its ARN names."""
    return [StreamPoller(f, local_table_of(f.source.stream_arn), batch_size=f.source.batch_size, retries=retries)
            for f in functions_of(app, DynamoDBEventConfig)]
