"""Scenario: the journal stream's consumers (audit, counters, notifications, alerts) on a class of 30.

The school (built through the API) has class 7Ә with 30 pupils, two guardians each (one kk, one ru, with
e-mail and phone, e-mail and SMS chosen immediate, default quiet hours) and a maths journal. Entries are
written through the HTTP API; the journal table's stream is read from moto as the local runner reads it
(`chalicelib.local.streams.StreamPoller`, Lambda-shaped records) and handed to the consumers in batches of
the app's `batch_size`. The emulator's extra key-only INSERT before each new item (real DynamoDB sends none,
and every consumer ignores it) is left out of the priced batches, so a batch is what Lambda would get.

1. Marks and messages: 100 formative marks across the class (three lessons of 30 and one of 10), delivered
   to the app's stream handlers (`journal_audit`, `journal_counters`), then the outbox flushed by
   `run_digest` once the coalescing window (`NOTICE_WINDOW_SECONDS`, and quiet hours if they hold) is over;
   messages counted as SES and SNS received them, inbox items as the notifications table holds them.
2. Request units: three class-sized batches (a new lesson's attendance for 30, two of them absent; its
   formative marks for 30; a new SOR's results for 30), each consumer over each batch alone
   (`chalicelib.streams.batch.handle`) under `CapacityRecorder`, divided by the 30 entries; the journal's
   counter sheet already exists (step 1). The lesson and work themselves are consumed before, unpriced.
   Where each consumer's write units go: per table and operation (indexes included), over the 90 entries.
3. Rate: ten lessons' attendance and formative marks (600 entries) written through the API; then the app's
   two stream functions drain them through their own pollers as `make run` does (stream reads, Lambda
   events, every consumer), timed on the wall clock; beside it the emulator's raw rate: `put_item` of the
   same 600 entry items, one call each, into a scratch table without stream or index. Timings depend on the
   machine and its load: compare the ratio, from the same run.
"""
from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from bench.capacity import CapacityRecorder, item_size
from bench.emulated import emulated_app
from bench.journal_ops import _PASSWORD, _Api, _csv
from bench.results import Metric

SCENARIO = "streams"
PUPILS = 30
MARKS = 100
RATE_LESSONS = 10
TODAY = date(2026, 10, 23)  # a Friday in T1
_CHANNELS = ("email", "sms")
_GUARDIANS = ("ru", "kk")  # two per pupil, one per language


class _Stream:
    """The journal table's stream from now on: the records each write adds, as Lambda would get them."""

    def __init__(self) -> None:
        from chalicelib.config import settings
        from chalicelib.local.streams import StreamPoller

        self._got: list[dict[str, Any]] = []
        self._poller = StreamPoller(self._take, settings().table("journal"), batch_size=1000)

    def _take(self, event: dict[str, Any]) -> None:
        self._got.extend(event["Records"])

    def read(self) -> list[dict[str, Any]]:
        """Every record since the last read, without the emulator's key-only INSERTs."""
        while self._poller.poll():
            pass
        got, self._got = self._got, []
        return [record for record in got if not _key_only(record)]


def _key_only(record: dict[str, Any]) -> bool:
    body = record["dynamodb"]
    return record["eventName"] == "INSERT" and set(body.get("NewImage", {})) <= set(body["Keys"])


