"""The local runner's stream poller: a tiny app's `on_dynamodb_record` handler fed from a real (moto) table."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import boto3
import pytest
from chalice import Chalice
from moto import mock_aws

from chalicelib.config import reset_settings, settings
from chalicelib.local.streams import StreamPoller, UnknownStream, local_table_of, stream_pollers

ARN = "arn:aws:dynamodb:eu-central-1:000000000000:table/pollertest/stream/local"


@pytest.fixture()
def table() -> Iterator[str]:
    """A local table with a stream, named as the placeholder ARN says: `<prefix>-pollertest`."""
    with mock_aws():
        reset_settings()
        name = settings().table("pollertest")
        boto3.client("dynamodb").create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        yield name


def put(table: str, *keys: str) -> None:
    for key in keys:
        boto3.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": key}})


def poller_of(respond: Callable[[list[dict[str, Any]]], Any], *, batch_size: int = 2,
              retries: int = 3) -> tuple[StreamPoller, list[list[str]]]:
    """A poller of a one-handler app; `respond(records)` decides what the handler returns. Keeps each batch's keys."""
    app, batches = Chalice(app_name="streamed"), []

    @app.on_dynamodb_record(stream_arn=ARN, batch_size=batch_size)
    def consume(event: Any) -> Any:
        records = event.to_dict()["Records"]
        batches.append([r["dynamodb"]["Keys"]["pk"]["S"] for r in records])
        return respond(records)

    [poller] = stream_pollers(app, retries=retries)
    return poller, batches


def drain(poller: StreamPoller, rounds: int = 12) -> None:
    for _ in range(rounds):
        poller.poll()


def fail(key: str, times: int) -> Callable[[list[dict[str, Any]]], Any]:
    """Report the record of `key` as failed the first `times` times it is delivered."""
    left = {"n": times}

    def respond(records: list[dict[str, Any]]) -> Any:
        failed = [r["dynamodb"]["SequenceNumber"] for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == key]
        if failed and left["n"] > 0:
            left["n"] -= 1
            return {"batchItemFailures": [{"itemIdentifier": failed[0]}]}
        return {"batchItemFailures": []}
    return respond


def test_records_arrive_in_lambda_shaped_batches(table: str) -> None:
    put(table, "before")
    events: list[dict[str, Any]] = []

    def keep(records: list[dict[str, Any]]) -> None:
        events.extend(records)

    poller, batches = poller_of(keep)
    put(table, "a", "b", "c")
    drain(poller)
    assert batches == [["a", "b"], ["c"]]  # what was written before the poller started is not delivered
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    first = events[0]
    assert first["eventSourceARN"] == poller.stream_arn == stream_arn
    assert first["eventName"] == "INSERT" and first["eventSource"] == "aws:dynamodb"
    assert first["awsRegion"] == "eu-central-1"
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)
    assert first["dynamodb"]["NewImage"] == {"pk": {"S": "a"}}


def test_a_partial_failure_redelivers_from_the_first_failed_record(table: str) -> None:
    poller, batches = poller_of(fail("b", times=1), batch_size=3)
    put(table, "a", "b", "c", "d")
    drain(poller)
    assert batches == [["a", "b", "c"], ["b", "c", "d"]]
    assert poller.discarded == []


def test_a_handler_that_raises_gets_the_whole_batch_again(table: str) -> None:
    raised = {"n": 0}

    def explode_once(records: list[dict[str, Any]]) -> None:
        if not raised["n"]:
            raised["n"] += 1
            raise RuntimeError("the consumer broke")

    poller, batches = poller_of(explode_once)
    put(table, "a", "b")
    drain(poller)
    assert batches == [["a", "b"], ["a", "b"]]


def test_an_identifier_outside_the_batch_fails_the_whole_batch(table: str) -> None:
    answers = iter([{"batchItemFailures": [{"itemIdentifier": "no-such-record"}]}])
    poller, batches = poller_of(lambda records: next(answers, None))
    put(table, "a", "b")
    drain(poller)
    assert batches == [["a", "b"], ["a", "b"]]


def test_a_record_that_keeps_failing_is_given_up_after_the_retries(table: str) -> None:
    poller, batches = poller_of(fail("b", times=99), retries=2)
    put(table, "a", "b", "c", "d")
    drain(poller)
    assert batches == [["a", "b"], ["b", "c"], ["b", "c"], ["d"]]  # one delivery, two retries, then the next batch
    [lost] = poller.discarded
    assert lost.first_sequence_number != lost.last_sequence_number


def test_the_placeholder_arn_names_the_table_suffix() -> None:
    reset_settings()
    assert local_table_of("arn:aws:dynamodb:eu-central-1:000000000000:table/journal/stream/local") == \
        settings().table("journal")
    with pytest.raises(UnknownStream):
        local_table_of("arn:aws:sqs:eu-central-1:000000000000:journal")


def test_a_table_without_a_stream_is_refused(table: str) -> None:
    boto3.client("dynamodb").create_table(
        TableName=settings().table("quiet"), BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    with pytest.raises(UnknownStream):
        StreamPoller(lambda event: None, settings().table("quiet"))
