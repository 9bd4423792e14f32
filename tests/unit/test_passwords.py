"""Password hashing: round trips, normalisation, malformed stored hashes, rehash decisions, unknown accounts."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.auth.passwords import KdfParams, dummy_hash, hash_password, needs_rehash, verify_password

CHEAP = KdfParams.cheap()
passwords = st.text(min_size=0, max_size=40)


@settings(max_examples=25, deadline=None)
@given(password=passwords)
def test_a_password_verifies_against_its_own_hash(password: str) -> None:
    assert verify_password(password, hash_password(password, CHEAP))


@settings(max_examples=25, deadline=None)
@given(password=passwords, attempt=passwords)
def test_another_password_is_refused(password: str, attempt: str) -> None:
    assume(unicodedata.normalize("NFKC", password) != unicodedata.normalize("NFKC", attempt))
    assert not verify_password(attempt, hash_password(password, CHEAP))


def test_the_production_default_is_memory_hard_and_works() -> None:
    params = KdfParams()
    assert (params.n, params.r, params.p, params.dklen) == (2**15, 8, 1, 32)
    assert 128 * params.n * params.r == 32 * 2**20
    encoded = hash_password("Мектеп-2026!", params)
    assert verify_password("Мектеп-2026!", encoded)
    assert not verify_password("мектеп-2026!", encoded)


def test_cheap_parameters_are_far_cheaper() -> None:
    assert KdfParams.cheap().n == 2**10
    assert KdfParams.cheap().n < KdfParams().n


def test_the_encoded_hash_describes_itself_in_urlsafe_base64() -> None:
    encoded = hash_password("құпия сөз", CHEAP)
    algorithm, cost, salt, digest = encoded.split("$")
    assert (algorithm, cost) == ("scrypt", "n=1024,r=8,p=1")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", salt) and re.fullmatch(r"[A-Za-z0-9_-]+", digest)
    assert "құпия" not in encoded


def test_the_same_password_hashes_differently_each_time() -> None:
    first, second = hash_password("same", CHEAP), hash_password("same", CHEAP)
    assert first != second
    assert verify_password("same", first) and verify_password("same", second)


def test_composed_and_decomposed_letters_are_the_same_password() -> None:
    composed = "қайың"  # й as one code point
    decomposed = unicodedata.normalize("NFD", composed)  # и + combining breve
    assert composed != decomposed
    assert verify_password(decomposed, hash_password(composed, CHEAP))


def test_a_tampered_digest_is_refused() -> None:
    encoded = hash_password("secret", CHEAP)
    head, digest = encoded.rsplit("$", 1)
    tampered = head + "$" + ("A" if digest[0] != "A" else "B") + digest[1:]
    assert not verify_password("secret", tampered)


def _valid() -> str:
    return hash_password("secret", CHEAP)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "scrypt",
        "secret",
        _valid().replace("scrypt$", "bcrypt$"),
        _valid().replace("n=1024,r=8,p=1", "n=1024,r=8"),
        _valid().replace("n=1024,r=8,p=1", "n=1000,r=8,p=1"),
        _valid().replace("n=1024,r=8,p=1", "n=1073741824,r=8,p=1"),
        _valid().replace("n=1024,r=8,p=1", "n=1024,r=8,p=x"),
        _valid().replace("n=1024,r=8,p=1", "n=-1024,r=8,p=1"),
        _valid().replace("n=1024,r=8,p=1", "n=1024,r=8,p=1,q=2"),
        _valid() + "$extra",
        _valid().rsplit("$", 1)[0] + "$!!!",
        _valid().rsplit("$", 1)[0] + "$AAAA",
        "scrypt$n=1024,r=8,p=1$c2FsdA$" + "A" * 43,
        None,
        42,
        b"scrypt$n=1024,r=8,p=1$AAAA$AAAA",
    ],
)
def test_a_malformed_stored_hash_is_refused_without_raising(stored: object) -> None:
    assert verify_password("secret", stored) is False  # type: ignore[arg-type]
    assert needs_rehash(stored, CHEAP) is True  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(stored=st.text(max_size=120))
def test_arbitrary_stored_text_never_raises(stored: str) -> None:
    assert verify_password("secret", stored) is False


def test_needs_rehash_when_the_parameters_change() -> None:
    encoded = hash_password("secret", CHEAP)
    assert not needs_rehash(encoded, CHEAP)
    assert needs_rehash(encoded, KdfParams())
    assert needs_rehash(encoded, KdfParams(n=2**10, dklen=64))


def test_an_unknown_account_costs_a_real_verification_and_never_matches() -> None:
    decoy = dummy_hash(CHEAP)
    assert decoy == dummy_hash(CHEAP)  # made once per parameters
    assert not needs_rehash(decoy, CHEAP)  # same cost as an account's current hash
    assert not verify_password("", decoy)
    assert not verify_password("secret", decoy)


@pytest.mark.parametrize(
    "fields",
    [{"n": 1000}, {"n": 1}, {"n": 2**21}, {"r": 0}, {"p": 0}, {"dklen": 8}, {"n": True}, {"r": 1.5}],
)
def test_unsafe_or_nonsensical_parameters_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        KdfParams(**fields)  # type: ignore[arg-type]
