"""Integration tests: the Chalice app through its test client, on moto's in-process AWS.

One moto mock and the clients are made once per session (making clients is slow) and switched on for each
test that uses them (a test may also run its own `mock_aws()`). A test that asks for `aws` (or `client`,
`ministry`) gets an empty store; one that asks for `campus` gets three schools full of people, built through
the API once per session and restored from a copy of moto's tables for each test (moto's DynamoDB reads every
item on each query: small tables keep the suite fast).
"""
from __future__ import annotations

import copy
import functools
import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.config import reset_settings

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "ejournal-test-tasks"
ADMIN = ("admin", "admin-password-1")
PASSWORD = "pass-word-123"
ROSTER_HEADER = ("role,external_id,last_name,first_name,middle_name,class_id,username,password,guardian_of,"
                 "language,email,phone")


@functools.cache
def aws_client(service: str) -> Any:
    """A boto3 client, made once (making one takes longer than most requests); it talks to moto when it is on."""
    return boto3.client(service)


def _dynamodb_state() -> Any:
    """Moto's DynamoDB of this account and region; its `tables` are copied to save and restore a whole store
    in milliseconds (creating the tables and writing the items through the API takes far longer)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.config import settings

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][settings().region]


@dataclass
class _World:
    """One moto mock, made once; it is on only while a test uses it, each time empty but for `tables`."""

    mock: Any
    empty: Any  # moto's DynamoDB tables of the service, created and empty

    @contextmanager
    def fresh(self, tables: Any = None) -> Iterator[None]:
        """Moto on, with the service's bucket, queue and `tables` (default: empty); off again afterwards."""
        from chalicelib.config import settings

        self.mock.start()  # resets every service
        try:
            reset_settings()
            aws_client("sqs").create_queue(QueueName=QUEUE)
            aws_client("s3").create_bucket(Bucket=settings().files_bucket,
                                           CreateBucketConfiguration={"LocationConstraint": settings().region})
            _dynamodb_state().tables = copy.deepcopy(self.empty if tables is None else tables)
            yield
        finally:
            self.mock.stop()

    @staticmethod
    def tables() -> Any:
        return copy.deepcopy(_dynamodb_state().tables)


@pytest.fixture(scope="session")
def _world() -> Iterator[_World]:
    from chalicelib.local.emulator import copy_tables_once_per_transaction
    from chalicelib.store.base import create_tables

    copy_tables_once_per_transaction()  # as the local runner does: moto's transactions stay fast as tables grow
    mock = mock_aws()
    with mock:
        os.environ["TASKS_QUEUE_URL"] = aws_client("sqs").create_queue(QueueName=QUEUE)["QueueUrl"]
        reset_settings()
        create_tables()
        world = _World(mock, _World.tables())
    yield world
    os.environ["TASKS_QUEUE_URL"] = ""
    reset_settings()


@pytest.fixture()
def aws(_world: _World) -> Iterator[None]:
    """A fresh, empty AWS per test, with the service's tables, bucket and queue."""
    with _world.fresh():
        yield


def _client() -> Client:
    from app import app

    return Client(app, stage_name="test", project_dir=str(ROOT))  # the "dev" stage would switch to Cognito


@pytest.fixture()
def client(aws: None) -> Client:
    return _client()


@dataclass
class Api:
    """Speaks JSON to the app as a given user."""

    client: Client
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             content_type: str = "application/json", headers: dict[str, str] | None = None) -> Any:
        h = {"Content-Type": content_type, **self.headers}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return getattr(self.client.http, method.lower())(path, headers=h, body=data)

    def ok(self, method: str, path: str, body: Any = None, *, status: int = 200, **kwargs: Any) -> Any:
        """The JSON answer of a call that must answer `status`."""
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, (response.status_code, response.body)
        return json.loads(response.body)

    def as_user(self, username: str, password: str) -> Api:
        token = self.ok("POST", "/v1/auth/token", {"username": username, "password": password})["access_token"]
        return Api(self.client, token)


def body(response: Any) -> Any:
    return json.loads(response.body)


def drain_tasks() -> int:
    """Run every queued task, as the queue's Lambda would; returns how many ran."""
    from chalicelib.config import settings
    from chalicelib.jobs.tasks import run_task

    sqs, ran = aws_client("sqs"), 0
    while True:
        got = sqs.receive_message(QueueUrl=settings().tasks_queue_url, MaxNumberOfMessages=10)
        messages = got.get("Messages", [])
        if not messages:
            return ran
        for m in messages:
            run_task(m["Body"])
            sqs.delete_message(QueueUrl=settings().tasks_queue_url, ReceiptHandle=m["ReceiptHandle"])
            ran += 1


def directory_items() -> int:
    """How many items the directory table holds (a failed request must not change it)."""
    from chalicelib.config import settings

    pages = aws_client("dynamodb").get_paginator("scan").paginate(TableName=settings().table("directory"),
                                                                  Select="COUNT")
    return sum(page["Count"] for page in pages)


def roster(*rows: str) -> bytes:
    """A `,` roster file of `rows` under the standard header, as bytes."""
    return "\r\n".join((ROSTER_HEADER, *rows, "")).encode()


