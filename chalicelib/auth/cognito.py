"""Verification of Amazon Cognito user-pool tokens: RS256 against the pool's published keys (JWKS).

The key set is fetched on first use and cached; a token naming an unknown ``kid`` triggers a refetch (Cognito
rotated its keys), but at most one fetch per ``refetch_interval_seconds``, so random kids cannot make us hammer
the endpoint.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

import jwt

from chalicelib.auth.errors import InvalidToken, KeySetUnavailable
from chalicelib.auth.tokens import DEFAULT_LEEWAY_SECONDS, VerifiedToken, decode_claims, read_key_id

__all__ = ["CognitoVerifier", "JwksFetcher"]

JwksFetcher = Callable[[str], Mapping[str, Any]]

_ALGORITHM = "RS256"
_FETCH_TIMEOUT_SECONDS = 3
_MAX_JWKS_BYTES = 64 * 1024
_logger = logging.getLogger(__name__)


class CognitoVerifier:
    """Verifies id and access tokens of one user pool issued to one of ``client_ids``."""

    def __init__(
        self,
        region: str,
        user_pool_id: str,
        client_ids: frozenset[str],
        fetch_jwks: JwksFetcher | None = None,
        clock: Callable[[], float] = time.time,
        *,
        issuer_url: str | None = None,
        jwks_url: str | None = None,
        leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
        refetch_interval_seconds: float = 30.0,
    ) -> None:
        if not client_ids:
            raise ValueError("at least one app client id is required")
        self.issuer = issuer_url or f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.jwks_url = jwks_url or f"{self.issuer}/.well-known/jwks.json"
        self._client_ids = frozenset(client_ids)
        self._fetch = fetch_jwks or _download_jwks
        self._clock = clock
        self._leeway = leeway_seconds
        self._refetch_interval = refetch_interval_seconds
        self._keys: dict[str, Any] | None = None
        self._last_fetch: float | None = None
        self._lock = threading.Lock()

    def verify(self, token: str) -> VerifiedToken:
        """Check ``token``; raise ``InvalidToken`` saying why not, or ``KeySetUnavailable`` if keys cannot be had."""
        key = self._signing_key(read_key_id(token, _ALGORITHM))
        claims = decode_claims(
            token,
            key,
            algorithm=_ALGORITHM,
            issuer=self.issuer,
            audience=None,
            also_required=("token_use",),
            now=self._clock(),
            leeway=self._leeway,
        )
        use = claims["token_use"]
        if use == "id":
            client = claims.get("aud")
        elif use == "access":
            client = claims.get("client_id")
        else:
            raise InvalidToken("neither an id nor an access token")
        if not isinstance(client, str) or client not in self._client_ids:
            raise InvalidToken("token issued to another app client")
        return VerifiedToken(subject=claims["sub"], claims=claims)

    def _signing_key(self, kid: str) -> Any:
        with self._lock:
            keys = self._keys
            if keys is None or kid not in keys:
                if self._may_fetch():
                    keys = self._refresh()
                elif keys is None:
                    raise KeySetUnavailable("the user pool's signing keys are not available")
        key = keys.get(kid)
        if key is None:
            raise InvalidToken("token signed with an unknown key")
        return key

    def _may_fetch(self) -> bool:
        return self._last_fetch is None or self._clock() - self._last_fetch >= self._refetch_interval

    def _refresh(self) -> dict[str, Any]:
        self._last_fetch = self._clock()
        try:
            document = self._fetch(self.jwks_url)
        except Exception as exc:  # any transport or parse failure means the same: no keys now
            _logger.warning("fetching the user pool's JWKS failed: %s", type(exc).__name__)
            raise KeySetUnavailable("the user pool's signing keys are not available") from None
        self._keys = _rsa_keys(document)
        return self._keys


def _rsa_keys(document: Mapping[str, Any]) -> dict[str, Any]:
    """The RS256 signing keys of a JWKS document by kid; entries of other kinds or malformed ones are skipped."""
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise KeySetUnavailable("the user pool's key set is malformed")
    keys: dict[str, Any] = {}
    for entry in entries:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("kid"), str)
            and entry.get("kty") == "RSA"
            and entry.get("use", "sig") == "sig"
            and entry.get("alg", _ALGORITHM) == _ALGORITHM
        ):
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm=_ALGORITHM).key
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
    return keys


def _download_jwks(url: str) -> Mapping[str, Any]:
    with urllib.request.urlopen(url, timeout=_FETCH_TIMEOUT_SECONDS) as response:
        return json.loads(response.read(_MAX_JWKS_BYTES))
