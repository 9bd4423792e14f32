"""Scenario: the roster import of a 1,000-pupil school (request units per pupil imported).

The school gets 40 classes of 25 pupils, every pupil with a login, and 1,000 parents (one per pupil, a few with
two children). Measured: the first import (everything created) and a re-import of the same file (nothing
changes), both through the same code the HTTP route and the queued import run.
"""
from __future__ import annotations


from bench.capacity import CapacityRecorder
from bench.emulated import use_emulated_aws
from bench.results import Metric

SCENARIO = "roster_import"
PUPILS = 1000
CLASSES = 40


def _roster(class_ids: list[str]) -> bytes:
    lines = ["role,external_id,last_name,first_name,middle_name,class_id,username,password,guardian_of,"
             "language,email,phone"]
    for i in range(PUPILS):
        lines.append(f"student,S{i:04d},Әбілқасымов,Нұрсұлтан{i},,{class_ids[i % len(class_ids)]},"
                     f"pupil{i:04d},pupil-pass-{i:04d},,kk,,")
    for i in range(PUPILS):
        children = f"S{i:04d}" if i % 10 else f"S{i:04d};S{(i + 1) % PUPILS:04d}"
        lines.append(f"parent,P{i:04d},Сейітқазиева,Гүлнұр{i},,,parent{i:04d},parent-pass-{i:04d},{children},"
                     f"kk,parent{i:04d}@example.kz,+7701{i:07d}")
    return ("\r\n".join(lines) + "\r\n").encode()


def run() -> dict[str, Metric]:
    use_emulated_aws()
    from moto import mock_aws

    with mock_aws():
        from chalicelib.config import reset_settings

        reset_settings()
        from chalicelib.jobs.roster_import import import_now
        from chalicelib.store import schools
        from chalicelib.store.base import create_tables

        create_tables()
        school = schools.create_school("Бенчмарк мектебі", "Школа бенчмарка", "almaty", None)
        class_ids = [schools.create_class(school, 2026, 5 + c % 7, "АӘБВГҒДЕЖЗ"[c // 7], "kk", None).class_id
                     for c in range(CLASSES)]
        data = _roster(class_ids)
        with CapacityRecorder() as first:
            created = import_now(school, data)
        with CapacityRecorder() as again:
            repeated = import_now(school, data)
    assert created["created"] == 2 * PUPILS and repeated["unchanged"] == 2 * PUPILS
    one, two = first.summary(), again.summary()
    people = 2 * PUPILS
    return {
        "people_imported": Metric(people, "people"),
        "write_units_per_pupil": Metric(round(one["write_units"] / PUPILS, 3), "WRU/pupil", "<= 18"),
        "write_units_per_person": Metric(round(one["write_units"] / people, 3), "WRU/person", "<= 9"),
        "read_units_per_pupil": Metric(round(one["read_units"] / PUPILS, 3), "RRU/pupil", "<= 1.5"),
        "calls_first_import": Metric(sum(one["calls"].values()), "calls"),
        "reimport_write_units": Metric(two["write_units"], "WRU", "<= 2"),  # the import lock only
        "reimport_read_units_per_pupil": Metric(round(two["read_units"] / PUPILS, 3), "RRU/pupil", "<= 1"),
    }
