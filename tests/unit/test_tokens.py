"""Built-in access tokens: issue, verify, rotate keys, and refuse every kind of bad token."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth.errors import InvalidToken, KeyringError
from chalicelib.auth.tokens import BuiltinTokenIssuer, SigningKeyring, TokenVerifier

ISSUER = "https://ejournal.kz/test"
AUDIENCE = "ejournal-api"
TTL = 3600
T0 = 1_780_000_000
SECRET_1 = secrets.token_bytes(64)
SECRET_2 = secrets.token_bytes(48)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + 60)


@pytest.fixture
def keyring() -> SigningKeyring:
    return SigningKeyring({"k1": SECRET_1}, "k1")


@pytest.fixture
def tokens(keyring: SigningKeyring, clock: Clock) -> BuiltinTokenIssuer:
    return BuiltinTokenIssuer(keyring, ISSUER, AUDIENCE, TTL, clock=clock)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _compose(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "person-1", "iat": T0, "nbf": T0, "exp": T0 + TTL,
        "jti": "j1", "token_use": "access", "tep": 0,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict[str, Any], secret: bytes = SECRET_1, kid: str = "k1") -> str:
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": kid})


def _refused(tokens: BuiltinTokenIssuer, token: str, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason) as caught:
        tokens.verify(token)
    assert token not in str(caught.value)


def test_an_issued_token_verifies_with_its_claims(tokens: BuiltinTokenIssuer, clock: Clock) -> None:
    issued = tokens.issue("person-1", now=T0, token_epoch=7)
    assert issued.expires_in == TTL
    assert issued.access_token not in repr(issued)
    verified = tokens.verify(issued.access_token)
    assert verified.subject == "person-1"
    assert verified.token_epoch == 7
    assert verified.username is None
    claims = verified.claims
    assert (claims["iss"], claims["aud"], claims["token_use"]) == (ISSUER, AUDIENCE, "access")
    assert (claims["iat"], claims["exp"]) == (T0, T0 + TTL)
    assert jwt.get_unverified_header(issued.access_token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}


def test_issue_uses_the_clock_and_fresh_token_ids(tokens: BuiltinTokenIssuer, clock: Clock) -> None:
    first, second = (tokens.verify(tokens.issue("person-1").access_token) for _ in range(2))
    assert first.claims["iat"] == int(clock.now)
    assert first.claims["jti"] != second.claims["jti"]


def test_both_verifiers_share_the_protocol(tokens: BuiltinTokenIssuer) -> None:
    assert isinstance(tokens, TokenVerifier)


def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    keyring: SigningKeyring, tokens: BuiltinTokenIssuer, clock: Clock
) -> None:
    old_token = tokens.issue("person-1").access_token
    rotated = BuiltinTokenIssuer(keyring.rotated("k2", SECRET_2), ISSUER, AUDIENCE, TTL, clock=clock)
    assert rotated.verify(old_token).subject == "person-1"
    new_token = rotated.issue("person-2").access_token
    assert jwt.get_unverified_header(new_token)["kid"] == "k2"
    assert rotated.verify(new_token).subject == "person-2"
    retired = BuiltinTokenIssuer(SigningKeyring({"k2": SECRET_2}, "k2"), ISSUER, AUDIENCE, TTL, clock=clock)
    assert retired.verify(new_token).subject == "person-2"
    _refused(retired, old_token, "unknown key")


def test_a_keyring_reads_its_json_configuration(clock: Clock) -> None:
    text = json.dumps({
        "active": "k2",
        "keys": {"k1": base64.b64encode(SECRET_1).decode(), "k2": base64.urlsafe_b64encode(SECRET_2).decode()},
    })
    keyring = SigningKeyring.from_json(text)
    assert keyring.active_kid == "k2" and keyring.kids == {"k1", "k2"}
    assert keyring.secret("k1") == SECRET_1 and keyring.secret("k2") == SECRET_2
    old = _signed(_claims(iat=T0, exp=T0 + TTL))
    assert BuiltinTokenIssuer(keyring, ISSUER, AUDIENCE, TTL, clock=clock).verify(old).subject == "person-1"


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"keys": {"k1": base64.b64encode(SECRET_1).decode()}}),
        json.dumps({"active": "k9", "keys": {"k1": base64.b64encode(SECRET_1).decode()}}),
        json.dumps({"active": "k1", "keys": {"k1": base64.b64encode(SECRET_1[:31]).decode()}}),
        json.dumps({"active": "k1", "keys": {"k1": "%%%not base64%%%"}}),
        json.dumps({"active": ["k1"], "keys": {"k1": base64.b64encode(SECRET_1).decode()}}),
        json.dumps({"active": "k1", "keys": ["k1"]}),
    ],
)
def test_a_malformed_keyring_is_a_configuration_error_that_reveals_no_secret(text: str) -> None:
    with pytest.raises(KeyringError) as caught:
        SigningKeyring.from_json(text)
    assert base64.b64encode(SECRET_1[:31]).decode()[:20] not in str(caught.value)


def test_a_keyring_never_shows_its_secrets() -> None:
    keyring = SigningKeyring({"k1": SECRET_1}, "k1")
    assert repr(keyring) == "SigningKeyring(active='k1', kids=['k1'])"


def test_a_generated_keyring_is_fresh_each_time(clock: Clock) -> None:
    first = BuiltinTokenIssuer(SigningKeyring.generate(), ISSUER, AUDIENCE, TTL, clock=clock)
    second = BuiltinTokenIssuer(SigningKeyring.generate(), ISSUER, AUDIENCE, TTL, clock=clock)
    token = first.issue("person-1").access_token
    assert first.verify(token).subject == "person-1"
    _refused(second, token, "signature")


def test_a_forged_payload_is_refused(tokens: BuiltinTokenIssuer) -> None:
    header, _, signature = tokens.issue("person-1", now=T0).access_token.split(".")
    forged_claims = _b64(json.dumps(_claims(sub="admin")).encode())
    _refused(tokens, f"{header}.{forged_claims}.{signature}", "signature")


def test_a_token_signed_with_another_secret_under_a_known_kid_is_refused(tokens: BuiltinTokenIssuer) -> None:
    _refused(tokens, _signed(_claims(), secret=secrets.token_bytes(32)), "signature")


def test_a_token_naming_an_unknown_key_is_refused(tokens: BuiltinTokenIssuer) -> None:
    _refused(tokens, _signed(_claims(), kid="k9"), "unknown key")
    _refused(tokens, jwt.encode(_claims(), SECRET_1, algorithm="HS256"), "names no signing key")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", ""])
def test_an_unsigned_token_is_refused(tokens: BuiltinTokenIssuer, alg: str) -> None:
    _refused(tokens, _compose({"alg": alg, "kid": "k1", "typ": "JWT"}, _claims(), lambda _: b""), "algorithm")


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hmac_algorithms_are_refused_even_with_the_right_secret(tokens: BuiltinTokenIssuer, alg: str) -> None:
    _refused(tokens, jwt.encode(_claims(), SECRET_1, algorithm=alg, headers={"kid": "k1"}), "algorithm")


def test_an_rs256_token_is_refused(tokens: BuiltinTokenIssuer, rsa_key: rsa.RSAPrivateKey) -> None:
    _refused(tokens, jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"}), "algorithm")


def test_a_header_claiming_hs256_over_another_mac_is_refused(tokens: BuiltinTokenIssuer) -> None:
    def sign(data: bytes) -> bytes:
        return hmac.new(SECRET_1, data, hashlib.sha512).digest()

    _refused(tokens, _compose({"alg": "HS256", "kid": "k1"}, _claims(), sign), "signature")


def test_a_token_from_another_issuer_is_refused(
    keyring: SigningKeyring, clock: Clock, tokens: BuiltinTokenIssuer
) -> None:
    other = BuiltinTokenIssuer(keyring, "https://ejournal.kz/prod", AUDIENCE, TTL, clock=clock)
    _refused(tokens, other.issue("person-1").access_token, "another issuer")


def test_a_token_for_another_audience_is_refused(
    keyring: SigningKeyring, clock: Clock, tokens: BuiltinTokenIssuer
) -> None:
    other = BuiltinTokenIssuer(keyring, ISSUER, "another-api", TTL, clock=clock)
    _refused(tokens, other.issue("person-1").access_token, "another audience")


def test_expiry_allows_a_small_leeway_and_no_more(tokens: BuiltinTokenIssuer, clock: Clock) -> None:
    token = tokens.issue("person-1", now=T0).access_token
    clock.now = T0 + TTL + 29
    assert tokens.verify(token).subject == "person-1"
    clock.now = T0 + TTL + 30
    _refused(tokens, token, "expired")


def test_a_token_from_the_future_is_refused(tokens: BuiltinTokenIssuer, clock: Clock) -> None:
    _refused(tokens, tokens.issue("person-1", now=int(clock.now) + 31).access_token, "not valid yet")
    _refused(tokens, _signed(_claims(iat=T0, nbf=int(clock.now) + 31)), "not valid yet")


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "token_use", "tep"])
def test_a_token_missing_a_required_claim_is_refused(tokens: BuiltinTokenIssuer, claim: str) -> None:
    _refused(tokens, _signed(_claims(**{claim: None})), f"lacks the {claim} claim")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"token_use": "id"}, "not an access token"),
        ({"tep": "0"}, "token epoch"),
        ({"tep": True}, "token epoch"),
        ({"exp": "2100000000"}, "token times"),
        ({"exp": 1e400}, "token times"),
        ({"sub": ""}, "subject"),
        ({"sub": 42}, "malformed"),
    ],
)
def test_a_token_with_malformed_claims_is_refused(
    tokens: BuiltinTokenIssuer, changes: dict[str, Any], reason: str
) -> None:
    _refused(tokens, _signed(_claims(**changes)), reason)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30"])
def test_garbage_is_refused_as_malformed(tokens: BuiltinTokenIssuer, token: str) -> None:
    with pytest.raises(InvalidToken, match="malformed|algorithm|signing key"):
        tokens.verify(token)


def test_issuing_needs_a_subject_and_a_positive_lifetime(keyring: SigningKeyring, tokens: BuiltinTokenIssuer) -> None:
    with pytest.raises(ValueError):
        tokens.issue("")
    with pytest.raises(ValueError):
        BuiltinTokenIssuer(keyring, ISSUER, AUDIENCE, 0)