class _Class:
    """Class 7Ә of the bench school: its maths journal, teacher, pupils, guardians, and the stream behind it."""

    def __init__(self, client: Any) -> None:
        from chalicelib.auth import kdf_params
        from chalicelib.auth.passwords import hash_password
        from chalicelib.domain.notices import Preferences
        from chalicelib.store.notifications import save_preferences
        from chalicelib.store.people import create_operator

        create_operator("bench-ministry", hash_password(_PASSWORD, kdf_params()), role="ministry", last_name="Bench",
                        first_name="Ministry")
        ministry = _Api(client).login("bench-ministry")
        school = ministry.call("POST", "/v1/schools", {"name": {"kk": "Бенчмарк мектебі", "ru": "Школа бенчмарка"},
                                                       "region": "almaty"}, 201)["school_id"]
        staff = _roster(client, ministry, school, [f"school_admin,A1,Сейітова,Әсел,,,bench-admin,{_PASSWORD},,kk,,",
                                                   f"teacher,T1,Нұрланова,Гүлнар,,,bench-teacher,{_PASSWORD},,kk,,"])
        admin = _Api(client).login("bench-admin")
        klass = admin.call("POST", f"/v1/schools/{school}/classes", {"year": 2026, "grade": 7, "letter": "Ә",
                                                                     "language": "kk"}, 201)["class_id"]
        rows = [f"student,S{i:02d},Әбілқасымов,Нұрсұлтан{i},,{klass},,,,kk,," for i in range(PUPILS)]
        rows += [f"parent,G{i:02d}{language},Әбілқасымова,Гүлнұр{i},,,,,S{i:02d},{language},"
                 f"g{i}{language}@example.kz,+7701{i:03d}{g:04d}"
                 for i in range(PUPILS) for g, language in enumerate(_GUARDIANS)]
        people = _roster(client, admin, school, rows)
        for i in range(PUPILS):
            for language in _GUARDIANS:
                save_preferences(people[f"G{i:02d}{language}"], Preferences({c: "immediate" for c in _CHANNELS}))
        subject = admin.call("POST", f"/v1/schools/{school}/subjects", {
            "code": "math", "name": {"kk": "Математика", "ru": "Математика"}, "assessment": "criteria"}, 201)
        self.journal = admin.call("POST", f"/v1/classes/{klass}/journals", {
            "subject_id": subject["subject_id"], "teacher_ids": [staff["T1"]], "hours_per_week": 5},
            201)["journal_id"]
        admin.call("PUT", f"/v1/schools/{school}/settings", {"edit_window_days": None})
        self.teacher = _Api(client).login("bench-teacher")
        self.pupils = [people[f"S{i:02d}"] for i in range(PUPILS)]
        self.stream = _Stream()

    def lesson(self, day: date, number: int) -> str:
        return self.teacher.call("POST", f"/v1/journals/{self.journal}/lessons",
                                 {"date": day.isoformat(), "number": number}, 201)["lesson_id"]

    def sor(self) -> str:
        return self.teacher.call("POST", f"/v1/journals/{self.journal}/works", {
            "kind": "SOR", "period": "T1", "date": TODAY.isoformat(), "title": "БЖБ №1", "max_points": 20},
            201)["work_id"]

    def attendance(self, lesson_id: str, absent: Sequence[int] = ()) -> None:
        self.teacher.call("PUT", f"/v1/lessons/{lesson_id}/attendance", {"entries": [
            {"student_id": p, "status": "absent" if i in absent else "present"} for i, p in enumerate(self.pupils)]})

    def formative(self, lesson_id: str, pupils: int = PUPILS) -> None:
        self.teacher.call("PUT", f"/v1/lessons/{lesson_id}/formative", {"entries": [
            {"student_id": p, "points": 5 + i % 6} for i, p in enumerate(self.pupils[:pupils])]})

    def results(self, work_id: str) -> None:
        self.teacher.call("PUT", f"/v1/works/{work_id}/results", {"entries": [
            {"student_id": p, "points": 10 + i % 11} for i, p in enumerate(self.pupils)]})


def _roster(client: Any, api: _Api, school: str, rows: list[str]) -> dict[str, str]:
    response = client.http.post(f"/v1/schools/{school}/roster", body=_csv(rows), headers={
        "Content-Type": "text/csv", "Authorization": f"Bearer {api.token}"})
    assert response.status_code == 200, response.body[:500]
    return {p["external_id"]: p["person_id"] for p in json.loads(response.body)["people"]}


def _functions() -> dict[str, Any]:
    """The app's stream functions as Lambda calls them, by name."""
    from chalice.app import DynamoDBEventConfig

    from app import app
    from chalicelib.local.functions import functions_of

    return {function.name: function for function in functions_of(app, DynamoDBEventConfig)}


