"""`Idempotency-Key` on creating POSTs: one mechanism, Powertools' idempotency over the DynamoDB table.

A repeat with the same key and body within 24 h returns the first answer and writes nothing; the same key with
another body is 422; a repeat while the first is still running is 409. A failed request is forgotten, so the
client may retry it.
"""
from __future__ import annotations

import functools
import hashlib
from typing import Any, Callable

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from chalicelib.config import settings
from chalicelib.domain.errors import BadRequest, Conflict, FieldError, IdempotencyKeyReused

__all__ = ["WINDOW_SECONDS", "once"]

WINDOW_SECONDS = 24 * 3600
_MAX_KEY = 255


@functools.cache
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=settings().table("idempotency"))


_CONFIG = IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="body",
                            raise_on_no_idempotency_key=True, expires_after_seconds=WINDOW_SECONDS)


def once(scope: str, key: str, body: bytes, run: Callable[[], dict[str, Any]],
         context: Any = None) -> dict[str, Any]:
    """`run()`'s answer, computed at most once per (scope, key) in the window; `scope` names caller and path.

    `context` is the Lambda context: with it, a request that dies mid-way (a timeout) frees its key when the
    function's time is up instead of blocking it for the whole window.
    """
    if not key or len(key) > _MAX_KEY or not key.isprintable():
        raise BadRequest("Idempotency-Key must be 1 to 255 printable characters.",
                         [FieldError("Idempotency-Key", "malformed")])
    if context is not None:
        _CONFIG.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="request", persistence_store=_store(), config=_CONFIG)
    def create(request: dict[str, str]) -> dict[str, Any]:
        return run()

    request = {"key": f"{scope}|{key}", "body": hashlib.sha256(body).hexdigest()}
    try:
        return create(request=request)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different body in the last 24 hours.",
                                   [FieldError("Idempotency-Key", "reused with a different body")]) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                       slug="idempotency-in-progress") from None
