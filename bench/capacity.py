"""DynamoDB request units of everything a block of code does, priced by DynamoDB's own accounting rules.

`CapacityRecorder` hooks botocore itself, so it sees every DynamoDB client in the process (boto3's, the
resource layer's, PynamoDB's own) and prices each call from item sizes, because moto reports no capacity:

- item size: attribute names plus values (`item_size`); 1 KB = 1024 bytes;
- writes: one unit per started KB of the larger of the old and the new item, at least one, failed
  conditional writes included; TransactWriteItems twice that; every secondary index whose entry changes
  costs its own write units (an entry put or deleted; a changed index key = delete + put);
- reads: one unit per started 4 KB, half for eventually consistent reads, at least one unit per item or page;
  GetItem, BatchGetItem and TransactGetItems (x2) per item, Query and Scan once per page over every item
  evaluated (filtered-out items and unprojected attributes included); a ConditionCheck costs a
  transactional read of the checked item.

Sizes come from the wire: the recorder reads each request as sent and each response as received, and fetches
what neither holds (the old item before a write, the new item after an update, whole items behind a projection
or a filter) with its own strongly consistent reads, which are neither recorded nor priced. Failed transactions
and PartiQL statements are counted as calls but not priced.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any, Self

import botocore.session
from botocore.client import BaseClient
from botocore.exceptions import ClientError

__all__ = [
    "CapacityError",
    "CapacityRecorder",
    "Charge",
    "RecordedCall",
    "item_size",
    "read_units",
    "write_units",
]

KB = 1024
READ_UNIT_BYTES = 4 * KB
MAX_NUMBER_BYTES = 21

type AttributeValue = Mapping[str, Any]
type Item = Mapping[str, AttributeValue]

_ACTIVE = "_capacity_recorder_active"
_PATCH = threading.Lock()
_PROJECTING = ("ProjectionExpression", "AttributesToGet")
_FILTERING = ("FilterExpression", "QueryFilter", "ScanFilter", "ConditionalOperator")
_EXPRESSION_VALUES = ("ExpressionAttributeNames", "ExpressionAttributeValues")
_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
_UNKNOWN = object()


class CapacityError(Exception):
    """A call could not be priced, or recording was misused."""


@dataclass(frozen=True)
class Charge:
    """Request units one call consumed on one table (its indexes included)."""

    table: str
    read_units: float = 0.0
    write_units: float = 0.0


@dataclass(frozen=True)
class RecordedCall:
    """One DynamoDB request the recorded code made, with its charges per table."""

    operation: str
    charges: tuple[Charge, ...]


def item_size(item: Item | None) -> int:
    """Bytes DynamoDB counts for an item in wire shape ({"name": {"S": "..."}}); B values as bytes."""
    if item is None:
        return 0
    return sum(_utf8(name) + _value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    """Write units for writing an item of `size` bytes once: one per started KB, at least one."""
    return max(1, math.ceil(size / KB))


def read_units(size: int, *, consistent: bool) -> float:
    """Read units for reading `size` bytes: one per started 4 KB (at least one), halved if eventually consistent."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _number_size(text: str) -> int:
    try:
        digits = Decimal(text).as_tuple().digits
    except InvalidOperation as error:
        raise CapacityError(f"not a DynamoDB number: {text!r}") from error
    significant = "".join(map(str, digits)).strip("0")
    return min(MAX_NUMBER_BYTES, (len(significant) + 1) // 2 + 1)


def _value_size(value: AttributeValue) -> int:
    ((kind, data),) = value.items()
    match kind:
        case "S":
            return _utf8(data)
        case "N":
            return _number_size(data)
        case "B":
            return len(data)
        case "SS":
            return sum(map(_utf8, data))
        case "NS":
            return sum(map(_number_size, data))
        case "BS":
            return sum(map(len, data))
        case "BOOL" | "NULL":
            return 1
        case "L":
            return 3 + sum(1 + _value_size(element) for element in data)
        case "M":
            return 3 + sum(1 + _utf8(name) + _value_size(element) for name, element in data.items())
    raise CapacityError(f"unknown attribute type {kind!r}")


def _from_wire(value: Any) -> Any:
    """The request body as botocore's input shape: binary values decoded from base64."""
    if isinstance(value, list):
        return [_from_wire(element) for element in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((kind, data),) = value.items()
        if kind == "B" and isinstance(data, str):
            return {"B": base64.b64decode(data)}
        if kind == "BS" and isinstance(data, list) and all(isinstance(element, str) for element in data):
            return {"BS": [base64.b64decode(element) for element in data]}
    return {name: _from_wire(element) for name, element in value.items()}


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=lambda data: base64.b64encode(data).decode())


@dataclass(frozen=True)
class _Index:
    keys: tuple[str, ...]
    projection: str
    included: frozenset[str]

    def entry(self, table_keys: tuple[str, ...], item: Item | None) -> Item | None:
        if item is None or any(key not in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item
        names = {*table_keys, *self.keys, *(self.included if self.projection == "INCLUDE" else ())}
        return {name: item[name] for name in names if name in item}

    def write_units(self, table_keys: tuple[str, ...], old: Item | None, new: Item | None) -> int:
        before, after = self.entry(table_keys, old), self.entry(table_keys, new)
        if before is None or after is None:
            return sum(write_units(item_size(entry)) for entry in (before, after) if entry is not None)
        if _frozen([before[key] for key in self.keys]) != _frozen([after[key] for key in self.keys]):
            return write_units(item_size(before)) + write_units(item_size(after))
        if _frozen(before) == _frozen(after):
            return 0
        return write_units(max(item_size(before), item_size(after)))


@dataclass(frozen=True)
class _Table:
    keys: tuple[str, ...]
    indexes: tuple[_Index, ...]

    def key_of(self, item: Item) -> dict[str, AttributeValue]:
        return {key: item[key] for key in self.keys}

    def write_units(self, old: Item | None, new: Item | None, *, times: int = 1) -> float:
        table = times * write_units(max(item_size(old), item_size(new)))
        return float(table + sum(index.write_units(self.keys, old, new) for index in self.indexes))


def _key_names(schema: Iterable[Mapping[str, str]]) -> tuple[str, ...]:
    return tuple(element["AttributeName"] for element in schema)


class _Mirror:
    """Unrecorded strongly consistent reads of one endpoint, and its table descriptions (fetched once)."""

    def __init__(self, client: BaseClient, call: Callable[..., dict[str, Any]]) -> None:
        session = botocore.session.get_session()
        self._client = session.create_client(
            "dynamodb", region_name=client.meta.region_name, endpoint_url=client.meta.endpoint_url
        )
        self._call = call
        self._tables: dict[str, _Table] = {}

    def table(self, name: str) -> _Table:
        if name not in self._tables:
            description = self._call(self._client, "DescribeTable", {"TableName": name})["Table"]
            indexes = [
                _Index(
                    _key_names(index["KeySchema"]),
                    index["Projection"].get("ProjectionType", "ALL"),
                    frozenset(index["Projection"].get("NonKeyAttributes", ())),
                )
                for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                for index in description.get(kind, ())
            ]
            self._tables[name] = _Table(_key_names(description["KeySchema"]), tuple(indexes))
        return self._tables[name]

    def item(self, table: str, item: Item) -> Item | None:
        """The stored item with the key of `item` (a key or a whole item), or None."""
        params = {"TableName": table, "Key": self.table(table).key_of(item), "ConsistentRead": True}
        return self._call(self._client, "GetItem", params).get("Item")

    def page(self, operation: str, request: Mapping[str, Any]) -> list[Item]:
        """Every item a Query or Scan page evaluates, whole: the request without filter and projection."""
        params = {
            name: value
            for name, value in request.items()
            if name not in (*_FILTERING, *_PROJECTING, *_EXPRESSION_VALUES, "Select")
        }
        used = set(_PLACEHOLDER.findall(request.get("KeyConditionExpression", "")))
        for name in _EXPRESSION_VALUES:
            kept = {placeholder: value for placeholder, value in request.get(name, {}).items() if placeholder in used}
            if kept:
                params[name] = kept
        return self._call(self._client, operation, params).get("Items", [])


class _Bill:
    """Charges of one call, summed per table."""

    def __init__(self) -> None:
        self._units: dict[str, list[float]] = {}

    def add(self, table: str, *, read: float = 0.0, write: float = 0.0) -> None:
        units = self._units.setdefault(table, [0.0, 0.0])
        units[0] += read
        units[1] += write

    def charges(self) -> tuple[Charge, ...]:
        return tuple(Charge(table, read, write) for table, (read, write) in self._units.items())


@dataclass
class _Pending:
    operation: str
    request: dict[str, Any]
    old: Any


class CapacityRecorder:
    """Records and prices every DynamoDB call made by any botocore client while the `with` block runs.

    Patches `BaseClient._make_api_call` to hook each DynamoDB client it sees (its before-call and after-call
    events); both are undone on exit. One recorder at a time.
    """

    def __init__(self) -> None:
        self._calls: list[RecordedCall] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._clients: weakref.WeakSet[BaseClient] = weakref.WeakSet()
        self._mirrors: dict[tuple[str | None, str], _Mirror] = {}
        self._original: Callable[..., dict[str, Any]] | None = None
        self._id = f"capacity-recorder-{id(self)}"

    @property
    def calls(self) -> tuple[RecordedCall, ...]:
        """Every recorded call so far, in order."""
        with self._lock:
            return tuple(self._calls)

    def __enter__(self) -> Self:
        with _PATCH:
            original = BaseClient._make_api_call
            if getattr(original, _ACTIVE, False):
                raise CapacityError("another CapacityRecorder is already recording")
            self._original = original

            def _make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> dict[str, Any]:
                if client.meta.service_model.service_name == "dynamodb":
                    self._watch(client)
                return original(client, operation, params)

            setattr(_make_api_call, _ACTIVE, True)
            BaseClient._make_api_call = _make_api_call
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with _PATCH:
            BaseClient._make_api_call = self._original
        for client in list(self._clients):
            client.meta.events.unregister("before-call.dynamodb", unique_id=f"{self._id}-before")
            client.meta.events.unregister("after-call.dynamodb", unique_id=f"{self._id}-after")
        self._clients = weakref.WeakSet()

    def summary(self) -> dict[str, Any]:
        """Calls per operation, total read and write units, and the same per table and per operation."""
        calls: Counter[str] = Counter()
        by_table: dict[str, dict[str, Any]] = {}
        by_operation: dict[str, dict[str, float]] = {}
        for call in self.calls:
            calls[call.operation] += 1
            operation = by_operation.setdefault(call.operation, {"read_units": 0.0, "write_units": 0.0})
            for charge in call.charges:
                table = by_table.setdefault(charge.table, {"calls": Counter(), "read_units": 0.0, "write_units": 0.0})
                table["calls"][call.operation] += 1
                for totals in (table, operation):
                    totals["read_units"] += charge.read_units
                    totals["write_units"] += charge.write_units
        return {
            "calls": dict(sorted(calls.items())),
            "read_units": sum(operation["read_units"] for operation in by_operation.values()),
            "write_units": sum(operation["write_units"] for operation in by_operation.values()),
            "by_table": {
                name: {**table, "calls": dict(sorted(table["calls"].items()))}
                for name, table in sorted(by_table.items())
            },
            "by_operation": dict(sorted(by_operation.items())),
        }

    def _watch(self, client: BaseClient) -> None:
        with self._lock:
            if client in self._clients:
                return
            self._clients.add(client)
        events = client.meta.events
        events.register_first("before-call.dynamodb", self._before_call(client), unique_id=f"{self._id}-before")
        events.register_first("after-call.dynamodb", self._after_call(client), unique_id=f"{self._id}-after")

    def _mirror(self, client: BaseClient) -> _Mirror:
        endpoint = (client.meta.region_name, client.meta.endpoint_url)
        with self._lock:
            if endpoint not in self._mirrors:
                self._mirrors[endpoint] = _Mirror(client, self._original)
            return self._mirrors[endpoint]

    def _before_call(self, client: BaseClient) -> Callable[..., None]:
        def handler(model: Any, params: dict[str, Any], **_: Any) -> None:
            request = _from_wire(json.loads(params.get("body") or b"{}"))
            try:
                old = _old_items(self._mirror(client), model.name, request)
            except ClientError:
                old = _UNKNOWN  # e.g. a missing table: the call itself fails the same way
            self._local.pending = _Pending(model.name, request, old)

        return handler

    def _after_call(self, client: BaseClient) -> Callable[..., None]:
        def handler(model: Any, http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
            pending = self._local.__dict__.pop("pending", None)
            if pending is None or pending.operation != model.name:
                return
            error = parsed.get("Error", {}).get("Code") if http_response.status_code >= 300 else None
            bill = _price(self._mirror(client), pending, parsed, error)
            with self._lock:
                self._calls.append(RecordedCall(model.name, bill.charges()))

        return handler


def _old_items(mirror: _Mirror, operation: str, request: Mapping[str, Any]) -> Any:
    """What a write will overwrite (per written item, in request order), read before the write is sent."""
    match operation:
        case "PutItem" | "UpdateItem" | "DeleteItem":
            return mirror.item(request["TableName"], request.get("Item") or request["Key"])
        case "BatchWriteItem":
            return {
                table: [mirror.item(table, _written_key(write)) for write in writes]
                for table, writes in request["RequestItems"].items()
            }
        case "TransactWriteItems":
            return [
                mirror.item(spec["TableName"], spec.get("Item") or spec["Key"])
                for element in request["TransactItems"]
                for spec in element.values()
            ]
    return None


def _written_key(write: Mapping[str, Any]) -> Item:
    return write["PutRequest"]["Item"] if "PutRequest" in write else write["DeleteRequest"]["Key"]


def _written(mirror: _Mirror, kind: str, spec: Mapping[str, Any]) -> Item | None:
    """The item as a successful write left it: a put's item, an update's result read back, none after a delete."""
    if kind in ("Put", "PutItem"):
        return spec["Item"]
    if kind in ("Update", "UpdateItem"):
        return mirror.item(spec["TableName"], spec["Key"])
    return None


def _price(mirror: _Mirror, pending: _Pending, response: Mapping[str, Any], error: str | None) -> _Bill:
    operation, request, old = pending.operation, pending.request, pending.old
    bill = _Bill()
    for table in _tables_of(request):
        bill.add(table)
    if error is not None:
        if error == "ConditionalCheckFailedException" and operation in ("PutItem", "UpdateItem", "DeleteItem"):
            size = max(item_size(old), item_size(request.get("Item")))
            bill.add(request["TableName"], write=write_units(size))
        return bill
    if old is _UNKNOWN:
        raise CapacityError(f"{operation} succeeded but the item it overwrote could not be read")
    match operation:
        case "GetItem":
            item = mirror.item(request["TableName"], request["Key"]) if _projects(request) else response.get("Item")
            consistent = request.get("ConsistentRead", False)
            bill.add(request["TableName"], read=read_units(item_size(item), consistent=consistent))
        case "BatchGetItem":
            _price_batch_get(mirror, request, response, bill)
        case "TransactGetItems":
            for element, answer in zip(request["TransactItems"], response.get("Responses", ()), strict=True):
                spec = element["Get"]
                item = mirror.item(spec["TableName"], spec["Key"]) if _projects(spec) else answer.get("Item")
                bill.add(spec["TableName"], read=2 * read_units(item_size(item), consistent=True))
        case "Query" | "Scan":
            evaluated = response.get("Items", [])
            if _projects(request) or _filters(request):
                evaluated = mirror.page(operation, request)
            size = sum(map(item_size, evaluated))
            bill.add(request["TableName"], read=read_units(size, consistent=request.get("ConsistentRead", False)))
        case "PutItem" | "UpdateItem" | "DeleteItem":
            table = request["TableName"]
            bill.add(table, write=mirror.table(table).write_units(old, _written(mirror, operation, request)))
        case "BatchWriteItem":
            for table, writes in request["RequestItems"].items():
                unprocessed = {_frozen(write) for write in response.get("UnprocessedItems", {}).get(table, ())}
                for write, before in zip(writes, old[table], strict=True):
                    if _frozen(write) not in unprocessed:
                        new = write.get("PutRequest", {}).get("Item")
                        bill.add(table, write=mirror.table(table).write_units(before, new))
        case "TransactWriteItems":
            for element, before in zip(request["TransactItems"], old, strict=True):
                ((kind, spec),) = element.items()
                table = spec["TableName"]
                if kind == "ConditionCheck":
                    bill.add(table, read=2 * read_units(item_size(before), consistent=True))
                else:
                    new = _written(mirror, kind, spec)
                    bill.add(table, write=mirror.table(table).write_units(before, new, times=2))
    return bill


def _price_batch_get(mirror: _Mirror, request: Mapping[str, Any], response: Mapping[str, Any], bill: _Bill) -> None:
    for table, spec in request["RequestItems"].items():
        schema = mirror.table(table)
        unprocessed = {_frozen(key) for key in response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", ())}
        returned = {_frozen(schema.key_of(item)): item for item in response.get("Responses", {}).get(table, ())}
        for key in spec["Keys"]:
            frozen = _frozen(schema.key_of(key))
            if frozen not in unprocessed:
                item = mirror.item(table, key) if _projects(spec) else returned.get(frozen)
                bill.add(table, read=read_units(item_size(item), consistent=spec.get("ConsistentRead", False)))


def _projects(spec: Mapping[str, Any]) -> bool:
    return any(name in spec for name in _PROJECTING) or spec.get("Select") in ("COUNT", "SPECIFIC_ATTRIBUTES")


def _filters(request: Mapping[str, Any]) -> bool:
    return any(name in request for name in _FILTERING)


def _tables_of(request: Mapping[str, Any]) -> list[str]:
    if "TableName" in request:
        return [request["TableName"]]
    if "RequestItems" in request:
        return list(request["RequestItems"])
    return [spec["TableName"] for element in request.get("TransactItems", ()) for spec in element.values()]
