"""The local scheduler: which jobs run at a given moment, with what event, and when they run next."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from chalice import Chalice, Cron, Rate

from chalicelib.local.cron import parse_schedule
from chalicelib.local.schedule import ScheduledJob, Scheduler, scheduled_jobs

START = datetime(2026, 9, 1, 5, 58, 30, tzinfo=timezone.utc)


class Recorder:
    """A fake job body that keeps the events it was run with."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.fail:
            raise RuntimeError("the job broke")


def scheduler(**jobs: tuple[str, Recorder]) -> Scheduler:
    return Scheduler([ScheduledJob(name, parse_schedule(expression), run) for name, (expression, run) in jobs.items()],
                     region="eu-central-1", account="123456789012", clock=lambda: START)


def test_nothing_runs_before_it_is_due() -> None:
    daily = Recorder()
    clock = scheduler(daily=("cron(0 6 * * ? *)", daily))
    assert clock.tick(START + timedelta(seconds=20)) == datetime(2026, 9, 1, 6, 0, tzinfo=timezone.utc)
    assert daily.events == []


def test_a_due_job_runs_once_with_a_scheduled_event() -> None:
    daily = Recorder()
    clock = scheduler(reports=("cron(0 6 * * ? *)", daily))
    clock.tick(datetime(2026, 9, 1, 6, 0, 2, tzinfo=timezone.utc))
    clock.tick(datetime(2026, 9, 1, 6, 0, 40, tzinfo=timezone.utc))
    [event] = daily.events
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["time"] == "2026-09-01T06:00:00Z"
    assert event["resources"] == ["arn:aws:events:eu-central-1:123456789012:rule/reports"]
    assert clock.due["reports"] == datetime(2026, 9, 2, 6, 0, tzinfo=timezone.utc)


def test_a_rate_job_runs_every_interval_from_the_start() -> None:
    often = Recorder()
    clock = scheduler(often=("rate(5 minutes)", often))
    for minutes in (4, 5, 9, 10, 11):
        clock.tick(START + timedelta(minutes=minutes))
    assert [e["time"] for e in often.events] == ["2026-09-01T06:03:30Z", "2026-09-01T06:08:30Z"]


def test_the_earliest_next_run_is_reported() -> None:
    clock = scheduler(hourly=("cron(0 * * * ? *)", Recorder()), often=("rate(1 minute)", Recorder()))
    assert clock.tick(START) == START + timedelta(minutes=1)


def test_missed_runs_are_made_once_and_the_schedule_moves_past_now() -> None:
    often = Recorder()
    clock = scheduler(often=("rate(1 minute)", often))
    woke = START + timedelta(hours=3)
    clock.tick(woke)
    assert len(often.events) == 1
    assert clock.due["often"] == woke + timedelta(minutes=1)


def test_a_failing_job_keeps_its_schedule_and_the_others_run() -> None:
    broken, fine = Recorder(fail=True), Recorder()
    clock = scheduler(broken=("cron(0 6 * * ? *)", broken), fine=("cron(0 6 * * ? *)", fine))
    clock.tick(datetime(2026, 9, 1, 6, 0, tzinfo=timezone.utc))
    assert len(broken.events) == len(fine.events) == 1
    assert clock.due["broken"] == datetime(2026, 9, 2, 6, 0, tzinfo=timezone.utc)


def test_a_job_with_no_time_left_is_not_run_again() -> None:
    once = Recorder()
    clock = scheduler(once=("cron(0 6 1 9 ? 2026)", once))
    assert clock.tick(datetime(2026, 9, 1, 6, 0, tzinfo=timezone.utc)) is None
    assert clock.tick(datetime(2027, 9, 1, 6, 0, tzinfo=timezone.utc)) is None
    assert len(once.events) == 1


def test_the_jobs_are_the_apps_schedule_handlers() -> None:
    app, seen = Chalice(app_name="scheduled"), []

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five(event: Any) -> None:
        seen.append(("every_five", event.detail_type, event.time))

    @app.schedule(Cron(0, 6, "?", "*", "MON-FRI", "*"))
    def weekday_mornings(event: Any) -> None:
        seen.append(("weekday_mornings", event.detail_type, event.time))

    jobs = {job.name: job for job in scheduled_jobs(app)}
    assert jobs["every_five"].schedule == parse_schedule("rate(5 minutes)")
    clock = Scheduler(list(jobs.values()), region="eu-central-1", account="123456789012", clock=lambda: START)
    clock.tick(datetime(2026, 9, 1, 6, 0, tzinfo=timezone.utc))  # a Tuesday
    assert seen == [("weekday_mornings", "Scheduled Event", "2026-09-01T06:00:00Z")]


def test_the_scheduler_thread_stops_when_asked() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=scheduler(often=("rate(1 minute)", Recorder())).run, args=(stop,))
    thread.start()
    stop.set()
    thread.join()
    assert not thread.is_alive()
