"""E-mail through Amazon SES: one plain-text UTF-8 message to one address."""
from __future__ import annotations

import functools
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.channels.errors import Undelivered
from chalicelib.config import settings
from chalicelib.domain.notices import Message

__all__ = ["send_email"]


@functools.cache
def _ses() -> Any:
    import boto3  # on first use: only the functions that send load it

    return boto3.client("ses", region_name=settings().region)


def send_email(address: str, message: Message) -> None:
    """Send `message` (its subject and full text) to `address` from the stage's sender."""
    try:
        _ses().send_email(
            Source=settings().mail_from, Destination={"ToAddresses": [address]},
            Message={"Subject": {"Data": message.subject, "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}}})
    except ClientError as exc:
        raise Undelivered("email", exc.response["Error"]["Code"]) from None
