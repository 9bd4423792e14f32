"""Idempotency-Key on every creating POST: a repeat returns the first answer and changes nothing; the same key
with another body is 422; a failed request is forgotten, so the client can fix it and retry with the same key."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.api.http import ENDPOINTS
from chalicelib.config import reset_settings, settings
from chalicelib.store.base import all_models
from app import app  # noqa: F401  (registers every route in ENDPOINTS)
from tests.integration.conftest import Api, Campus, School, aws_client, body, roster


def stored_items() -> int:
    """Every item the service holds, in every table but the idempotency records themselves."""
    dynamodb = aws_client("dynamodb")
    return sum(page["Count"] for suffix in all_models() if suffix != "idempotency"
               for page in dynamodb.get_paginator("scan").paginate(TableName=settings().table(suffix),
                                                                    Select="COUNT"))


# For each creating route: who creates, where, and two different bodies it accepts.
Creation = tuple[Api, str, Any, Any]
CREATIONS: dict[str, Callable[[Campus], Creation]] = {
    "/v1/schools": lambda c: (
        c.ministry, "/v1/schools", {"name": {"kk": "Жаңа мектеп", "ru": "Новая школа"}, "region": "abai"},
        {"name": {"kk": "Басқа мектеп", "ru": "Другая школа"}, "region": "abai"}),
    "/v1/schools/{school_id}/classes": lambda c: (
        c.a.admin, f"/v1/schools/{c.a.school_id}/classes", {"year": 2026, "grade": 2, "letter": "А", "language": "kk"},
        {"year": 2026, "grade": 2, "letter": "Б", "language": "kk"}),
    "/v1/schools/{school_id}/subjects": lambda c: (
        c.a.admin, f"/v1/schools/{c.a.school_id}/subjects",
        {"code": "bio", "name": {"kk": "Биология", "ru": "Биология"}, "assessment": "criteria"},
        {"code": "chem", "name": {"kk": "Химия", "ru": "Химия"}, "assessment": "criteria"}),
    "/v1/classes/{class_id}/journals": lambda c: (
        c.a.admin, f"/v1/classes/{c.a.class_id}/journals",
        {"subject_id": _subject(c), "teacher_ids": [c.a.people["teacher"]], "hours_per_week": 2},
        {"subject_id": _subject(c, "geo"), "teacher_ids": [c.a.people["teacher"]], "hours_per_week": 2}),
    "/v1/schools/{school_id}/roster": lambda c: (
        c.a.admin, f"/v1/schools/{c.a.school_id}/roster", roster("teacher,K1,Бекова,Дана,,,,,,kk,,"),
        roster("teacher,K2,Сейтова,Әсем,,,,,,kk,,")),
    "/v1/journals/{journal_id}/lessons": lambda c: (
        _unlimited(c.a).teacher, f"/v1/journals/{c.a.journal_id}/lessons", {"date": "2026-11-02", "number": 1},
        {"date": "2026-11-02", "number": 2}),
    "/v1/journals/{journal_id}/works": lambda c: (
        _unlimited(c.a).teacher, f"/v1/journals/{c.a.journal_id}/works",
        {"kind": "SOR", "period": "T2", "date": "2026-11-03", "title": "БЖБ 1", "max_points": 10},
        {"kind": "SOR", "period": "T2", "date": "2026-11-04", "title": "БЖБ 2", "max_points": 12}),
    "/v1/me/devices": lambda c: (c.a.parent, "/v1/me/devices", {"token": "push-token-1"}, {"token": "push-token-2"}),
    "/v1/accounts": lambda c: (
        c.ministry, "/v1/accounts", {"role": "ministry", "username": "idem.one", "password": "idem-pass-1",
                                     "last_name": "Ә", "first_name": "Б"},
        {"role": "ministry", "username": "idem.two", "password": "idem-pass-1", "last_name": "Ә", "first_name": "Б"}),
    "/v1/people/{person_id}/account": lambda c: (
        c.a.admin, f"/v1/people/{c.a.people['pupil2']}/account", {"username": "idem.pupil", "password": "pass-1234"},
        {"username": "idem.pupil2", "password": "pass-1234"}),
    "/v1/classes/{class_id}/subgroups": lambda c: (
        c.a.admin, f"/v1/classes/{c.a.class_id}/subgroups",
        {"subject_id": c.a.subject_id, "name": "1", "teacher_ids": [c.a.people["teacher"]], "hours_per_week": 2,
         "student_ids": [c.a.people["student"]]},
        {"subject_id": c.a.subject_id, "name": "2", "teacher_ids": [c.a.people["teacher"]], "hours_per_week": 2,
         "student_ids": [c.a.people["student"]]}),
    "/v1/reports": lambda c: (
        c.a.admin, "/v1/reports", {"kind": "class_sheet", "school_id": c.a.school_id, "class_id": c.a.class_id,
                                   "year": 2026, "period": "T1", "format": "csv", "language": "kk"},
        {"kind": "class_sheet", "school_id": c.a.school_id, "class_id": c.a.class_id, "year": 2026, "period": "T1",
         "format": "xlsx", "language": "ru"}),
    "/v1/students/{student_id}/excuses": lambda c: (
        c.a.parent, f"/v1/students/{c.a.people['student']}/excuses", _excuse(1), _excuse(2)),
    "/v1/classes/{class_id}/timetable/{period}/lessons": lambda c: (
        _timetable(c.a).admin, f"/v1/classes/{c.a.class_id}/timetable/T2/lessons", None, {"again": True}),
    "/v1/schools/{school_id}/timetable/{period}/lessons": lambda c: (
        _timetable(c.a).admin, f"/v1/schools/{c.a.school_id}/timetable/T2/lessons?year=2026", None,
        {"again": True}),
}


def _excuse(days: int) -> dict[str, str]:
    from datetime import timedelta

    from chalicelib.domain.dates import today_kz

    return {"from": str(today_kz() + timedelta(days=days)), "to": str(today_kz() + timedelta(days=days)),
            "reason": "ауырып қалды"}


def _timetable(s: School) -> School:
    """The school, with a timetable for its class in T2 (planned lessons are made from it)."""
    s.admin.ok("PUT", f"/v1/classes/{s.class_id}/timetable/T2",
               {"slots": [{"weekday": 1, "number": 1, "journal_id": s.journal_id}]})
    return s


def _unlimited(s: School) -> School:
    """The school, its edit window lifted (so fixed dates stay writable whenever the tests run)."""
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    return s


def _subject(c: Campus, code: str = "hist") -> str:
    return c.a.admin.ok("POST", f"/v1/schools/{c.a.school_id}/subjects",
                        {"code": code, "name": {"kk": code, "ru": code}, "assessment": "criteria"},
                        status=201)["subject_id"]


def _post(api: Api, path: str, payload: Any, key: str | None):
    headers = {"Idempotency-Key": key} if key else {}
    if isinstance(payload, bytes):
        return api.call("POST", path, raw=payload, content_type="text/csv", headers=headers)
    return api.call("POST", path, payload, headers=headers)


def test_every_creating_route_is_covered_here() -> None:
    assert {e.path for e in ENDPOINTS if e.creates} == set(CREATIONS)
    assert all(e.method == "POST" for e in ENDPOINTS if e.creates)


@pytest.fixture()
def push_application(campus: Campus, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A push application for this stage, so devices can be registered."""
    arn = aws_client("sns").create_platform_application(
        Name="ejournal-test", Platform="GCM", Attributes={"PlatformCredential": "server-key"})
    monkeypatch.setenv("PUSH_APPLICATION_ARN", arn["PlatformApplicationArn"])
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


