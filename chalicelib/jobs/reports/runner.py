"""Running one report: asked for through the API or the CLI, or scheduled; always the same code.

`request_report(spec)` makes the report pending (the same tuple keeps its report_id) and queues the `report`
task; `run_report(report_id)` builds it from what its kind reads, writes its file and marks it ready. A kind
that finds its subject gone marks the report failed for good (`Unavailable`); any other error marks it failed
and is raised again, so the queue retries the task (then keeps it in its dead-letter queue).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.domain.dates import now_kz
from chalicelib.domain.reports import Report
from chalicelib.jobs.reports.errors import Unavailable
from chalicelib.jobs.reports.publish import publish
from chalicelib.jobs.tasks import TASKS, enqueue
from chalicelib.store import reports
from chalicelib.store.reports import ReportItem, Spec

__all__ = ["TASK", "KINDS", "request_report", "run_report", "build"]

log = logging.getLogger(__name__)

TASK = "report"
KINDS = ("class_sheet", "school", "timeliness", "region", "national", "parent_weekly")


def _builders() -> dict[str, Callable[[Spec, datetime], Report]]:
    from chalicelib.jobs.reports import regional, sheets, timeliness, weekly

    return {"class_sheet": sheets.build_class_sheet, "school": sheets.build_school,
            "timeliness": timeliness.build_timeliness, "region": regional.build_region,
            "national": regional.build_national, "parent_weekly": weekly.build_weekly}


def build(spec: Spec, now: datetime) -> Report:
    """The report of `spec`, built from what its kind reads."""
    return _builders()[spec.kind](spec, now)


def request_report(spec: Spec, now: datetime | None = None) -> ReportItem:
    """Make the report of `spec` pending and queue its run; the report (a new one, or the tuple's own)."""
    item = reports.request(spec, now or now_kz())
    enqueue(TASK, report_id=item.report_id)
    return item


def run_report(report_id: str, now: datetime | None = None) -> str:
    """Build the report, write its file, mark it ready; its status afterwards ("missing": no such report)."""
    item = reports.get_report(report_id)
    if item is None:
        return "missing"
    moment = now or now_kz()
    try:
        publish(item, build(item.spec, moment), moment)
    except Unavailable as exc:
        reports.fail(report_id, str(exc), moment)
        return "failed"
    except Exception as exc:
        log.exception("report %s (%s) failed", report_id, item.kind)
        reports.fail(report_id, type(exc).__name__, moment)
        raise
    return "ready"


def _task(message: dict[str, Any]) -> None:
    run_report(str(message["report_id"]))


TASKS[TASK] = _task
