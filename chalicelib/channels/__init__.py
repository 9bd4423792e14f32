"""Notification delivery: the inbox (DynamoDB), e-mail (SES), SMS and push (SNS).

The journal stream's consumer calls `notify_guardians(event)`; the scheduled flush (chalicelib/jobs/digests.py)
sends what is due through `send`. SES and SNS clients are created on first use.
"""
from chalicelib.channels.delivery import OUTGOING, Contended, Recipient, deliver, notify_guardians, send
from chalicelib.channels.errors import AddressGone, PushUnavailable, Undelivered

__all__ = ["OUTGOING", "Contended", "Recipient", "deliver", "notify_guardians", "send", "AddressGone",
           "PushUnavailable", "Undelivered"]
