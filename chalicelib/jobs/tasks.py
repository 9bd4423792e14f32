"""Work done later, off the request: a task is a small JSON message on the tasks queue (SQS).

The Lambda function subscribed to the queue (and the local runner's poller) calls `run_task` for each message.
"""
from __future__ import annotations

import functools
import json
from typing import Any, Callable

from chalicelib.config import settings

__all__ = ["enqueue", "run_task", "TASKS", "UnknownTask"]

TASKS: dict[str, Callable[[dict[str, Any]], None]] = {}


class UnknownTask(ValueError):
    """A message names no known task (a deployment mismatch)."""


@functools.cache
def _sqs() -> Any:
    import boto3  # on first use: most requests queue nothing

    return boto3.client("sqs", region_name=settings().region)


def enqueue(kind: str, **payload: Any) -> None:
    """Send a task; it runs once a worker takes it (at least once: every task must be idempotent)."""
    _sqs().send_message(QueueUrl=settings().tasks_queue_url, MessageBody=json.dumps({"kind": kind, **payload}))


def run_task(body: str) -> None:
    """Run one task message."""
    message = json.loads(body)
    _load()
    task = TASKS.get(message.get("kind"))
    if task is None:
        raise UnknownTask(f"unknown task kind {message.get('kind')!r}")
    task(message)


def _load() -> None:
    from chalicelib.jobs import reconcile, reports, roster_import  # noqa: F401  (register their tasks)
