"""SMS through Amazon SNS: the short form of a message, sent as a transactional text."""
from __future__ import annotations

import functools
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.channels.errors import Undelivered
from chalicelib.config import settings
from chalicelib.domain.notices import Message

__all__ = ["send_sms"]


@functools.cache
def _sns() -> Any:
    import boto3  # on first use: only the functions that send load it

    return boto3.client("sns", region_name=settings().region)


def send_sms(phone: str, message: Message) -> None:
    """Send `message.short` to `phone` (E.164, +7...)."""
    try:
        _sns().publish(PhoneNumber=phone, Message=message.short, MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
    except ClientError as exc:
        raise Undelivered("sms", exc.response["Error"]["Code"]) from None
