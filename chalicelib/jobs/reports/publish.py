"""Putting a built report in place: render it, write its file to S3, then mark the report ready.

The file is written whole before the report points at it, so a run that fails part-way leaves the last good
file (or none) and never a half-written one; a re-run of the same report replaces its file under the same key.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.reports import Report
from chalicelib.store import files, reports
from chalicelib.store.reports import ReportItem

__all__ = ["PREFIX", "object_key", "publish"]

PREFIX = "reports/"


def object_key(item: ReportItem) -> str:
    """Where a report's file lives: one key per report, so a re-run replaces it."""
    return f"{PREFIX}{item.report_id}/{item.kind}-{item.language}.{item.fmt}"


def publish(item: ReportItem, report: Report, now: datetime) -> int:
    """Render `report` in the item's format, store it and mark the item ready; the file's size in bytes."""
    from chalicelib.jobs.reports.render import render  # the report libraries load here, in report jobs only

    rendered = render(report, item.fmt)
    key = object_key(item)
    files.put_file(key, rendered.data, rendered.content_type)
    reports.finish(item.report_id, key, len(rendered.data), now)
    return len(rendered.data)
