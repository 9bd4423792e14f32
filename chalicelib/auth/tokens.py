"""Access tokens of the built-in identity provider (HS256 JWTs, keys rotated by ``kid``).

Also holds what every verifier shares: the ``VerifiedToken`` result, the ``TokenVerifier`` protocol and the
header and claim checks (one allowed algorithm, known key, issuer, audience, lifetime with a small leeway).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import jwt

from chalicelib.auth.errors import InvalidToken, KeyringError

__all__ = [
    "DEFAULT_LEEWAY_SECONDS",
    "VerifiedToken",
    "TokenVerifier",
    "IssuedToken",
    "SigningKeyring",
    "BuiltinTokenIssuer",
    "read_key_id",
    "decode_claims",
]

DEFAULT_LEEWAY_SECONDS = 30
_ALGORITHM = "HS256"
_MIN_SECRET_BYTES = 32
_ALWAYS_REQUIRED = ("iss", "sub", "exp", "iat")


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose signature, issuer, audience and lifetime have been checked."""

    subject: str
    claims: Mapping[str, Any]

    @property
    def username(self) -> str | None:
        """Cognito's ``cognito:username`` (id token) or ``username`` (access token); None for built-in tokens."""
        name = self.claims.get("cognito:username", self.claims.get("username"))
        return name if isinstance(name, str) else None

    @property
    def token_epoch(self) -> int | None:
        """The account's token epoch at issue (``tep``): older than the account's current one means revoked."""
        epoch = self.claims.get("tep")
        return epoch if type(epoch) is int else None


@runtime_checkable
class TokenVerifier(Protocol):
    """Anything that turns a bearer token into a ``VerifiedToken`` or raises ``InvalidToken``."""

    def verify(self, token: str) -> VerifiedToken: ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What the token route answers with."""

    access_token: str = field(repr=False)
    expires_in: int


class SigningKeyring:
    """HMAC secrets by key id: new tokens are signed with the active key, tokens of every key verify.

    Rotation: add a new key and make it active, keep the old one until its last tokens have expired, then drop it.
    """

    __slots__ = ("_secrets", "_active")

    def __init__(self, keys: Mapping[str, bytes], active: str) -> None:
        for kid, secret in keys.items():
            if not isinstance(kid, str) or not kid:
                raise KeyringError("key ids must be non-empty strings")
            if not isinstance(secret, bytes) or len(secret) < _MIN_SECRET_BYTES:
                raise KeyringError(f"key {kid!r} must be at least {_MIN_SECRET_BYTES} bytes")
        if not isinstance(active, str) or active not in keys:
            raise KeyringError("the active key id is not in the keyring")
        self._secrets = dict(keys)
        self._active = active

    @classmethod
    def from_json(cls, text: str) -> SigningKeyring:
        """Read ``{"active": "k2", "keys": {"k1": "<base64 secret>", "k2": "<base64 secret>"}}``."""
        try:
            document = json.loads(text)
            keys = {kid: _decode_secret(value) for kid, value in document["keys"].items()}
            active = document["active"]
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
            raise KeyringError(
                'signing keys must be JSON {"active": kid, "keys": {kid: base64 secret}}'
            ) from None
        return cls(keys, active)

    @classmethod
    def generate(cls, kid: str = "local") -> SigningKeyring:
        """A fresh single-key keyring for a local run (its tokens die with the process)."""
        return cls({kid: secrets.token_bytes(_MIN_SECRET_BYTES)}, kid)

    def rotated(self, kid: str, secret: bytes) -> SigningKeyring:
        """A keyring with ``secret`` added as the active key; the current keys still verify."""
        if kid in self._secrets:
            raise KeyringError(f"key id {kid!r} is already in the keyring")
        return SigningKeyring({**self._secrets, kid: secret}, kid)

    @property
    def active_kid(self) -> str:
        return self._active

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def secret(self, kid: str) -> bytes | None:
        """The secret of ``kid``, or None for a key this keyring does not hold."""
        return self._secrets.get(kid)

    def __repr__(self) -> str:
        return f"SigningKeyring(active={self._active!r}, kids={sorted(self._secrets)!r})"


class BuiltinTokenIssuer:
    """Issues and verifies the built-in provider's access tokens."""

    def __init__(
        self,
        keyring: SigningKeyring,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        *,
        leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._keyring = keyring
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds
        self._leeway = leeway_seconds
        self._clock = clock

    def issue(self, subject: str, *, now: int | None = None, token_epoch: int = 0) -> IssuedToken:
        """Sign an access token for ``subject`` with the active key; ``token_epoch`` is the account's current one."""
        if not isinstance(subject, str) or not subject:
            raise ValueError("subject must be a non-empty string")
        issued_at = int(self._clock()) if now is None else now
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + self._ttl,
            "jti": secrets.token_urlsafe(16),
            "token_use": "access",
            "tep": token_epoch,
        }
        kid = self._keyring.active_kid
        secret = self._keyring.secret(kid)
        token = jwt.encode(claims, secret, algorithm=_ALGORITHM, headers={"kid": kid})
        return IssuedToken(access_token=token, expires_in=self._ttl)

    def verify(self, token: str) -> VerifiedToken:
        """Check ``token``; raise ``InvalidToken`` saying why not."""
        secret = self._keyring.secret(read_key_id(token, _ALGORITHM))
        if secret is None:
            raise InvalidToken("token signed with an unknown key")
        claims = decode_claims(
            token,
            secret,
            algorithm=_ALGORITHM,
            issuer=self._issuer,
            audience=self._audience,
            also_required=("token_use", "tep"),
            now=self._clock(),
            leeway=self._leeway,
        )
        if claims["token_use"] != "access":
            raise InvalidToken("not an access token")
        if type(claims["tep"]) is not int:
            raise InvalidToken("malformed token epoch")
        return VerifiedToken(subject=claims["sub"], claims=claims)


