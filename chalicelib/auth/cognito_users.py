"""Logins in the Cognito user pool of AWS stages, made and disabled as the directory's accounts are.

The directory stays the authority: a roster import first claims each new username there (unique across the
country), then the pool gets a user of that name with `custom:person_id` (immutable; the claim
`chalicelib.auth.identity` maps a token to its person by) and the file's password as a temporary one, which the
user replaces at first sign-in. No invitation is sent: schools hand out the credentials. A pool user left
over under a username the directory has just given out (a failed import, a person removed) is replaced. A
login whose account is deactivated is disabled in the pool, so it can no longer sign in; a logout or a password
reset signs the user out of the pool (their refresh tokens stop working).

Users are created one call at a time (about 25 a second, within Cognito's default 50 a second for user
creation); a failure deletes the users this call made, so the caller can release its claims and retry.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.errors import Problem

__all__ = ["PERSON_ID_ATTRIBUTE", "NewLogin", "UserPool", "UserPoolError", "user_pool"]

PERSON_ID_ATTRIBUTE = "custom:person_id"


class UserPoolError(Problem):
    """The user pool refused a change (answered 503: retry); the detail names the username and Cognito's error
    code, never a password."""

    status, slug, title = 503, "user-pool-unavailable", "The user pool did not accept the change"


@dataclass(frozen=True, slots=True)
class NewLogin:
    """A login to create: its username, the directory person it belongs to, the initial (temporary) password."""

    username: str
    person_id: str
    password: str = field(repr=False)


class UserPool:
    """One Cognito user pool, through a `cognito-idp` client."""

    def __init__(self, pool_id: str, client: Any) -> None:
        self.pool_id = pool_id
        self._client = client

    def create(self, logins: Sequence[NewLogin]) -> None:
        """Create every login, or none: on a failure the users made so far are deleted and UserPoolError raised."""
        made: list[str] = []
        try:
            for login in logins:
                self._create(login)
                made.append(login.username)
        except self._client.exceptions.ClientError as exc:
            for username in made:
                self._delete(username)
            raise UserPoolError(f"The user pool refused {login.username!r} ({_code(exc)}); retry shortly.") from None

    def disable(self, usernames: Iterable[str]) -> None:
        """Stop these users from signing in (a user the pool does not hold is skipped)."""
        for username in usernames:
            try:
                self._client.admin_disable_user(UserPoolId=self.pool_id, Username=username)
            except self._client.exceptions.UserNotFoundException:
                continue
            except self._client.exceptions.ClientError as exc:
                raise UserPoolError(f"The user pool could not disable {username!r} ({_code(exc)}); retry shortly.") \
                    from None

    def enable(self, username: str) -> None:
        """Let a disabled user sign in again."""
        self._call("enable", self._client.admin_enable_user, username)

    def set_temporary_password(self, username: str, code: str) -> None:
        """A password reset: `code` signs the user in once, then Cognito asks for a new password."""
        self._call("reset", self._client.admin_set_user_password, username, Password=code, Permanent=False)

    def sign_out(self, username: str) -> None:
        """Revoke the user's refresh tokens (AdminUserGlobalSignOut); the access and id tokens already issued are
        refused by the directory's token epoch (`chalicelib.auth.identity`)."""
        self._call("sign out", self._client.admin_user_global_sign_out, username)

    def _call(self, what: str, operation: Any, username: str, **extra: Any) -> None:
        try:
            operation(UserPoolId=self.pool_id, Username=username, **extra)
        except self._client.exceptions.ClientError as exc:
            raise UserPoolError(f"The user pool could not {what} {username!r} ({_code(exc)}); retry shortly.") \
                from None

    def _create(self, login: NewLogin) -> None:
        request = {"UserPoolId": self.pool_id, "Username": login.username, "TemporaryPassword": login.password,
                   "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": PERSON_ID_ATTRIBUTE, "Value": login.person_id}]}
        try:
            self._client.admin_create_user(**request)
        except self._client.exceptions.UsernameExistsException:  # a leftover: the directory gave the name out
            self._delete(login.username)
            self._client.admin_create_user(**request)

    def _delete(self, username: str) -> None:
        try:
            self._client.admin_delete_user(UserPoolId=self.pool_id, Username=username)
        except self._client.exceptions.UserNotFoundException:
            pass


def user_pool() -> UserPool | None:
    """The stage's user pool; None where the built-in provider keeps logins in the directory (local, tests)."""
    cfg = settings()
    if cfg.identity_provider != "cognito":
        return None
    return UserPool(cfg.cognito_user_pool_id, _client(cfg.cognito_region))


@functools.cache
def _client(region: str) -> Any:
    import boto3  # on first use: only login administration calls Cognito

    return boto3.client("cognito-idp", region_name=region)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))