def _events(records: list[dict[str, Any]], size: int) -> Iterator[dict[str, Any]]:
    for start in range(0, len(records), size):
        yield {"Records": records[start:start + size]}


def _deliver(functions: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """Every stream function over `records`, in batches of its own size; none may fail a record."""
    for function in functions.values():
        for event in _events(records, function.source.batch_size):
            assert function(event)["batchItemFailures"] == [], function.name


# 1. Marks and messages --------------------------------------------------------------------------------------

def _messages(klass: _Class, functions: dict[str, Any]) -> dict[str, Metric]:
    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    from chalicelib.config import settings
    from chalicelib.domain.dates import now_kz
    from chalicelib.domain.notices import DEFAULT_QUIET, due_at
    from chalicelib.jobs.digests import run_digest

    boto3.client("ses").verify_domain_identity(Domain=settings().mail_from.split("@")[1])
    window = timedelta(seconds=settings().notice_window_seconds)
    started, left = now_kz(), MARKS
    for number in range(1, math.ceil(MARKS / PUPILS) + 1):
        klass.formative(klass.lesson(TODAY, number), min(PUPILS, left))
        left -= PUPILS
        _deliver(functions, klass.stream.read())
    assert now_kz() - started < window, "the marks took longer than the coalescing window"
    sent = run_digest(due_at("immediate", now_kz(), window=window, quiet=DEFAULT_QUIET) + timedelta(minutes=1))
    region = settings().region
    got = {"email": len(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages),
           "sms": len(sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages)}
    assert got == {c: sent.get(c, 0) for c in _CHANNELS} and not sent.get("failed"), (got, sent)
    inbox = _inbox_items(klass.journal)
    per_100 = 100 / MARKS
    return {
        "marks_entered": Metric(MARKS, "marks"),
        "notice_window_seconds": Metric(window.total_seconds(), "s"),
        "messages_per_100_marks": Metric(sum(got.values()) * per_100, "messages"),
        "email_per_100_marks": Metric(got["email"] * per_100, "messages"),
        "sms_per_100_marks": Metric(got["sms"] * per_100, "messages"),
        "messages_one_per_mark_per_100_marks": Metric(MARKS * len(_GUARDIANS) * len(_CHANNELS) * per_100,
                                                      "messages"),
        "inbox_items_per_100_marks": Metric(inbox * per_100, "items"),
    }


def _inbox_items(journal_id: str) -> int:
    """Inbox items (notifications table, `S#J#<journal>|...`) of the journal's entries."""
    import boto3

    from chalicelib.config import settings

    pages = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=settings().table("notifications"), Select="COUNT", FilterExpression="begins_with(sk, :s)",
        ExpressionAttributeValues={":s": {"S": f"S#J#{journal_id}|"}})
    return sum(page["Count"] for page in pages)


# 2. Request units -------------------------------------------------------------------------------------------

def _consumers() -> dict[str, Any]:
    from chalicelib.streams import alerts, audit, counters, notifications

    return {c.name: c for c in (audit.CONSUMER, counters.CONSUMER, notifications.CONSUMER, alerts.CONSUMER)}


