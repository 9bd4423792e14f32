"""`GET /v1/openapi.json`: an OpenAPI 3.1 document of exactly the /v1 routes the app serves, with full paths
(the Kundelik v2 compatibility layer under /v2 is described by kundelik-v2.md, not here)."""
from __future__ import annotations

import re

import pytest
from chalice.test import Client

from chalicelib.api.http import ENDPOINTS
from tests.integration.conftest import Api, body

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture()
def document(client: Client) -> dict:
    response = Api(client).call("GET", "/v1/openapi.json")  # public: no token
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return body(response)


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item
            if method in METHODS}


def test_it_lists_exactly_the_apps_v1_routes(document: dict) -> None:
    from app import app

    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    v1 = {(path, method) for path, method in served if path.startswith("/v1/")}
    assert _operations(document) == v1
    assert {(e.path, e.method) for e in ENDPOINTS} == v1
    assert all(path.startswith(("/v2/", "/v2.0/")) for path, _ in served - v1)  # the Kundelik v2 layer


def test_it_is_openapi_3_1_with_full_v1_paths_and_their_parameters(document: dict) -> None:
    assert document["openapi"].startswith("3.1")
    assert "servers" not in document
    for path, item in document["paths"].items():
        assert path.startswith("/v1/"), path
        for method, operation in item.items():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            for status, response in operation["responses"].items():
                kind = "application/problem+json" if int(status) >= 400 else "application/json"
                assert kind in response["content"], (method, path, status)


def _query(document: dict, method: str, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in document["paths"][path][method]["parameters"] if p["in"] == "query"}


def test_the_query_parameters_views_read_are_documented_with_their_format(document: dict) -> None:
    grid = _query(document, "get", "/v1/journals/{journal_id}")
    assert grid["period"]["required"] is True
    assert grid["period"]["schema"] == {"type": "string", "enum": ["T1", "T2", "T3", "T4", "H1", "H2", "Y"]}
    diary = _query(document, "get", "/v1/students/{student_id}/diary")
    assert {name: (p["required"], p["schema"]) for name, p in diary.items()} == {
        "from": (True, {"type": "string", "format": "date"}), "to": (True, {"type": "string", "format": "date"})}
    assert "YYYY-MM-DD" in diary["from"]["description"]
    inbox = _query(document, "get", "/v1/me/notifications")
    assert set(inbox) == {"unread", "limit", "cursor"}
    assert inbox["unread"]["schema"] == {"type": "boolean"}
    assert inbox["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert not any(p["required"] for p in inbox.values())


def test_every_endpoints_declared_query_parameters_and_no_others_are_documented(document: dict) -> None:
    for e in ENDPOINTS:
        documented = _query(document, e.method.lower(), e.path)
        assert list(documented) == [name for name, _ in e.query], (e.method, e.path)
        for name, parameter in documented.items():
            assert parameter["description"].strip(), (e.method, e.path, name)
            assert parameter["schema"]["type"] in ("string", "integer", "boolean"), (e.method, e.path, name)
    assert _query(document, "get", "/v1/health") == {}


def test_creating_routes_take_an_idempotency_key_and_public_routes_no_token(document: dict) -> None:
    for e in ENDPOINTS:
        operation = document["paths"][e.path][e.method.lower()]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == e.creates, e.path
        assert (operation.get("security") == []) == e.public, e.path
    public = {(e.method, e.path) for e in ENDPOINTS if e.public}
    assert public == {("GET", "/v1/health"), ("GET", "/v1/openapi.json"), ("POST", "/v1/auth/token")}


def test_the_contracts_directory_routes_are_there(document: dict) -> None:
    contract = {("POST", "/v1/schools"), ("GET", "/v1/schools/{school_id}"),
                ("POST", "/v1/schools/{school_id}/classes"), ("POST", "/v1/schools/{school_id}/subjects"),
                ("POST", "/v1/schools/{school_id}/roster"),
                ("GET", "/v1/schools/{school_id}/roster/imports/{import_id}"),
                ("POST", "/v1/classes/{class_id}/journals"), ("GET", "/v1/schools/{school_id}/periods"),
                ("PUT", "/v1/schools/{school_id}/periods"), ("GET", "/v1/schools/{school_id}/holidays"),
                ("PUT", "/v1/schools/{school_id}/settings"), ("POST", "/v1/auth/token"), ("GET", "/v1/me")}
    assert contract <= {(method, path) for path, method in _operations(document)}


def test_it_is_a_valid_openapi_document(document: dict) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
