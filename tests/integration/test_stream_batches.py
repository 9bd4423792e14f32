"""The batch machinery every stream consumer shares: partial failures, parking, the dead-letter queue, redrive."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Iterator

import boto3
import pytest

from chalicelib.config import reset_settings
from chalicelib.jobs import redrive
from chalicelib.jobs.reconcile import reconcile_school
from chalicelib.store import counters, parked, schools
from chalicelib.store import journal as store
from chalicelib.streams import counters as counting
from chalicelib.streams.batch import MAX_ATTEMPTS, Consumer, handle
from chalicelib.streams.records import StreamRecord
from tests.integration.school import StreamPump


def records(count: int) -> list[dict[str, Any]]:
    """Lambda-shaped MODIFY records of `count` different journal entries."""
    out = []
    for n in range(count):
        keys = {"pk": {"S": "J#7"}, "sk": {"S": f"T1#F#55#p{n}"}}
        body = {"Keys": keys, "SequenceNumber": str(1000 + n), "ApproximateCreationDateTime": 1_791_000_000,
                "OldImage": {**keys, "v": {"N": "1"}}, "NewImage": {**keys, "v": {"N": "2"}, "p": {"N": "7"}}}
        out.append({"eventID": f"event-{n}", "eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": body})
    return out


class Tally:
    """A consumer that notes what it applied and fails on the records it is told are poison."""

    def __init__(self, name: str = "tally") -> None:
        self.applied: list[str] = []
        self.poison: set[str] = set()
        self.broken_writes: set[str] = set()
        self.consumer = Consumer(name, self.prepare, self.apply)

    def prepare(self, record: StreamRecord) -> str:
        if record.event_id in self.poison:
            raise ValueError("poison")
        return record.event_id

    def apply(self, batch: Sequence[tuple[StreamRecord, str]]) -> dict[str, str]:
        self.applied += [event for _, event in batch if event not in self.broken_writes]
        return {event: "write refused" for _, event in batch if event in self.broken_writes}


@pytest.fixture()
def dead_letters(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = boto3.client("sqs").create_queue(QueueName="ejournal-test-stream-dead-letters")["QueueUrl"]
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", url)
    reset_settings()
    yield url
    reset_settings()


def dead_letter_messages(url: str) -> list[dict[str, Any]]:
    got = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def failures(batch: list[dict[str, Any]], *consumers: Consumer[Any]) -> list[str]:
    return [f["itemIdentifier"] for f in handle({"Records": batch}, *consumers)["batchItemFailures"]]


def test_a_failing_record_is_reported_alone_and_kept_whole(dead_letters: str) -> None:
    tally, batch = Tally(), records(5)
    tally.poison.add("event-2")
    assert failures(batch, tally.consumer) == ["1002"]
    assert tally.applied == ["event-0", "event-1", "event-3", "event-4"]
    [kept] = parked.parked_of("tally")
    assert (kept.record, kept.attempts, kept.dead, kept.error) == (batch[2], 1, None, "ValueError: poison")


def test_a_record_applied_on_a_retry_leaves_the_parked_table(dead_letters: str) -> None:
    tally, batch = Tally(), records(4)
    tally.poison.add("event-1")
    assert failures(batch, tally.consumer) == ["1001"]
    tally.poison.clear()
    assert failures(batch[1:], tally.consumer) == []  # Lambda delivers again from the failed record
    assert list(parked.parked_of("tally")) == []


def test_a_write_that_fails_fails_its_records_only(dead_letters: str) -> None:
    tally, batch = Tally(), records(3)
    tally.broken_writes.add("event-1")
    assert failures(batch, tally.consumer) == ["1001"]
    assert [p.event_id for p in parked.parked_of("tally")] == ["event-1"]


def test_after_bounded_attempts_a_record_goes_to_the_dead_letter_queue_once(dead_letters: str) -> None:
    tally, batch = Tally(), records(3)
    tally.poison.add("event-1")
    reported = [failures(batch[1:] if attempt else batch, tally.consumer) for attempt in range(MAX_ATTEMPTS + 1)]
    assert reported == [["1001"]] * (MAX_ATTEMPTS - 1) + [[], []]  # then the shard moves on
    [letter] = dead_letter_messages(dead_letters)
    assert (letter["consumer"], letter["event_id"], letter["record"]) == ("tally", "event-1", batch[1])
    [kept] = parked.parked_of("tally")
    assert kept.dead is not None and kept.attempts == MAX_ATTEMPTS + 1


def test_several_consumers_share_a_batch_and_a_record_is_reported_if_any_fails_it(dead_letters: str) -> None:
    calm, picky = Tally("calm"), Tally("picky")
    picky.poison.add("event-0")
    assert failures(records(2), calm.consumer, picky.consumer) == ["1000"]
    assert calm.applied == ["event-0", "event-1"] and picky.applied == ["event-1"]
    assert [p.consumer for p in parked.ParkedRecord.scan()] == ["picky"]


def test_the_counters_park_a_record_they_cannot_count_and_the_redrive_counts_it_once(dead_letters: str) -> None:
    school = schools.create_school("№1 мектеп", "Школа №1", "almaty", None)
    klass = schools.create_class(school, 2026, 7, "Ә", "kk", None)
    math, music = (schools.create_subject(school, code, name, name, "criteria") for code, name in
                   (("math", "Математика"), ("music", "Музыка")))
    known, lost = (schools.create_journal(klass, subject, ["t1"], 5) for subject in (math, music))
    lost.delete()  # the directory does not know this journal for a while: its records cannot be counted
    actor, monday = store.Actor("t1", "teacher", "2026-10-05T09:00:00.000+05:00"), date(2026, 10, 5)
    for journal, number in ((known, 1), (lost, 2), (known, 3)):
        store.create_lesson(journal.journal_id, klass.class_id, journal.subject_id, "T1", monday, number,
                            f"{number}0", actor, topic=None, homework=None, objectives=[])
    batch = [r for r in StreamPump().read() if r["dynamodb"]["Keys"]["pk"]["S"].startswith("J#")]
    poison = next(r["dynamodb"]["SequenceNumber"] for r in batch if lost.journal_id in r["dynamodb"]["Keys"]["pk"]["S"])
    tail = batch[[r["dynamodb"]["SequenceNumber"] for r in batch].index(poison):]
    reported = [failures(batch if attempt == 0 else tail, counting.CONSUMER) for attempt in range(MAX_ATTEMPTS)]
    assert reported == [[poison]] * (MAX_ATTEMPTS - 1) + [[]]  # alone; then given up on, and the shard moves on
    assert counters.teacher_days(school.school_id, "t1", "2026-10-05", "2026-10-05") == {
        "2026-10-05": {"lessons": 2}}
    assert [letter["record"] for letter in dead_letter_messages(dead_letters)] == tail[:1]
    lost.save(add_version_condition=False)  # known again, days later
    assert redrive.main(["--consumer", "counters"]) == 0
    assert redrive.redrive(["counters"]) == [redrive.Redriven("counters", 0, 0)]
    assert dead_letter_messages(dead_letters) == []
    assert counters.teacher_days(school.school_id, "t1", "2026-10-05", "2026-10-05") == {
        "2026-10-05": {"lessons": 3}}
    assert reconcile_school(school.school_id) == []
