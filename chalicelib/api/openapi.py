"""The OpenAPI 3.1 document, built from the endpoints as registered (so it cannot drift from the app)."""
from __future__ import annotations

import re
from typing import Any

from chalicelib.api.body import Field, ListOf, Shape
from chalicelib.api.http import ENDPOINTS, Endpoint, Query

__all__ = ["document"]

_PARAM = re.compile(r"{(\w+)}")
_JSON_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number", dict: "object", list: "array"}
_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Malformed request", 401: "Not authenticated",
            403: "Not allowed", 404: "Not found (or not yours to see)", 405: "Method not allowed",
            409: "Conflict", 413: "Body too large", 415: "Unsupported media type", 422: "Breaks a rule",
            429: "Too many requests", 503: "Unavailable"}


def _schema(kind: Any) -> dict[str, Any]:
    if isinstance(kind, dict):
        return _object(kind)
    if isinstance(kind, ListOf):
        schema: dict[str, Any] = {"type": "array", "items": _schema(kind.item)}
        if kind.max_items is not None:
            schema["maxItems"] = kind.max_items
        return schema
    return {"type": _JSON_TYPES.get(kind, "string")}


def _field(spec: Field) -> dict[str, Any]:
    schema = _schema(spec.kind)
    if spec.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _object(shape: Shape) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "properties": {name: _field(spec) for name, spec in shape.items()},
            "required": [name for name, spec in shape.items() if spec.required]}


def _served_by_every_route(e: Endpoint) -> set[int]:
    """What the shared request handling may answer, whatever the view: a malformed or too large request, no
    token, a write that lost a race to another, a body of a media type the route does not take."""
    statuses = {400, 413} | (set() if e.public else {401})
    if e.method != "GET":
        statuses.add(409)
    if e.method in ("POST", "PUT", "PATCH"):
        statuses.add(415)
    return statuses


def _query_parameter(name: str, q: Query) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": q.required, "description": q.description,
            "schema": {key: list(value) if isinstance(value, tuple) else value for key, value in q.schema}}


def _operation(e: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": e.summary,
        "operationId": f"{e.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', e.path.lower()).strip('_')}",
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                       for p in _PARAM.findall(e.path)]
                      + [_query_parameter(name, q) for name, q in e.query],
        "responses": {},
    }
    if e.creates:
        op["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                 "schema": {"type": "string", "maxLength": 255}})
    if e.request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _object(e.request)}}}
    elif e.method in ("POST", "PUT") and e.content_types != ("application/json",):
        op["requestBody"] = {"required": True,
                             "content": {ct: {"schema": {"type": "string"}} for ct in e.content_types}}
    statuses = sorted(set(e.statuses) | _served_by_every_route(e))
    for status in statuses:
        if status < 300:
            op["responses"][str(status)] = {"description": _REASONS.get(status, "OK"),
                                            "content": {"application/json": {"schema": {}}}}
        else:
            op["responses"][str(status)] = {"description": _REASONS.get(status, "Error"), "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if e.public:
        op["security"] = []
    return op


def document() -> dict[str, Any]:
    """Every registered route, with full `/v1/...` paths."""
    paths: dict[str, dict[str, Any]] = {}
    for e in ENDPOINTS:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ejournal-kz", "version": "1.0.0",
                 "description": "The electronic school journal and diary for Kazakhstan's schools."},
        "paths": dict(sorted(paths.items())),
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"Problem": {
                "type": "object", "required": ["type", "title", "status"],
                "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                               "status": {"type": "integer"}, "detail": {"type": "string"},
                               "instance": {"type": "string"},
                               "errors": {"type": "array", "items": {
                                   "type": "object", "properties": {"field": {"type": "string"},
                                                                    "message": {"type": "string"}}}}}}},
        },
    }
