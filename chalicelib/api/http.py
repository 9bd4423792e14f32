"""How every route is served: authenticate, call the view, answer JSON or a problem document.

`endpoint()` registers a view on a blueprint and records it for the OpenAPI document. Views receive a `Call`
(the request, the caller, the path parameters) and return a `Reply` or a JSON-able value (200). A view reads
only the query parameters its endpoint declares (`query=`), so the document lists every one a client may send.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Blueprint, Response
from pynamodb.exceptions import PynamoDBException, TransactWriteError

from chalicelib.api.body import Shape, check_shape, parse_json
from chalicelib.domain.errors import Conflict, NotFound, Problem, Unauthorized
from chalicelib.domain.ids import is_id
from chalicelib.domain.policy import Caller

__all__ = ["Call", "Reply", "Query", "Endpoint", "ENDPOINTS", "UndeclaredQuery", "endpoint", "problem_response",
           "json_response"]

JSON = "application/json; charset=utf-8"
PROBLEM_JSON = "application/problem+json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Reply:
    """A view's answer when it is not a plain 200."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class UndeclaredQuery(LookupError):
    """A view read a query parameter its endpoint does not declare: a programming error, never a client's."""


@dataclass(frozen=True, slots=True)
class Query:
    """A query parameter an endpoint declares: what it means (and its format), its JSON schema, and whether the
    view answers 400 without it."""

    description: str
    schema: tuple[tuple[str, Any], ...] = (("type", "string"),)
    required: bool = False

    @classmethod
    def integer(cls, description: str, low: int, high: int, *, required: bool = False) -> Query:
        return cls(description, (("type", "integer"), ("minimum", low), ("maximum", high)), required)

    @classmethod
    def one_of(cls, description: str, values: Iterable[str], *, required: bool = False) -> Query:
        return cls(description, (("type", "string"), ("enum", tuple(values))), required)

    @classmethod
    def flag(cls, description: str) -> Query:
        return cls(description, (("type", "boolean"),))

    @classmethod
    def date(cls, description: str, *, required: bool = False) -> Query:
        return cls(description, (("type", "string"), ("format", "date")), required)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A registered route, as the OpenAPI document describes it."""

    path: str
    method: str
    summary: str
    public: bool
    creates: bool
    content_types: tuple[str, ...]
    request: Shape | None
    statuses: tuple[int, ...]
    query: tuple[tuple[str, Query], ...] = ()


ENDPOINTS: list[Endpoint] = []


class Call:
    """One request to a view."""

    def __init__(self, request: Any, caller: Caller | None, params: dict[str, str],
                 declared: Iterable[str] = ()) -> None:
        self.request = request
        self._caller = caller
        self.params = params
        self._declared = frozenset(declared)

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise Unauthorized("A bearer token is required.")
        return self._caller

    def act_as(self, caller: Caller) -> None:
        """Serve the rest of the request for `caller` (a substitute teacher acts as the journal's teacher)."""
        self._caller = caller

    @property
    def raw_body(self) -> bytes:
        return self.request.raw_body or b""

    def query(self, name: str, default: str | None = None) -> str | None:
        """The query parameter `name` as sent (`default` when absent); only one the endpoint declares."""
        if name not in self._declared:
            raise UndeclaredQuery(f"{self.request.method} {self.request.path} reads the query parameter {name!r} "
                                  f"without declaring it: add it to the endpoint's query=")
        return (self.request.query_params or {}).get(name, default)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def json(self, shape: Shape) -> dict[str, Any]:
        """The body, checked against `shape` (400 otherwise)."""
        return check_shape(parse_json(self.raw_body), shape)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": JSON, **(headers or {})})


def problem_response(problem: Problem, instance: str | None = None) -> Response:
    doc = problem.document()
    if instance:
        doc["instance"] = instance
    return Response(body=json.dumps(doc, ensure_ascii=False), status_code=problem.status,
                    headers={"Content-Type": PROBLEM_JSON, **problem.headers})


def endpoint(bp: Blueprint, path: str, method: str = "GET", *, summary: str, public: bool = False,
             creates: bool = False, request: Shape | None = None,
             content_types: tuple[str, ...] = ("application/json",),
             statuses: tuple[int, ...] = (), query: Mapping[str, str | Query] = {}) -> Callable:
    """Register `view` for `method path` on `bp`: authenticated unless `public`, idempotent when `creates`.
    `query` names the query parameters the view reads, each with its description (a string) or a `Query`."""
    declared = tuple((name, spec if isinstance(spec, Query) else Query(spec)) for name, spec in query.items())
    names = frozenset(name for name, _ in declared)

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handler(**params: str) -> Response:
            req = bp.current_request
            where = path.format(**params)  # the path asked for, not the route's template
            try:
                caller = None if public else _authenticate(req)
                for name, value in params.items():
                    if name.endswith("_id") and not is_id(value):  # no object has such an id
                        raise NotFound(f"No such {name.removesuffix('_id')}.")
                call = Call(req, caller, params, names)
                key = req.headers.get("idempotency-key") if creates else None
                if key is None:
                    return _respond(view(call, **params))
                scope = f"{caller.user_id if caller else '-'}|{method} {where}"
                stored = _once(scope, key, call.raw_body, lambda: _stored(view(call, **params)),
                               req.lambda_context)
                return json_response(stored["body"], stored["status"], stored["headers"])
            except Problem as problem:
                return problem_response(problem, where)
            except PynamoDBException as exc:
                if not _lost_race(exc):
                    raise
                return problem_response(Conflict("Another request changed this at the same moment; read it again "
                                                 "and retry."), where)

        ENDPOINTS.append(Endpoint(path, method, summary, public, creates, tuple(content_types), request,
                                  tuple(statuses), declared))
        # A request without a body (GET, DELETE) is served whatever Content-Type a client sends with it.
        accepted = ["*/*"] if method in ("GET", "DELETE", "HEAD") else list(content_types)
        bp.route(path, methods=[method], content_types=accepted)(handler)
        return handler

    return register


def _lost_race(exc: PynamoDBException) -> bool:
    """A conditional write refused because another request wrote the same item first (a version, a guard)."""
    if isinstance(exc, TransactWriteError):
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or [])
    return exc.cause_response_code == "ConditionalCheckFailedException"


def _stored(result: Any) -> dict[str, Any]:
    reply = result if isinstance(result, Reply) else Reply(result)
    return {"body": reply.body, "status": reply.status, "headers": reply.headers}


def _respond(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    reply = result if isinstance(result, Reply) else Reply(result)
    return json_response(reply.body, reply.status, reply.headers)


def _authenticate(request: Any) -> Caller:
    from chalicelib.auth import authenticate  # the auth package pulls JWT libraries: only routes that need it

    return authenticate(request.headers.get("authorization"))


def _once(scope: str, key: str, body: bytes, run: Callable[[], dict[str, Any]], context: Any) -> dict[str, Any]:
    from chalicelib.api.idempotency import once

    return once(scope, key, body, run, context)
