"""Logging in and the caller's own profile (api-contract.md, Authentication)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.body import Field
from chalicelib.api.http import Call, endpoint
from chalicelib.config import settings
from chalicelib.domain.errors import NotFound, Unauthorized
from chalicelib.store import people

__all__ = ["bp"]

bp = Blueprint(__name__)

_LOGIN = {"username": Field(str), "password": Field(str)}
_MAX_USERNAME = 128


@endpoint(bp, "/v1/auth/token", "POST", summary="Log in with the built-in identity provider", public=True,
          request=_LOGIN, statuses=(200, 400, 401, 404, 429))
def token(call: Call) -> dict[str, Any]:
    if settings().identity_provider != "builtin":
        raise NotFound("Tokens come from the Cognito user pool in this stage.")
    from chalicelib.auth import issue_token

    body = call.json(_LOGIN)
    username = body["username"].strip().lower()
    if not 0 < len(username) <= _MAX_USERNAME:  # no account has such a name (nor could a key hold it)
        raise Unauthorized("Wrong username or password.")
    issued = issue_token(username, body["password"])
    return {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in}


@endpoint(bp, "/v1/me", summary="Who I am: roles, children, journals", statuses=(200, 401))
def me(call: Call) -> dict[str, Any]:
    caller = call.caller
    partition = people.load_person(caller.person_id)
    links = partition.of_kind if partition else (lambda kind: [])
    return {
        "user_id": caller.user_id,
        "person_id": caller.person_id,
        "display_name": caller.display_name,
        "language": caller.language,
        "roles": [{k: v for k, v in (("role", str(g.role)), ("school_id", g.school_id), ("region", g.region))
                   if v is not None} for g in caller.grants],
        "children": [{"student_id": link.ref, "display_name": link.display_name, "class_id": link.class_id}
                     for link in links("child")],
        "journals": [{"journal_id": link.ref, "class_id": link.class_id, "subject_id": link.subject_id}
                     for link in links("journal")],
    }
