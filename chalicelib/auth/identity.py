"""Who is calling: bearer token -> account -> the caller as the directory knows them; and the login route's check.

One interface for both identity providers: the built-in one (local and test stages, tokens we sign) and Cognito
(AWS stages). The token proves the identity; roles, children and journals come from the directory, read on
every request (one Query), so a change of role, a deactivation or a sign-out applies at once, to Cognito's tokens
too (refused when issued before the account's token epoch).
"""
from __future__ import annotations

import functools
import time

from chalicelib.auth.cognito import CognitoVerifier
from chalicelib.auth.errors import InvalidToken, KeySetUnavailable
from chalicelib.auth.passwords import KdfParams, dummy_hash, verify_password
from chalicelib.auth.tokens import BuiltinTokenIssuer, IssuedToken, SigningKeyring, TokenVerifier, VerifiedToken
from chalicelib.config import settings
from chalicelib.domain.errors import Problem, TooManyRequests, Unauthorized
from chalicelib.domain.policy import Caller, Grant, Role
from chalicelib.store import people

__all__ = ["authenticate", "authenticate_token", "issue_token", "kdf_params", "token_issuer", "caller_of"]


class _ProviderDown(Problem):
    status, slug, title = 503, "identity-provider-unavailable", "Identity provider unavailable"


def kdf_params() -> KdfParams:
    """The password KDF cost of this stage (cheap only in local and test stages)."""
    return KdfParams.cheap() if settings().kdf_cost == "cheap" else KdfParams()


@functools.cache
def _keyring() -> SigningKeyring:
    cfg = settings()
    if cfg.signing_keys:
        return SigningKeyring.from_json(cfg.signing_keys)
    if not cfg.local:
        raise RuntimeError("SIGNING_KEYS must be set where the built-in identity provider is used")
    return SigningKeyring.generate()


@functools.cache
def token_issuer() -> BuiltinTokenIssuer:
    cfg = settings()
    return BuiltinTokenIssuer(_keyring(), cfg.token_issuer, cfg.token_audience, cfg.token_ttl_seconds)


@functools.cache
def _verifier() -> TokenVerifier:
    cfg = settings()
    if cfg.identity_provider == "builtin":
        return token_issuer()
    return CognitoVerifier(cfg.cognito_region, cfg.cognito_user_pool_id, cfg.cognito_client_ids)


def authenticate(authorization: str | None) -> Caller:
    """The caller behind an `Authorization: Bearer` header, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send `Authorization: Bearer <token>`.", headers={"WWW-Authenticate": "Bearer"})
    return authenticate_token(token.strip())


def authenticate_token(token: str) -> Caller:
    """The caller behind an access token however it came (Bearer header, or v2's `Access-Token`), or 401."""
    try:
        verified = _verifier().verify(token)
    except InvalidToken as exc:
        raise Unauthorized(f"The token was refused: {exc}.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    except KeySetUnavailable:
        raise _ProviderDown("The identity provider's keys cannot be fetched; retry shortly.") from None
    caller = caller_of(verified)
    if caller is None:
        raise Unauthorized("The account is unknown, inactive or signed out.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return caller


def caller_of(verified: VerifiedToken) -> Caller | None:
    """The directory's view of a verified token's owner; None when the account may not act."""
    person_id = verified.claims.get("custom:person_id") or verified.subject
    if verified.username is not None and "custom:person_id" not in verified.claims:
        account = people.get_account(verified.username)
        if account is None:
            return None
        person_id = account.person_id
    partition = people.load_person(str(person_id))
    if partition is None or partition.account is None or not partition.account.active:
        return None
    if not _issued_since(verified, int(partition.account.token_epoch)):
        return None  # signed out, deactivated or password changed after the token was issued
    person, links = partition.person, partition
    grants = tuple(Grant(Role(link.role), link.school_id, link.region) for link in links.of_kind("role"))
    journals = links.of_kind("journal")
    return Caller(
        user_id=partition.account.username,
        person_id=person.person_id,
        display_name=people.display_name(person),
        language=person.language,
        grants=grants,
        children=frozenset(link.ref for link in links.of_kind("child")),
        journals=frozenset(link.ref for link in journals),
        taught_classes=frozenset(link.class_id for link in journals if link.class_id),
        homeroom_classes=frozenset(link.class_id for link in links.of_kind("homeroom") if link.class_id),
    )


def _issued_since(verified: VerifiedToken, epoch: int) -> bool:
    """Whether a token is younger than the account's last revocation (`chalicelib.store.accounts`): a built-in
    token by the epoch it carries; a Cognito token by its issue time, which must be after the epoch's second (one
    issued in that very second is refused too: the user signs in again)."""
    if verified.token_epoch is not None:
        return verified.token_epoch >= epoch
    issued = verified.claims.get("iat")
    return type(issued) is int and issued > epoch


def _redeem_code(username: str, code: str, now: int) -> bool:
    """Whether `code` is the username's pending one-time code from a password reset (used up if so)."""
    from chalicelib.store import accounts

    pending = accounts.reset_code(username)
    return (pending is not None and pending.until > now and verify_password(code, pending.code_hash)
            and accounts.consume_code(pending))


def issue_token(username: str, password: str, *, now: int | None = None) -> IssuedToken:
    """The built-in provider's login: a token for a right password; 401 otherwise; 429 while locked out."""
    cfg = settings()
    now = int(time.time()) if now is None else now
    failures = people.login_failures(username)
    if failures is not None and failures.locked_until > now:
        raise TooManyRequests("Too many failed logins; try again later.", failures.locked_until - now)
    account = people.get_account(username)
    stored = account.password_hash if account and account.password_hash else dummy_hash(kdf_params())
    valid = verify_password(password, stored) and account is not None and account.active
    if not valid and account is not None and account.active:
        valid = _redeem_code(username, password, now)
    if not valid or account is None:
        locked_until = people.record_login_failure(username, now, cfg.login_max_failures,
                                                   cfg.login_lockout_seconds)
        if locked_until:
            raise TooManyRequests("Too many failed logins; try again later.", locked_until - now)
        raise Unauthorized("Wrong username or password.")
    if failures is not None:
        people.clear_login_failures(username)
    return token_issuer().issue(account.person_id, now=now, token_epoch=int(account.token_epoch))
