"""Integration tests: the Chalice app through its test client, on moto's in-process AWS."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.config import reset_settings


@pytest.fixture()
def aws() -> Iterator[None]:
    """A fresh, empty AWS per test, with the service's tables, bucket and queue."""
    with mock_aws():
        queue = boto3.client("sqs").create_queue(QueueName="ejournal-test-tasks")["QueueUrl"]
        os.environ["TASKS_QUEUE_URL"] = queue
        reset_settings()
        from chalicelib.config import settings
        from chalicelib.store.base import create_tables

        boto3.client("s3").create_bucket(Bucket=settings().files_bucket,
                                         CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        create_tables()
        _forget_clients()
        yield
        _forget_clients()


def _forget_clients() -> None:
    """Clients cached by the code under test belong to one moto world."""
    from chalicelib.api import idempotency
    from chalicelib.jobs import tasks
    from chalicelib.store import files
    from chalicelib.store.base import all_models

    for cached in (idempotency._store, tasks._sqs, files._s3):
        cached.cache_clear()
    for model in all_models().values():
        model._connection = None
    from chalicelib.store import directory

    for model in vars(directory).values():
        if isinstance(model, type) and hasattr(model, "_connection"):
            model._connection = None


@pytest.fixture()
def client(aws: None) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client


@dataclass
class Api:
    """Speaks JSON to the app as a given user."""

    client: Client
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             content_type: str = "application/json", headers: dict[str, str] | None = None) -> Any:
        h = {"Content-Type": content_type, **self.headers, **(headers or {})}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return getattr(self.client.http, method.lower())(path, headers=h, body=data)

    def as_user(self, username: str, password: str) -> Api:
        response = self.call("POST", "/v1/auth/token", {"username": username, "password": password})
        assert response.status_code == 200, response.body
        return Api(self.client, json.loads(response.body)["access_token"])


def body(response: Any) -> Any:
    return json.loads(response.body)


def drain_tasks() -> int:
    """Run every queued task, as the queue's Lambda would; returns how many ran."""
    from chalicelib.config import settings
    from chalicelib.jobs.tasks import run_task

    sqs, ran = boto3.client("sqs"), 0
    while True:
        got = sqs.receive_message(QueueUrl=settings().tasks_queue_url, MaxNumberOfMessages=10)
        messages = got.get("Messages", [])
        if not messages:
            return ran
        for m in messages:
            run_task(m["Body"])
            sqs.delete_message(QueueUrl=settings().tasks_queue_url, ReceiptHandle=m["ReceiptHandle"])
            ran += 1


ADMIN = ("admin", "admin-password-1")


@pytest.fixture()
def ministry(client: Client) -> Api:
    from chalicelib.auth import kdf_params
    from chalicelib.auth.passwords import hash_password
    from chalicelib.store.people import create_operator

    create_operator(ADMIN[0], hash_password(ADMIN[1], kdf_params()), role="ministry", last_name="Admin",
                    first_name="Ministry")
    return Api(client).as_user(*ADMIN)
