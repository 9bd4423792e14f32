"""The local runner's queue poller: a tiny app's `on_sqs_message` handler fed from a real (moto) queue."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import boto3
import pytest
from chalice import Chalice
from moto import mock_aws

from chalicelib.config import reset_settings, settings
from chalicelib.local.queues import QueuePoller, local_queue_of, queue_pollers


@pytest.fixture()
def aws_only() -> Iterator[None]:
    with mock_aws():
        reset_settings()
        yield


def poller_of(respond: Callable[[list[dict[str, Any]]], Any]) -> tuple[QueuePoller, list[list[str]]]:
    """A poller of a one-handler app on queue `ejournal-chores`; keeps each batch's bodies."""
    app, batches = Chalice(app_name="queued"), []

    @app.on_sqs_message(queue="ejournal-chores", batch_size=5)
    def work(event: Any) -> Any:
        records = event.to_dict()["Records"]
        batches.append(sorted(r["body"] for r in records))
        return respond(records)

    [poller] = queue_pollers(app, wait_seconds=0, retry_seconds=0)
    return poller, batches


def send(poller: QueuePoller, *bodies: str) -> None:
    for body in bodies:
        boto3.client("sqs").send_message(QueueUrl=poller.queue_url, MessageBody=body)


def waiting(poller: QueuePoller) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=poller.queue_url, AttributeNames=["ApproximateNumberOfMessages",
                                                   "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_the_handlers_queue_is_the_local_queue_of_the_same_name(aws_only: None) -> None:
    poller, _ = poller_of(lambda records: None)
    assert local_queue_of("ejournal-chores") == f"{settings().table_prefix}-chores"
    assert poller.queue_url.endswith(f"/{settings().table_prefix}-chores")
    assert local_queue_of("arn:aws:sqs:eu-central-1:000000000000:ejournal-tasks") == local_queue_of("ejournal-tasks")


def test_messages_arrive_in_lambda_shaped_batches_and_are_deleted(aws_only: None) -> None:
    events: list[dict[str, Any]] = []
    poller, batches = poller_of(events.extend)
    send(poller, "one", "two")
    assert poller.poll() == 2
    assert batches == [["one", "two"]]
    assert events[0]["eventSource"] == "aws:sqs" and events[0]["eventSourceARN"] == poller.queue_arn
    assert {"messageId", "receiptHandle", "attributes", "awsRegion"} <= set(events[0])
    assert waiting(poller) == 0


def test_a_handler_that_raises_gets_the_batch_again(aws_only: None) -> None:
    raised = {"n": 0}

    def explode_once(records: list[dict[str, Any]]) -> None:
        if not raised["n"]:
            raised["n"] += 1
            raise RuntimeError("the task broke")

    poller, batches = poller_of(explode_once)
    send(poller, "import")
    assert poller.poll() == 0
    assert poller.poll() == 1
    assert batches == [["import"], ["import"]]
    assert waiting(poller) == 0


def test_only_the_failed_messages_come_back(aws_only: None) -> None:
    answered = {"n": 0}

    def fail_two_once(records: list[dict[str, Any]]) -> Any:
        answered["n"] += 1
        failed = [r["messageId"] for r in records if r["body"] == "two"]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]} if answered["n"] == 1 else None

    poller, batches = poller_of(fail_two_once)
    send(poller, "one", "two", "three")
    poller.poll()
    poller.poll()
    assert batches == [["one", "three", "two"], ["two"]]
    assert waiting(poller) == 0
