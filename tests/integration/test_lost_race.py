"""A write that loses a race to another request on the same item answers 409 problem+json, never 500 (found by
the OpenAPI fuzzer: two rollovers of one class at once)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.store import schools
from tests.integration.school import SmallSchool, school, today  # noqa: F401


def _another_request_writes_first(read: Any) -> Any:
    """`journals_of_class` as it is when another request saves the same journals right after this one read them."""
    def journals_of_class(class_id: str) -> list[Any]:
        journals = read(class_id)
        for journal in read(class_id):
            journal.save()  # a new version: the copies read above are stale now
        return journals

    return journals_of_class


def test_a_transfer_that_loses_a_race_is_a_409_problem(school: SmallSchool, monkeypatch: pytest.MonkeyPatch) -> None:
    s = school
    target = s.admin.ok("POST", f"/v1/schools/{s.school_id}/classes",
                        {"year": 2026, "grade": 7, "letter": "Б", "language": "kk"}, status=201)["class_id"]
    monkeypatch.setattr(schools, "journals_of_class", _another_request_writes_first(schools.journals_of_class))
    response = s.admin.call("POST", f"/v1/students/{s.pupils['p1']}/transfer",
                            {"class_id": target, "date": "2026-10-05"})
    assert response.status_code == 409
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.body)["status"] == 409


def test_every_write_documents_the_409_and_every_body_the_415(school: SmallSchool) -> None:
    document = school.admin.ok("GET", "/v1/openapi.json")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert method == "get" or "409" in statuses, (method, path)
            assert method not in ("post", "put", "patch") or "415" in statuses, (method, path)
