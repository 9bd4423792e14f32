"""The inbox channel: written at once, in place, never held by quiet hours or coalescing."""
from __future__ import annotations

from chalicelib.domain.notices import Notice, NoticeEvent
from chalicelib.store import notifications as store

__all__ = ["post"]


def post(recipient: str, event: NoticeEvent, notice: Notice | None) -> bool:
    """Show this version's notice (or hide a withdrawn one); False for a duplicate or an older version."""
    if event.withdrawn or notice is None:
        return store.withdraw_inbox(recipient, event)
    return store.post_inbox(recipient, event, notice)
