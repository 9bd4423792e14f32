"""Accounts: creating logins, password resets with one-time codes, deactivation, own password, logging out.

Who manages whose login: a school's staff, whoever may import its roster (its school_admin; the ministry and the
school's region_admin); its pupils and parents, its school_admin; ministry and region_admin accounts, the ministry. Where Cognito keeps the
passwords (AWS stages) the user pool is changed too; there a user changes their own password with Cognito.
See `chalicelib.domain.accounts` for the decisions.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.api.schools import visible_school
from chalicelib.auth import authorize
from chalicelib.auth.cognito_users import NewLogin, user_pool
from chalicelib.domain import accounts as rules
from chalicelib.domain.dates import KZ_TZ, to_rfc3339
from chalicelib.domain.errors import FieldError, Forbidden, NotFound, RuleViolation, Unauthorized
from chalicelib.domain.policy import REGIONS, Action, Caller, Role, Target
from chalicelib.store import accounts as store
from chalicelib.store import people
from chalicelib.store.directory import AccountItem, PersonItem

__all__ = ["bp"]

bp = Blueprint(__name__)

_TEXT = Field(str, required=False, nullable=True)
_NEW_ACCOUNT = {"role": Field(str), "username": Field(str), "password": Field(str), "last_name": Field(str),
                "first_name": Field(str), "middle_name": _TEXT, "language": _TEXT, "region": _TEXT,
                "school_id": _TEXT, "external_id": _TEXT}
_LOGIN = {"username": Field(str), "password": Field(str)}
_ACTIVE = {"active": Field(bool)}
_OWN_PASSWORD = {"current_password": _TEXT, "new_password": Field(str)}
_MAX_NAME = 100


def _hash(password: str) -> str | None:
    """The directory's hash of a password; None where the user pool keeps passwords."""
    if user_pool() is not None:
        return None
    from chalicelib.auth import kdf_params
    from chalicelib.auth.passwords import hash_password

    return hash_password(password, kdf_params())


def _names(body: dict[str, Any]) -> list[FieldError]:
    errors = []
    for name in ("last_name", "first_name", "middle_name"):
        value = body.get(name)
        if value is not None and (len(value) > _MAX_NAME or (name != "middle_name" and not value.strip())):
            errors.append(FieldError(name, f"1 to {_MAX_NAME} characters"))
    if body.get("language") not in (None, "kk", "ru"):
        errors.append(FieldError("language", "kk or ru"))
    return errors


@endpoint(bp, "/v1/accounts", "POST", summary="Create a ministry, region_admin, school_admin or teacher account",
          creates=True, request=_NEW_ACCOUNT, statuses=(201, 400, 403, 404, 422, 503))
def create_account(call: Call) -> Reply:
    caller, body = call.caller, call.json(_NEW_ACCOUNT)
    role, username = body["role"], body["username"].strip().lower()
    if role in rules.OPERATOR_ROLES:
        if not caller.has(Role.MINISTRY):
            raise Forbidden("Only the ministry creates ministry and region_admin accounts.")
        school = None
    elif role in rules.STAFF_ROLES:
        school = visible_school(caller, body.get("school_id") or "", Action.IMPORT_ROSTER)
    else:
        raise RuleViolation("Pupils and parents come with the roster.",
                            [FieldError("role", f"one of {', '.join(rules.OPERATOR_ROLES + rules.STAFF_ROLES)}")])
    errors = rules.check_username(username) + rules.check_password(body["password"], username) + _names(body)
    if role == "region_admin" and body.get("region") not in REGIONS:
        errors.append(FieldError("region", "a region code"))
    if school is not None and not (body.get("external_id") or "").strip():
        errors.append(FieldError("external_id", "required for a school's staff (the roster's key)"))
    if errors:
        raise RuleViolation("The account cannot be created.", errors)
    names = dict(last_name=body["last_name"].strip(), first_name=body["first_name"].strip(),
                 middle_name=(body.get("middle_name") or "").strip() or None, language=body.get("language") or "kk")
    password_hash = _hash(body["password"])
    if school is None:
        region = body.get("region") if role == "region_admin" else None
        person_id = people.create_operator(username, password_hash or "", role=role, region=region, **{
            k: v for k, v in names.items() if k != "middle_name"})
        person = people.get_person(person_id)
    else:
        person = store.create_staff(school.school_id, school.region, role, body["external_id"].strip(), username,
                                    password_hash, **names)
    _pool_login(person, username, body["password"])
    return Reply({"person_id": person.person_id, "username": username, "role": role,
                  "school_id": person.school_id, "region": person.region}, 201)


def _pool_login(person: PersonItem, username: str, password: str) -> None:
    """Where Cognito keeps logins, make this one there (the directory's claim is undone if the pool refuses)."""
    pool = user_pool()
    if pool is None:
        return
    try:
        pool.create([NewLogin(username, person.person_id, password)])
    except Exception:
        account = store.account_of(person.person_id)
        if account is not None:
            store.remove_login(account)
        raise


