"""Chalice middleware for every HTTP request: size limit, problem documents for every error, logs, metrics."""
from __future__ import annotations

import json
import time
from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from chalice import Response

from chalicelib.api.http import problem_response
from chalicelib.api.kundelik import envelope as kundelik
from chalicelib.config import settings
from chalicelib.domain.errors import (
    BadRequest, MethodNotAllowed, NotFound, PayloadTooLarge, Problem, UnsupportedMediaType,
)

__all__ = ["logger", "metrics", "serve_http"]

logger = Logger(service="ejournal")
metrics = Metrics(namespace="ejournal", service="api")

# Chalice's own error answers (bad JSON, wrong method, wrong content type), as problem documents.
_CHALICE_ERRORS: dict[int, type[Problem]] = {400: BadRequest, 404: NotFound, 405: MethodNotAllowed,
                                             413: PayloadTooLarge, 415: UnsupportedMediaType}


def serve_http(request: Any, get_response: Callable[[Any], Response]) -> Response:
    """Run one request; never let an error leave as anything but a problem document."""
    started = time.perf_counter()
    context = getattr(request, "context", None) or {}
    logger.append_keys(correlation_id=context.get("requestId"))
    where = _where(request)
    v2 = kundelik.serves(where)  # the Kundelik v2 layer answers in its own envelope, never problem+json
    try:
        body, limit = request.raw_body or b"", settings().max_body_bytes
        if len(body) > limit:
            response = _failure(PayloadTooLarge(f"The body is {len(body)} bytes; the limit is {limit}."), where, v2)
        else:
            response = get_response(request)
            response = kundelik.as_envelope(response) if v2 else _as_problem(response, where)
    except Exception:  # a bug: answer 500 without details, log the trace (no request data)
        logger.exception("unhandled error")
        response = _failure(Problem("An internal error occurred; it has been logged."), where, v2)
    elapsed_ms = (time.perf_counter() - started) * 1000
    route = context.get("resourcePath", "?")
    logger.info("request", extra={"method": request.method, "route": route,
                                  "status": response.status_code, "ms": round(elapsed_ms, 1)})
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    if response.status_code >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    metrics.clear_metrics()  # where metrics are disabled (tests) flushing keeps them: never let them pile up
    return response


def _failure(problem: Problem, where: str, v2: bool) -> Response:
    return kundelik.error_response(problem) if v2 else problem_response(problem, where)


def _where(request: Any) -> str:
    """The path asked for (`request.path` is the route's template)."""
    try:
        return request.path.format(**(request.uri_params or {}))
    except (KeyError, IndexError, ValueError):
        return request.path


def _as_problem(response: Response, path: str) -> Response:
    """Chalice's own 4xx/5xx answers carry `{"Code", "Message"}`: rewrite them as problem documents."""
    if response.status_code < 400:
        return response
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    if headers.get("content-type", "").startswith("application/problem+json"):
        return response
    message = _message(response.body)
    kind = _CHALICE_ERRORS.get(response.status_code)
    problem = kind(message) if kind else Problem("An internal error occurred; it has been logged.")
    converted = problem_response(problem, path)
    if "allow" in headers:
        converted.headers["Allow"] = headers["allow"]
    return converted


def _message(body: Any) -> str:
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return "The request could not be served."
    if isinstance(body, dict):
        return str(body.get("Message") or body.get("message") or "The request could not be served.")
    return "The request could not be served."
