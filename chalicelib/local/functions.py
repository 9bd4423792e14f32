"""The app's non-HTTP handlers as the local runner calls them: `function(event)`, like Lambda would.

Handlers are found on the Chalice app object: `app.event_sources` says what triggers each one and
`app.handler_map[name]` is the wrapped handler (with the app's middleware) that Lambda would call.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from chalice import Chalice
from chalice.app import BaseEventSourceConfig
from chalice.local import LambdaContext

__all__ = ["Function", "functions_of"]

Source = TypeVar("Source", bound=BaseEventSourceConfig)

_MEMORY_MB = 1024
_TIMEOUT_MS = 900_000


@dataclass(frozen=True, slots=True)
class Function:
    """One of the app's functions and what triggers it."""

    name: str
    source: Any
    handler: Any

    def __call__(self, event: dict[str, Any]) -> Any:
        """Invoke the handler with `event` and a fresh Lambda context; returns what the handler returns."""
        return self.handler(event, LambdaContext(self.name, _MEMORY_MB, _TIMEOUT_MS))


def functions_of(app: Chalice, kind: type[Source]) -> list[Function]:
    """The app's functions triggered by event sources of `kind` (e.g. chalice.app.DynamoDBEventConfig)."""
    return [Function(source.name, source, app.handler_map[source.name])
            for source in app.event_sources if isinstance(source, kind)]
