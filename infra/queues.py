"""SQS queues: the tasks queue with its dead-letter queue, and failure queues for stream consumers.

All are encrypted with SQS-managed keys (SSE-SQS) and refuse plain HTTP. Dead-letter and failure queues keep
messages for 14 days, the most SQS allows: time to find the cause and redrive (infra/RUNBOOK.md).
"""
from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.stages import StageSettings

__all__ = ["TaskQueue", "failure_queue", "MAX_RECEIVES"]

MAX_RECEIVES = 3  # a task that failed this often goes to the dead-letter queue
_RETENTION = Duration.days(14)


def failure_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    """An encrypted queue that keeps what could not be processed for 14 days."""
    return sqs.Queue(scope, construct_id, encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
                     retention_period=_RETENTION)


class TaskQueue(Construct):
    """The queue of `chalicelib.jobs.tasks` and its dead-letter queue."""

    def __init__(self, scope: Construct, construct_id: str, stage: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = failure_queue(self, "DeadLetters")
        self.queue = sqs.Queue(
            self, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            # AWS's advice for a Lambda source: six times the function's timeout, so a slow try never overlaps.
            visibility_timeout=Duration.seconds(6 * stage.tasks_function.timeout_seconds),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters, max_receive_count=MAX_RECEIVES),
        )
