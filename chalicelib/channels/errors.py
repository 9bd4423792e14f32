"""What can go wrong when a message leaves."""
from __future__ import annotations

from chalicelib.domain.errors import NotFound

__all__ = ["Undelivered", "AddressGone", "PushUnavailable"]


class Undelivered(Exception):
    """The channel did not take the message (throttled, down): it waits for the next run."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel}: {reason}")  # the provider's error code, never the address
        self.channel = channel
        self.reason = reason


class AddressGone(Undelivered):
    """The address takes no more messages (a push endpoint disabled or deleted): forget it."""


class PushUnavailable(NotFound):
    """This stage has no push application: like a route that is not served here (404)."""

    slug, title = "push-unavailable", "Push notifications are not set up in this stage"