def read_key_id(token: str, algorithm: str) -> str:
    """The header's ``kid``, once its ``alg`` is exactly ``algorithm`` (never ``none``, never another one)."""
    if not isinstance(token, str):
        raise InvalidToken("malformed token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None
    if header.get("alg") != algorithm:
        raise InvalidToken("signing algorithm not allowed")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("token names no signing key")
    return kid


def decode_claims(
    token: str,
    key: Any,
    *,
    algorithm: str,
    issuer: str,
    audience: str | None,
    also_required: Iterable[str] = (),
    now: float,
    leeway: float,
) -> dict[str, Any]:
    """Verify the signature with ``algorithm`` only, then iss, aud (None: the caller checks it), sub, the
    required claims, and exp/iat/nbf against ``now`` give or take ``leeway``; the claims, or ``InvalidToken``."""
    options: dict[str, Any] = {
        "require": [*_ALWAYS_REQUIRED, *also_required],
        "verify_exp": False,
        "verify_iat": False,
        "verify_nbf": False,
        "verify_aud": audience is not None,
    }
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm], issuer=issuer, audience=audience, options=options)
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"token lacks the {exc.claim} claim") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("token signature does not match") from None
    except jwt.InvalidIssuerError:
        raise InvalidToken("token from another issuer") from None
    except jwt.InvalidAudienceError:
        raise InvalidToken("token meant for another audience") from None
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise InvalidToken("malformed subject")
    _check_lifetime(claims, now, leeway)
    return claims


def _check_lifetime(claims: Mapping[str, Any], now: float, leeway: float) -> None:
    times = (claims["exp"], claims["iat"], claims.get("nbf", claims["iat"]))
    if not all(type(t) in (int, float) and math.isfinite(t) for t in times):
        raise InvalidToken("malformed token times")
    expires, issued, not_before = times
    if expires <= now - leeway:
        raise InvalidToken("token expired")
    if issued > now + leeway or not_before > now + leeway:
        raise InvalidToken("token not valid yet")


def _decode_secret(text: str) -> bytes:
    """Standard or urlsafe base64, padding optional."""
    normalised = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(normalised + "=" * (-len(normalised) % 4), validate=True)
