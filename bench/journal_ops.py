"""Scenario: a class of 30 through one term: the journal's everyday requests, a pupil's reads, the term's close.

The school (built through the API) has class 7Ә with 30 pupils and 12 journals (33 hours a week: ten subjects
by term, informatics by half-year, music pass/fail); its first term (1 September .. 23 October 2026) is seeded
as the routes write it: lessons, attendance for everyone, formative points for about a third of the pupils per
lesson (40 % with written feedback), two SOR with criteria per subject and a SOCH in every term subject. Then,
each through the HTTP API and priced by `CapacityRecorder`:

- one lesson of math with attendance and formative points for 30 pupils; one SOR with 30 results;
- the math grid of the term; a week of a pupil's diary; the pupil's term standing; live statistics;
- the close of math's T1 for 30 pupils, and the statistics after it.

Read ratios compare the request units of a read with the least its returned bytes could cost (bytes / 4 KB,
halved when eventually consistent), leaving out the caller's authentication Query, which every route pays:
`*_journal_read_over_least` for the journal table, `*_request_read_over_least` for the whole request (the
directory's small items cost a whole unit, or half, each).
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from bench.capacity import CapacityRecorder, item_size
from bench.emulated import emulated_app
from bench.results import Metric

SCENARIO = "journal_ops"
PUPILS = 30
TODAY = date(2026, 10, 23)  # a Friday near the end of T1
_PASSWORD = "bench-pass-word-1"
_SUBJECTS = (  # code, hours a week, assessment
    ("math", 5, "criteria"), ("kazlang", 3, "criteria"), ("ruslang", 2, "criteria"), ("kazlit", 2, "criteria"),
    ("english", 3, "criteria"), ("history", 2, "criteria"), ("geography", 2, "criteria"), ("biology", 2, "criteria"),
    ("physics", 2, "criteria"), ("pe", 3, "criteria"), ("informatics", 1, "criteria"), ("music", 1, "pass_fail"))
_FEEDBACK = "Жақсы жұмыс, бірақ есептеуде мұқият бол; ережені қайтала."


class _Api:
    def __init__(self, client: Any, token: str | None = None) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {self.token}"} if self.token
                                                            else {})}
        response = getattr(self.client.http, method.lower())(path, headers=headers,
                                                             body=json.dumps(body).encode() if body else b"")
        assert response.status_code == status, (method, path, response.status_code, response.body[:500])
        return json.loads(response.body)

    def login(self, username: str) -> _Api:
        return _Api(self.client, self.call("POST", "/v1/auth/token", {"username": username,
                                                                      "password": _PASSWORD})["access_token"])


def _csv(rows: list[str]) -> bytes:
    header = ("role,external_id,last_name,first_name,middle_name,class_id,username,password,guardian_of,language,"
              "email,phone")
    return "\r\n".join([header, *rows, ""]).encode()


def _school(client: Any) -> dict[str, Any]:
    """School, class, 30 pupils, a parent of the first, a teacher of every journal, the admin (through the API)."""
    from chalicelib.auth import kdf_params
    from chalicelib.auth.passwords import hash_password
    from chalicelib.store.people import create_operator

    create_operator("bench-ministry", hash_password(_PASSWORD, kdf_params()), role="ministry", last_name="Bench",
                    first_name="Ministry")
    ministry = _Api(client).login("bench-ministry")
    school = ministry.call("POST", "/v1/schools", {"name": {"kk": "Бенчмарк мектебі", "ru": "Школа бенчмарка"},
                                                   "region": "almaty"}, 201)["school_id"]
    response = client.http.post(f"/v1/schools/{school}/roster", headers={
        "Content-Type": "text/csv", "Authorization": f"Bearer {ministry.token}"}, body=_csv([
            f"school_admin,A1,Сейітова,Әсел,,,bench-admin,{_PASSWORD},,kk,,",
            f"teacher,T1,Нұрланова,Гүлнар,,,bench-teacher,{_PASSWORD},,kk,,"]))
    staff = {p["external_id"]: p["person_id"] for p in json.loads(response.body)["people"]}
    admin = _Api(client).login("bench-admin")
    klass = admin.call("POST", f"/v1/schools/{school}/classes", {"year": 2026, "grade": 7, "letter": "Ә",
                                                                 "language": "kk"}, 201)["class_id"]
    rows = [f"student,S{i:02d},Әбілқасымов,Нұрсұлтан{i},,{klass},{'bench-pupil' if i == 0 else ''},"
            f"{_PASSWORD if i == 0 else ''},,kk,," for i in range(PUPILS)]
    rows.append(f"parent,P1,Сейітқазиева,Гүлнұр,,,bench-parent,{_PASSWORD},S00,kk,,")
    response = client.http.post(f"/v1/schools/{school}/roster", headers={
        "Content-Type": "text/csv", "Authorization": f"Bearer {admin.token}"}, body=_csv(rows))
    people = {p["external_id"]: p["person_id"] for p in json.loads(response.body)["people"]}
    journals = {}
    for code, hours, assessment in _SUBJECTS:
        subject = admin.call("POST", f"/v1/schools/{school}/subjects", {
            "code": code, "name": {"kk": code.title(), "ru": code.title()}, "assessment": assessment}, 201)
        journals[code] = (admin.call("POST", f"/v1/classes/{klass}/journals", {
            "subject_id": subject["subject_id"], "teacher_ids": [staff["T1"]], "hours_per_week": hours},
            201)["journal_id"], subject["subject_id"], hours, assessment)
    admin.call("PUT", f"/v1/schools/{school}/settings", {"edit_window_days": None})
    return {"school": school, "class": klass, "teacher_id": staff["T1"], "journals": journals, "admin": admin,
            "teacher": _Api(client).login("bench-teacher"), "parent": _Api(client).login("bench-parent"),
            "pupils": [people[f"S{i:02d}"] for i in range(PUPILS)]}


def _school_days(first: date, last: date) -> list[date]:
    from chalicelib.domain import calendar

    days, day = [], first
    while day <= last:
        if calendar.is_school_day(day, 2026, 7):
            days.append(day)
        day += timedelta(days=1)
    return days


def _term(world: dict[str, Any]) -> int:
    """Seed T1 up to the day before TODAY, items as the routes write them (BatchWriteItem)."""
    from chalicelib.domain.dates import KZ_TZ, to_rfc3339
    from chalicelib.domain.ids import new_id
    from chalicelib.store import journal as store

    rng, teacher, klass, pupils = random.Random(4), world["teacher_id"], world["class"], world["pupils"]
    days, items, numbers = _school_days(date(2026, 9, 1), TODAY - timedelta(days=1)), [], {}

    def stamp(item: Any, day: date) -> Any:
        item.version, item.by, item.role = 1, teacher, "teacher"
        item.at = to_rfc3339(datetime.combine(day, time(15, 30), KZ_TZ))
        return item

    for code, (journal_id, subject_id, hours, assessment) in world["journals"].items():
        mine = [d for i, d in enumerate(days) if (i * hours) // 5 != ((i + 1) * hours) // 5 or hours >= 5]
        for day in mine:
            numbers[day] = number = numbers.get(day, 0) + 1
            lesson_id = new_id()
            lesson = store.Lesson(store.journal_key(journal_id), store.lesson_sk("T1", day, number),
                                  lesson_id=lesson_id, number=number, subject_id=subject_id,
                                  topic="Бөлшектерді қосу және азайту", homework="§ 12, 3–5 жаттығулар",
                                  gpk=f"C#{klass}", gsk=f"{day}#L#{number:02d}")
            items += [stamp(lesson, day), store.Ref(f"R#{lesson_id}", "#", journal_id=journal_id,
                                                    target_sk=lesson.sk)]
            for pupil in pupils:
                status = "present" if rng.random() > 0.06 else rng.choice(["absent", "ill", "late"])
                items.append(stamp(store.Entry(store.journal_key(journal_id),
                                               store.entry_sk("T1", "A", lesson_id, pupil), status=status,
                                               gpk=f"S#{pupil}", gsk=day.isoformat()), day))
                if assessment == "criteria" and rng.random() < 0.33:
                    items.append(stamp(store.Entry(
                        store.journal_key(journal_id), store.entry_sk("T1", "F", lesson_id, pupil),
                        points=rng.randint(5, 10), feedback=_FEEDBACK if rng.random() < 0.4 else None,
                        gpk=f"S#{pupil}", gsk=day.isoformat()), day))
        if assessment == "criteria":
            kinds = [("SOR", mine[len(mine) // 3]), ("SOR", mine[2 * len(mine) // 3])]
            if hours > 1:
                kinds.append(("SOCH", mine[-1]))
            for kind, day in kinds:
                items += _work(store, stamp, rng, world, journal_id, subject_id, kind, day, "H1" if hours == 1
                               else "T1")
    with store.JournalRecord.batch_write() as batch:
        for item in items:
            batch.save(item)
    return len(items)


def _work(store: Any, stamp: Callable[[Any, date], Any], rng: random.Random, world: dict[str, Any], journal_id: str,
          subject_id: str, kind: str, day: date, period: str) -> list[Any]:
    from chalicelib.domain.ids import new_id

    work_id = new_id()
    criteria = [{"objective": None, "text": {"kk": "Есепті шығарады", "ru": "Решает задачу"},
                 "descriptors": [{"descriptor_id": str(n), "text": {"kk": "тәсілді таңдайды", "ru": "выбирает способ"},
                                  "points": 5} for n in range(2 * c + 1, 2 * c + 3)]} for c in range(2)]
    work = store.Work(store.journal_key(journal_id), store.work_sk("T1", work_id), work_id=work_id, kind=kind,
                      period=period, title=f"{kind} №1", max_points=20, subject_id=subject_id,
                      criteria=criteria if kind == "SOR" else None, gpk=f"C#{world['class']}",
                      gsk=f"{day}#W#{work_id}")
    made = [stamp(work, day), store.Ref(f"R#{work_id}", "#", journal_id=journal_id, target_sk=work.sk)]
    for pupil in world["pupils"]:
        made.append(stamp(store.Entry(store.journal_key(journal_id), store.entry_sk("T1", "R", work_id, pupil),
                                      points=rng.randint(8, 20), max_points=20, work_kind=kind, gpk=f"S#{pupil}",
                                      gsk=day.isoformat()), day))
    return made


@contextmanager
def _priced() -> Iterator[dict[str, Any]]:
    """Record a block: request units, and per call the bytes it returned and whether it read consistently."""
    from botocore.client import BaseClient

    out: dict[str, Any] = {}
    with CapacityRecorder() as recorder:
        inner, seen = BaseClient._make_api_call, []

        def spy(client: Any, operation: str, params: dict[str, Any]) -> Any:
            response = inner(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                seen.append((operation, params, response))
            return response

        BaseClient._make_api_call = spy
        try:
            yield out
        finally:
            BaseClient._make_api_call = inner
    out.update(_bill(recorder, seen))


def _returned(operation: str, params: dict[str, Any], response: dict[str, Any]) -> list[tuple[dict, bool]]:
    if operation == "Query":
        return [(item, bool(params.get("ConsistentRead"))) for item in response.get("Items", [])]
    if operation == "GetItem":
        return [(response["Item"], bool(params.get("ConsistentRead")))] if "Item" in response else []
    if operation == "BatchGetItem":
        return [(item, bool(params["RequestItems"][table].get("ConsistentRead")))
                for table, items in response.get("Responses", {}).items() for item in items]
    return []


def _bill(recorder: CapacityRecorder, seen: list[tuple[str, dict, dict]]) -> dict[str, Any]:
    """Units in all; per table without the authentication Query: units read and the least their returned bytes
    could cost; Queries per table."""
    calls = recorder.calls
    assert [c.operation for c in calls] == [op for op, _, _ in seen]
    read = write = 0.0
    tables: dict[str, dict[str, float]] = {}
    queries: dict[str, int] = {}
    for call, (operation, params, response) in zip(calls, seen):
        read += sum(c.read_units for c in call.charges)
        write += sum(c.write_units for c in call.charges)
        if operation == "Query" and any(v.get("S", "").startswith("PER#")
                                        for v in params.get("ExpressionAttributeValues", {}).values()):
            continue  # the caller's own directory partition: authentication
        for charge in call.charges:
            tables.setdefault(charge.table, {"read": 0.0, "least": 0.0})["read"] += charge.read_units
        table = params.get("TableName") or next(iter(params.get("RequestItems", {})), None)
        if table is not None:
            tables.setdefault(table, {"read": 0.0, "least": 0.0})["least"] += sum(
                item_size(item) / 4096 * (1 if consistent else 0.5)
                for item, consistent in _returned(operation, params, response))
        if operation == "Query":
            queries[params["TableName"]] = queries.get(params["TableName"], 0) + 1
    return {"read": read, "write": write, "tables": tables, "queries": queries}


def _size(table: str, pk: str, sk: str) -> int:
    import boto3

    return item_size(boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                                      ConsistentRead=True)["Item"])


def run() -> dict[str, Metric]:
    with emulated_app(TODAY) as client:
        from chalicelib.config import settings
        from chalicelib.store import journal as store

        world = _school(client)
        seeded = _term(world)
        return _measure(world, seeded, settings().table("journal"), store)


def _counted(school_id: str) -> None:
    """The counters the live statistics read, as the stream's consumer keeps them (recomputed from the journal
    by the reconciliation: the same arithmetic, without replaying the seeded term's stream)."""
    from chalicelib.jobs.reconcile import reconcile_school

    reconcile_school(school_id, repair=True)


