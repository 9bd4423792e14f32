"""Errors: every failing /v1 answer is a problem document; bad input is refused whole and writes nothing; nothing a
client sends makes a route answer 500."""
from __future__ import annotations

import functools
import json
import re

import pytest

from app import app  # noqa: F401  (registers every route in ENDPOINTS)
from chalicelib.api.http import ENDPOINTS
from chalicelib.auth.tokens import VerifiedToken
from tests.integration.conftest import Api, Campus, body, directory_items

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.body)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    document = body(response)
    assert set(document) >= PROBLEM_KEYS and document["status"] == status
    assert document["type"].startswith("https://") and document["title"] and document["detail"]
    assert all(set(e) == {"field", "message"} for e in document["errors"])
    return document


def writing_calls(c: Campus) -> list[tuple[Api, str, str, dict]]:
    """Each JSON route that writes, with its writer and a body it accepts."""
    a = c.a
    return [
        (c.ministry, "POST", "/v1/schools", {"name": {"kk": "Мектеп", "ru": "Школа"}, "region": "abai"}),
        (a.admin, "POST", f"/v1/schools/{a.school_id}/classes",
         {"year": 2026, "grade": 9, "letter": "Ғ", "language": "kk"}),
        (a.admin, "POST", f"/v1/schools/{a.school_id}/subjects",
         {"code": "history", "name": {"kk": "Тарих", "ru": "История"}, "assessment": "criteria"}),
        (a.admin, "PUT", f"/v1/schools/{a.school_id}/settings", {"edit_window_days": 5}),
    ]


BAD_SHAPES = {
    "malformed JSON": (b'{"name": {"kk": "x",', "body"),
    "not an object": (b'["a", "b"]', "body"),
    "not UTF-8": ('{"x": "Қ"}'.encode("utf-16"), "body"),
}


@pytest.mark.parametrize("kind", BAD_SHAPES)
def test_unreadable_bodies_are_400_and_write_nothing(campus: Campus, kind: str) -> None:
    raw, field = BAD_SHAPES[kind]
    before = directory_items()
    for api, method, path, _ in writing_calls(campus):
        document = assert_problem(api.call(method, path, raw=raw), 400)
        assert document["errors"][0]["field"] == field
    assert directory_items() == before


def _wrong_types(good: dict) -> dict:
    """Every field of `good` given a value of another JSON type."""
    flip = {str: 7, int: "7", dict: "an object?", list: {}, type(None): []}
    return {name: flip.get(type(value), "x") for name, value in good.items()}


def test_wrong_types_unknown_and_missing_fields_are_400_naming_each_and_write_nothing(campus: Campus) -> None:
    before = directory_items()
    for api, method, path, good in writing_calls(campus):
        wrong = assert_problem(api.call(method, path, _wrong_types(good)), 400)
        assert {e["field"] for e in wrong["errors"]} == set(good), path
        unknown = assert_problem(api.call(method, path, {**good, "colour": "green"}), 400)
        assert unknown["errors"] == [{"field": "colour", "message": "unknown field"}]
        missing = assert_problem(api.call(method, path, {}), 400)
        assert {e["field"] for e in missing["errors"]} == set(good), path
        nested = good.get("name") and api.call(method, path, {**good, "name": {"kk": "Тек", "en": "Only"}})
        if nested:
            assert {e["field"] for e in assert_problem(nested, 400)["errors"]} == {"name.ru", "name.en"}
    assert directory_items() == before


