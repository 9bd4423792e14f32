"""The local run as a user meets it: demo logins, the directory, errors, and queued work that completes."""
from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN_PASSWORD, Client, is_problem


def test_health_answers(anonymous: Client) -> None:
    response = anonymous.call("GET", "/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_describes_the_api(anonymous: Client) -> None:
    document = anonymous.call("GET", "/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/v1/health", "/v1/auth/token", "/v1/me", "/v1/schools/{school_id}/roster"} <= set(document["paths"])


@pytest.mark.parametrize(("username", "password", "role"), [
    ("admin", ADMIN_PASSWORD, "ministry"),
    ("school.admin", None, "school_admin"),
    ("teacher.math", None, "teacher"),
    ("parent.demo", None, "parent"),
    ("student.demo", None, "student"),
])
def test_every_demo_login_works(anonymous: Client, username: str, password: str | None, role: str) -> None:
    user = anonymous.as_user(username, password) if password else anonymous.as_user(username)
    me = user.call("GET", "/v1/me").json()
    assert role in {r["role"] for r in me["roles"]}


def test_a_wrong_password_is_refused(anonymous: Client) -> None:
    response = anonymous.call("POST", "/v1/auth/token", {"username": "teacher.math", "password": "not-it-2026"})
    assert is_problem(response, 401)


def test_the_demo_parent_has_a_child_in_each_class(anonymous: Client, classes: dict[str, Any]) -> None:
    me = anonymous.as_user("parent.demo").call("GET", "/v1/me").json()
    children = {c["display_name"]: c["class_id"] for c in me["children"]}
    assert children == {"Сейтқали Нұрислам": classes["5Ә"]["class_id"],
                        "Сейтқали Аружан": classes["7А"]["class_id"]}


def test_the_math_teacher_has_a_journal_in_each_class(anonymous: Client, classes: dict[str, Any]) -> None:
    me = anonymous.as_user("teacher.math").call("GET", "/v1/me").json()
    assert sorted(j["class_id"] for j in me["journals"]) == sorted(c["class_id"] for c in classes.values())


def test_the_school_admin_reads_the_school(school_admin: Client, school_id: str, classes: dict[str, Any]) -> None:
    school = school_admin.call("GET", f"/v1/schools/{school_id}").json()
    assert school["region"] == "almaty"
    assert "мектеп" in school["name"]["kk"] and "Школа" in school["name"]["ru"]
    assert {name: (c["year"], c["language"]) for name, c in classes.items()} == {"5Ә": (2026, "kk"),
                                                                                  "7А": (2026, "ru")}
    journals = school_admin.call("GET", f"/v1/classes/{classes['5Ә']['class_id']}/journals").json()
    assert len(journals) == 6


def test_the_school_admin_reads_the_calendar(school_admin: Client, school_id: str) -> None:
    periods = school_admin.call("GET", f"/v1/schools/{school_id}/periods?year=2026&grade=7").json()
    assert {p["period"]: p["start"] for p in periods}["T1"] == "2026-09-01"
    holidays = school_admin.call("GET", f"/v1/schools/{school_id}/holidays?year=2026").json()
    assert holidays and all("date" in h for h in holidays)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer whatever"}])
def test_an_unknown_route_is_a_404_problem(anonymous: Client, headers: dict[str, str]) -> None:
    assert is_problem(anonymous.call("GET", "/v1/no-such-thing", headers=headers), 404)


def test_a_bad_token_is_a_401_problem(anonymous: Client) -> None:
    response = Client(anonymous.url, "not.a.token").call("GET", "/v1/me")
    assert is_problem(response, 401)


def test_a_body_over_one_megabyte_is_refused(school_admin: Client, school_id: str) -> None:
    huge = b"role,external_id\n" + b"x" * (1024 * 1024)
    response = school_admin.call("POST", f"/v1/schools/{school_id}/roster", data=huge, content_type="text/csv")
    assert is_problem(response, 413)


def test_a_large_roster_import_completes_in_the_background(school_admin: Client, school_id: str,
                                                           classes: dict[str, Any]) -> None:
    rows = [{"role": "student", "external_id": f"E2E-{n:03d}", "last_name": "Тестов", "first_name": f"Оқушы{n}",
             "class_id": classes["7А"]["class_id"]} for n in range(250)]
    response = school_admin.call("POST", f"/v1/schools/{school_id}/roster", data=_roster(rows),
                                 content_type="text/csv")
    assert response.status_code == 202, response.text
    status_path = f"/v1/schools/{school_id}/roster/imports/{response.json()['import_id']}"
    deadline, status = time.monotonic() + 40, {}
    while time.monotonic() < deadline:
        status = school_admin.call("GET", status_path).json()
        if status["status"] != "pending":
            break
        time.sleep(0.3)
    assert status["status"] == "done", status
    assert status["created"] == 250


def _roster(rows: list[dict[str, str]]) -> bytes:
    columns = ("role", "external_id", "last_name", "first_name", "middle_name", "class_id", "username",
               "password", "guardian_of", "language", "email", "phone")
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
