"""Apply the policy: every route calls `authorize(caller, action, target)` before it reads or writes."""
from __future__ import annotations

from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.policy import Action, Caller, Target, Verdict, decide

__all__ = ["authorize"]


def authorize(caller: Caller, action: Action, target: Target, *, what: str = "object") -> None:
    """Return if allowed; 404 when the caller may not know `target` exists; 403 when the role may not act."""
    verdict = decide(caller, action, target)
    if verdict is Verdict.HIDE:
        raise NotFound(f"No such {what}.")
    if verdict is Verdict.FORBID:
        raise Forbidden(f"Your role does not allow this on this {what}.")
