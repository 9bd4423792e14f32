"""Authentication: token verification (built-in provider or Cognito), passwords, and the caller of a request.

Authorisation decisions live in `chalicelib.domain.policy`; `authorize` here applies them as 403/404.
The token functions load on first use (`chalicelib.auth.identity` pulls PyJWT and cryptography): a handler that
never verifies a token, and every route module that only authorises, does not pay for them at cold start.
"""
from __future__ import annotations

from typing import Any

from chalicelib.auth.errors import AuthError, InvalidToken
from chalicelib.auth.guard import authorize

__all__ = ["authenticate", "authorize", "caller_of", "issue_token", "kdf_params", "token_issuer",
           "AuthError", "InvalidToken"]

_FROM_IDENTITY = frozenset({"authenticate", "caller_of", "issue_token", "kdf_params", "token_issuer"})


def __getattr__(name: str) -> Any:
    if name in _FROM_IDENTITY:
        from chalicelib.auth import identity

        return getattr(identity, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
