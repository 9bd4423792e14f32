"""A small school built through the API for the journal tests, a fixed "today", and the stream pump.

Import the fixtures into a test module: `from tests.integration.school import school, today  # noqa: F401`.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.client import BaseClient

from tests.integration.conftest import Api

__all__ = ["TODAY", "PASSWORD", "SmallSchool", "build_school", "school", "today", "StreamPump", "pump",
           "lesson", "work", "problem_type", "dynamodb_calls", "data_queries"]

TODAY = date(2026, 10, 5)  # a Monday in T1 of 2026-27
PASSWORD = "pass-word-123"
HEADER = "role,external_id,last_name,first_name,middle_name,class_id,username,password,guardian_of,language,email,phone"
# Kazakh alphabetical order: А, Ә, Б, Г, Ғ, О, Ө, Ы, І (not code-point order: Ә, Ғ, Ө, І sort far after Я there).
PUPILS = [("p5", "Оспанов", "Бекзат"), ("p2", "Әлиев", "Нұрлан"), ("p8", "Ыбыраев", "Дана"),
          ("p4", "Ғалымова", "Аружан"), ("p1", "Абаев", "Ерлан"), ("p7", "Өтепов", "Алихан"),
          ("p3", "Гаухаров", "Тимур"), ("p9", "Іскаков", "Мирас"), ("p6", "Бекова", "Айша")]
ALPHABETICAL = ["p1", "p2", "p6", "p3", "p4", "p5", "p7", "p8", "p9"]

_numbers = itertools.count(1)


@dataclass
class SmallSchool:
    """School with class 7Ә (nine pupils), class 1А (one pupil), journals of three kinds of subject, and people."""

    school_id: str
    class_id: str
    first_grade_class_id: str
    subjects: dict[str, str]     # math, music (pass_fail), ethics (none)
    journals: dict[str, str]     # math, music, ethics (7Ә), math1 (1А)
    pupils: dict[str, str]       # p1..p9 (7Ә), q1 (1А) -> person_id
    people: dict[str, str]       # admin, teacher, other_teacher, parent -> person_id
    admin: Api
    teacher: Api
    other_teacher: Api
    parent: Api
    student: Api                 # pupil p1 himself
    outsider: Api                # a teacher of another school
    ministry: Api
    extra: dict[str, Any] = field(default_factory=dict)


def _csv(*rows: str) -> bytes:
    return "\r\n".join((HEADER, *rows, "")).encode()


def build_school(ministry: Api) -> SmallSchool:
    n = next(_numbers)
    sid = ministry.ok("POST", "/v1/schools", {"name": {"kk": f"№{n} мектеп", "ru": f"Школа №{n}"},
                                              "region": "almaty"}, status=201)["school_id"]
    staff = _csv(f"school_admin,A{n},Сейітова,Әсел,,,jadmin{n},{PASSWORD},,kk,,",
                 f"teacher,T{n},Нұрланова,Гүлнар,,,jteacher{n},{PASSWORD},,kk,,",
                 f"teacher,U{n},Петров,Иван,,,jother{n},{PASSWORD},,ru,,")
    ids = {p["external_id"]: p["person_id"] for p in
           ministry.ok("POST", f"/v1/schools/{sid}/roster", raw=staff, content_type="text/csv")["people"]}
    admin = ministry.as_user(f"jadmin{n}", PASSWORD)
    klass = admin.ok("POST", f"/v1/schools/{sid}/classes", {"year": 2026, "grade": 7, "letter": "Ә",
                                                             "language": "kk"}, status=201)["class_id"]
    first = admin.ok("POST", f"/v1/schools/{sid}/classes", {"year": 2026, "grade": 1, "letter": "А",
                                                             "language": "kk"}, status=201)["class_id"]
    rows = [f"student,{ext}-{n},{last},{first_name},,{klass},{'jstudent' + str(n) if ext == 'p1' else ''},"
            f"{PASSWORD if ext == 'p1' else ''},,kk,," for ext, last, first_name in PUPILS]
    rows += [f"student,q1-{n},Жанова,Томирис,,{first},,,,kk,,",
             f"parent,P{n},Абаева,Сәуле,,,jparent{n},{PASSWORD},p1-{n},kk,,"]
    ids |= {p["external_id"]: p["person_id"] for p in
            admin.ok("POST", f"/v1/schools/{sid}/roster", raw=_csv(*rows), content_type="text/csv")["people"]}
    subjects = {code: admin.ok("POST", f"/v1/schools/{sid}/subjects",
                               {"code": code, "name": {"kk": kk, "ru": ru}, "assessment": kind},
                               status=201)["subject_id"]
                for code, kk, ru, kind in (("math", "Математика", "Математика", "criteria"),
                                           ("music", "Музыка", "Музыка", "pass_fail"),
                                           ("ethics", "Өзін-өзі тану", "Самопознание", "none"))}
    journals = {}
    for name, class_id, subject in (("math", klass, "math"), ("music", klass, "music"),
                                    ("ethics", klass, "ethics"), ("math1", first, "math")):
        journals[name] = admin.ok("POST", f"/v1/classes/{class_id}/journals",
                                  {"subject_id": subjects[subject], "teacher_ids": [ids[f"T{n}"]],
                                   "hours_per_week": 5}, status=201)["journal_id"]
    outsider = _other_school_teacher(ministry, n)
    return SmallSchool(
        school_id=sid, class_id=klass, first_grade_class_id=first, subjects=subjects, journals=journals,
        pupils={ext: ids[f"{ext}-{n}"] for ext, _, _ in PUPILS} | {"q1": ids[f"q1-{n}"]},
        people={"admin": ids[f"A{n}"], "teacher": ids[f"T{n}"], "other_teacher": ids[f"U{n}"],
                "parent": ids[f"P{n}"]},
        admin=admin, teacher=ministry.as_user(f"jteacher{n}", PASSWORD),
        other_teacher=ministry.as_user(f"jother{n}", PASSWORD), parent=ministry.as_user(f"jparent{n}", PASSWORD),
        student=ministry.as_user(f"jstudent{n}", PASSWORD), outsider=outsider, ministry=ministry)


def _other_school_teacher(ministry: Api, n: int) -> Api:
    sid = ministry.ok("POST", "/v1/schools", {"name": {"kk": f"№{n}0 мектеп", "ru": f"Школа №{n}0"},
                                              "region": "astana"}, status=201)["school_id"]
    ministry.ok("POST", f"/v1/schools/{sid}/roster", raw=_csv(f"teacher,X{n},Ким,Олег,,,jout{n},{PASSWORD},,ru,,"),
                content_type="text/csv")
    return ministry.as_user(f"jout{n}", PASSWORD)


@pytest.fixture()
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The journal's "today" is TODAY (timestamps still run on the real clock)."""
    from chalicelib.domain import dates

    monkeypatch.setattr(dates, "today_kz", lambda: TODAY)
    return TODAY