def _measure(world: dict[str, Any], seeded: int, table: str, store: Any) -> dict[str, Metric]:
    teacher, parent, admin, pupils = world["teacher"], world["parent"], world["admin"], world["pupils"]
    math = world["journals"]["math"][0]
    with _priced() as made:
        lesson = teacher.call("POST", f"/v1/journals/{math}/lessons", {"date": TODAY.isoformat(), "number": 7}, 201)
    with _priced() as attendance:
        teacher.call("PUT", f"/v1/lessons/{lesson['lesson_id']}/attendance",
                     {"entries": [{"student_id": p, "status": "present"} for p in pupils]})
    with _priced() as formative:
        teacher.call("PUT", f"/v1/lessons/{lesson['lesson_id']}/formative",
                     {"entries": [{"student_id": p, "points": 5 + i % 6} for i, p in enumerate(pupils)]})
    with _priced() as sor_made:
        sor = teacher.call("POST", f"/v1/journals/{math}/works", {"kind": "SOR", "period": "T1",
                                                                  "date": "2026-10-21", "title": "БЖБ №3",
                                                                  "max_points": 20}, 201)
    with _priced() as results:
        teacher.call("PUT", f"/v1/works/{sor['work_id']}/results",
                     {"entries": [{"student_id": p, "points": 10 + i % 11} for i, p in enumerate(pupils)]})
    with _priced() as grid:
        teacher.call("GET", f"/v1/journals/{math}?period=T1")
    with _priced() as diary:
        parent.call("GET", f"/v1/students/{pupils[0]}/diary?from=2026-10-12&to=2026-10-18")
    with _priced() as standing:
        parent.call("GET", f"/v1/students/{pupils[0]}/standing?year=2026&period=T1")
    with _priced() as per_journal:  # the alternative: each journal's partition read consistently
        for journal_id, *_ in world["journals"].values():
            store.marked_entries(journal_id, ("T1",))
    _counted(world["school"])
    with _priced() as live:
        teacher.call("GET", f"/v1/journals/{math}/statistics?period=T1")
    with _priced() as closing:
        closed = teacher.call("POST", f"/v1/journals/{math}/periods/T1/close")
    with _priced() as final:
        teacher.call("GET", f"/v1/journals/{math}/statistics?period=T1")
    assert len(closed["marks"]) == PUPILS
    lesson_id, work_id, pupil = lesson["lesson_id"], sor["work_id"], pupils[0]
    sizes = {kind: _size(table, f"J#{math}", store.entry_sk("T1", letter, target, pupil))
             for kind, letter, target in (("attendance", "A", lesson_id), ("formative", "F", lesson_id),
                                          ("result", "R", work_id))}
    lesson_units = made["read"] + made["write"] + attendance["read"] + attendance["write"] + formative["read"] + \
        formative["write"]

    def ratio(bill: dict[str, Any], only: str | None = None) -> float:
        tables = [t for name, t in bill["tables"].items() if only in (None, name)]
        return round(sum(t["read"] for t in tables) / sum(t["least"] for t in tables), 3)

    def metric(value: float, unit: str, goal: str | None = None) -> Metric:
        return Metric(round(value, 3), unit, goal)

    return {
        "items_seeded": Metric(seeded, "items"),
        "lesson_with_attendance_and_formative_units": metric(lesson_units, "RRU+WRU"),
        "lesson_create_write_units": metric(made["write"], "WRU"),
        "attendance_write_units_per_entry": metric(attendance["write"] / PUPILS, "WRU/entry", "<= 3"),
        "formative_write_units_per_entry": metric(formative["write"] / PUPILS, "WRU/entry", "<= 3"),
        "formative_read_units": metric(formative["read"], "RRU"),
        "sor_results_units": metric(sor_made["read"] + sor_made["write"] + results["read"] + results["write"],
                                    "RRU+WRU"),
        "result_write_units_per_entry": metric(results["write"] / PUPILS, "WRU/entry", "<= 3"),
        "attendance_entry_bytes": Metric(sizes["attendance"], "bytes", "<= 300"),
        "formative_entry_bytes": Metric(sizes["formative"], "bytes", "<= 300"),
        "result_entry_bytes": Metric(sizes["result"], "bytes", "<= 300"),
        "grid_term_read_units": metric(grid["read"], "RRU"),
        "grid_journal_read_over_least": metric(ratio(grid, table), "x", "<= 1.2"),
        "grid_request_read_over_least": metric(ratio(grid), "x"),
        "diary_week_read_units": metric(diary["read"], "RRU"),
        "diary_journal_read_over_least": metric(ratio(diary, table), "x", "<= 1.2"),
        "diary_request_read_over_least": metric(ratio(diary), "x"),
        "standing_term_read_units": metric(standing["read"], "RRU"),
        "standing_journal_read_units": metric(standing["tables"][table]["read"], "RRU"),
        "standing_journal_read_over_least": metric(ratio(standing, table), "x", "<= 1.2"),
        "standing_request_read_over_least": metric(ratio(standing), "x"),
        "standing_journal_queries": Metric(standing["queries"].get(table, 0), "queries", "<= 2"),
        "standing_by_journal_partitions_read_units": metric(per_journal["read"], "RRU"),
        "statistics_live_read_units": metric(live["read"], "RRU"),
        "statistics_live_journal_queries": Metric(live["queries"].get(table, 0), "queries"),
        "close_30_read_units": metric(closing["read"], "RRU"),
        "close_30_write_units": metric(closing["write"], "WRU"),
        "statistics_closed_read_units": metric(final["read"], "RRU"),
    }
