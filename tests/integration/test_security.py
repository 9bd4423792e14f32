"""Security: children stay private, roles stay in their lane, tokens and logins resist abuse."""
from __future__ import annotations

import base64
import json
import re
import time
from types import SimpleNamespace

import jwt
import pytest

from app import app  # noqa: F401  (registers every route in ENDPOINTS)
from chalicelib.api.http import ENDPOINTS
from chalicelib.auth import caller_of, token_issuer
from chalicelib.auth.tokens import VerifiedToken
from chalicelib.domain.policy import Action, Caller, Target, Verdict, decide
from chalicelib.store.directory import AccountItem
from chalicelib.store.people import person_key
from tests.integration.conftest import PASSWORD, Api, Campus, School, body, directory_items, roster
from tests.integration.test_visibility import writes


def caller(person_id: str) -> Caller:
    """The caller the directory makes of a verified built-in token for `person_id`."""
    found = caller_of(VerifiedToken(subject=person_id, claims={"sub": person_id, "tep": 0}))
    assert found is not None
    return found


def pupil(s: School, who: str) -> Target:
    return Target(school_id=s.school_id, region=s.region, class_id=s.class_id, student_id=s.people[who])


def test_policy_a_parent_reads_their_own_child_only(campus: Campus) -> None:
    a, b = campus.a, campus.b
    parent = caller(a.people["parent"])
    assert parent.children == frozenset({a.people["student"]})
    assert decide(parent, Action.READ_PUPIL, pupil(a, "student")) is Verdict.ALLOW
    assert decide(parent, Action.READ_PUPIL, pupil(a, "pupil2")) is Verdict.HIDE  # a classmate
    assert decide(parent, Action.READ_PUPIL, pupil(b, "student")) is Verdict.HIDE  # another school's pupil
    assert decide(parent, Action.READ_PEOPLE, pupil(a, "pupil2")) is Verdict.FORBID
    journal = Target(a.school_id, a.region, a.class_id, a.journal_id)
    assert decide(parent, Action.WRITE_JOURNAL, journal) is Verdict.FORBID


def test_policy_pupils_teachers_and_overseers(campus: Campus) -> None:
    a = campus.a
    student, teacher = caller(a.people["student"]), caller(a.people["teacher"])
    assert decide(student, Action.READ_PUPIL, pupil(a, "student")) is Verdict.ALLOW
    assert decide(student, Action.READ_PUPIL, pupil(a, "pupil2")) is Verdict.HIDE
    assert decide(teacher, Action.READ_PUPIL, pupil(a, "pupil2")) is Verdict.ALLOW  # teaches the class
    assert decide(teacher, Action.IMPORT_ROSTER, pupil(a, "pupil2")) is Verdict.FORBID
    for overseer in (caller(campus.almaty.ok("GET", "/v1/me")["person_id"]),
                     caller(campus.ministry.ok("GET", "/v1/me")["person_id"])):
        assert decide(overseer, Action.READ_PUPIL, pupil(a, "student")) is Verdict.FORBID
        assert decide(overseer, Action.READ_PEOPLE, pupil(a, "student")) is Verdict.FORBID
        assert decide(overseer, Action.READ_AGGREGATES, pupil(a, "student")) is Verdict.ALLOW


QUERY = "?year=2026&grade=7&period=T1&from=2026-09-01&to=2027-05-31&limit=100"


def _reads(s: School, student: str) -> list[str]:
    """Every GET route of the app that needs a token, its ids taken from school `s` and pupil `student`."""
    ids = {"school_id": s.school_id, "class_id": s.class_id, "subject_id": s.subject_id,
           "journal_id": s.journal_id, "student_id": s.people[student]}
    return [e.path.format(**{n: ids.get(n, s.journal_id) for n in re.findall(r"{(\w+)}", e.path)}) + QUERY
            for e in ENDPOINTS if e.method == "GET" and not e.public]


def _every_answer(api: Api, s: School, student: str = "student") -> str:
    """The text of every answer `api` gets from every read route, `student` being the pupil asked about."""
    return "\n".join(api.call("GET", path).body.decode() for path in _reads(s, student))


def test_no_route_shows_a_parent_another_child(campus: Campus) -> None:
    a = campus.a
    me = a.parent.ok("GET", "/v1/me")
    assert [c["student_id"] for c in me["children"]] == [a.people["student"]]
    seen = _every_answer(a.parent, a)
    assert a.people["pupil2"] not in seen and a.names[3] not in seen
    assert all(s.people["student"] not in seen for s in (campus.b, campus.c))
    pupil_routes = [e.path for e in ENDPOINTS if "{student_id}" in e.path and e.method == "GET"]
    assert pupil_routes  # the diary, standing, history, ...: a classmate and a stranger are unknown to a parent
    for path in pupil_routes:
        for other in (a.people["pupil2"], campus.b.people["student"]):
            r = a.parent.call("GET", path.format(student_id=other) + QUERY)
            assert r.status_code == 404, (path, r.status_code)