@pytest.fixture()
def school(ministry: Api, today: date) -> SmallSchool:
    return build_school(ministry)


def lesson(api: Api, journal_id: str, day: str = "2026-10-01", number: int = 1, **extra: Any) -> dict[str, Any]:
    return api.ok("POST", f"/v1/journals/{journal_id}/lessons", {"date": day, "number": number, **extra},
                  status=201)


def work(api: Api, journal_id: str, day: str = "2026-10-01", kind: str = "SOR", **extra: Any) -> dict[str, Any]:
    body = {"kind": kind, "period": "T1", "date": day, "title": "Бөлім 1", "max_points": 20, **extra}
    return api.ok("POST", f"/v1/journals/{journal_id}/works", body, status=201)


def problem_type(response: Any) -> str:
    return json.loads(response.body)["type"].rsplit("/", 1)[1]


class StreamPump:
    """Delivers the journal table's stream records to the app's audit handler, as Lambda would."""

    def __init__(self) -> None:
        self._next: dict[str, str] = {}
        self.delivered: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        """Every stream record not read yet, Lambda-shaped (`eventSourceARN`, epoch creation time)."""
        from chalicelib.config import settings

        streams = boto3.client("dynamodbstreams")
        arn = boto3.client("dynamodb").describe_table(TableName=settings().table("journal"))["Table"][
            "LatestStreamArn"]
        records = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = self._next.get(shard["ShardId"]) or streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while iterator:
                page = streams.get_records(ShardIterator=iterator)
                records += [_lambda_shaped(r, arn) for r in page["Records"]]
                self._next[shard["ShardId"]] = iterator = page.get("NextShardIterator")
                if not page["Records"]:
                    break
        return records

    def deliver(self, records: list[dict[str, Any]], batch_size: int = 100) -> list[dict[str, str]]:
        """Run the handler on `records` in batches; returns the batch item failures."""
        from app import journal_audit

        failures = []
        for start in range(0, len(records), batch_size):
            batch = records[start:start + batch_size]
            failures += journal_audit({"Records": batch}, None)["batchItemFailures"]
            self.delivered += batch
        return failures

    def __call__(self) -> int:
        records = self.read()
        assert self.deliver(records) == []
        return len(records)


def _lambda_shaped(record: dict[str, Any], arn: str) -> dict[str, Any]:
    shaped = json.loads(json.dumps(record, default=str))
    shaped["eventSourceARN"] = arn
    shaped["dynamodb"]["ApproximateCreationDateTime"] = record["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    return shaped


@pytest.fixture()
def pump(aws: None) -> Iterator[StreamPump]:
    yield StreamPump()


@contextmanager
def dynamodb_calls() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every DynamoDB call (operation, parameters) made while the block runs, by any client."""
    calls: list[tuple[str, dict[str, Any]]] = []
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params))
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", spy):
        yield calls


def data_queries(calls: list[tuple[str, dict[str, Any]]], caller_id: str) -> list[dict[str, Any]]:
    """The Queries of a request other than authentication's read of the caller's own directory partition."""
    own = {"S": f"PER#{caller_id}"}
    return [params for operation, params in calls
            if operation == "Query" and own not in params.get("ExpressionAttributeValues", {}).values()]