def operator(client: Client, username: str, role: str, region: str | None = None) -> Api:
    """A ministry or region_admin user (no school), logged in."""
    from chalicelib.auth import kdf_params
    from chalicelib.auth.passwords import hash_password
    from chalicelib.store.people import create_operator

    create_operator(username, hash_password(PASSWORD, kdf_params()), role=role, last_name="Operator",
                    first_name=username, region=region)
    return Api(client).as_user(username, PASSWORD)


@pytest.fixture()
def ministry(client: Client) -> Api:
    from chalicelib.auth import kdf_params
    from chalicelib.auth.passwords import hash_password
    from chalicelib.store.people import create_operator

    create_operator(ADMIN[0], hash_password(ADMIN[1], kdf_params()), role="ministry", last_name="Admin",
                    first_name="Ministry")
    return Api(client).as_user(*ADMIN)


@dataclass
class School:
    """A school with a class 7Ә, a subject, a journal and people of every school role, each logged in.

    `people` maps admin, teacher, student, pupil2 (no login, no guardian) and parent (of student) to person ids;
    `names` holds every name of the school's people, to look for where none may appear; their usernames are
    admin<number>, teacher<number>, student<number>, parent<number> (password PASSWORD).
    """

    number: int
    school_id: str
    region: str
    class_id: str
    subject_id: str
    journal_id: str
    people: dict[str, str]
    names: tuple[str, ...]
    admin: Api
    teacher: Api
    parent: Api
    student: Api


_numbers = itertools.count(1)


def open_school(ministry: Api, region: str = "almaty") -> School:
    """Set up a whole school through the API, as the ministry and then the school's own admin would."""
    n = next(_numbers)
    sid = ministry.ok("POST", "/v1/schools", {"name": {"kk": f"№{n} мектеп", "ru": f"Школа №{n}"},
                                              "region": region}, status=201)["school_id"]
    names = (f"Әлиев{n}", f"Ғабитова{n}", f"Өтепов{n}", f"Ыбырай{n}", f"Өтепова{n}")
    staff = roster(f"school_admin,A{n},{names[0]},Асқар,,,admin{n},{PASSWORD},,kk,,",
                   f"teacher,T{n},{names[1]},Гүлнар,,,teacher{n},{PASSWORD},,ru,,")
    people = ministry.ok("POST", f"/v1/schools/{sid}/roster", raw=staff, content_type="text/csv")["people"]
    admin = ministry.as_user(f"admin{n}", PASSWORD)
    class_id = admin.ok("POST", f"/v1/schools/{sid}/classes",
                        {"year": 2026, "grade": 7, "letter": "Ә", "language": "kk"}, status=201)["class_id"]
    pupils = roster(f"student,S{n},{names[2]},Ерлан,,{class_id},student{n},{PASSWORD},,kk,,",
                    f"student,S{n}b,{names[3]},Іңкәр,,{class_id},,,,kk,,",
                    f"parent,P{n},{names[4]},Айгүл,,,parent{n},{PASSWORD},S{n},kk,,")
    people += admin.ok("POST", f"/v1/schools/{sid}/roster", raw=pupils, content_type="text/csv")["people"]
    by_ext = {p["external_id"]: p["person_id"] for p in people}
    ids = {"admin": by_ext[f"A{n}"], "teacher": by_ext[f"T{n}"], "student": by_ext[f"S{n}"],
           "pupil2": by_ext[f"S{n}b"], "parent": by_ext[f"P{n}"]}
    subject_id = admin.ok("POST", f"/v1/schools/{sid}/subjects",
                          {"code": "math", "name": {"kk": "Математика", "ru": "Математика"},
                           "assessment": "criteria"}, status=201)["subject_id"]
    journal_id = admin.ok("POST", f"/v1/classes/{class_id}/journals",
                          {"subject_id": subject_id, "teacher_ids": [ids["teacher"]], "hours_per_week": 5},
                          status=201)["journal_id"]
    return School(n, sid, region, class_id, subject_id, journal_id, ids, names, admin,
                  ministry.as_user(f"teacher{n}", PASSWORD), ministry.as_user(f"parent{n}", PASSWORD),
                  ministry.as_user(f"student{n}", PASSWORD))


@dataclass
class Campus:
    """Schools `a` and `b` in almaty, `c` in astana; the ministry and each region's region_admin, logged in."""

    client: Client
    ministry: Api
    a: School
    b: School
    c: School
    almaty: Api
    astana: Api

    def anonymous(self, token: str | None = None) -> Api:
        return Api(self.client, token)


@pytest.fixture(scope="session")
def _campus_snapshot(_world: _World) -> tuple[Campus, Any]:
    """The campus, built once through the API, and moto's tables holding it."""
    with _world.fresh():
        client = _client()
        ministry = operator(client, "minister", "ministry")
        campus = Campus(client, ministry, open_school(ministry), open_school(ministry),
                        open_school(ministry, "astana"), operator(client, "region-almaty", "region_admin", "almaty"),
                        operator(client, "region-astana", "region_admin", "astana"))
        return campus, _World.tables()


@pytest.fixture()
def campus(_world: _World, _campus_snapshot: tuple[Campus, Any]) -> Iterator[Campus]:
    """The campus, restored from its snapshot for this test."""
    built, tables = _campus_snapshot
    with _world.fresh(tables):
        yield built
