"""Cognito user-pool tokens: RS256 against the pool's JWKS, cached and refetched sparingly; every denial."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth.cognito import CognitoVerifier
from chalicelib.auth.errors import InvalidToken, KeySetUnavailable
from chalicelib.auth.tokens import TokenVerifier

REGION = "eu-central-1"
POOL = "eu-central-1_Journal1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"
CLIENT = "webclient123"
T0 = 1_780_000_000


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Jwks:
    """A stand-in for the pool's JWKS endpoint that counts how often it is asked."""

    def __init__(self, *keys: tuple[str, rsa.RSAPrivateKey]) -> None:
        self.document: dict[str, Any] = _jwks(*keys)
        self.urls: list[str] = []
        self.failure: Exception | None = None

    def __call__(self, url: str) -> dict[str, Any]:
        self.urls.append(url)
        if self.failure is not None:
            raise self.failure
        return self.document


@pytest.fixture(scope="module")
def key_a() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_b() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + 60)


@pytest.fixture
def jwks(key_a: rsa.RSAPrivateKey) -> Jwks:
    return Jwks(("a", key_a))


@pytest.fixture
def verifier(jwks: Jwks, clock: Clock) -> CognitoVerifier:
    return CognitoVerifier(REGION, POOL, frozenset({CLIENT, "mobile456"}), fetch_jwks=jwks, clock=clock)


