"""The scheduler thread: runs the app's `on_schedule` handlers when their expressions say (times in UTC).

Each job is invoked with an EventBridge "Scheduled Event" whose `time` is the moment it was due. A run that
was missed (the machine slept) is made once, late, and the job is not run again for every missed time.
A `rate(...)` job first runs one interval after the scheduler starts. A handler's error is logged and the
job keeps its schedule.
"""
from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from chalice import Chalice
from chalice.app import ScheduledEventConfig

from chalicelib.local.cron import Schedule, parse_schedule
from chalicelib.local.functions import functions_of

__all__ = ["ScheduledJob", "Scheduler", "scheduled_jobs"]

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A function and when it runs."""

    name: str
    schedule: Schedule
    run: Callable[[dict[str, Any]], Any]


class Scheduler:
    """Keeps the next due time of every job and runs the jobs that are due."""

    def __init__(self, jobs: list[ScheduledJob], *, region: str, account: str,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._region, self._account, self._clock = region, account, clock
        start = clock()
        self._due = {job.name: job.schedule.next_after(start) for job in jobs}
        self._jobs = jobs

    @property
    def due(self) -> dict[str, datetime | None]:
        """The next time each job runs (None: never again)."""
        return dict(self._due)

    def tick(self, now: datetime) -> datetime | None:
        """Run every job due at `now`; returns the earliest next due time (None: nothing left to run)."""
        for job in self._jobs:
            due = self._due[job.name]
            if due is None or due > now:
                continue
            self._invoke(job, due)
            following = job.schedule.next_after(due)
            self._due[job.name] = following if following is None or following > now else job.schedule.next_after(now)
        return min((d for d in self._due.values() if d is not None), default=None)

    def run(self, stop: threading.Event, *, longest_sleep: float = 1.0) -> None:
        """Tick until `stop` is set, sleeping until the next due time (at most `longest_sleep` at a time)."""
        while not stop.is_set():
            now = self._clock()
            following = self.tick(now)
            pause = longest_sleep if following is None else (following - self._clock()).total_seconds()
            stop.wait(min(max(pause, 0.0), longest_sleep))

    def _invoke(self, job: ScheduledJob, due: datetime) -> None:
        event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
                 "account": self._account, "time": due.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": self._region,
                 "resources": [f"arn:aws:events:{self._region}:{self._account}:rule/{job.name}"], "detail": {}}
        try:
            job.run(event)
        except Exception:
            log.exception("the scheduled job %s failed", job.name)


def scheduled_jobs(app: Chalice) -> list[ScheduledJob]:
    """A job for every `on_schedule` handler of the app (raises InvalidSchedule for a bad expression)."""
    jobs = []
    for function in functions_of(app, ScheduledEventConfig):
        expression = function.source.schedule_expression
        text = expression if isinstance(expression, str) else expression.to_string()
        jobs.append(ScheduledJob(function.name, parse_schedule(text), function))
    return jobs
