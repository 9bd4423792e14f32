"""Scenario: a school of 40 classes plans a term from its timetables; a class's pupils and a teacher's journals.

The school has 40 classes (grades 1..11), 8 journals each (a teacher per journal), a weekly grid per class for
T2 of 2026-27 (30 lessons a week), 30 pupils in one class and a teacher with 6 journals; its directory is seeded
through the store, the timetables through the API. Each measured request goes through the HTTP API and is
priced by `CapacityRecorder` (request units by DynamoDB's rules; moto reports none):

- `POST /v1/schools/{school_id}/timetable/T2/lessons?year=2026&from=..&to=..`: every class's planned lessons of
  the term's first week, measured (moto and the recorder hold every item in memory: a whole term of 9,000
  lessons takes them too long); the term's figure is that week's units per lesson times the term's lessons,
  counted by the same planning rules (`chalicelib.domain.timetable.plan`), plus the journal terms' gates
  (an update in and out per journal and term, the same for a week or the whole term: UpdateItem calls);
- `GET /v1/classes/{class_id}/pupils`: 30 pupils in alphabetical order;
- `GET /v1/teachers/{teacher_id}/journals`: the teacher's 6 journals.

Queries and read units leave out the caller's authentication Query (every route pays it).
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.capacity import CapacityRecorder
from bench.emulated import use_emulated_aws
from bench.results import Metric

SCENARIO = "school_life"
CLASSES = 40
JOURNALS = 8
PUPILS = 30
_PASSWORD = "bench-pass-word-1"
_WEEK = [(day, number) for day in range(1, 6) for number in range(1, 7)]  # 30 slots: 5 days x 6 lessons


class _Api:
    def __init__(self, client: Any, token: str | None = None) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {self.token}"}
                                                            if self.token else {})}
        response = getattr(self.client.http, method.lower())(path, headers=headers,
                                                             body=json.dumps(body).encode() if body else b"")
        assert response.status_code == status, (method, path, response.status_code, response.body[:500])
        return json.loads(response.body)

    def login(self, username: str, password: str = _PASSWORD) -> _Api:
        return _Api(self.client, self.call("POST", "/v1/auth/token", {"username": username,
                                                                      "password": password})["access_token"])


def _school(client: Any) -> dict[str, Any]:
    """The school, its admin (API), then classes, subjects, journals and pupils (store), grids (API)."""
    from chalicelib.auth import kdf_params
    from chalicelib.auth.passwords import hash_password
    from chalicelib.domain.ids import new_id
    from chalicelib.store import people, schools
    from chalicelib.store.directory import PersonItem

    people.create_operator("bench-ministry", hash_password(_PASSWORD, kdf_params()), role="ministry",
                           last_name="Bench", first_name="Ministry")
    ministry = _Api(client).login("bench-ministry")
    school_id = ministry.call("POST", "/v1/schools", {"name": {"kk": "Бенчмарк мектебі", "ru": "Школа"},
                                                      "region": "almaty"}, 201)["school_id"]
    for role, name in (("school_admin", "bench-admin"), ("teacher", "bench-teacher")):
        ministry.call("POST", "/v1/accounts", {"role": role, "school_id": school_id, "external_id": name,
                                               "username": name, "password": _PASSWORD, "last_name": "Сейітова",
                                               "first_name": "Әсел"}, 201)
    admin, teacher = _Api(client).login("bench-admin"), _Api(client).login("bench-teacher")
    school = schools.get_school(school_id)
    subjects = [schools.create_subject(school, f"s{n}", f"Пән {n}", f"Предмет {n}", "criteria")
                for n in range(JOURNALS)]
    teacher_id = people.get_account("bench-teacher").person_id
    classes = []
    for n in range(CLASSES):
        klass = schools.create_class(school, 2026, 1 + n % 11, "АӘБВГҒД"[n // 11], "kk", None)
        journals = [schools.create_journal(klass, s, [teacher_id if n < 6 and j == 0 else new_id()], 4)
                    for j, s in enumerate(subjects)]
        slots = [{"weekday": day, "number": number, "journal_id": journals[(i + n) % JOURNALS].journal_id}
                 for i, (day, number) in enumerate(_WEEK)]
        classes.append((klass, slots))
    first = classes[0][0]
    with PersonItem.batch_write() as batch:
        for i in range(PUPILS):
            pid = new_id()
            batch.save(PersonItem(f"PER#{pid}", "#", person_id=pid, school_id=school_id, region="almaty",
                                  external_id=f"S{i}", role="student", last_name=f"Әбілқасымов{i:02d}",
                                  first_name="Нұрсұлтан", class_id=first.class_id, gsi1pk=f"SCH#{school_id}#PER",
                                  gsi1sk=f"S{i}", gsi2pk=f"CLS#{first.class_id}", gsi2sk=pid, version=1))
    for klass, slots in classes:  # the grids through the API: checked, teachers clash-free
        admin.call("PUT", f"/v1/classes/{klass.class_id}/timetable/T2", {"slots": slots})
    return {"school_id": school_id, "first_class": first.class_id, "admin": admin, "teacher": teacher,
            "teacher_id": teacher_id}


def _term_lessons(world: dict[str, Any]) -> int:
    """How many lessons the school's grids give in all of T2 (the planning rules, nothing written)."""
    from datetime import date

    from chalicelib.api.journal import school_calendar
    from chalicelib.domain.timetable import Slot, plan
    from chalicelib.store import schools, timetable

    total = 0
    for grid in timetable.school_grids(world["school_id"], 2026, "T2"):
        klass = schools.get_class(grid.class_id)
        calendar = school_calendar(klass.school_id, 2026, int(klass.grade))
        start, end = calendar.periods["T2"]
        total += len(plan([Slot(s["weekday"], s["number"], s["journal_id"]) for s in grid.slots], calendar,
                          max(start, date(2026, 11, 2)), end))
    return total


