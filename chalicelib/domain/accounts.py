"""Login accounts: what a username and a password must be, who may be given which role, one-time codes.

Decisions:
- A password reset never shows a password: the administrator gets a one-time code (10 characters without
  look-alikes such as 0/O and 1/I, about 49 bits) that signs the user in once within 72 hours; the old password
  stops working at once, and so do the user's tokens. The user then sets a new password.
- Changing one's own password, logging out and a reset all revoke every token the account holds (one counter per
  account), so "log out" signs out every device.
- Only the ministry creates ministry and region_admin accounts. School staff accounts (school_admin, teacher)
  are created by whoever may import the school's roster; pupils and parents come with the roster, which links
  them to their class and children.
"""
from __future__ import annotations

import re
import secrets

from chalicelib.domain.errors import FieldError

__all__ = ["OPERATOR_ROLES", "STAFF_ROLES", "CODE_TTL_SECONDS", "MIN_PASSWORD", "MAX_PASSWORD", "check_username",
           "check_password", "new_code"]

OPERATOR_ROLES = ("ministry", "region_admin")
STAFF_ROLES = ("school_admin", "teacher")
CODE_TTL_SECONDS = 72 * 3600
MIN_PASSWORD = 8
MAX_PASSWORD = 128
_USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10


def check_username(username: str, field: str = "username") -> list[FieldError]:
    """The rule usernames share with the roster: 3 to 64 of a-z, 0-9, '.', '_' and '-' (lower case)."""
    if _USERNAME.fullmatch(username):
        return []
    return [FieldError(field, "3 to 64 characters: latin letters, digits, '.', '_' or '-'")]


def check_password(password: str, username: str | None, field: str = "password") -> list[FieldError]:
    """A new password: 8 to 128 characters, not blank, not the username. Messages never repeat it."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or not password.strip():
        return [FieldError(field, f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")]
    if username is not None and password.strip().lower() == username.lower():
        return [FieldError(field, "must differ from the username")]
    return []


def new_code() -> str:
    """A one-time sign-in code."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
