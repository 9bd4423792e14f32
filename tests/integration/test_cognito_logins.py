"""Identity in AWS stages, on moto's cognito-idp: roster imports and the operator command make pool users, whose
tokens the app accepts (through `CognitoVerifier`); a refused creation imports nothing; a disabled login is out."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import moto.cognitoidp.models
import pytest
import requests

from chalicelib.auth import identity
from chalicelib.auth.cognito import CognitoVerifier
from chalicelib.auth.cognito_users import user_pool
from chalicelib.auth.errors import InvalidToken
from chalicelib.config import reset_settings, settings
from chalicelib.jobs.operator_login import NotAnOperator, create_operator_login, main
from chalicelib.store import people
from tests.integration.conftest import Api, aws_client, body, directory_items, roster

TEMPORARY = "first-pass-1"
OWN = "my-own-password-2"


class IssuingClock:
    """moto's cognito-idp clock (its `time`): `at` set, tokens are issued at that second."""

    def __init__(self) -> None:
        self.at: int | None = None

    def time(self) -> float:
        return time.time() if self.at is None else self.at


@dataclass
class Pool:
    """The stage's user pool in moto and a way to sign in to it, as the web app does."""

    pool_id: str
    client_id: str
    verifier: CognitoVerifier
    clock: IssuingClock = field(default_factory=IssuingClock)

    def sign_in_anew(self, username: str, password: str, **kwargs: str) -> dict[str, str]:
        """A sign-in a second after the account's last sign-out, reset or deactivation (as a person takes)."""
        self.clock.at = int(people.get_account(username).token_epoch) + 1
        try:
            return self.sign_in(username, password, **kwargs)
        finally:
            self.clock.at = None

    def sign_in(self, username: str, password: str, *, new_password: str = OWN) -> dict[str, str]:
        """The tokens of a sign-in; a first sign-in with a temporary password sets `new_password`."""
        idp = aws_client("cognito-idp")
        answer = idp.admin_initiate_auth(UserPoolId=self.pool_id, ClientId=self.client_id,
                                         AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": username, "PASSWORD": password})
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            answer = idp.admin_respond_to_auth_challenge(
                UserPoolId=self.pool_id, ClientId=self.client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=answer["Session"], ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password})
        return answer["AuthenticationResult"]

    def user(self, username: str) -> dict[str, Any]:
        found = aws_client("cognito-idp").admin_get_user(UserPoolId=self.pool_id, Username=username)
        return {**found, "attributes": {a["Name"]: a["Value"] for a in found["UserAttributes"]}}

    def usernames(self) -> set[str]:
        users = aws_client("cognito-idp").list_users(UserPoolId=self.pool_id)["Users"]
        return {u["Username"] for u in users}


@pytest.fixture
def pool(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pool]:
    """An AWS-like stage: the identity provider is a user pool (with `custom:person_id`, as infra/ makes it)."""
    idp = aws_client("cognito-idp")
    pool_id = idp.create_user_pool(
        PoolName="ejournal-test",
        Schema=[{"Name": "person_id", "AttributeDataType": "String", "Mutable": False}],
        Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": False, "RequireLowercase": False,
                                     "RequireNumbers": False, "RequireSymbols": False}})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    monkeypatch.setenv("IDENTITY_PROVIDER", "cognito")
    monkeypatch.setenv("COGNITO_USER_POOL_ID", pool_id)
    monkeypatch.setenv("COGNITO_CLIENT_IDS", client_id)
    reset_settings()
    # moto answers the pool's JWKS URL through `requests` in-process (urllib is not intercepted)
    verifier = CognitoVerifier(settings().cognito_region, pool_id, frozenset({client_id}),
                               fetch_jwks=lambda url: requests.get(url, timeout=5).json())
    monkeypatch.setattr(identity, "_verifier", lambda: verifier)
    issuing = Pool(pool_id, client_id, verifier)
    monkeypatch.setattr(moto.cognitoidp.models, "time", issuing.clock)
    yield issuing
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def minister(client: Any, pool: Pool) -> Api:
    """The stage's first administrator, made by the operator command, signed in through the pool."""
    create_operator_login("minister", TEMPORARY, role="ministry", last_name="Әкімші", first_name="Министрлік")
    return Api(client, pool.sign_in("minister", TEMPORARY)["IdToken"])


def _school(minister: Api) -> str:
    return minister.ok("POST", "/v1/schools", {"name": {"kk": "№1 мектеп", "ru": "Школа №1"}, "region": "almaty"},
                       status=201)["school_id"]


STAFF = roster(f"school_admin,A1,Әлиева,Асқар,,,admin1,{TEMPORARY},,kk,,",
               f"teacher,T1,Ғабитова,Гүлнар,,,teacher1,{TEMPORARY},,ru,,",
               "teacher,T2,Өтепов,Ерлан,,,,,,kk,,")


def test_imported_people_get_pool_logins_that_sign_in_and_the_app_knows(minister: Api, pool: Pool) -> None:
    school_id = _school(minister)
    answer = minister.ok("POST", f"/v1/schools/{school_id}/roster", raw=STAFF, content_type="text/csv")
    ids = {p["external_id"]: p["person_id"] for p in answer["people"]}

    assert pool.usernames() == {"minister", "admin1", "teacher1"}  # T2 has no login
    admin = pool.user("admin1")
    assert admin["UserStatus"] == "FORCE_CHANGE_PASSWORD" and admin["Enabled"]
    assert admin["attributes"]["custom:person_id"] == ids["A1"]
    assert people.get_account("admin1").password_hash is None  # the pool holds the password, not the directory

    tokens = pool.sign_in("admin1", TEMPORARY)
    for token in (tokens["IdToken"], tokens["AccessToken"]):  # the id token names the person, the access token
        me = Api(minister.client, token).ok("GET", "/v1/me")  # only the username
        assert me["person_id"] == ids["A1"]
        assert me["roles"] == [{"role": "school_admin", "school_id": school_id, "region": "almaty"}]


