"""Scenario: reports of schools of 100, 1,000 and 5,000 pupils and of a region of 50 schools.

Generated data, written straight to the store: classes of 25 pupils with 10 subjects each (term marks), every
journal's T1 sheet in the counters (every pupil with FO, SOR and SOCH sums and attendance), and for the region
50 schools' rollups and timeliness checks. Measured for each report: DynamoDB calls (Queries, BatchGetItems),
read and write request units, and the time to build and write it as XLSX on this machine, in moto (whose
DynamoDB reads every item of a table for each Query: the times of the large school are mostly moto's).

What each report reads (chalicelib/jobs/reports): a class sheet, the school's subjects and classes, the class's
pupils and journals (4 Queries), its journals' counters sheets, close markers and status sheets (3
BatchGetItems); a school report the same for every class (2 Queries a class, 2 for the school, BatchGetItems of
100) plus the school's rollup (one PutItem); a region report 3 Queries (the region's schools, their rollups,
their timeliness checks); a national report 3 per region. Nothing reads a journal's entries.
"""
from __future__ import annotations

import time
from datetime import date
from typing import Any

from bench.capacity import CapacityRecorder
from bench.emulated import use_emulated_aws
from bench.results import Metric

SCENARIO = "reports"
SCHOOL_SIZES = (100, 1000, 5000)
CLASS_SIZE = 25
SUBJECTS = 10
REGION_SCHOOLS = 50


