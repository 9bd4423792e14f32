"""Accounts: password resets with one-time codes, deactivation, own password, logout, creating logins."""
from __future__ import annotations

import pytest

from tests.integration.conftest import PASSWORD, Api, Campus, aws_client, body
from tests.integration.test_cognito_logins import Pool, minister, pool  # noqa: F401  (fixtures)


def _login(campus: Campus, username: str, password: str) -> int:
    return campus.anonymous().call("POST", "/v1/auth/token", {"username": username, "password": password}).status_code


def test_a_reset_gives_a_one_time_code_and_ends_the_old_password_and_tokens(campus: Campus) -> None:
    a = campus.a
    teacher = f"teacher{a.number}"
    reset = a.admin.ok("POST", f"/v1/people/{a.people['teacher']}/account/reset")
    assert set(reset) == {"person_id", "username", "one_time_code", "expires_at"}
    assert PASSWORD not in str(reset) and reset["expires_at"].endswith("+05:00")
    assert a.teacher.call("GET", "/v1/me").status_code == 401  # the token stopped at once
    assert _login(campus, teacher, PASSWORD) == 401
    assert a.admin.ok("GET", f"/v1/people/{a.people['teacher']}/account")["reset_pending"] is True
    once = campus.anonymous().as_user(teacher, reset["one_time_code"])
    assert _login(campus, teacher, reset["one_time_code"]) == 401  # used up
    fresh = Api(campus.client, once.ok("PUT", "/v1/me/password", {"new_password": "жаңа-құпия-сөз"})["access_token"])
    assert once.call("GET", "/v1/me").status_code == 401
    assert fresh.ok("GET", "/v1/me")["person_id"] == a.people["teacher"]
    assert _login(campus, teacher, "жаңа-құпия-сөз") == 200
    assert a.admin.ok("GET", f"/v1/people/{a.people['teacher']}/account")["reset_pending"] is False


def test_who_may_reset_a_password(campus: Campus) -> None:
    a, b = campus.a, campus.b
    path = f"/v1/people/{a.people['teacher']}/account/reset"
    assert a.teacher.call("POST", f"/v1/people/{a.people['student']}/account/reset").status_code == 403
    assert a.parent.call("POST", path).status_code == 403
    assert b.admin.call("POST", path).status_code == 404  # another school's person
    assert campus.astana.call("POST", path).status_code == 404  # another region
    assert campus.almaty.call("POST", path).status_code == 200  # the school's region_admin (roster importer)
    assert campus.almaty.call("POST", f"/v1/people/{a.people['parent']}/account/reset").status_code == 403
    assert a.admin.call("POST", f"/v1/people/{a.people['pupil2']}/account/reset").status_code == 404  # no login
    minister = campus.ministry.ok("GET", "/v1/me")["person_id"]
    assert a.admin.call("POST", f"/v1/people/{minister}/account/reset").status_code == 404


def test_a_deactivated_account_stops_at_once_and_comes_back(campus: Campus) -> None:
    a = campus.a
    path = f"/v1/people/{a.people['parent']}/account"
    assert a.admin.ok("PUT", path, {"active": False})["active"] is False
    assert a.parent.call("GET", "/v1/me").status_code == 401
    assert _login(campus, f"parent{a.number}", PASSWORD) == 401
    assert a.admin.ok("PUT", path, {"active": True})["active"] is True
    assert a.parent.call("GET", "/v1/me").status_code == 401  # tokens of before stay dead
    assert _login(campus, f"parent{a.number}", PASSWORD) == 200
    r = a.admin.call("PUT", f"/v1/people/{a.people['admin']}/account", {"active": False})
    assert r.status_code == 422  # not oneself
    assert a.teacher.call("PUT", path, {"active": False}).status_code == 403
    assert campus.b.admin.call("PUT", path, {"active": False}).status_code == 404
    assert a.admin.call("PUT", path, {"active": "no"}).status_code == 400