def test_importing_the_same_file_again_leaves_the_logins_alone(minister: Api, pool: Pool) -> None:
    school_id = _school(minister)
    minister.ok("POST", f"/v1/schools/{school_id}/roster", raw=STAFF, content_type="text/csv")
    pool.sign_in("admin1", TEMPORARY)  # admin1 chose their own password
    again = minister.ok("POST", f"/v1/schools/{school_id}/roster", raw=STAFF, content_type="text/csv")
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert pool.user("admin1")["UserStatus"] == "CONFIRMED"
    assert pool.sign_in("admin1", OWN)["IdToken"]


def test_a_pool_user_left_over_under_a_given_out_username_is_replaced(minister: Api, pool: Pool) -> None:
    aws_client("cognito-idp").admin_create_user(
        UserPoolId=pool.pool_id, Username="teacher1", TemporaryPassword="left-over-1", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:person_id", "Value": "123"}])
    school_id = _school(minister)
    answer = minister.ok("POST", f"/v1/schools/{school_id}/roster", raw=STAFF, content_type="text/csv")
    teacher = next(p["person_id"] for p in answer["people"] if p["external_id"] == "T1")
    assert pool.user("teacher1")["attributes"]["custom:person_id"] == teacher
    assert pool.sign_in("teacher1", TEMPORARY)["IdToken"]


def test_when_the_pool_refuses_a_user_nothing_is_imported_and_a_retry_succeeds(
        minister: Api, pool: Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    school_id = _school(minister)
    before = directory_items()
    idp = user_pool()._client
    create, calls = idp.admin_create_user, []

    def refuse_the_second(**request: Any) -> Any:
        calls.append(request["Username"])
        if len(calls) == 2:
            raise idp.exceptions.TooManyRequestsException(
                {"Error": {"Code": "TooManyRequestsException", "Message": "Too many requests"}}, "AdminCreateUser")
        return create(**request)

    monkeypatch.setattr(idp, "admin_create_user", refuse_the_second)
    refused = minister.call("POST", f"/v1/schools/{school_id}/roster", raw=STAFF, content_type="text/csv")
    assert refused.status_code == 503
    assert body(refused)["type"].endswith("/user-pool-unavailable") and TEMPORARY not in refused.body.decode()
    assert directory_items() == before and pool.usernames() == {"minister"}

    monkeypatch.setattr(idp, "admin_create_user", create)
    answer = minister.ok("POST", f"/v1/schools/{school_id}/roster", raw=STAFF, content_type="text/csv")
    assert answer["created"] == 3 and pool.usernames() == {"minister", "admin1", "teacher1"}


def test_a_disabled_login_can_no_longer_sign_in(minister: Api, pool: Pool) -> None:
    minister.ok("POST", f"/v1/schools/{_school(minister)}/roster", raw=STAFF, content_type="text/csv")
    user_pool().disable(["admin1", "nobody.here"])  # a username the pool does not hold is skipped
    assert not pool.user("admin1")["Enabled"]
    idp = aws_client("cognito-idp")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        pool.sign_in("admin1", TEMPORARY)
    assert pool.sign_in("teacher1", TEMPORARY)["IdToken"]


def test_the_verifier_accepts_the_pool_s_tokens_and_nothing_else(minister: Api, pool: Pool) -> None:
    tokens = pool.sign_in("minister", OWN)
    verified = pool.verifier.verify(tokens["IdToken"])
    assert verified.claims["custom:person_id"] == people.get_account("minister").person_id
    assert pool.verifier.verify(tokens["AccessToken"]).username == "minister"
    header, claims, signature = tokens["IdToken"].split(".")
    with pytest.raises(InvalidToken):
        pool.verifier.verify(f"{header}.{claims}.{signature[:-4]}AAAA")  # signature broken
    other_client = CognitoVerifier(settings().cognito_region, pool.pool_id, frozenset({"another-app"}),
                                   fetch_jwks=lambda url: requests.get(url, timeout=5).json())
    with pytest.raises(InvalidToken):
        other_client.verify(tokens["IdToken"])
    assert jwt.get_unverified_header(tokens["IdToken"])["alg"] == "RS256"


def test_the_operator_command_is_repeatable_and_takes_no_one_else_s_username(
        minister: Api, pool: Pool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    person_id = people.get_account("minister").person_id
    monkeypatch.setattr("getpass.getpass", lambda prompt: "new-temporary-3")
    assert main(["minister", "--last-name", "Әкімші", "--first-name", "Министрлік"]) == 0
    assert person_id in capsys.readouterr().out
    assert people.get_account("minister").person_id == person_id
    assert pool.user("minister")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert pool.sign_in("minister", "new-temporary-3")["IdToken"]

    minister.ok("POST", f"/v1/schools/{_school(minister)}/roster", raw=STAFF, content_type="text/csv")
    with pytest.raises(NotAnOperator):
        create_operator_login("teacher1", "taken-over-4", role="ministry", last_name="X", first_name="Y")
    assert main(["teacher1", "--last-name", "X", "--first-name", "Y"]) == 1
    assert pool.sign_in("teacher1", TEMPORARY)["IdToken"]  # untouched
