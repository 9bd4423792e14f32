"""SQS poller: takes messages from a local queue and calls the app's `on_sqs_message` handler with
Lambda-shaped events, so queued work (large roster imports, ...) completes locally.

Which queue: a handler's queue `ejournal-<name>` (or the queue of its `queue_arn`) is the local queue
`<table prefix>-<name>`, e.g. `ejournal-tasks` -> `ejournal-local-tasks`, the queue `TASKS_QUEUE_URL` names.
A missing local queue is created.

Delivery, as Lambda does it: batches of at most `batch_size` (and 10) messages; a handler that returns
normally has its batch deleted; one that raises fails the whole batch; one that returns
`{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}` fails those messages only (an identifier not in
the batch fails the whole batch). Failed messages come back after `retry_seconds` (Lambda: after the queue's
visibility timeout); the queue's redrive policy moves a message that keeps failing to its dead-letter queue.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from chalice import Chalice
from chalice.app import SQSEventConfig

from chalicelib.config import settings
from chalicelib.local.functions import functions_of

__all__ = ["QueuePoller", "local_queue_of", "queue_pollers"]

log = logging.getLogger(__name__)

_APP_PREFIX = "ejournal-"


def local_queue_of(queue: str) -> str:
    """The local queue name for a handler's queue name or ARN."""
    name = queue.rsplit(":", 1)[-1]
    return f"{settings().table_prefix}-{name.removeprefix(_APP_PREFIX)}"


class QueuePoller:
    """Feeds one queue to one function."""

    def __init__(self, function: Callable[[dict[str, Any]], Any], queue_url: str, *, batch_size: int = 10,
                 wait_seconds: int = 1, retry_seconds: int = 1) -> None:
        self.function, self.queue_url = function, queue_url
        self.batch_size, self.wait_seconds, self.retry_seconds = min(batch_size, 10), wait_seconds, retry_seconds
        self.region = settings().region
        self._sqs = boto3.client("sqs", region_name=self.region)
        self.queue_arn: str = self._sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def poll(self) -> int:
        """Receive one batch (waiting up to `wait_seconds`) and deliver it; returns how many messages succeeded."""
        got = self._sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size,
                                        WaitTimeSeconds=self.wait_seconds, AttributeNames=["All"],
                                        MessageAttributeNames=["All"])
        messages = got.get("Messages", [])
        if not messages:
            return 0
        failed = self._deliver(messages)
        for m in messages:
            if m["MessageId"] in failed:
                self._sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"],
                                                    VisibilityTimeout=self.retry_seconds)
            else:
                self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return len(messages) - len(failed)

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set."""
        while not stop.is_set():
            try:
                self.poll()
            except (BotoCoreError, ClientError):
                log.exception("reading the queue %s failed", self.queue_url)
                stop.wait(self.retry_seconds)

    def _deliver(self, messages: list[dict[str, Any]]) -> set[str]:
        """Invoke the function with the batch; the ids of the messages that failed."""
        everything = {m["MessageId"] for m in messages}
        try:
            result = self.function({"Records": [self._lambda_record(m) for m in messages]})
        except Exception:
            log.exception("the handler of %s failed a batch of %d messages", self.queue_url, len(messages))
            return everything
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        failed = {f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures or ()}
        return failed if failed <= everything else everything

    def _lambda_record(self, m: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "md5OfBody": m.get("MD5OfBody", ""),
            "messageAttributes": {name: {k[0].lower() + k[1:]: v for k, v in value.items()}
                                  for name, value in m.get("MessageAttributes", {}).items()},
            "eventSource": "aws:sqs", "eventSourceARN": self.queue_arn, "awsRegion": self.region,
        }


def queue_pollers(app: Chalice, *, wait_seconds: int = 1, retry_seconds: int = 1) -> list[QueuePoller]:
    """A poller for every `on_sqs_message` handler of the app, on its local queue (created when missing)."""
    sqs = boto3.client("sqs", region_name=settings().region)
    return [QueuePoller(f, _queue_url(sqs, local_queue_of(f.source.queue or f.source.queue_arn)),
                        batch_size=f.source.batch_size, wait_seconds=wait_seconds, retry_seconds=retry_seconds)
            for f in functions_of(app, SQSEventConfig)]


def _queue_url(sqs: Any, name: str) -> str:
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return sqs.create_queue(QueueName=name)["QueueUrl"]
