"""The benchmark harness: DynamoDB request-unit accounting, result files, the cold-import scenario, the runner."""

from __future__ import annotations

import json
import math
import platform
import textwrap
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

import bench.__main__ as runner
from bench.capacity import CapacityError, CapacityRecorder, Charge, item_size, read_units, write_units
from bench.cold_import import ColdImportError, measure
from bench.results import Metric, ResultError, write_result

REGION = "eu-central-1"
TABLE = "journal"
KB = 1024


# --- item sizes, by the rules in DynamoDB's "Item sizes and formats" -------------------------------------------


@pytest.mark.parametrize(
    ("item", "size"),
    [
        ({"name": {"S": "Aigerim"}}, 4 + 7),  # name bytes + UTF-8 bytes
        ({"name": {"S": "Айгерим"}}, 4 + 14),  # a Cyrillic letter is 2 bytes
        ({"n": {"N": "12345"}}, 1 + 3 + 1),  # 1 byte per two significant digits + 1
        ({"n": {"N": "-0.00100"}}, 1 + 1 + 1),  # leading and trailing zeros trimmed
        ({"n": {"N": "0"}}, 1 + 1),
        ({"n": {"N": "1" * 38}}, 1 + 19 + 1),  # 38 significant digits at most
        ({"b": {"B": bytes(10)}}, 1 + 10),  # raw bytes, not base64
        ({"ok": {"BOOL": True}}, 2 + 1),
        ({"gone": {"NULL": True}}, 4 + 1),
        ({"tags": {"L": []}}, 4 + 3),  # empty list: 3 bytes
        ({"l": {"L": [{"S": "ab"}, {"S": "c"}]}}, 1 + 3 + (1 + 2) + (1 + 1)),  # 1 byte per element
        ({"m": {"M": {"k": {"S": "v"}}}}, 1 + 3 + (1 + 1 + 1)),  # map elements count their names
        ({"ss": {"SS": ["a", "bc"]}}, 2 + 3),
        ({"pk": {"S": "school#1"}, "v": {"N": "7"}}, (2 + 8) + (1 + 2)),
    ],
)
def test_item_size_follows_dynamodb_rules(item: dict[str, Any], size: int) -> None:
    assert item_size(item) == size


@given(st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: abs(d.adjusted()) < 100))  # short "f" text
def test_number_size_depends_only_on_significant_digits(number: Decimal) -> None:
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    sizes = {item_size({"n": {"N": text}}) - 1 for text in (str(number), f"{number:f}", f"{number:E}")}
    assert sizes == {min(21, math.ceil(len(digits) / 2) + 1)}


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=5), st.dictionaries(st.text(min_size=1), st.text()))
def test_item_size_is_the_sum_of_its_attributes(first: dict[str, str], second: dict[str, str]) -> None:
    items = [{name: {"S": value} for name, value in part.items()} for part in (first, second)]
    second_only = {name: value for name, value in items[1].items() if name not in items[0]}
    assert item_size(items[0] | second_only) == item_size(items[0]) + item_size(second_only)


@given(st.lists(st.text(), max_size=20))
def test_list_costs_three_bytes_and_one_per_element(texts: list[str]) -> None:
    listed = item_size({"l": {"L": [{"S": text} for text in texts]}})
    assert listed == 1 + 3 + sum(1 + len(text.encode()) for text in texts)


@pytest.mark.parametrize(
    ("size", "strong", "eventual"),
    [
        (3500, 1.0, 0.5),  # a 3.5 KB item reads as 4 KB
        (8 * KB, 2.0, 1.0),
        (0, 1.0, 0.5),  # reading nothing still costs a unit
        (int(40.8 * KB), 11.0, 5.5),  # a Query of 40.8 KB rounds to 44 KB once
        (1500 * 64, 24.0, 12.0),  # 1,500 items of 64 bytes: 96,000 bytes
    ],
)
def test_read_units_follow_documented_examples(size: int, strong: float, eventual: float) -> None:
    assert read_units(size, consistent=True) == strong
    assert read_units(size, consistent=False) == eventual


@given(st.integers(min_value=1, max_value=400 * KB))
def test_write_units_are_started_kilobytes(size: int) -> None:
    units = write_units(size)
    assert (units - 1) * KB < size <= units * KB


def test_write_units_examples() -> None:
    assert [write_units(size) for size in (0, 500, KB, 1536, 3 * KB + 1)] == [1, 1, 1, 2, 4]


