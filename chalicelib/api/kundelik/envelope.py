"""How v2 answers look: JSON, and errors as `{"type", "description"}` beside the status (kundelik-v2.md, Transport).

Types: `invalidToken` (401), `parameterInvalid` (a bad id or date, 400; an object the token may not see, 404),
`apiUnknownError` (no such route, 404; a method the route does not serve, 405), `apiServerError` (5xx).
Some clients never look at the status and raise only on the type, so a denial is never an empty success.
"""
from __future__ import annotations

import json
from typing import Any

from chalice import Response

from chalicelib.domain.errors import Problem

__all__ = ["PREFIXES", "KundelikError", "InvalidToken", "ParameterInvalid", "NotVisible", "UnknownRoute",
           "serves", "answer", "error_response", "as_envelope"]

PREFIXES = ("/v2", "/v2.0")
JSON = "application/json; charset=utf-8"
_HIDDEN = "Not found, or not yours to see."


class KundelikError(Exception):
    """An error answered in the v2 envelope."""

    kind, status = "apiServerError", 500

    def __init__(self, description: str, status: int | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.status = status or self.status
        self.headers = dict(headers or {})


class InvalidToken(KundelikError):
    kind, status = "invalidToken", 401


class ParameterInvalid(KundelikError):
    kind, status = "parameterInvalid", 400


class NotVisible(ParameterInvalid):
    """Unknown, or not the caller's to see: the same answer either way."""

    status = 404


class UnknownRoute(KundelikError):
    kind, status = "apiUnknownError", 404


def serves(path: str) -> bool:
    """Whether `path` is a v2 path (`/v2/...` or `/v2.0/...`)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PREFIXES)


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": JSON, **(headers or {})})


def _as_kundelik(failure: Exception) -> KundelikError:
    if isinstance(failure, KundelikError):
        return failure
    if not isinstance(failure, Problem) or failure.status >= 500:
        status = failure.status if isinstance(failure, Problem) else 500
        return KundelikError("The service could not answer; the error has been logged.", status)
    if failure.status == 401:
        return InvalidToken(failure.detail)
    if failure.status in (403, 404):
        return NotVisible(failure.detail if failure.status == 404 else _HIDDEN)
    if failure.status == 405:
        return UnknownRoute(failure.detail, 405, {"Allow": "GET"})
    return ParameterInvalid(failure.detail, failure.status, failure.headers)


def error_response(failure: Exception) -> Response:
    """`failure` (a v2 error, a problem, or a bug) in the v2 envelope."""
    error = _as_kundelik(failure)
    return answer({"type": error.kind, "description": error.description}, error.status, error.headers)


def as_envelope(response: Response) -> Response:
    """A v2 path's answer as sent, unless it is an error not in the envelope (chalice's own): then in it."""
    if response.status_code < 400:
        return response
    body = response.body
    try:
        parsed = json.loads(body) if isinstance(body, (str, bytes)) else body
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and {"type", "description"} <= set(parsed):
        return response
    message = str(parsed.get("Message") or "") if isinstance(parsed, dict) else ""
    status = response.status_code
    if status >= 500:
        return error_response(KundelikError("The service could not answer; the error has been logged.", status))
    kind = UnknownRoute if status in (404, 405) else ParameterInvalid
    return error_response(kind(message or "The request could not be served.", status))
