"""Password hashing with scrypt (stdlib, memory-hard) in a self-describing encoded form.

Encoded hash: ``scrypt$n=32768,r=8,p=1$<salt>$<hash>`` with salt and hash in unpadded urlsafe base64.
Passwords are NFKC-normalised first, so the same Kazakh or Russian text typed on different keyboards matches.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

__all__ = ["KdfParams", "hash_password", "verify_password", "needs_rehash", "dummy_hash"]

_ALGORITHM = "scrypt"
_SALT_BYTES = 16
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16
_DIGITS = re.compile(r"[0-9]{1,8}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class KdfParams:
    """scrypt cost: memory is about 128 * n * r bytes (the default needs 32 MiB)."""

    n: int = 2**15
    r: int = 8
    p: int = 1
    dklen: int = 32

    def __post_init__(self) -> None:
        for name in ("n", "r", "p", "dklen"):
            value = getattr(self, name)
            if type(value) is not int:
                raise ValueError(f"KdfParams.{name} must be an integer")
        if not (2 <= self.n <= _MAX_N and self.n & (self.n - 1) == 0):
            raise ValueError(f"KdfParams.n must be a power of two between 2 and {_MAX_N}")
        if not (1 <= self.r <= _MAX_R and 1 <= self.p <= _MAX_P and 16 <= self.dklen <= 64):
            raise ValueError("KdfParams.r, p or dklen out of range")

    @classmethod
    def cheap(cls) -> KdfParams:
        """Parameters for the local and test stages only (1 MiB, milliseconds)."""
        return cls(n=2**10)


def hash_password(password: str, params: KdfParams) -> str:
    """Hash ``password`` with a fresh random salt; the result records the algorithm and parameters."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _derive(password, salt, params)
    return f"{_ALGORITHM}${_format_params(params)}${_b64encode(salt)}${_b64encode(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches ``encoded``; False for a wrong password or a malformed hash, never raises."""
    try:
        params, salt, expected = _parse(encoded)
        actual = _derive(password, salt, params)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(encoded: str, params: KdfParams) -> bool:
    """True when ``encoded`` is malformed or was made with other parameters than ``params``."""
    try:
        stored, _, _ = _parse(encoded)
    except (ValueError, TypeError):
        return True
    return stored != params


@functools.cache
def dummy_hash(params: KdfParams) -> str:
    """A valid hash of an unguessable password, made once per ``params``.

    Verify against it when the username is unknown, so that the answer costs what a wrong password costs:
    ``verify_password(password, account.password_hash if account else dummy_hash(params))``.
    """
    return hash_password(secrets.token_urlsafe(32), params)


def _derive(password: str, salt: bytes, params: KdfParams) -> bytes:
    secret = unicodedata.normalize("NFKC", password).encode("utf-8")
    maxmem = 128 * params.r * (params.n + params.p + 2) + 2**20
    return hashlib.scrypt(
        secret, salt=salt, n=params.n, r=params.r, p=params.p, maxmem=maxmem, dklen=params.dklen
    )


def _format_params(params: KdfParams) -> str:
    return f"n={params.n},r={params.r},p={params.p}"


def _parse(encoded: str) -> tuple[KdfParams, bytes, bytes]:
    if not isinstance(encoded, str):
        raise TypeError("a stored hash is a string")
    algorithm, cost, salt_text, hash_text = encoded.split("$")
    if algorithm != _ALGORITHM:
        raise ValueError("not an scrypt hash")
    fields = dict(item.split("=", 1) for item in cost.split(","))
    if sorted(fields) != ["n", "p", "r"] or not all(_DIGITS.fullmatch(v) for v in fields.values()):
        raise ValueError("malformed scrypt parameters")
    salt, digest = _b64decode(salt_text), _b64decode(hash_text)
    if len(salt) < _SALT_BYTES:
        raise ValueError("salt too short")
    params = KdfParams(n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]), dklen=len(digest))
    return params, salt, digest


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not urlsafe base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