def test_unknown_attribute_type_is_refused() -> None:
    with pytest.raises(CapacityError):
        item_size({"x": {"Z": "?"}})


# --- the recorder, against moto ---------------------------------------------------------------------------------


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gpk")],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_pupil",
                    "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        )
        yield dynamodb


def entry(sk: str, size: int, *, pk: str = "class#1", **extra: str) -> dict[str, Any]:
    """An item of exactly `size` bytes (padded in attribute "d"); extra attributes are strings."""
    item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}} | {name: {"S": value} for name, value in extra.items()}
    item["d"] = {"S": ""}
    item["d"] = {"S": "x" * (size - item_size(item))}
    assert item_size(item) == size
    return item


def key(sk: str, pk: str = "class#1") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def units(recorder: CapacityRecorder) -> tuple[float, float]:
    summary = recorder.summary()
    return summary["read_units"], summary["write_units"]


def test_put_costs_started_kilobytes_plus_an_index_write(client: Any) -> None:
    with CapacityRecorder() as recorder:
        client.put_item(TableName=TABLE, Item=entry("plain", 1536))
        client.put_item(TableName=TABLE, Item=entry("indexed", 1536, gpk="pupil#1"))
    assert [call.charges for call in recorder.calls] == [(Charge(TABLE, 0.0, 2.0),), (Charge(TABLE, 0.0, 3.0),)]


def test_overwrite_costs_the_larger_of_old_and_new(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("a", 3 * KB))
    with CapacityRecorder() as recorder:
        client.put_item(TableName=TABLE, Item=entry("a", 500))
    assert units(recorder) == (0.0, 3.0)


def test_index_key_change_costs_a_delete_and_a_put(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("a", 500, gpk="pupil#1"))
    with CapacityRecorder() as recorder:
        client.update_item(
            TableName=TABLE,
            Key=key("a"),
            UpdateExpression="SET gpk = :g",
            ExpressionAttributeValues={":g": {"S": "p#2"}},
        )
        client.update_item(
            TableName=TABLE,
            Key=key("a"),
            UpdateExpression="SET note = :n",
            ExpressionAttributeValues={":n": {"S": "ok"}},
        )
    # a key change deletes and puts the index entry; a change the index does not project costs it nothing
    assert [call.charges[0].write_units for call in recorder.calls] == [1 + 2, 1 + 0]


def test_deletes_cost_at_least_a_unit(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("a", 1536, gpk="pupil#1"))
    with CapacityRecorder() as recorder:
        client.delete_item(TableName=TABLE, Key=key("a"))
        client.delete_item(TableName=TABLE, Key=key("missing"))
    assert [call.charges[0].write_units for call in recorder.calls] == [2 + 1, 1]


def test_failed_conditional_write_is_charged_and_still_raised(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("a", 500))
    with CapacityRecorder() as recorder, pytest.raises(ClientError, match="ConditionalCheckFailed"):
        client.put_item(TableName=TABLE, Item=entry("a", 1536), ConditionExpression="attribute_not_exists(pk)")
    assert units(recorder) == (0.0, 2.0)
    assert client.get_item(TableName=TABLE, Key=key("a"))["Item"]["d"] == entry("a", 500)["d"]


def test_transactions_cost_double(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("checked", 500))
    with CapacityRecorder() as recorder:
        client.transact_write_items(
            TransactItems=[{"Put": {"TableName": TABLE, "Item": entry(sk, 300)}} for sk in ("a", "b")]
        )
        client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": key("checked"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {"Put": {"TableName": TABLE, "Item": entry("c", 300)}},
            ]
        )
        client.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key(sk)}} for sk in ("a", "b")])
    assert [call.charges for call in recorder.calls] == [
        (Charge(TABLE, 0.0, 4.0),),
        (Charge(TABLE, 2.0, 2.0),),
        (Charge(TABLE, 4.0, 0.0),),
    ]


def test_query_rounds_the_page_once_and_counts_filtered_items(client: Any) -> None:
    for sk in ("a", "b", "c"):
        client.put_item(TableName=TABLE, Item=entry(sk, 2 * KB, mark=sk))
    query = {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "class#1"}},
    }
    with CapacityRecorder() as recorder:
        client.query(**query, ConsistentRead=True)
        client.query(**query)
        found = client.query(
            **query | {"ExpressionAttributeValues": {":pk": {"S": "class#1"}, ":m": {"S": "b"}}},
            FilterExpression="mark = :m",
            ProjectionExpression="sk",
            ConsistentRead=True,
        )
        client.scan(TableName=TABLE, Select="COUNT", ConsistentRead=True)
    assert [item["sk"]["S"] for item in found["Items"]] == ["b"]
    assert [call.charges[0].read_units for call in recorder.calls] == [2.0, 1.0, 2.0, 2.0]