def test_a_body_over_1_mb_is_413_and_writes_nothing(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    padding = "ә" * (1024 * 1024 // 2)
    assert_problem(campus.ministry.call("POST", "/v1/schools", {"name": {"kk": padding, "ru": "x"},
                                                                "region": "abai"}), 413)
    csv = b"role,external_id\r\n" + b"teacher,X\r\n" * 100_000
    assert_problem(a.admin.call("POST", f"/v1/schools/{a.school_id}/roster", raw=csv, content_type="text/csv"), 413)
    assert directory_items() == before


def test_chalice_errors_are_problem_documents_too(campus: Campus) -> None:
    a = campus.a
    wrong_method = assert_problem(a.admin.call("DELETE", f"/v1/schools/{a.school_id}"), 405)
    assert wrong_method["instance"] == f"/v1/schools/{a.school_id}"
    response = a.admin.call("PATCH", f"/v1/schools/{a.school_id}/classes")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert_problem(a.admin.call("POST", f"/v1/schools/{a.school_id}/classes", raw=b"<x/>",
                                content_type="application/xml"), 415)
    assert_problem(a.admin.call("POST", f"/v1/schools/{a.school_id}/roster", raw=b"{}"), 415)


def test_problem_instance_is_the_path_asked_for(campus: Campus) -> None:
    a = campus.a
    document = assert_problem(a.parent.call("PUT", f"/v1/schools/{a.school_id}/settings",
                                            {"edit_window_days": 1}), 403)
    assert document["instance"] == f"/v1/schools/{a.school_id}/settings"


def test_json_the_parser_chokes_on_is_400(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    for raw in (b"[" * 50_000 + b"]" * 50_000, b'{"edit_window_days": ' + b"9" * 5000 + b"}",
                b'{"edit_window_days": "\\ud800"}'):
        assert_problem(a.admin.call("PUT", f"/v1/schools/{a.school_id}/settings", raw=raw), 400)
    assert directory_items() == before


def test_ids_that_cannot_be_ids_are_404_and_odd_numbers_400(campus: Campus) -> None:
    a = campus.a
    for odd in ("x" * 3000, "%F0%9F%98%80", "0", "-1", "9" * 20):
        document = assert_problem(a.admin.call("GET", f"/v1/schools/{odd}/classes"), 404)
        assert document["detail"] == "No such school."
    for query in ("year=%C2%B2&grade=7", "year=2026&grade=" + "9" * 5000, "year=٢٠٢٦&grade=7"):
        assert_problem(a.admin.call("GET", f"/v1/schools/{a.school_id}/periods?{query}"), 400)


# ---- fuzz: whatever a client sends, no route answers 500 ----

GARBAGE_BODIES = [  # what the JSON parser itself chokes on (plain bad JSON is tested above)
    b"[" * 50_000 + b"]" * 50_000,                          # nesting deeper than the parser's stack
    b'{"year": ' + b"9" * 5000 + b"}",                      # an integer too long to convert
    b'{"name": "\\ud800", "username": "\\udfff"}',         # lone surrogates
    b"\xff\xfe{\x00}\x00",                                 # not UTF-8
]
ODD_IDS = ["x" * 3000, "%F0%9F%98%80"]  # too long for a key; not ASCII
ODD_QUERY = "?year=%C2%B2&grade=" + "9" * 400 + "&from=2026-02-30&to=x&limit=-1&before=%00&period=T9&unread=maybe"
GOOD_QUERY = "?year=2026&grade=7&period=T1&from=2026-09-01&to=2026-09-30&limit=2"


def _hostile(shape: dict | None) -> dict:
    """A body of `shape` with every field of the right JSON type but an absurd value."""
    out: dict = {}
    for name, spec in (shape or {}).items():
        kind = spec.kind
        if isinstance(kind, dict):
            out[name] = _hostile(kind)
        elif kind is str:
            out[name] = "x" * 3000
        elif kind in (int, float):
            out[name] = -(2 ** 70)
        elif kind is bool:
            out[name] = True
        else:
            item = getattr(kind, "item", None)
            out[name] = [_hostile(item) if isinstance(item, dict) else "x" * 3000] * 3
    return out


def _real_path(e, c: Campus) -> str:
    a = c.a
    real = {"school_id": a.school_id, "class_id": a.class_id, "subject_id": a.subject_id,
            "journal_id": a.journal_id, "student_id": a.people["student"]}
    return e.path.format(**{n: real.get(n, a.journal_id) for n in re.findall(r"{(\w+)}", e.path)})


def test_no_route_answers_500_to_anything(campus: Campus, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.auth import identity

    directory = identity.caller_of
    known = functools.cache(lambda subject: directory(VerifiedToken(subject, {"sub": subject})))
    monkeypatch.setattr(identity, "caller_of", lambda verified: known(verified.subject))  # tokens are checked
    a, anonymous = campus.a, campus.anonymous()
    failures = []

    def send(api: Api, method: str, path: str, raw: bytes, content_type: str) -> None:
        response = api.call(method, path, raw=raw, content_type=content_type)
        problem = response.headers.get("Content-Type", "").startswith("application/problem+json")
        if response.status_code >= 500 or (response.status_code >= 400 and not problem):
            failures.append((response.status_code, method, path[:90], raw[:30]))

    for e in ENDPOINTS:
        path, kind = _real_path(e, campus), e.content_types[0]
        hostile = json.dumps(_hostile(e.request)).encode()
        send(anonymous, e.method, path, hostile, kind)
        send(a.parent, e.method, path + ODD_QUERY, hostile, kind)
        send(a.admin, e.method, path + ODD_QUERY, hostile, kind)
        send(a.admin, e.method, path + GOOD_QUERY, hostile, kind)
        send(campus.ministry, e.method, path + GOOD_QUERY, hostile, kind)
        for odd in ODD_IDS if "{" in e.path else []:
            send(a.admin, e.method, re.sub(r"{\w+}", odd, e.path) + GOOD_QUERY, hostile, kind)
        for raw in GARBAGE_BODIES if e.method != "GET" else []:
            send(a.admin, e.method, path + GOOD_QUERY, raw, kind)
    assert failures == []


def test_a_read_is_served_whatever_content_type_comes_with_it(ministry: Api) -> None:
    for content_type in ("text/plain", "", "application/xml"):
        assert ministry.call("GET", "/v1/me", content_type=content_type).status_code == 200