def _school(pupils: int) -> tuple[Any, str]:
    """A school of `pupils` pupils with its counters filled, written in batches; the school and one class."""
    from chalicelib.domain.ids import new_id
    from chalicelib.store import counters, schools
    from chalicelib.store.directory import ClassItem, JournalItem, PersonItem

    school = schools.create_school(f"№{pupils} мектеп", f"Школа №{pupils}", "almaty", None)
    subjects = [schools.create_subject(school, f"s{n:02d}", f"Пән {n}", f"Предмет {n}", "criteria")
                for n in range(SUBJECTS)]
    sid, first = school.school_id, ""
    with ClassItem.batch_write() as directory, counters.SheetItem.batch_write() as sheets:
        for c in range(pupils // CLASS_SIZE):
            class_id, grade, letter = new_id(), 5 + c % 7, f"{'АӘБВГҒДЕЖЗ'[c // 7 % 10]}{c // 70 or ''}"
            first = first or class_id
            directory.save(ClassItem(f"CLS#{class_id}", "#", class_id=class_id, school_id=sid, region="almaty",
                                     year=2026, grade=grade, letter=letter, language="kk",
                                     gsi1pk=f"SCH#{sid}#CLS", gsi1sk=f"2026#{grade:02d}#{letter}#{class_id}"))
            ids = [new_id() for _ in range(CLASS_SIZE)]
            for i, pid in enumerate(ids):
                directory.save(PersonItem(f"PER#{pid}", "#", person_id=pid, school_id=sid, region="almaty",
                                          role="student", last_name=f"Әбілқасымов{i}", first_name="Нұрсұлтан",
                                          class_id=class_id, gsi1pk=f"SCH#{sid}#PER", gsi1sk=pid,
                                          gsi2pk=f"CLS#{class_id}", gsi2sk=pid))
            for subject in subjects:
                journal_id = new_id()
                directory.save(JournalItem(f"JRN#{journal_id}", "#", journal_id=journal_id, school_id=sid,
                                           region="almaty", class_id=class_id, subject_id=subject.subject_id,
                                           teacher_ids=[], hours_per_week=3, gsi1pk=f"CLS#{class_id}#JRN",
                                           gsi1sk=f"{subject.subject_id}#{journal_id}"))
                rows = {pid: [30 + i % 30, 6, 15 + i % 6, 20, 14 + i % 11, 25, 30, i % 3, i % 2, 0, i % 4]
                        for i, pid in enumerate(ids)}
                sor = (new_id(), new_id())  # two SORs of 10 points whose results add up to the rows' SOR sums
                results = {pid: {sor[0]: [8 + i % 3, 10], sor[1]: [7 + i % 6 - i % 3, 10]} for i, pid in enumerate(ids)}
                sheets.save(counters.SheetItem(f"J#{journal_id}", "T1", pupils=rows, results=results,
                                               marks={"3": 10, "4": 10, "5": 5}, as_of="2026-10-20T10:00:00.000+05:00"))
    return school, first


def _measure(work: Any) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    with CapacityRecorder() as recorder:
        work()
    return recorder.summary(), (time.perf_counter() - started) * 1000


def _metrics(prefix: str, summary: dict[str, Any], ms: float) -> dict[str, Metric]:
    calls = summary["calls"]
    return {f"{prefix}_queries": Metric(calls.get("Query", 0), "queries"),
            f"{prefix}_batch_gets": Metric(calls.get("BatchGetItem", 0), "calls"),
            f"{prefix}_read_units": Metric(round(summary["read_units"], 1), "RRU"),
            f"{prefix}_write_units": Metric(round(summary["write_units"], 1), "WRU"),
            f"{prefix}_ms": Metric(round(ms, 1), "ms")}


def _region() -> None:
    from chalicelib.domain.reports import Punctuality, Tally
    from chalicelib.store import reports, schools

    tally = Tally(600, {"excellent": 60, "good": 200, "with_3": 280, "with_2": 40, "not_assessed": 5},
                  {"5": 1500, "4": 2000, "3": 1800, "2": 120, "not_assessed": 6}, {"absent": 900, "ill": 700})
    for n in range(REGION_SCHOOLS):
        school = schools.create_school(f"№{n} мектеп", f"Школа №{n}", "abai", None)
        names = (school.name_kk, school.name_ru)
        reports.put_rollup(2026, "T1", "abai", school.school_id, names, tally.as_json(), "2026-10-20T03:00:00+05:00")
        reports.put_punctuality("abai", school.school_id, names,
                                Punctuality(date(2026, 10, 19), 400, 380).as_json(),
                                "2026-10-19T16:00:00+05:00")


def run() -> dict[str, Metric]:
    use_emulated_aws()
    from moto import mock_aws

    with mock_aws():
        from chalicelib.config import reset_settings

        reset_settings()
        import boto3

        from chalicelib.config import settings
        from chalicelib.domain.dates import now_kz
        from chalicelib.jobs.reports.publish import publish
        from chalicelib.jobs.reports.runner import build
        from chalicelib.store import reports
        from chalicelib.store.base import create_tables
        from chalicelib.store.reports import Spec

        create_tables()
        boto3.client("s3").create_bucket(Bucket=settings().files_bucket,
                                         CreateBucketConfiguration={"LocationConstraint": settings().region})
        metrics: dict[str, Metric] = {}

        def made(spec: Spec) -> None:
            publish(reports.request(spec, now_kz()), build(spec, now_kz()), now_kz())

        for pupils in SCHOOL_SIZES:
            school, class_id = _school(pupils)
            sheet = Spec("class_sheet", 2026, "xlsx", "kk", school_id=school.school_id, class_id=class_id, period="T1")
            metrics |= _metrics(f"class_sheet_{pupils}", *_measure(lambda: made(sheet)))
            whole = Spec("school", 2026, "xlsx", "kk", school_id=school.school_id, period="T1")
            summary, ms = _measure(lambda: made(whole))
            metrics |= _metrics(f"school_{pupils}", summary, ms)
            metrics[f"school_{pupils}_read_units_per_pupil"] = Metric(
                round(summary["read_units"] / pupils, 3), "RRU/pupil", "<= 1")
            metrics[f"school_{pupils}_queries_beyond_2_per_class"] = Metric(
                summary["calls"].get("Query", 0) - 2 * (pupils // CLASS_SIZE), "queries", "<= 2")
        _region()
        region = Spec("region", 2026, "xlsx", "kk", region="abai", period="T1")
        metrics |= _metrics(f"region_{REGION_SCHOOLS}_schools", *_measure(lambda: made(region)))
        metrics[f"region_{REGION_SCHOOLS}_schools_queries"] = Metric(
            metrics[f"region_{REGION_SCHOOLS}_schools_queries"].value, "queries", "<= 3")
        national = Spec("national", 2026, "xlsx", "kk", period="T1")
        metrics |= _metrics("national", *_measure(lambda: made(national)))
    return metrics