@contextmanager
def _priced() -> Iterator[dict[str, Any]]:
    """Request units, Queries (the authentication Query left out) and wall time of a block."""
    from botocore.client import BaseClient

    out: dict[str, Any] = {}
    started = time.perf_counter()
    with CapacityRecorder() as recorder:
        inner, seen = BaseClient._make_api_call, []

        def spy(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                seen.append((operation, params))
            return inner(client, operation, params)

        BaseClient._make_api_call = spy
        try:
            yield out
        finally:
            BaseClient._make_api_call = inner
    out["seconds"] = time.perf_counter() - started
    auth = [i for i, (op, params) in enumerate(seen) if op == "Query" and any(
        str(v.get("S", "")).startswith("PER#") for v in params.get("ExpressionAttributeValues", {}).values())][:1]
    calls = [c for i, c in enumerate(recorder.calls) if i not in auth]
    out["read"] = sum(ch.read_units for c in calls for ch in c.charges)
    out["write"] = sum(ch.write_units for c in calls for ch in c.charges)
    out["gate_write"] = sum(ch.write_units for c in calls if c.operation == "UpdateItem" for ch in c.charges)
    out["queries"] = sum(1 for i, (op, _) in enumerate(seen) if op == "Query" and i not in auth)
    out["calls"] = len(calls)


def run() -> dict[str, Metric]:
    use_emulated_aws()
    from moto import mock_aws

    from chalicelib.config import reset_settings

    with mock_aws():
        reset_settings()
        from chalice.test import Client

        from app import app
        from chalicelib.store.base import create_tables

        create_tables()
        client = Client(app, stage_name="test", project_dir=str(Path(__file__).resolve().parents[1]))
        world = _school(client)
        with _priced() as plan:
            made = world["admin"].call("POST", f"/v1/schools/{world['school_id']}/timetable/T2/lessons"
                                               "?year=2026&from=2026-11-02&to=2026-11-08", status=201)
        term = _term_lessons(world)
        with _priced() as pupils:
            listed = world["teacher"].call("GET", f"/v1/classes/{world['first_class']}/pupils")
        with _priced() as journals:
            mine = world["teacher"].call("GET", f"/v1/teachers/{world['teacher_id']}/journals")
    assert len(listed) == PUPILS and len(mine) == 6
    lessons = made["created"]
    per_lesson = (plan["write"] - plan["gate_write"]) / lessons
    return {
        "week_lessons_planned": Metric(lessons, "lessons"),
        "week_plan_wru": Metric(round(plan["write"]), "WRU"),
        "plan_gate_wru": Metric(round(plan["gate_write"]), "WRU"),
        "week_plan_rru": Metric(round(plan["read"], 1), "RRU"),
        "week_plan_calls": Metric(plan["calls"], "calls"),
        "week_plan_seconds_moto": Metric(round(plan["seconds"], 1), "s"),
        "plan_wru_per_lesson": Metric(round(per_lesson, 3), "WRU/lesson", "<= 6"),
        "term_lessons": Metric(term, "lessons"),
        "term_plan_wru_estimate": Metric(round(per_lesson * term + plan["gate_write"]), "WRU"),
        "term_plan_transactions_estimate": Metric(-(-term // 50), "transactions"),
        "class_pupils_queries": Metric(pupils["queries"], "queries", "<= 1"),
        "class_pupils_rru": Metric(pupils["read"], "RRU", "<= 3"),
        "teacher_journals_queries": Metric(journals["queries"], "queries", "<= 1"),
        "teacher_journals_rru": Metric(journals["read"], "RRU", "<= 6"),
    }