@pytest.mark.parametrize("route", CREATIONS)
def test_a_repeat_returns_the_first_answer_and_creates_nothing(campus: Campus, push_application: None,
                                                               route: str) -> None:
    api, path, payload, other = CREATIONS[route](campus)
    before = stored_items()
    first = _post(api, path, payload, "key-1")
    assert first.status_code in (200, 201, 202), first.body
    created = stored_items()
    assert created > before
    again = _post(api, path, payload, "key-1")
    assert (again.status_code, body(again)) == (first.status_code, body(first))
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert stored_items() == created

    reused = _post(api, path, other, "key-1")
    assert reused.status_code == 422 and body(reused)["type"].endswith("/idempotency-key-reused")
    assert reused.headers["Content-Type"].startswith("application/problem+json")
    assert stored_items() == created


def test_a_failed_request_can_be_fixed_and_retried_with_its_key(campus: Campus) -> None:
    a = campus.a
    path = f"/v1/schools/{a.school_id}/classes"
    broken = {"year": 2026, "grade": 12, "letter": "А", "language": "kk"}
    before = stored_items()
    assert _post(a.admin, path, broken, "retry-me").status_code == 422
    assert _post(a.admin, path, broken, "retry-me").status_code == 422  # a failure is not replayed: it reruns
    assert stored_items() == before
    fixed = _post(a.admin, path, {**broken, "grade": 11}, "retry-me")
    assert fixed.status_code == 201
    assert body(_post(a.admin, path, {**broken, "grade": 11}, "retry-me")) == body(fixed)


def test_a_key_belongs_to_one_caller_and_one_path(campus: Campus) -> None:
    csv = roster("teacher,SAME1,Бекова,Дана,,,,,,kk,,")
    into_a = body(_post(campus.ministry, f"/v1/schools/{campus.a.school_id}/roster", csv, "shared"))
    into_b = body(_post(campus.ministry, f"/v1/schools/{campus.b.school_id}/roster", csv, "shared"))
    assert into_a["created"] == into_b["created"] == 1
    assert into_a["people"][0]["person_id"] != into_b["people"][0]["person_id"]
    school = {"name": {"kk": "Мектеп", "ru": "Школа"}, "region": "almaty"}
    by_ministry = body(_post(campus.ministry, "/v1/schools", school, "mine"))
    by_region = body(_post(campus.almaty, "/v1/schools", school, "mine"))
    assert by_ministry["school_id"] != by_region["school_id"]


@pytest.mark.parametrize("key", ["", "k" * 256, "line\nbreak"])
def test_a_malformed_key_is_400(campus: Campus, key: str) -> None:
    before = stored_items()
    r = campus.ministry.call("POST", "/v1/schools", {"name": {"kk": "М", "ru": "Ш"}, "region": "abai"},
                             headers={"Idempotency-Key": key})
    assert r.status_code == 400 and body(r)["errors"] == [{"field": "Idempotency-Key", "message": "malformed"}]
    assert stored_items() == before
