"""Health and the OpenAPI document (public)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import Call, endpoint
from chalicelib.api.openapi import document

__all__ = ["bp"]

bp = Blueprint(__name__)


@endpoint(bp, "/v1/health", summary="Liveness: the function answers", public=True, statuses=(200,))
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


@endpoint(bp, "/v1/openapi.json", summary="This API as an OpenAPI 3.1 document", public=True, statuses=(200,))
def openapi(call: Call) -> dict[str, Any]:
    return document()