def test_index_query_reads_index_entries(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("a", 3 * KB, gpk="pupil#1"))
    with CapacityRecorder() as recorder:
        client.query(
            TableName=TABLE,
            IndexName="by_pupil",
            KeyConditionExpression="gpk = :g",
            ExpressionAttributeValues={":g": {"S": "pupil#1"}},
        )
    assert units(recorder) == (0.5, 0.0)


def test_gets_are_priced_per_whole_item(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=entry("big", 5 * KB))
    client.put_item(TableName=TABLE, Item=entry("small", 1536))
    client.put_item(TableName=TABLE, Item=entry("medium", 6656))
    with CapacityRecorder() as recorder:
        client.get_item(TableName=TABLE, Key=key("big"), ConsistentRead=True)
        client.get_item(TableName=TABLE, Key=key("big"), ProjectionExpression="sk")
        client.get_item(TableName=TABLE, Key=key("missing"))
        client.batch_get_item(RequestItems={TABLE: {"Keys": [key("small"), key("medium")], "ConsistentRead": True}})
    assert [call.charges[0].read_units for call in recorder.calls] == [2.0, 1.0, 0.5, 1.0 + 2.0]


def test_batch_write_is_priced_per_item(client: Any) -> None:
    writes = [{"PutRequest": {"Item": entry(sk, 1536)}} for sk in ("a", "b", "c")]
    with CapacityRecorder() as recorder:
        client.batch_write_item(RequestItems={TABLE: writes})
    assert units(recorder) == (0.0, 6.0)


def test_binary_values_count_their_raw_bytes(client: Any) -> None:
    item = key("blob") | {"b": {"B": bytes(range(256)) * 5}}
    with CapacityRecorder() as recorder:
        client.put_item(TableName=TABLE, Item=item)
        client.delete_item(TableName=TABLE, Key=key("blob"))
    assert item_size(item) == 1296
    assert units(recorder) == (0.0, 4.0)


def test_resource_layer_and_pynamodb_clients_are_recorded(client: Any) -> None:
    class Pupil(Model):
        class Meta:
            table_name = TABLE
            region = REGION

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        d = UnicodeAttribute()

    Pupil("class#1", "made-before", d="x").save()  # PynamoDB's client exists before recording starts
    with CapacityRecorder() as recorder:
        boto3.resource("dynamodb", region_name=REGION).Table(TABLE).put_item(
            Item={"pk": "class#1", "sk": "resource", "d": "x" * 1536}
        )
        Pupil("class#1", "pynamodb", d="x" * 1536).save()
        Pupil.get("class#1", "pynamodb", consistent_read=True)
    summary = recorder.summary()
    assert summary["calls"] == {"GetItem": 1, "PutItem": 2}
    assert (summary["read_units"], summary["write_units"]) == (1.0, 4.0)


def test_summary_reports_operations_and_tables(client: Any) -> None:
    with CapacityRecorder() as recorder:
        client.put_item(TableName=TABLE, Item=entry("a", 100))
        client.get_item(TableName=TABLE, Key=key("a"))
        client.describe_table(TableName=TABLE)
    assert recorder.summary() == {
        "calls": {"DescribeTable": 1, "GetItem": 1, "PutItem": 1},
        "read_units": 0.5,
        "write_units": 1.0,
        "by_table": {
            TABLE: {"calls": {"DescribeTable": 1, "GetItem": 1, "PutItem": 1}, "read_units": 0.5, "write_units": 1.0}
        },
        "by_operation": {
            "DescribeTable": {"read_units": 0.0, "write_units": 0.0},
            "GetItem": {"read_units": 0.5, "write_units": 0.0},
            "PutItem": {"read_units": 0.0, "write_units": 1.0},
        },
    }


def test_recording_ends_with_the_block_and_does_not_nest(client: Any) -> None:
    original = BaseClient._make_api_call
    with CapacityRecorder() as recorder:
        with pytest.raises(CapacityError), CapacityRecorder():
            pass
        client.get_item(TableName=TABLE, Key=key("a"))
    client.get_item(TableName=TABLE, Key=key("a"))
    assert BaseClient._make_api_call is original
    assert len(recorder.calls) == 1


