"""The local runner's fix of moto's transactions (one table copy per transaction) keeps their meaning."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.local.emulator import copy_tables_once_per_transaction


@pytest.fixture()
def dynamodb() -> Iterator[Any]:
    copy_tables_once_per_transaction()
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(TableName="things", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        client.put_item(TableName="things", Item={"pk": {"S": "taken"}, "n": {"N": "1"}})
        yield client


def put_new(key: str) -> dict[str, Any]:
    return {"Put": {"TableName": "things", "Item": {"pk": {"S": key}},
                    "ConditionExpression": "attribute_not_exists(pk)"}}


def keys(client: Any) -> set[str]:
    return {item["pk"]["S"] for item in client.scan(TableName="things")["Items"]}


def test_a_transaction_writes_all_its_items(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put_new(f"k{n}") for n in range(30)])
    assert keys(dynamodb) == {"taken"} | {f"k{n}" for n in range(30)}


def test_a_cancelled_transaction_writes_nothing(dynamodb: Any) -> None:
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=[put_new("a"), put_new("b"), put_new("taken")])
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert keys(dynamodb) == {"taken"}


def test_other_writes_still_copy_what_they_change(dynamodb: Any) -> None:
    dynamodb.update_item(TableName="things", Key={"pk": {"S": "taken"}}, UpdateExpression="SET n = n + :one",
                         ExpressionAttributeValues={":one": {"N": "1"}})
    dynamodb.transact_write_items(TransactItems=[{"Update": {
        "TableName": "things", "Key": {"pk": {"S": "taken"}}, "UpdateExpression": "SET n = n + :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    assert dynamodb.get_item(TableName="things", Key={"pk": {"S": "taken"}})["Item"]["n"] == {"N": "3"}