def _jwks(*keys: tuple[str, rsa.RSAPrivateKey]) -> dict[str, Any]:
    entries = []
    for kid, key in keys:
        entry = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        entries.append({**entry, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": entries}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _compose(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _id_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER, "sub": "5f1c-uuid", "aud": CLIENT, "token_use": "id", "iat": T0, "auth_time": T0,
        "exp": T0 + 3600, "cognito:username": "teacher.aigerim",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _access_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER, "sub": "5f1c-uuid", "client_id": CLIENT, "token_use": "access", "iat": T0,
        "exp": T0 + 3600, "username": "teacher.aigerim", "scope": "aws.cognito.signin.user.admin",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str = "a", alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def _refused(verifier: CognitoVerifier, token: str, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason) as caught:
        verifier.verify(token)
    assert token not in str(caught.value)


def test_an_id_token_of_our_app_client_verifies(verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey) -> None:
    verified = verifier.verify(_signed(_id_claims(), key_a))
    assert verified.subject == "5f1c-uuid"
    assert verified.username == "teacher.aigerim"
    assert verified.claims["token_use"] == "id"


def test_an_access_token_of_our_app_client_verifies(verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey) -> None:
    verified = verifier.verify(_signed(_access_claims(client_id="mobile456"), key_a))
    assert verified.subject == "5f1c-uuid"
    assert verified.username == "teacher.aigerim"
    assert verified.token_epoch is None


def test_both_verifiers_share_the_protocol(verifier: CognitoVerifier) -> None:
    assert isinstance(verifier, TokenVerifier)


def test_the_key_set_is_fetched_from_the_pool_once_and_cached(
    verifier: CognitoVerifier, jwks: Jwks, key_a: rsa.RSAPrivateKey, clock: Clock
) -> None:
    assert verifier.issuer == ISSUER
    for _ in range(3):
        verifier.verify(_signed(_id_claims(), key_a))
        clock.now += 600
    assert jwks.urls == [JWKS_URL]


def test_an_unknown_kid_refetches_the_key_set_after_cognito_rotates(
    verifier: CognitoVerifier, jwks: Jwks, key_a: rsa.RSAPrivateKey, key_b: rsa.RSAPrivateKey, clock: Clock
) -> None:
    verifier.verify(_signed(_id_claims(), key_a))
    jwks.document = _jwks(("b", key_b))
    clock.now += 30
    assert verifier.verify(_signed(_id_claims(), key_b, kid="b")).subject == "5f1c-uuid"
    assert len(jwks.urls) == 2
    _refused(verifier, _signed(_id_claims(), key_a), "unknown key")


def test_a_flood_of_unknown_kids_fetches_at_most_once_per_interval(
    verifier: CognitoVerifier, jwks: Jwks, key_a: rsa.RSAPrivateKey, clock: Clock
) -> None:
    verifier.verify(_signed(_id_claims(), key_a))
    clock.now += 30
    refetched_at = clock.now
    for n in range(20):
        _refused(verifier, _signed(_id_claims(), key_a, kid=f"random-{n}"), "unknown key")
        clock.now += 1
    assert len(jwks.urls) == 2
    clock.now = refetched_at + 30
    _refused(verifier, _signed(_id_claims(), key_a, kid="random-late"), "unknown key")
    assert len(jwks.urls) == 3
    assert verifier.verify(_signed(_id_claims(), key_a)).subject == "5f1c-uuid"
    assert len(jwks.urls) == 3


def test_an_unreachable_key_set_is_unavailable_not_invalid_and_retried_later(
    verifier: CognitoVerifier, jwks: Jwks, key_a: rsa.RSAPrivateKey, clock: Clock
) -> None:
    token = _signed(_id_claims(), key_a)
    jwks.failure = TimeoutError("timed out")
    with pytest.raises(KeySetUnavailable):
        verifier.verify(token)
    with pytest.raises(KeySetUnavailable):
        verifier.verify(token)
    assert len(jwks.urls) == 1
    jwks.failure = None
    clock.now += 30
    assert verifier.verify(token).subject == "5f1c-uuid"


@pytest.mark.parametrize("document", [{}, {"keys": "none"}, [], "text"])
def test_a_malformed_key_set_is_unavailable(
    clock: Clock, key_a: rsa.RSAPrivateKey, document: Any
) -> None:
    verifier = CognitoVerifier(REGION, POOL, frozenset({CLIENT}), fetch_jwks=lambda _: document, clock=clock)
    with pytest.raises(KeySetUnavailable):
        verifier.verify(_signed(_id_claims(), key_a))


def test_the_default_fetcher_asks_the_pool_url_with_a_short_timeout(
    monkeypatch: pytest.MonkeyPatch, key_a: rsa.RSAPrivateKey, clock: Clock
) -> None:
    asked: list[tuple[str, float]] = []

    def urlopen(url: str, timeout: float) -> io.BytesIO:
        asked.append((url, timeout))
        return io.BytesIO(json.dumps(_jwks(("a", key_a))).encode())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    verifier = CognitoVerifier(REGION, POOL, frozenset({CLIENT}), clock=clock)
    assert verifier.verify(_signed(_id_claims(), key_a)).subject == "5f1c-uuid"
    [(url, timeout)] = asked
    assert url == JWKS_URL and timeout <= 5


def test_an_emulator_issuer_and_key_set_url_can_be_configured(
    jwks: Jwks, key_a: rsa.RSAPrivateKey, clock: Clock
) -> None:
    local = "http://127.0.0.1:5000/" + POOL
    verifier = CognitoVerifier(REGION, POOL, frozenset({CLIENT}), jwks, clock, issuer_url=local)
    assert verifier.verify(_signed(_id_claims(iss=local), key_a)).subject == "5f1c-uuid"
    assert jwks.urls == [local + "/.well-known/jwks.json"]
    _refused(verifier, _signed(_id_claims(), key_a), "another issuer")
    moto_like = CognitoVerifier(REGION, POOL, frozenset({CLIENT}), jwks, clock, jwks_url=local + "/jwks")
    assert moto_like.verify(_signed(_id_claims(), key_a)).subject == "5f1c-uuid"
    assert jwks.urls[-1] == local + "/jwks"


def test_a_forged_payload_is_refused(verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey) -> None:
    header, _, signature = _signed(_id_claims(), key_a).split(".")
    forged = _b64(json.dumps(_id_claims(sub="someone-else")).encode())
    _refused(verifier, f"{header}.{forged}.{signature}", "signature")


def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(
    verifier: CognitoVerifier, key_b: rsa.RSAPrivateKey
) -> None:
    _refused(verifier, _signed(_id_claims(), key_b, kid="a"), "signature")


def test_a_token_naming_an_unknown_key_is_refused(verifier: CognitoVerifier, key_b: rsa.RSAPrivateKey) -> None:
    _refused(verifier, _signed(_id_claims(), key_b, kid="b"), "unknown key")


@pytest.mark.parametrize("alg", ["none", "None", ""])
def test_an_unsigned_token_is_refused(verifier: CognitoVerifier, jwks: Jwks, alg: str) -> None:
    _refused(verifier, _compose({"alg": alg, "kid": "a"}, _id_claims(), lambda _: b""), "algorithm")
    assert jwks.urls == []  # refused before any key is looked up


def test_an_hs256_token_is_refused(verifier: CognitoVerifier) -> None:
    _refused(verifier, jwt.encode(_id_claims(), b"k" * 32, algorithm="HS256", headers={"kid": "a"}), "algorithm")


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256"])
def test_other_rsa_algorithms_are_refused_even_with_the_pool_key(
    verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey, alg: str
) -> None:
    _refused(verifier, _signed(_id_claims(), key_a, alg=alg), "algorithm")


def test_algorithm_confusion_with_the_public_key_as_hmac_secret_is_refused(
    key_a: rsa.RSAPrivateKey, clock: Clock
) -> None:
    public_pem = key_a.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    document = _jwks(("a", key_a))
    document["keys"].append({"kty": "oct", "kid": "shared", "k": _b64(public_pem), "alg": "HS256"})
    verifier = CognitoVerifier(REGION, POOL, frozenset({CLIENT}), lambda _: document, clock)

    def sign(data: bytes) -> bytes:
        return hmac.new(public_pem, data, hashlib.sha256).digest()

    for kid in ("a", "shared"):
        _refused(verifier, _compose({"alg": "HS256", "kid": kid}, _id_claims(), sign), "algorithm")
        _refused(verifier, _compose({"alg": "RS256", "kid": kid}, _id_claims(), sign), "signature|unknown key")


def test_a_token_of_another_pool_is_refused(verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey) -> None:
    other = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Other"
    _refused(verifier, _signed(_id_claims(iss=other), key_a), "another issuer")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (_id_claims(aud="someone-elses-app"), "another app client"),
        (_id_claims(aud=[CLIENT]), "another app client"),
        (_id_claims(aud=None), "another app client"),
        (_access_claims(client_id="someone-elses-app"), "another app client"),
        (_access_claims(client_id=None, aud=CLIENT), "another app client"),
        (_id_claims(token_use="refresh"), "neither an id nor an access token"),
        (_id_claims(token_use=None), "lacks the token_use claim"),
        (_id_claims(exp=None), "lacks the exp claim"),
        (_id_claims(iat=None), "lacks the iat claim"),
        (_id_claims(sub=None), "lacks the sub claim"),
        (_id_claims(iss=None), "lacks the iss claim"),
    ],
)
def test_a_token_with_wrong_or_missing_claims_is_refused(
    verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey, claims: dict[str, Any], reason: str
) -> None:
    _refused(verifier, _signed(claims, key_a), reason)


def test_an_expired_token_is_refused(verifier: CognitoVerifier, key_a: rsa.RSAPrivateKey, clock: Clock) -> None:
    token = _signed(_access_claims(), key_a)
    clock.now = T0 + 3600 + 29
    assert verifier.verify(token).subject == "5f1c-uuid"
    clock.now = T0 + 3600 + 30
    _refused(verifier, token, "expired")


def test_a_verifier_needs_an_app_client(jwks: Jwks) -> None:
    with pytest.raises(ValueError):
        CognitoVerifier(REGION, POOL, frozenset(), jwks)
