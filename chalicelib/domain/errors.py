"""Problems: every error a client can cause, with its HTTP status and RFC 9457 type.

Domain and store code raise these; the API layer serialises them as `application/problem+json`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "PROBLEM_BASE", "FieldError", "Problem", "BadRequest", "Unauthorized", "Forbidden", "NotFound",
    "Conflict", "StaleVersion", "PayloadTooLarge", "UnsupportedMediaType", "RuleViolation",
    "IdempotencyKeyReused", "TooManyRequests", "MethodNotAllowed",
]

PROBLEM_BASE = "https://ejournal.kz/problems/"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: `field` is a path such as `entries[2].points` or `row 7: username`."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class Problem(Exception):
    """A client-caused error answered with `status` and a problem document."""

    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, *, slug: str | None = None,
                 extra: dict | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        if slug:
            self.slug = slug
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def document(self) -> dict:
        doc = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail,
               "errors": [e.as_dict() for e in self.errors]}
        doc.update(self.extra)
        return doc


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "The request is malformed"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class MethodNotAllowed(Problem):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class StaleVersion(Conflict):
    slug, title = "stale-version", "Changed by someone else since you read it"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "The body is too large"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class RuleViolation(Problem):
    status, slug, title = 422, "rule-violation", "The request breaks a rule"


class IdempotencyKeyReused(RuleViolation):
    slug, title = "idempotency-key-reused", "Idempotency-Key reused with a different body"


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, int(retry_after)))})
        self.retry_after = retry_after