def _managed(caller: Caller, person_id: str) -> PersonItem:
    """A person whose login `caller` manages: 404 if unknown or hidden, 403 if the role may not."""
    person = people.get_person(person_id)
    if person is None:
        raise NotFound("No such person.")
    if person.school_id:  # pupils' and parents' logins are the school's alone (no names leave the school)
        action = Action.IMPORT_ROSTER if person.role in rules.STAFF_ROLES else Action.MANAGE_SCHOOL
        authorize(caller, action, Target(person.school_id, person.region), what="person")
    elif not caller.has(Role.MINISTRY):
        raise NotFound("No such person.")
    return person


def _account(person: PersonItem) -> AccountItem:
    account = store.account_of(person.person_id)
    if account is None:
        raise NotFound("This person has no login.")
    return account


def _account_view(account: AccountItem) -> dict[str, Any]:
    pending = store.reset_code(account.username)
    return {"person_id": account.person_id, "username": account.username, "active": bool(account.active),
            "reset_pending": pending is not None and pending.until > time.time()}


@endpoint(bp, "/v1/people/{person_id}/account", "POST", summary="Give a person of a school a login",
          creates=True, request=_LOGIN, statuses=(201, 400, 403, 404, 422, 503))
def create_login(call: Call, person_id: str) -> Reply:
    person = _managed(call.caller, person_id)
    body = call.json(_LOGIN)
    username = body["username"].strip().lower()
    errors = rules.check_username(username) + rules.check_password(body["password"], username)
    if errors:
        raise RuleViolation("The login cannot be created.", errors)
    account = store.create_login(person, username, _hash(body["password"]))
    _pool_login(person, username, body["password"])
    return Reply(_account_view(account), 201)


@endpoint(bp, "/v1/people/{person_id}/account", summary="A person's login: username, active, reset pending",
          statuses=(200, 403, 404))
def get_account(call: Call, person_id: str) -> dict[str, Any]:
    return _account_view(_account(_managed(call.caller, person_id)))


@endpoint(bp, "/v1/people/{person_id}/account", "PUT", summary="Deactivate or reactivate a login",
          request=_ACTIVE, statuses=(200, 400, 403, 404, 422, 503))
def put_account(call: Call, person_id: str) -> dict[str, Any]:
    person = _managed(call.caller, person_id)
    active = call.json(_ACTIVE)["active"]
    if person.person_id == call.caller.person_id and not active:
        raise RuleViolation("You cannot deactivate your own login.", [FieldError("active", "not your own")])
    account = _account(person)
    pool = user_pool()
    if pool is not None and active:
        pool.enable(account.username)
    elif pool is not None:
        pool.disable([account.username])
    return _account_view(store.set_active(account, active))


@endpoint(bp, "/v1/people/{person_id}/account/reset", "POST",
          summary="Reset a password: a one-time sign-in code (never a password)", statuses=(200, 403, 404, 503))
def reset_password(call: Call, person_id: str) -> dict[str, Any]:
    account = _account(_managed(call.caller, person_id))
    code, until = rules.new_code(), int(time.time()) + rules.CODE_TTL_SECONDS
    pool = user_pool()
    if pool is not None:
        pool.set_temporary_password(account.username, code)
        pool.sign_out(account.username)  # no refresh token outlives the reset
    store.put_reset_code(account, _hash(code), until)
    return {"person_id": account.person_id, "username": account.username, "one_time_code": code,
            "expires_at": to_rfc3339(datetime.fromtimestamp(until, KZ_TZ))}


@endpoint(bp, "/v1/me/password", "PUT", summary="Change my password (every other session ends)",
          request=_OWN_PASSWORD, statuses=(200, 400, 401, 404, 422))
def change_own_password(call: Call) -> dict[str, Any]:
    if user_pool() is not None:
        raise NotFound("Passwords are changed with the Cognito user pool in this stage.")
    from chalicelib.auth import token_issuer
    from chalicelib.auth.passwords import verify_password

    caller, body = call.caller, call.json(_OWN_PASSWORD)
    account = _account(people.get_person(caller.person_id))
    current = body.get("current_password")
    if account.password_hash is not None and not (current and verify_password(current, account.password_hash)):
        raise Unauthorized("The current password is wrong.")
    errors = rules.check_password(body["new_password"], account.username, "new_password")
    if errors:
        raise RuleViolation("The new password cannot be used.", errors)
    store.set_password(account, _hash(body["new_password"]))
    issued = token_issuer().issue(account.person_id, token_epoch=int(account.token_epoch))
    return {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in}


@endpoint(bp, "/v1/auth/logout", "POST", summary="Log out: every token of my account stops working",
          statuses=(200, 401, 503))
def logout(call: Call) -> dict[str, Any]:
    account = _account(people.get_person(call.caller.person_id))
    pool = user_pool()
    if pool is not None:
        pool.sign_out(account.username)
    store.sign_out(account)
    return {"signed_out": True}
