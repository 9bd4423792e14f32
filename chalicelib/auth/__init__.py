"""Authentication: token verification (built-in provider or Cognito), passwords, and the caller of a request.

Authorisation decisions live in `chalicelib.domain.policy`; `authorize` here applies them as 403/404.
"""
from chalicelib.auth.identity import authenticate, caller_of, issue_token, kdf_params, token_issuer
from chalicelib.auth.errors import AuthError, InvalidToken
from chalicelib.auth.guard import authorize

__all__ = ["authenticate", "authorize", "caller_of", "issue_token", "kdf_params", "token_issuer",
           "AuthError", "InvalidToken"]
