"""The token route and `/v1/me` (api-contract.md, Authentication)."""
from __future__ import annotations

import jwt
import pytest

from chalicelib.config import reset_settings, settings
from tests.integration.conftest import PASSWORD, Campus, body


def test_a_token_for_the_right_password(campus: Campus) -> None:
    answer = campus.anonymous().ok("POST", "/v1/auth/token",
                                   {"username": f"  Teacher{campus.a.number} ", "password": PASSWORD})
    assert set(answer) == {"access_token", "token_type", "expires_in"}
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == settings().token_ttl_seconds
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert claims["sub"] == campus.a.people["teacher"]
    assert jwt.get_unverified_header(answer["access_token"])["alg"] == "HS256"


def test_a_wrong_password_and_an_unknown_user_look_the_same(campus: Campus) -> None:
    anonymous = campus.anonymous()
    wrong = anonymous.call("POST", "/v1/auth/token", {"username": f"teacher{campus.a.number}", "password": "nope"})
    nobody = anonymous.call("POST", "/v1/auth/token", {"username": "no.such.user", "password": PASSWORD})
    absurd = anonymous.call("POST", "/v1/auth/token", {"username": "x" * 5000, "password": PASSWORD})
    for r in (wrong, nobody, absurd):
        assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json")
    assert body(wrong)["detail"] == body(nobody)["detail"] == body(absurd)["detail"]


def test_no_token_route_where_cognito_issues_tokens(campus: Campus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_PROVIDER", "cognito")
    monkeypatch.setenv("COGNITO_USER_POOL_ID", "eu-central-1_test")
    monkeypatch.setenv("COGNITO_CLIENT_IDS", "client")
    reset_settings()
    try:
        r = campus.anonymous().call("POST", "/v1/auth/token",
                                    {"username": f"teacher{campus.a.number}", "password": PASSWORD})
        assert r.status_code == 404 and body(r)["type"].endswith("/not-found")
    finally:
        monkeypatch.undo()
        reset_settings()


def test_me_for_each_role(campus: Campus) -> None:
    a = campus.a
    keys = {"user_id", "person_id", "display_name", "language", "roles", "children", "journals"}
    school_role = {"school_id": a.school_id, "region": "almaty"}
    expected = {
        "admin": ([{"role": "school_admin", **school_role}], [], []),
        "teacher": ([{"role": "teacher", **school_role}], [],
                    [{"journal_id": a.journal_id, "class_id": a.class_id, "subject_id": a.subject_id}]),
        "parent": ([{"role": "parent", **school_role}],
                   [{"student_id": a.people["student"], "display_name": f"{a.names[2]} Ерлан",
                     "class_id": a.class_id}], []),
        "student": ([{"role": "student", **school_role}], [], []),
    }
    for who, (roles, children, journals) in expected.items():
        me = getattr(a, who).ok("GET", "/v1/me")
        assert set(me) == keys
        assert (me["roles"], me["children"], me["journals"]) == (roles, children, journals), who
        assert me["person_id"] == a.people[who] and me["user_id"] == f"{who}{a.number}"
    assert campus.a.teacher.ok("GET", "/v1/me")["language"] == "ru"
    assert campus.almaty.ok("GET", "/v1/me")["roles"] == [{"role": "region_admin", "region": "almaty"}]
    assert campus.ministry.ok("GET", "/v1/me")["roles"] == [{"role": "ministry"}]


def test_public_routes_need_no_token_and_others_do(campus: Campus) -> None:
    anonymous = campus.anonymous()
    assert anonymous.ok("GET", "/v1/health") == {"status": "ok"}
    assert anonymous.call("GET", "/v1/openapi.json").status_code == 200
    r = anonymous.call("GET", "/v1/me")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
