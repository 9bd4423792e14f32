"""Who sees a school: everything under another school is 404, the school itself included (never revealing that
it exists); the ministry and the school's region_admin may read it; a region_admin of another region may not."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.conftest import Api, Campus, School, body, directory_items

UNKNOWN = "123456789012345678"


def reads(s: School) -> list[str]:
    """Every GET route under school `s`."""
    return [f"/v1/schools/{s.school_id}", f"/v1/schools/{s.school_id}/settings",
            f"/v1/schools/{s.school_id}/classes", f"/v1/schools/{s.school_id}/subjects",
            f"/v1/schools/{s.school_id}/periods?year=2026&grade=7",
            f"/v1/schools/{s.school_id}/holidays?year=2026", f"/v1/classes/{s.class_id}",
            f"/v1/classes/{s.class_id}/journals", f"/v1/schools/{s.school_id}/roster/imports/{UNKNOWN}"]


def writes(s: School) -> list[tuple[str, str, dict | None, bytes | None]]:
    """Every changing route under school `s`, with a body that would be accepted from its own school_admin."""
    return [
        ("POST", f"/v1/schools/{s.school_id}/classes", {"year": 2026, "grade": 2, "letter": "Б", "language": "kk"},
         None),
        ("POST", f"/v1/schools/{s.school_id}/subjects",
         {"code": "music", "name": {"kk": "Музыка", "ru": "Музыка"}, "assessment": "none"}, None),
        ("POST", f"/v1/classes/{s.class_id}/journals",
         {"subject_id": s.subject_id, "teacher_ids": [s.people["teacher"]], "hours_per_week": 1}, None),
        ("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": 3}, None),
        ("PUT", f"/v1/schools/{s.school_id}/periods?year=2026&grade=7", {"periods": []}, None),
        ("PUT", f"/v1/schools/{s.school_id}/holidays?year=2026", {"holidays": []}, None),
        ("POST", f"/v1/schools/{s.school_id}/roster", None,
         b"role,external_id,last_name,first_name,middle_name,class_id,username,password,guardian_of,language,"
         b"email,phone\r\nteacher,NEW1,Name,Name,,,,,,kk,,\r\n"),
    ]


OUTSIDERS: dict[str, Callable[[Campus], Api]] = {
    "school_admin of another school": lambda c: c.b.admin,
    "teacher of another school": lambda c: c.b.teacher,
    "parent of another school": lambda c: c.b.parent,
    "student of another school": lambda c: c.b.student,
    "school_admin of another region": lambda c: c.c.admin,
    "region_admin of another region": lambda c: c.astana,
}


def _same_as_unknown(response, unknown_response) -> None:
    """A hidden object answers exactly as an id that does not exist."""
    assert response.status_code == 404, (response.status_code, response.body)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    hidden, missing = body(response), body(unknown_response)
    assert (hidden["type"], hidden["title"], hidden["detail"], hidden["errors"]) == \
        (missing["type"], missing["title"], missing["detail"], missing["errors"])


def _ghost(c: Campus) -> School:
    """A school, class and import that do not exist."""
    return School(0, UNKNOWN, "almaty", UNKNOWN, UNKNOWN, UNKNOWN, {}, (), *[c.ministry] * 4)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_read_nothing_under_a_school(campus: Campus, who: str) -> None:
    api, a = OUTSIDERS[who](campus), campus.a
    for path, unknown in zip(reads(a), reads(_ghost(campus))):
        _same_as_unknown(api.call("GET", path), campus.ministry.call("GET", unknown))


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_change_nothing_under_a_school(campus: Campus, who: str) -> None:
    api, a = OUTSIDERS[who](campus), campus.a
    before = directory_items()
    for method, path, payload, raw in writes(a):
        r = api.call(method, path, payload, raw=raw, content_type="text/csv" if raw else "application/json")
        assert r.status_code == 404, (who, method, path, r.status_code, r.body)
    assert directory_items() == before


@pytest.mark.parametrize("who", ["ministry", "region_admin of the school's region"])
def test_overseers_read_the_school(campus: Campus, who: str) -> None:
    api, a = (campus.ministry if who == "ministry" else campus.almaty), campus.a
    for path in reads(a)[:-1]:
        assert api.call("GET", path).status_code == 200, path
    assert api.ok("GET", f"/v1/schools/{a.school_id}")["school_id"] == a.school_id


def test_overseers_may_not_set_the_school_up(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    for api in (campus.ministry, campus.almaty):
        for method, path, payload, raw in writes(a)[:-1]:
            assert api.call(method, path, payload).status_code == 403, (method, path)
    assert directory_items() == before


def test_members_read_their_own_school(campus: Campus) -> None:
    a = campus.a
    for api in (a.admin, a.teacher, a.parent, a.student):
        for path in reads(a)[:-1]:
            assert api.call("GET", path).status_code == 200, path


def test_unknown_ids_are_404_problem_documents(campus: Campus) -> None:
    for path in reads(_ghost(campus)):
        r = campus.ministry.call("GET", path)
        assert r.status_code == 404 and body(r)["status"] == 404, path
