"""Exceptions of the authentication layer. Their messages are safe to show: never a token, secret or password."""
from __future__ import annotations

__all__ = ["AuthError", "InvalidToken", "KeySetUnavailable", "KeyringError"]


class AuthError(Exception):
    """Authentication failed or could not be decided."""


class InvalidToken(AuthError):
    """The bearer token is malformed, forged, expired or meant for someone else (answer 401)."""


class KeySetUnavailable(AuthError):
    """The identity provider's public keys could not be fetched, so no token can be checked (answer 503)."""


class KeyringError(ValueError):
    """The configured signing keys are malformed (a deployment mistake, not a client error)."""
