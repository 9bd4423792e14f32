"""Push through Amazon SNS mobile push: a device token becomes an endpoint of the stage's platform application.

The platform application (FCM, which reaches Android and iOS) is created outside the code, with its credentials;
`PUSH_APPLICATION_ARN` names it. Without it, registering a device answers 404 (push-unavailable).
"""
from __future__ import annotations

import functools
import json
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.channels.errors import AddressGone, PushUnavailable, Undelivered
from chalicelib.config import settings
from chalicelib.domain.notices import Message

__all__ = ["endpoint_for", "send_push"]

_GONE = {"EndpointDisabled", "NotFound"}


@functools.cache
def _sns() -> Any:
    import boto3  # on first use: only the functions that send load it

    return boto3.client("sns", region_name=settings().region)


def endpoint_for(token: str) -> str:
    """The SNS endpoint of a device token (the same one again for a token already known)."""
    application = settings().push_application_arn
    if not application:
        raise PushUnavailable("This stage has no push application.")
    return _sns().create_platform_endpoint(PlatformApplicationArn=application, Token=token)["EndpointArn"]


def send_push(endpoint: str, message: Message) -> None:
    """Push `message` (subject as title, short form as body) to one device."""
    note = {"title": message.subject, "body": message.short}
    payload = {"default": message.short,
               "GCM": json.dumps({"notification": note}, ensure_ascii=False),
               "APNS": json.dumps({"aps": {"alert": note}}, ensure_ascii=False)}
    try:
        _sns().publish(TargetArn=endpoint, MessageStructure="json", Message=json.dumps(payload, ensure_ascii=False))
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        raise (AddressGone if code in _GONE else Undelivered)("push", code) from None
