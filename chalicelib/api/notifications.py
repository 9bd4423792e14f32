"""The caller's own notifications, preferences and push devices (api-contract.md, Notifications).

Every route works in the caller's own partition of the notifications table: another person's notification
or device id is simply not there (404).
The inbox list is newest first; `limit` (1..100, default 50) and `cursor` page it, the next page's link is in
the `Link` header (rel="next"). PUT preferences changes only the fields it names.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalice import Blueprint, Response

from chalicelib.api.body import Field
from chalicelib.api.http import Call, Query, Reply, endpoint
from chalicelib.channels.push import endpoint_for
from chalicelib.domain.errors import BadRequest, FieldError, NotFound, RuleViolation
from chalicelib.domain.notices import updated_preferences
from chalicelib.store import notifications as store
from chalicelib.store.people import get_person

__all__ = ["bp"]

bp = Blueprint(__name__)

_LIST = "/v1/me/notifications"
_MODE = Field(str, required=False)
_PREFERENCES = {
    "language": Field(str, required=False),
    "channels": Field({"inbox": _MODE, "email": _MODE, "sms": _MODE, "push": _MODE}, required=False),
    "quiet_hours": Field({"from": Field(str), "to": Field(str)}, required=False, nullable=True),
}
_DEVICE = {"token": Field(str)}
_MAX_TOKEN = 4096
_LIMITS = (1, 100, 50)


def _notification(item: store.InboxItem) -> dict[str, Any]:
    return {"notification_id": item.notification_id, "created_at": item.created_at, "student_id": item.student_id,
            "kind": item.kind, "title": item.title, "body": item.body, "language": item.language,
            "read": bool(item.read)}


def _flag(call: Call, name: str) -> bool:
    raw = call.query(name, "false")
    if raw not in ("true", "false"):
        raise BadRequest(f"{name} is true or false.", [FieldError(name, "true or false")])
    return raw == "true"


def _limit(call: Call) -> int:
    low, high, default = _LIMITS
    raw = call.query("limit", str(default)) or ""
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        raise BadRequest(f"limit is an integer {low}..{high}.", [FieldError("limit", f"an integer {low}..{high}")])
    return int(raw)


@endpoint(bp, _LIST, summary="My notifications, newest first (unread=true: only unread; limit, cursor)",
          statuses=(200, 400, 401),
          query={"unread": Query.flag("true: only the unread ones; default false"),
                 "limit": Query.integer(f"The page size: {_LIMITS[0]}..{_LIMITS[1]}, default {_LIMITS[2]}",
                                        _LIMITS[0], _LIMITS[1]),
                 "cursor": Query("The cursor of the Link rel=next of the page before (opaque)")})
def list_notifications(call: Call) -> Reply:
    unread, limit = _flag(call, "unread"), _limit(call)
    try:
        items, following = store.inbox_page(call.caller.person_id, unread=unread, limit=limit,
                                            cursor=call.query("cursor"))
    except store.InvalidCursor as exc:
        raise BadRequest("The cursor is not one this list gave.", [FieldError("cursor", str(exc))]) from None
    headers = {}
    if following:
        query = urlencode({"unread": "true" if unread else "false", "limit": limit, "cursor": following})
        headers["Link"] = f'<{_LIST}?{query}>; rel="next"'
    return Reply([_notification(item) for item in items], headers=headers)


@endpoint(bp, "/v1/me/notifications/{notification_id}/read", "POST", summary="Mark one of my notifications read",
          statuses=(200, 401, 404))
def read_notification(call: Call, notification_id: str) -> dict[str, Any]:
    item = store.mark_read(call.caller.person_id, notification_id)
    if item is None:
        raise NotFound("No such notification.")
    return _notification(item)


def _preferences(person_id: str) -> dict[str, Any]:
    person = get_person(person_id)
    profile = store.load_profile(person_id)
    language = person.language if person else "kk"
    return profile.preferences.shown(language, email_known=bool(person and person.email))


@endpoint(bp, "/v1/me/preferences", summary="My notification preferences (defaults filled in)",
          statuses=(200, 401))
def get_preferences(call: Call) -> dict[str, Any]:
    return _preferences(call.caller.person_id)


@endpoint(bp, "/v1/me/preferences", "PUT", summary="Change my language, channels or quiet hours",
          request=_PREFERENCES, statuses=(200, 400, 401, 422))
def put_preferences(call: Call) -> dict[str, Any]:
    body = call.json(_PREFERENCES)
    person_id = call.caller.person_id
    preferences, language = updated_preferences(store.load_profile(person_id).preferences, body)
    store.save_preferences(person_id, preferences)
    if language is not None:
        store.set_language(person_id, language)
    return _preferences(person_id)


def _device(item: store.DeviceItem) -> dict[str, Any]:
    return {"device_id": item.device_id, "created_at": item.created_at}


@endpoint(bp, "/v1/me/devices", "POST", summary="Register this device for push notifications (its push token)",
          creates=True, request=_DEVICE, statuses=(200, 201, 400, 401, 404, 422))
def register_device(call: Call) -> Reply:
    token = call.json(_DEVICE)["token"].strip()
    if not 0 < len(token) <= _MAX_TOKEN:
        raise RuleViolation("The push token is empty or too long.",
                            [FieldError("token", f"1..{_MAX_TOKEN} characters")])
    device, added = store.add_device(call.caller.person_id, token, endpoint_for(token))
    return Reply(_device(device), 201 if added else 200)


@endpoint(bp, "/v1/me/devices/{device_id}", "DELETE", summary="Stop push notifications to one of my devices",
          statuses=(204, 401, 404))
def forget_device(call: Call, device_id: str) -> Response:
    person_id = call.caller.person_id
    device = next((d for d in store.load_profile(person_id).devices if d.device_id == device_id), None)
    if device is None:
        raise NotFound("No such device.")
    store.remove_device(person_id, device)
    return Response(body="", status_code=204)