# --- result files -----------------------------------------------------------------------------------------------


def test_result_file_has_the_agreed_shape(tmp_path: Path) -> None:
    path = write_result(
        "roster_import",
        {"write_units_per_pupil": Metric(2.5, "WRU/pupil", "<= 3"), "pupils": Metric(1000, "pupils")},
        directory=tmp_path,
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert path == tmp_path / "roster_import.json"
    assert document["scenario"] == "roster_import"
    assert document["python"] == platform.python_version()
    assert datetime.fromisoformat(document["at"]).utcoffset().total_seconds() == 5 * 3600
    assert document["at"].endswith("+05:00")
    assert document["metrics"] == {
        "write_units_per_pupil": {"value": 2.5, "unit": "WRU/pupil", "goal": "<= 3"},
        "pupils": {"value": 1000, "unit": "pupils", "goal": None},
    }


def test_goals_are_bounds() -> None:
    assert Metric(2.5, "WRU", "<= 3").meets_goal() is True
    assert Metric(4, "ms", 3).meets_goal() is False
    assert Metric(4, "ms", "> 3.5").meets_goal() is True
    assert Metric(4, "ms").meets_goal() is None
    with pytest.raises(ResultError):
        Metric(1, "ms", "fast")
    with pytest.raises(ResultError):
        write_result("../escape", {}, directory=Path("/nonexistent"))


# --- the cold-import scenario, on a small fake app (shape only, never timings) ----------------------------------


@pytest.fixture
def fake_app(tmp_path: Path) -> Path:
    (tmp_path / "chalicelib").mkdir()
    (tmp_path / "chalicelib" / "__init__.py").write_text("JOURNAL = 'journal'\n")
    (tmp_path / ".chalice").mkdir()
    config = {"environment_variables": {"JOURNAL_TABLE": "journal"}, "stages": {"dev": {"environment_variables": {}}}}
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    app = tmp_path / "app.py"
    app.write_text(
        textwrap.dedent(
            """
            import os, sys
            from chalicelib import JOURNAL
            assert os.environ["JOURNAL_TABLE"] == JOURNAL and "AWS_LAMBDA_FUNCTION_NAME" in os.environ
            assert not any("site-packages" in path for path in sys.path)
            """
        )
    )
    return app


def test_cold_import_reports_app_and_floor_with_and_without_pyc(fake_app: Path) -> None:
    metrics = measure(fake_app, runs=1, floor="import json\n", requirements=())
    expected = {
        f"{who}_import{mode}_ms_{statistic}"
        for who in ("app", "floor")
        for mode in ("", "_pyc")
        for statistic in ("median", "p90")
    } | {"app_over_floor_ms", "app_over_floor_pyc_ms", "runs"}
    assert set(metrics) == expected
    assert all(metric.unit == "ms" for name, metric in metrics.items() if name != "runs")
    assert metrics["runs"].value == 1
    assert not list(fake_app.parent.rglob("__pycache__"))  # the sources were copied, never compiled in place


def test_cold_import_of_a_broken_app_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("raise RuntimeError('broken at import')\n")
    with pytest.raises(ColdImportError, match="broken at import"):
        measure(tmp_path / "app.py", runs=1, floor="\n", requirements=())
    with pytest.raises(ColdImportError):
        measure(tmp_path / "missing.py", runs=1, requirements=())


# --- the runner -------------------------------------------------------------------------------------------------


def test_runner_discovers_scenarios_and_refuses_unknown_ones() -> None:
    assert "cold_import" in runner.scenarios()
    lines: list[str] = []
    assert runner.main(["no-such-scenario"], print_line=lines.append) == 2
    assert "cold_import" in lines[0]


def test_runner_writes_results_and_prints_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = SimpleNamespace(SCENARIO="fake", run=lambda: {"units_per_pupil": Metric(3.5, "WRU/pupil", "<= 3")})
    monkeypatch.setattr(runner, "scenarios", lambda: {"fake": fake})
    lines: list[str] = []
    assert runner.main(["--results", str(tmp_path)], print_line=lines.append) == 0
    assert json.loads((tmp_path / "fake.json").read_text())["metrics"]["units_per_pupil"]["value"] == 3.5
    assert lines[-1].split() == ["fake", "units_per_pupil", "3.5", "WRU/pupil", "<=", "3", "NO"]