def test_a_parent_changes_nothing(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    for method, path, payload, raw in writes(a):
        r = a.parent.call(method, path, payload, raw=raw, content_type="text/csv" if raw else "application/json")
        assert r.status_code == 403, (method, path, r.status_code)
    assert directory_items() == before


@pytest.mark.parametrize("who", ["teacher", "parent", "student"])
def test_only_admins_import_a_roster(campus: Campus, who: str) -> None:
    a = campus.a
    before = directory_items()
    r = getattr(a, who).call("POST", f"/v1/schools/{a.school_id}/roster", raw=roster(
        f"student,NEW9,Жаңа,Оқушы,,{a.class_id},,,,kk,,"), content_type="text/csv")
    assert r.status_code == 403 and body(r)["type"].endswith("/forbidden")
    assert directory_items() == before


@pytest.mark.parametrize("overseer", ["ministry", "almaty"])
def test_overseers_never_receive_peoples_names(campus: Campus, overseer: str) -> None:
    api = getattr(campus, overseer)
    me = api.ok("GET", "/v1/me")
    assert me["children"] == [] and me["journals"] == []
    seen = _every_answer(api, campus.a) + _every_answer(api, campus.a, "pupil2")
    for name in campus.a.names:
        assert name not in seen
    imported = api.ok("POST", f"/v1/schools/{campus.a.school_id}/roster", raw=roster(
        f"teacher,T{campus.a.number},{campus.a.names[1]},Гүлнар,,,teacher{campus.a.number},,,ru,,"),
        content_type="text/csv")
    assert campus.a.names[1] not in json.dumps(imported, ensure_ascii=False)


def _token_of(api: Api) -> dict:
    return jwt.decode(api.token, options={"verify_signature": False})


def _forged(api: Api, **changes: object) -> str:
    """The token with its payload changed and its signature kept."""
    header, _, signature = api.token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps({**_token_of(api), **changes}).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def test_bad_tokens_are_401_problem_documents(campus: Campus) -> None:
    a = campus.a
    claims = _token_of(a.admin)
    bad = {
        "none": None,
        "forged": _forged(a.parent, sub=a.people["admin"]),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "alg none with a kid": jwt.encode(claims, None, algorithm="none", headers={"kid": "local"}),
        "wrongly signed": jwt.encode(claims, b"k" * 32, algorithm="HS256", headers={"kid": "local"}),
        "unknown key": jwt.encode(claims, b"k" * 32, algorithm="HS256", headers={"kid": "other"}),
        "expired": token_issuer().issue(a.people["admin"], now=int(time.time()) - 7200).access_token,
        "not yet valid": token_issuer().issue(a.people["admin"], now=int(time.time()) + 7200).access_token,
        "nobody's": token_issuer().issue("987654321").access_token,
        "garbage": "not-a-token",
    }
    for name, token in bad.items():
        r = campus.anonymous(token).call("GET", "/v1/me")
        assert r.status_code == 401, name
        assert r.headers["Content-Type"].startswith("application/problem+json"), name
        assert r.headers["WWW-Authenticate"].startswith("Bearer"), name
        assert set(body(r)) >= {"type", "title", "status", "detail", "errors"}, name
    for scheme in ("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", a.admin.token):
        r = campus.anonymous().call("GET", "/v1/me", headers={"Authorization": scheme})
        assert r.status_code == 401, scheme


def test_login_lockout_holds_even_the_right_password(campus: Campus, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.auth import identity
    from chalicelib.config import settings

    username, anonymous = f"student{campus.a.number}", campus.anonymous()
    statuses = [anonymous.call("POST", "/v1/auth/token", {"username": username, "password": "wrong-password"})
                for _ in range(5)]
    assert [r.status_code for r in statuses] == [401, 401, 401, 401, 429]
    locked = anonymous.call("POST", "/v1/auth/token", {"username": username, "password": PASSWORD})
    assert locked.status_code == 429 and body(locked)["type"].endswith("/too-many-requests")
    assert 0 < int(locked.headers["Retry-After"]) <= settings().login_lockout_seconds
    later = time.time() + settings().login_lockout_seconds + 1
    monkeypatch.setattr(identity, "time", SimpleNamespace(time=lambda: later))
    assert anonymous.call("POST", "/v1/auth/token", {"username": username, "password": PASSWORD}).status_code == 200


def test_unknown_usernames_lock_out_like_known_ones(campus: Campus) -> None:
    statuses = [campus.anonymous().call("POST", "/v1/auth/token", {"username": "nobody", "password": "x" * 10})
                for _ in range(5)]
    assert [r.status_code for r in statuses] == [401, 401, 401, 401, 429]


def test_a_deactivated_account_stops_working(campus: Campus) -> None:
    a = campus.a
    assert a.teacher.call("GET", "/v1/me").status_code == 200
    account = AccountItem.get(person_key(a.people["teacher"]), "ACCOUNT")
    account.update(actions=[AccountItem.active.set(False)])
    assert a.teacher.call("GET", "/v1/me").status_code == 401
    login = campus.anonymous().call("POST", "/v1/auth/token",
                                    {"username": f"teacher{a.number}", "password": PASSWORD})
    assert login.status_code == 401


def test_a_bumped_token_epoch_revokes_older_tokens(campus: Campus) -> None:
    a = campus.a
    account = AccountItem.get(person_key(a.people["admin"]), "ACCOUNT")
    account.update(actions=[AccountItem.token_epoch.add(1)])
    assert a.admin.call("GET", "/v1/me").status_code == 401
    fresh = campus.anonymous().as_user(f"admin{a.number}", PASSWORD)
    assert _token_of(fresh)["tep"] == 1
    assert fresh.ok("GET", "/v1/me")["person_id"] == a.people["admin"]