def _units(klass: _Class, functions: dict[str, Any]) -> dict[str, Metric]:
    from chalicelib.config import settings
    from chalicelib.store.base import all_models
    from chalicelib.streams.batch import handle

    size = min(function.source.batch_size for function in functions.values())
    tables = {settings().table(suffix): suffix for suffix in all_models()}
    lesson, work = klass.lesson(TODAY, 5), klass.sor()
    _deliver(functions, klass.stream.read())  # the lesson and the work themselves, unpriced
    writes = {"attendance": partial(klass.attendance, lesson, absent=(7, 19)),
              "formative": partial(klass.formative, lesson), "results": partial(klass.results, work)}
    metrics: dict[str, Metric] = {}
    spent: dict[tuple[str, str, str], float] = {}
    for kind, write in writes.items():
        write()
        records, paired = klass.stream.read(), 0.0
        for name, consumer in _consumers().items():
            with CapacityRecorder() as recorder:
                for event in _events(records, size):
                    assert handle(event, consumer)["batchItemFailures"] == [], (kind, name)
            summary = recorder.summary()
            metrics[f"{kind}_{name}_wru_per_entry"] = Metric(round(summary["write_units"] / PUPILS, 3), "WRU/entry")
            metrics[f"{kind}_{name}_rru_per_entry"] = Metric(round(summary["read_units"] / PUPILS, 3), "RRU/entry")
            paired += summary["write_units"] if name in ("counters", "audit") else 0.0
            for call in recorder.calls:
                for charge in call.charges:
                    key = (name, tables.get(charge.table, charge.table), call.operation)
                    spent[key] = spent.get(key, 0.0) + charge.write_units
        metrics[f"{kind}_counters_audit_wru_per_entry"] = Metric(round(paired / PUPILS, 3), "WRU/entry", "<= 3")
    entries = PUPILS * len(writes)
    for (name, table, operation), units in sorted(spent.items()):
        if units:
            metrics[f"{name}_wru_per_entry_{table}_{operation}"] = Metric(round(units / entries, 3), "WRU/entry")
    return metrics


# 3. Rate ----------------------------------------------------------------------------------------------------

def _rate(klass: _Class) -> dict[str, Metric]:
    from app import app
    from chalicelib.domain import calendar
    from chalicelib.local.streams import stream_pollers

    pollers = stream_pollers(app)
    days, day, rng = [], TODAY - timedelta(days=1), random.Random(5)
    while len(days) < RATE_LESSONS:
        if calendar.is_school_day(day, 2026, 7):
            days.append(day)
        day -= timedelta(days=1)
    for day in days:
        lesson = klass.lesson(day, 1)
        klass.attendance(lesson, absent=[i for i in range(PUPILS) if rng.random() < 0.06])
        klass.formative(lesson)
    entries = [r["dynamodb"]["NewImage"] for r in klass.stream.read()
               if r["dynamodb"]["Keys"]["sk"]["S"].split("#")[1:2] in (["A"], ["F"])]
    assert len(entries) == 2 * PUPILS * RATE_LESSONS
    timed = {}
    for poller in pollers:
        start, delivered = time.perf_counter(), 0
        while done := poller.poll():
            delivered += done
        timed[poller.function.name] = (time.perf_counter() - start, delivered)
        assert not poller.discarded, poller.function.name
    raw = _raw_put(entries)
    consumed = sum(seconds for seconds, _ in timed.values())
    rate = len(entries) / consumed
    metrics = {
        "rate_entries": Metric(len(entries), "entries"),
        "rate_stream_records": Metric(max(n for _, n in timed.values()), "records"),
        "rate_entry_bytes_mean": Metric(round(sum(map(item_size, entries)) / len(entries), 1), "bytes"),
        "consumers_entries_per_second": Metric(round(rate, 1), "entries/s"),
    }
    for name, (seconds, _) in timed.items():
        metrics[f"{name}_entries_per_second"] = Metric(round(len(entries) / seconds, 1), "entries/s")
    metrics["raw_put_items_per_second"] = Metric(round(raw, 1), "items/s")
    metrics["raw_put_rate_over_consumers_rate"] = Metric(round(raw / rate, 2), "x")
    return metrics


def _raw_put(items: list[dict[str, Any]]) -> float:
    """Items per second of one `put_item` each into a fresh table (keys only: no stream, no index)."""
    import boto3

    from chalicelib.config import settings

    dynamodb, table = boto3.client("dynamodb"), settings().table("bench-scratch")
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}])
    start = time.perf_counter()
    for item in items:
        dynamodb.put_item(TableName=table, Item=item)
    return len(items) / (time.perf_counter() - start)


def run() -> dict[str, Metric]:
    with emulated_app(TODAY) as client:
        klass, functions = _Class(client), _functions()
        return {**_messages(klass, functions), **_units(klass, functions), **_rate(klass)}
