"""Redrive: records the stream consumers parked, replayed through the same consumer, days later if need be.

    python -m chalicelib.jobs.redrive [--consumer alerts|audit|counters|notifications]

Every record a consumer parked (oldest first) is delivered again to that consumer, 100 to a batch, through the
stream's own machinery (`chalicelib.streams.batch.handle`): a record applied now leaves the parked table; one
that fails again stays, its attempts and error updated. Consumers are idempotent, so a record that was applied
meanwhile changes nothing. Then the dead-letter queue is rid of the messages whose record is no longer parked.
Prints what it did and exits 1 if records stay parked.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from chalicelib.config import settings
from chalicelib.store import parked
from chalicelib.streams import alerts, audit, counters, notifications
from chalicelib.streams.batch import Consumer, handle

__all__ = ["CONSUMERS", "Redriven", "redrive", "clear_dead_letters", "main"]

CONSUMERS: dict[str, Consumer[Any]] = {c.name: c for c in (alerts.CONSUMER, audit.CONSUMER, counters.CONSUMER,
                                                          notifications.CONSUMER)}
_BATCH = 100


@dataclass(frozen=True, slots=True)
class Redriven:
    """What a redrive did for one consumer: records replayed, and records still parked after it."""

    consumer: str
    replayed: int
    left: int


def redrive(names: Sequence[str]) -> list[Redriven]:
    """Replay every parked record of the named consumers; then clear their settled dead letters."""
    done = []
    for name in names:
        records = [item.record for item in parked.parked_of(name)]
        for start in range(0, len(records), _BATCH):
            handle({"Records": records[start:start + _BATCH]}, CONSUMERS[name])
        done.append(Redriven(name, len(records), sum(1 for _ in parked.parked_of(name))))
    clear_dead_letters(names)
    return done


def clear_dead_letters(names: Sequence[str]) -> int:
    """Delete the dead-letter messages of `names` whose record is no longer parked; returns how many."""
    url = settings().dead_letter_queue_url
    if not url:
        return 0
    sqs, cleared = boto3.client("sqs", region_name=settings().region), 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       VisibilityTimeout=60).get("Messages", [])
        if not messages:
            return cleared
        for message in messages:
            body = json.loads(message["Body"])
            name, event_id = body.get("consumer"), str(body.get("event_id"))
            if name in names and not parked.parked_among(name, [event_id], consistent=True):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                cleared += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.jobs.redrive", description=__doc__.split("\n")[0])
    parser.add_argument("--consumer", choices=sorted(CONSUMERS), help="only this consumer's records")
    args = parser.parse_args(argv)
    results = redrive([args.consumer] if args.consumer else sorted(CONSUMERS))
    for result in results:
        print(f"{result.consumer}: {result.replayed} replayed, {result.left} still parked")
    return 1 if any(result.left for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
