"""Why a report could not be made."""
from __future__ import annotations

__all__ = ["Unavailable"]


class Unavailable(LookupError):
    """What the report is of no longer exists (a school, class or pupil): it fails and is not retried."""
