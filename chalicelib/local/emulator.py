"""The embedded AWS: moto's ThreadedMotoServer on 127.0.0.1 (a free port), the environment that points the
app at it, and the resources the app expects (tables, files bucket, tasks queue, e-mail sender domain).

The environment is set in this process before the app is imported, so every boto3 client and PynamoDB model
of the app talks to the emulator and never to AWS: fake credentials, `AWS_ENDPOINT_URL`, region
eu-central-1, `STAGE=local`, a fresh signing keyring (tokens die with the process).
"""
from __future__ import annotations

import base64
import copy
import functools
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.table import Table
from moto.server import ThreadedMotoServer

from chalicelib.auth.tokens import SigningKeyring
from chalicelib.config import reset_settings, settings
from chalicelib.local.queues import local_queue_of

__all__ = ["ACCOUNT_ID", "REGION", "SENDER_DOMAIN", "Emulator", "copy_tables_once_per_transaction", "create_resources",
           "point_environment_at"]

ACCOUNT_ID = DEFAULT_ACCOUNT_ID
REGION = "eu-central-1"
SENDER_DOMAIN = "ejournal.kz"  # verified in SES, so e-mail from any address of it is accepted
TASKS_QUEUE = "ejournal-tasks"  # the queue app.py's `tasks` handler reads; its URL is needed before the import
_DEAD_LETTER_AFTER = 5  # receives

_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "TABLE_PREFIX",
            "FILES_BUCKET", "TASKS_QUEUE_URL", "SIGNING_KEYS", "IDENTITY_PROVIDER", "KDF_COST")


class _TableCopies:
    """Stands in for `copy` in moto's DynamoDB backend: within one transaction, each table is copied once.

    moto 5.2 keeps a deep copy of a table for rollback once per ITEM of a TransactWriteItems call, so a call costs
    items x table size: 100 items on a table of 2,000 items take 10 s, and the demo seed 7 s instead of 2 s
    (measured). The copy taken for the first item serves the others: nothing replaces a table before the
    transaction ends, and a rollback puts that copy back as before.
    """

    def __init__(self) -> None:
        self._current = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        copies = getattr(self._current, "copies", None)
        if copies is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in copies:
            copies[id(value)] = copy.deepcopy(value, memo)
        return copies[id(value)]

    def around(self, transact: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(transact)
        def transact_write_items(backend: Any, *args: Any, **kwargs: Any) -> Any:
            self._current.copies = {}
            try:
                return transact(backend, *args, **kwargs)
            finally:
                self._current.copies = None
        return transact_write_items


def copy_tables_once_per_transaction() -> None:
    """Make moto's TransactWriteItems copy each table once, not once per item (see `_TableCopies`); idempotent."""
    if not isinstance(dynamodb_models.copy, _TableCopies):
        copies = _TableCopies()
        dynamodb_models.copy = copies  # type: ignore[assignment]
        backend = dynamodb_models.DynamoDBBackend
        backend.transact_write_items = copies.around(backend.transact_write_items)  # type: ignore[method-assign]


class Emulator:
    """moto's server in a thread of this process."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per emulated AWS call
        copy_tables_once_per_transaction()
        self._server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
        self._running = False

    def start(self) -> str:
        """Start serving; returns the endpoint URL."""
        self._server.start()
        self._running = True
        return self.endpoint

    @property
    def endpoint(self) -> str:
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._running:
            self._server.stop()
            self._running = False


def point_environment_at(endpoint: str, stage_variables: Mapping[str, str]) -> None:
    """Set this process's environment for the local stage on the emulator at `endpoint`.

    `stage_variables` are the local stage's variables of `.chalice/config.json` (as `chalice local` sets them);
    the emulator's settings override them.
    """
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_") or n in _CLEARED]:
        del os.environ[name]
    os.environ.update(stage_variables)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # no metrics document printed per request
    keyring = SigningKeyring.generate()
    os.environ.update({
        "STAGE": "local",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "SIGNING_KEYS": json.dumps({"active": keyring.active_kid, "keys": {
            kid: base64.b64encode(keyring.secret(kid) or b"").decode("ascii") for kid in keyring.kids}}),
    })
    reset_settings()
    os.environ["TASKS_QUEUE_URL"] = _tasks_queue()
    reset_settings()


def _tasks_queue() -> str:
    """The tasks queue, with a dead-letter queue for messages that keep failing; returns its URL."""
    sqs = boto3.client("sqs", region_name=REGION)
    name = local_queue_of(TASKS_QUEUE)
    dead = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": _DEAD_LETTER_AFTER})
    return sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"]


def create_resources() -> None:
    """The tables of the store, the files bucket and the e-mail sender domain."""
    from chalicelib.store.base import create_tables

    create_tables()
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=settings().files_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("ses", region_name=REGION).verify_domain_identity(Domain=SENDER_DOMAIN)
