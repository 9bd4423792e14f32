"""The scheduled report jobs (app.py's `@app.schedule` handlers), fanned out per school on the tasks queue.

- `timeliness` (16:00 UTC+5, Monday to Saturday): the day's timeliness report of each school (XLSX, kk and ru),
  a reminder to each teacher with a gap, a note to the school's admins, the check the region reports read.
- `parents` (Sunday 18:00 UTC+5): every pupil's week for their parents (PDF and a note, in their language),
  queued again per class (a PDF takes a few tenths of a second: a school's would not fit one run).
- `schools` (Sunday 03:00 UTC+5): each school's report (XLSX, kk and ru) and class sheets (XLSX, in the class's
  language) for the current term, and the school's rollup for the region reports.
- `regions` (Sunday 06:00 UTC+5, after the schools): each region's report and the national one (XLSX, kk and
  ru), built right here from the rollups (3 Queries a region).
A school's part is the `report_school` task: one that fails is retried by the queue, then kept in its
dead-letter queue; the region reports name the schools that have no figures. Every part is idempotent for its
(school, period, date): reports keep their report_id and notes go once.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from chalicelib.domain.dates import KZ_TZ, school_year_of, to_rfc3339
from chalicelib.domain.policy import REGIONS
from chalicelib.domain.reports import LANGUAGES, week_of
from chalicelib.jobs.reports.errors import Unavailable
from chalicelib.jobs.reports.publish import publish
from chalicelib.jobs.reports.runner import build
from chalicelib.jobs.tasks import TASKS, enqueue
from chalicelib.jobs.reports.sources import school_classes
from chalicelib.store import reports, schools
from chalicelib.store.directory import SchoolItem
from chalicelib.store.reports import Spec

__all__ = ["SCHOOL_TASK", "SCHOOL_JOBS", "current_term", "fan_out", "run_school", "run_regions"]

log = logging.getLogger(__name__)

SCHOOL_TASK = "report_school"
SCHOOL_JOBS = ("timeliness", "parents", "schools")
_GRADE = 5  # terms are the same for grades 2-11; only grade 1 has an extra break


def current_term(day: date) -> str:
    from chalicelib.jobs.reports.weekly import term_of_week

    return term_of_week(week_of(day), school_year_of(day), _GRADE)


def fan_out(job: str, now: datetime) -> int:
    """Queue `job` for every school of the country; how many schools."""
    if job not in SCHOOL_JOBS:
        raise ValueError(f"a school job is one of {', '.join(SCHOOL_JOBS)}")
    day = now.astimezone(KZ_TZ).date()
    queued = 0
    for region in sorted(REGIONS):
        for school in schools.schools_of_region(region):
            enqueue(SCHOOL_TASK, job=job, school_id=school.school_id, date=day.isoformat(), at=to_rfc3339(now))
            queued += 1
    return queued


def run_school(job: str, school_id: str, day: date, now: datetime, class_id: str | None = None) -> dict[str, int]:
    """One school's part of a scheduled job (for `parents`: one class's, each class queued on its own); what it
    made."""
    school = schools.get_school(school_id)
    if school is None:
        raise Unavailable("the school no longer exists")
    year = school_year_of(day)
    if job == "timeliness":
        from chalicelib.jobs.reports import timeliness

        found = timeliness.check(school, day)
        for language in LANGUAGES:
            spec = Spec("timeliness", year, "xlsx", language, school_id=school_id, date=day.isoformat())
            publish(reports.request(spec, now), timeliness.timeliness_of(found, language), now)
        timeliness.keep_check(found, now)
        return {"reports": len(LANGUAGES), "notes": timeliness.tell(found, now)}
    if job == "parents":
        return _parents(school, day, now, class_id)
    from chalicelib.jobs.reports import sheets

    standing = sheets.gather(school, year, current_term(day))
    for language in LANGUAGES:
        spec = Spec("school", year, "xlsx", language, school_id=school_id, period=standing.period)
        publish(reports.request(spec, now), sheets.school_report_of(standing, language), now)
    for data, results in standing.classes:
        language = data.klass.language if data.klass.language in LANGUAGES else LANGUAGES[0]
        spec = Spec("class_sheet", year, "xlsx", language, school_id=school_id, class_id=data.klass.class_id,
                    period=standing.period)
        publish(reports.request(spec, now), sheets.class_sheet_of(standing, data, results, language), now)
    sheets.keep_rollup(standing, now)
    return {"reports": len(LANGUAGES) + len(standing.classes)}


def _parents(school: SchoolItem, day: date, now: datetime, class_id: str | None) -> dict[str, int]:
    from chalicelib.jobs.reports.weekly import class_reports

    if class_id is None:
        classes = school_classes(school.school_id, school_year_of(day))
        for klass in classes:
            enqueue(SCHOOL_TASK, job="parents", school_id=school.school_id, class_id=klass.class_id,
                    date=day.isoformat(), at=to_rfc3339(now))
        return {"classes": len(classes)}
    klass = schools.get_class(class_id)
    if klass is None or klass.school_id != school.school_id:
        raise Unavailable("the class no longer exists")
    return class_reports(school, klass, week_of(day), now)


def run_regions(now: datetime) -> dict[str, int]:
    """Every region's report and the national one, for the current term, in both languages."""
    day = now.astimezone(KZ_TZ).date()
    year, term = school_year_of(day), current_term(day)
    specs = [Spec("region", year, "xlsx", language, region=region, period=term)
             for region in sorted(REGIONS) for language in LANGUAGES]
    specs += [Spec("national", year, "xlsx", language, period=term) for language in LANGUAGES]
    for spec in specs:
        publish(reports.request(spec, now), build(spec, now), now)
    return {"reports": len(specs)}


def _task(message: dict[str, Any]) -> None:
    from chalicelib.domain.dates import parse_timestamp

    done = run_school(message["job"], message["school_id"], date.fromisoformat(message["date"]),
                      parse_timestamp(message["at"]), message.get("class_id"))
    log.info("scheduled %s of a school: %s", message["job"], done)


TASKS[SCHOOL_TASK] = _task