def test_changing_ones_own_password(campus: Campus) -> None:
    a = campus.a
    other_session = campus.anonymous().as_user(f"student{a.number}", PASSWORD)
    wrong = a.student.call("PUT", "/v1/me/password", {"current_password": "nope", "new_password": "long-enough-1"})
    assert wrong.status_code == 401
    short = a.student.call("PUT", "/v1/me/password", {"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and body(short)["errors"][0]["field"] == "new_password"
    same = a.student.call("PUT", "/v1/me/password", {"current_password": PASSWORD,
                                                     "new_password": f"student{a.number}"})
    assert same.status_code == 422
    answer = a.student.ok("PUT", "/v1/me/password", {"current_password": PASSWORD, "new_password": "long-enough-1"})
    assert other_session.call("GET", "/v1/me").status_code == 401
    assert a.student.call("GET", "/v1/me").status_code == 401
    assert Api(campus.client, answer["access_token"]).call("GET", "/v1/me").status_code == 200
    assert _login(campus, f"student{a.number}", PASSWORD) == 401
    assert _login(campus, f"student{a.number}", "long-enough-1") == 200


def test_logout_revokes_the_token(campus: Campus) -> None:
    a = campus.a
    assert a.teacher.ok("POST", "/v1/auth/logout") == {"signed_out": True}
    revoked = a.teacher.call("GET", "/v1/me")
    assert revoked.status_code == 401 and body(revoked)["type"].endswith("/unauthorized")
    assert a.teacher.call("POST", "/v1/auth/logout").status_code == 401
    assert campus.anonymous().call("POST", "/v1/auth/logout").status_code == 401
    assert campus.anonymous().as_user(f"teacher{a.number}", PASSWORD).call("GET", "/v1/me").status_code == 200


def test_the_ministry_creates_ministry_and_region_accounts(campus: Campus) -> None:
    new = {"role": "region_admin", "region": "abai", "username": "abai.admin", "password": "abai-password-1",
           "last_name": "Құнанбаев", "first_name": "Абай"}
    made = campus.ministry.ok("POST", "/v1/accounts", new, status=201)
    assert made["region"] == "abai" and made["school_id"] is None
    me = campus.anonymous().as_user("abai.admin", "abai-password-1").ok("GET", "/v1/me")
    assert me["roles"] == [{"role": "region_admin", "region": "abai"}] and me["display_name"] == "Құнанбаев Абай"
    minister = {**new, "role": "ministry", "username": "second.minister", "region": None}
    assert campus.ministry.ok("POST", "/v1/accounts", minister, status=201)["role"] == "ministry"
    assert campus.almaty.call("POST", "/v1/accounts", {**new, "username": "x.y.z"}).status_code == 403
    assert campus.a.admin.call("POST", "/v1/accounts", {**minister, "username": "x.y.w"}).status_code == 403
    taken = campus.ministry.call("POST", "/v1/accounts", {**new, "region": "astana"})
    assert taken.status_code == 422 and body(taken)["errors"][0]["field"] == "username"
    bad = campus.ministry.call("POST", "/v1/accounts", {**new, "username": "b", "region": "mars", "password": "1"})
    assert {e["field"] for e in body(bad)["errors"]} == {"username", "password", "region"}


def test_a_school_admin_creates_staff_of_their_school_only(campus: Campus) -> None:
    a, b = campus.a, campus.b
    new = {"role": "teacher", "school_id": a.school_id, "external_id": "T-new", "username": "new.teacher",
           "password": "teacher-pass-1", "last_name": "Сәрсенова", "first_name": "Ұлжан", "language": "ru"}
    key = {"Idempotency-Key": "teacher-1"}
    made = a.admin.ok("POST", "/v1/accounts", new, status=201, headers=key)
    assert a.admin.ok("POST", "/v1/accounts", new, status=201, headers=key) == made
    assert made["school_id"] == a.school_id
    me = campus.anonymous().as_user("new.teacher", "teacher-pass-1").ok("GET", "/v1/me")
    assert me["roles"] == [{"role": "teacher", "school_id": a.school_id, "region": "almaty"}]
    assert me["language"] == "ru"
    people = a.admin.ok("GET", f"/v1/schools/{a.school_id}/people?role=teacher")
    assert made["person_id"] in [p["person_id"] for p in people]
    elsewhere = a.admin.call("POST", "/v1/accounts", {**new, "school_id": b.school_id, "username": "t2"})
    assert elsewhere.status_code == 404
    assert a.teacher.call("POST", "/v1/accounts", {**new, "username": "t3x"}).status_code == 403
    twice = a.admin.call("POST", "/v1/accounts", {**new, "username": "other.name"})
    assert twice.status_code == 422 and body(twice)["errors"][0]["field"] == "external_id"
    pupil = a.admin.call("POST", "/v1/accounts", {**new, "role": "student", "username": "p.p.p"})
    assert pupil.status_code == 422
    nameless = a.admin.call("POST", "/v1/accounts", {**new, "external_id": None, "username": "n.n.n"})
    assert nameless.status_code == 422 and body(nameless)["errors"][0]["field"] == "external_id"
    assert campus.almaty.ok("POST", "/v1/accounts", {**new, "external_id": "T-r", "username": "by.region",
                                                     "role": "school_admin"}, status=201)
    assert campus.astana.call("POST", "/v1/accounts", {**new, "external_id": "T-s", "username": "by.astana"}
                              ).status_code == 404


def test_a_person_without_a_login_gets_one(campus: Campus) -> None:
    a = campus.a
    path = f"/v1/people/{a.people['pupil2']}/account"
    assert a.admin.call("GET", path).status_code == 404
    assert campus.b.admin.call("POST", path, {"username": "pupil.two", "password": "pupil-pass-1"}).status_code == 404
    made = a.admin.ok("POST", path, {"username": "Pupil.Two", "password": "pupil-pass-1"}, status=201)
    assert made == {"person_id": a.people["pupil2"], "username": "pupil.two", "active": True,
                    "reset_pending": False}
    assert campus.anonymous().as_user("pupil.two", "pupil-pass-1").ok("GET", "/v1/me")["person_id"] == \
        a.people["pupil2"]
    again = a.admin.call("POST", path, {"username": "pupil.three", "password": "pupil-pass-1"})
    assert again.status_code == 422
    taken = a.admin.call("POST", f"/v1/people/{a.people['admin']}/account",
                         {"username": f"teacher{a.number}", "password": "pupil-pass-1"})
    assert taken.status_code == 422


def test_where_cognito_keeps_the_passwords_the_pool_follows(minister: Api, pool: Pool) -> None:
    school_id = minister.ok("POST", "/v1/schools", {"name": {"kk": "№7 мектеп", "ru": "Школа №7"},
                                                    "region": "almaty"}, status=201)["school_id"]
    made = minister.ok("POST", "/v1/accounts", {
        "role": "teacher", "school_id": school_id, "external_id": "T7", "username": "pool.teacher",
        "password": "first-pass-7", "last_name": "Әлиева", "first_name": "Дана"}, status=201)
    assert pool.user("pool.teacher")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    teacher = Api(minister.client, pool.sign_in("pool.teacher", "first-pass-7")["IdToken"])
    assert teacher.ok("GET", "/v1/me")["person_id"] == made["person_id"]
    assert teacher.call("PUT", "/v1/me/password", {"new_password": "another-pass-7"}).status_code == 404
    path = f"/v1/people/{made['person_id']}/account"
    code = minister.ok("POST", f"{path}/reset")["one_time_code"]
    assert pool.user("pool.teacher")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert teacher.call("GET", "/v1/me").status_code == 401  # the reset ended the token signed in before it
    again = Api(minister.client, pool.sign_in_anew("pool.teacher", code, new_password="chosen-pass-7")["IdToken"])
    assert again.ok("GET", "/v1/me")["person_id"] == made["person_id"]
    minister.ok("PUT", path, {"active": False})
    assert not pool.user("pool.teacher")["Enabled"]
    assert again.call("GET", "/v1/me").status_code == 401  # the directory refuses the token at once
    minister.ok("PUT", path, {"active": True})
    assert pool.user("pool.teacher")["Enabled"]
    assert Api(minister.client, pool.sign_in_anew("pool.teacher", "chosen-pass-7")["IdToken"]).ok(
        "POST", "/v1/auth/logout") == {"signed_out": True}


def test_a_cognito_logout_revokes_the_token_and_signs_out_of_the_pool(minister: Api, pool: Pool) -> None:
    school_id = minister.ok("POST", "/v1/schools", {"name": {"kk": "№8 мектеп", "ru": "Школа №8"},
                                                    "region": "almaty"}, status=201)["school_id"]
    minister.ok("POST", "/v1/accounts", {
        "role": "teacher", "school_id": school_id, "external_id": "T8", "username": "leaving.teacher",
        "password": "first-pass-8", "last_name": "Сейітова", "first_name": "Айгүл"}, status=201)
    tokens = pool.sign_in("leaving.teacher", "first-pass-8", new_password="chosen-pass-8")
    access, other_device = Api(minister.client, tokens["AccessToken"]), Api(minister.client, tokens["IdToken"])
    assert access.ok("GET", "/v1/me")["display_name"] == "Сейітова Айгүл"
    assert access.ok("POST", "/v1/auth/logout") == {"signed_out": True}
    assert access.call("GET", "/v1/me").status_code == 401  # the very token that logged out
    assert other_device.call("GET", "/v1/me").status_code == 401  # and every other one issued before
    assert access.call("POST", "/v1/auth/logout").status_code == 401
    idp = aws_client("cognito-idp")
    with pytest.raises(idp.exceptions.NotAuthorizedException):  # GlobalSignOut: no refresh either
        idp.admin_initiate_auth(UserPoolId=pool.pool_id, ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert minister.ok("GET", "/v1/me")["roles"] == [{"role": "ministry"}]  # another user's session goes on
    fresh = Api(minister.client, pool.sign_in_anew("leaving.teacher", "chosen-pass-8")["AccessToken"])
    assert fresh.ok("GET", "/v1/me")["display_name"] == "Сейітова Айгүл"
