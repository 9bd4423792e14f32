"""The notifications table: each person's inbox, the messages waiting to leave, preferences and push devices.

    U#<person>        S#<source key>                     inbox: the newest version of one entry's notice
                                                         (by_time: pk, t; unread: pk, u; both sparse)
    U#<person>        O#<channel>#<pupil>#<source key>   outbox: that notice on e-mail, SMS or push
                                                         (by_due: DUE#<shard>, <due> while a message waits)
    U#<person>        CFG#PREFS                          preferences (the language lives on the person)
    U#<person>        CFG#DEV#<token hash>               a push device the person registered
    DEV#<token hash>  #                                  who holds that device now (one owner per device)
    A#<pupil>         B#<journal>#<period> | W#<Monday>  an alert ledger: what the pupil's guardians were last
                                                         told of the "2" band of a subject, or of a week's
                                                         unexcused missed lessons (chalicelib.domain.alerts)

Exactly once: an inbox or outbox item is keyed by (recipient, source entry) and written only on condition that
its stored version is older than the event's, so a duplicate or late delivery changes nothing. Each version of
an inbox item gets a new `notification_id` (time-ordered by the change, so a correction comes first again and
is unread again); `t` is that id, zero-padded. Reading a notification marks the version it names.
`by_due` is sharded by recipient (`DUE_SHARDS` partitions), so a morning's worth of held messages never piles
onto one key; a message leaves its index when it is sent or cancelled.
An alert ledger is written on condition that it still holds what was read (one writer wins a crossing).
Inbox items and band ledgers expire by TTL a year after the change; tombstones (withdrawn notices), outbox
items and week ledgers after `KEEP_DAYS`, which outlives any redrive of the stream.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.domain.alerts import Ledger
from chalicelib.domain.dates import now_kz, parse_timestamp, to_rfc3339
from chalicelib.domain.ids import new_id
from chalicelib.domain.notices import Notice, NoticeEvent, Outbox, Preferences, QuietHours, Queued
from chalicelib.store.base import TableMeta, register
from chalicelib.store.directory import LinkItem, PersonItem
from chalicelib.store.people import person_key

__all__ = [
    "DUE_SHARDS", "INBOX_DAYS", "KEEP_DAYS", "InvalidCursor", "NotificationRecord", "InboxItem", "OutboxItem",
    "PreferencesItem", "DeviceItem", "DeviceOwner", "Profile", "recipient_key", "guardians_of", "post_inbox",
    "post_note",
    "withdraw_inbox", "inbox_page", "mark_read", "read_versions", "outbox_state", "write_outbox", "due_recipients",
    "waiting", "Claim", "claim", "restore", "cancel", "postpone", "queued", "load_profile", "save_preferences",
    "set_language", "token_hash", "add_device", "remove_device", "device_owners", "AlertItem", "alert_ledger",
    "write_alert_ledger",
]

DUE_SHARDS = 16
INBOX_DAYS = 365
KEEP_DAYS = 30
_ID_DIGITS = 19


class InvalidCursor(ValueError):
    """A pagination cursor this store did not give out."""


class ByTime(GlobalSecondaryIndex):
    """A person's visible notifications, newest change first."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    t = UnicodeAttribute(range_key=True)


class Unread(GlobalSecondaryIndex):
    """A person's unread notifications (sparse)."""

    class Meta:
        index_name = "unread"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    u = UnicodeAttribute(range_key=True)


class ByDue(GlobalSecondaryIndex):
    """Messages waiting to leave, by when they may (sparse, sharded by recipient)."""

    class Meta:
        index_name = "by_due"
        projection = KeysOnlyProjection()

    dp = UnicodeAttribute(hash_key=True)
    ds = UnicodeAttribute(range_key=True)


class NotificationRecord(Model):
    """Keys every item of the notifications table has."""

    class Meta(metaclass=TableMeta):
        table_suffix = "notifications"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    t = UnicodeAttribute(null=True)
    u = UnicodeAttribute(null=True)
    dp = UnicodeAttribute(null=True)
    ds = UnicodeAttribute(null=True)
    expires = TTLAttribute(attr_name="ex", null=True)
    by_time = ByTime()
    unread = Unread()
    by_due = ByDue()


register(NotificationRecord)


class InboxItem(NotificationRecord):
    notification_id = UnicodeAttribute(attr_name="id", null=True)
    version = NumberAttribute(attr_name="v")
    student_id = UnicodeAttribute(attr_name="st", null=True)
    kind = UnicodeAttribute(attr_name="k", null=True)
    title = UnicodeAttribute(attr_name="ti", null=True)
    body = UnicodeAttribute(attr_name="bo", null=True)
    language = UnicodeAttribute(attr_name="la", null=True)
    created_at = UnicodeAttribute(attr_name="at", null=True)
    read = BooleanAttribute(attr_name="rd", null=True)


class OutboxItem(NotificationRecord):
    version = NumberAttribute(attr_name="v")
    channel = UnicodeAttribute(attr_name="ch")
    mode = UnicodeAttribute(attr_name="m")
    source_key = UnicodeAttribute(attr_name="sr")
    pending = UnicodeAttribute(attr_name="fp", null=True)
    sent = UnicodeAttribute(attr_name="fs", null=True)
    due = UnicodeAttribute(attr_name="du", null=True)
    kind = UnicodeAttribute(attr_name="k", null=True)
    language = UnicodeAttribute(attr_name="la", null=True)
    pupil = UnicodeAttribute(attr_name="pu", null=True)
    title = UnicodeAttribute(attr_name="ti", null=True)
    line = UnicodeAttribute(attr_name="li", null=True)
    note = UnicodeAttribute(attr_name="no", null=True)
    at = UnicodeAttribute(null=True)


class AlertItem(NotificationRecord):
    inside = BooleanAttribute(attr_name="in")
    crossings = NumberAttribute(attr_name="n")
    cause = UnicodeAttribute(attr_name="by")


class PreferencesItem(NotificationRecord):
    chosen = JSONAttribute(attr_name="ch", null=True)
    quiet = UnicodeAttribute(attr_name="q", null=True)  # "HH:MM-HH:MM", or "off"; missing: the default


class DeviceItem(NotificationRecord):
    device_id = UnicodeAttribute(attr_name="id")
    endpoint = UnicodeAttribute(attr_name="ep")
    created_at = UnicodeAttribute(attr_name="at")


class DeviceOwner(NotificationRecord):
    person_id = UnicodeAttribute(attr_name="pe")
    endpoint = UnicodeAttribute(attr_name="ep")


def recipient_key(person_id: str) -> str:
    return f"U#{person_id}"


def _padded(notification_id: str) -> str:
    return notification_id.rjust(_ID_DIGITS, "0")


def _expiry(start: datetime, days: int) -> datetime:
    return start + timedelta(days=days)


def _apply(item: Model, actions: list[Action], condition: Condition) -> bool:
    """A conditional update; False when the condition did not hold."""
    try:
        item.update(actions=actions, condition=condition)
        return True
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


def guardians_of(student_id: str) -> list[PersonItem]:
    """The pupil's guardians (the `GUARD#` links of the pupil's partition, then one batch read)."""
    refs = [link.ref for link in LinkItem.query(person_key(student_id), LinkItem.sk.startswith("GUARD#"))
            if link.ref]
    return list(PersonItem.batch_get([(person_key(ref), "#") for ref in refs])) if refs else []


# Inbox ------------------------------------------------------------------------------------------------------

def _newer(model: type[InboxItem] | type[OutboxItem], version: int) -> Condition:
    return model.version.does_not_exist() | (model.version < version)


def post_inbox(recipient: str, event: NoticeEvent, notice: Notice) -> bool:
    """Write this version's notice to the recipient's inbox, unread; False when a version as new is there."""
    nid = new_id(int(event.occurred_at.timestamp() * 1000))
    item = InboxItem(recipient_key(recipient), f"S#{event.source_key}")
    return _apply(item, [
        InboxItem.notification_id.set(nid), InboxItem.version.set(event.source_version),
        InboxItem.student_id.set(event.student_id), InboxItem.kind.set(event.kind),
        InboxItem.title.set(notice.title), InboxItem.body.set(notice.body), InboxItem.language.set(notice.language),
        InboxItem.created_at.set(to_rfc3339(event.occurred_at)), InboxItem.read.set(False),
        InboxItem.t.set(_padded(nid)), InboxItem.u.set(_padded(nid)),
        InboxItem.expires.set(_expiry(event.occurred_at, INBOX_DAYS)),
    ], _newer(InboxItem, event.source_version))


def post_note(recipient: str, key: str, *, kind: str, title: str, body: str, language: str,
              student_id: str | None, now: datetime) -> None:
    """Write a report job's note (a reminder, a summary, the weekly report) to the recipient's inbox, unread."""
    nid = new_id(int(now.timestamp() * 1000))
    InboxItem(recipient_key(recipient), f"S#report:{key}", notification_id=nid, version=1, student_id=student_id,
              kind=kind, title=title, body=body, language=language, created_at=to_rfc3339(now), read=False,
              t=_padded(nid), u=_padded(nid), expires=_expiry(now, INBOX_DAYS)).save()


def withdraw_inbox(recipient: str, event: NoticeEvent) -> bool:
    """Hide the entry's notice (a tombstone keeps the version); False when a version as new is there."""
    item = InboxItem(recipient_key(recipient), f"S#{event.source_key}")
    return _apply(item, [
        InboxItem.version.set(event.source_version), InboxItem.t.remove(), InboxItem.u.remove(),
        InboxItem.notification_id.remove(), InboxItem.title.remove(), InboxItem.body.remove(),
        InboxItem.expires.set(_expiry(now_kz(), KEEP_DAYS)),
    ], _newer(InboxItem, event.source_version))


def _cursor_of(key: dict | None, sort: str) -> str | None:
    if not key:
        return None
    raw = json.dumps({"s": key["sk"]["S"], "o": key[sort]["S"]}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _key_of(cursor: str, pk: str, sort: str) -> dict:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        sk, position = raw["s"], raw["o"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidCursor("not a cursor of this list") from None
    if not (isinstance(sk, str) and sk.startswith("S#") and isinstance(position, str)):
        raise InvalidCursor("not a cursor of this list")
    return {"pk": {"S": pk}, "sk": {"S": sk}, sort: {"S": position}}


def inbox_page(recipient: str, *, unread: bool, limit: int, cursor: str | None) -> tuple[list[InboxItem], str | None]:
    """A page of the recipient's notifications, newest first, and the cursor of the next page (None: no more)."""
    index, sort = (InboxItem.unread, "u") if unread else (InboxItem.by_time, "t")
    pk = recipient_key(recipient)
    start = _key_of(cursor, pk, sort) if cursor else None
    results = index.query(pk, scan_index_forward=False, limit=limit, page_size=limit, last_evaluated_key=start)
    items = list(results)
    return items, _cursor_of(results.last_evaluated_key, sort) if len(items) == limit else None


def mark_read(recipient: str, notification_id: str) -> InboxItem | None:
    """Mark one of the recipient's notifications read; None when they have no such notification (any more)."""
    pk = recipient_key(recipient)
    found = next(iter(InboxItem.by_time.query(pk, InboxItem.t == _padded(notification_id), limit=1)), None)
    if found is None:
        return None
    item = InboxItem(pk, found.sk)
    done = _apply(item, [InboxItem.read.set(True), InboxItem.u.remove()],
                  InboxItem.notification_id == notification_id)
    return item if done else None


def read_versions(recipient: str, source_keys: Iterable[str]) -> dict[str, int]:
    """The version of each source entry whose notice the recipient has read in the inbox."""
    keys = {(recipient_key(recipient), f"S#{key}") for key in source_keys}
    return {item.sk[2:]: int(item.version) for item in InboxItem.batch_get(keys, consistent_read=True) if item.read}


# Outbox -----------------------------------------------------------------------------------------------------

def _outbox_sk(channel: str, student_id: str, source_key: str) -> str:
    return f"O#{channel}#{student_id}#{source_key}"


def _due_shard(recipient: str) -> str:
    return f"DUE#{zlib.crc32(recipient.encode()) % DUE_SHARDS:02d}"


def outbox_state(recipient: str, channel: str, event: NoticeEvent) -> Outbox | None:
    """The outbox of this entry on this channel, as stored (None: nothing yet)."""
    try:
        item = OutboxItem.get(recipient_key(recipient), _outbox_sk(channel, event.student_id, event.source_key),
                              consistent_read=True)
    except DoesNotExist:
        return None
    return Outbox(int(item.version), item.pending, item.sent, parse_timestamp(item.due) if item.due else None)


def write_outbox(recipient: str, channel: str, mode: str, event: NoticeEvent, notice: Notice | None,
                 before: Outbox | None, after: Outbox) -> bool:
    """Store `after` in place of `before` (False: someone changed it meanwhile; read again)."""
    item = OutboxItem(recipient_key(recipient), _outbox_sk(channel, event.student_id, event.source_key),
                      version=after.version, channel=channel, mode=mode, source_key=event.source_key,
                      pending=after.pending, sent=after.sent, at=to_rfc3339(event.occurred_at))
    if after.pending is not None and after.due is not None and notice is not None:
        item.due, item.dp, item.ds = to_rfc3339(after.due), _due_shard(recipient), to_rfc3339(after.due)
        item.kind, item.language, item.pupil = notice.kind, notice.language, notice.pupil
        item.title, item.line, item.note = notice.title, notice.line, notice.note
    item.expires = _expiry(max(after.due or now_kz(), now_kz()), KEEP_DAYS)
    if before is None:
        condition = OutboxItem.pk.does_not_exist()
    else:  # a message claimed for sending meanwhile changes `pending`: read again
        waits = (OutboxItem.pending == before.pending if before.pending is not None
                 else OutboxItem.pending.does_not_exist())
        condition = (OutboxItem.version == before.version) & waits
    return _saved(item, condition)


def _saved(item: Model, condition: Condition) -> bool:
    """Put `item` if `condition` holds; False when another write got there first."""
    try:
        item.save(condition=condition)
        return True
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


def due_recipients(now: datetime) -> list[str]:
    """Everyone with a message that may leave at `now` (one Query per shard of `by_due`)."""
    until = to_rfc3339(now)
    found: set[str] = set()
    for shard in range(DUE_SHARDS):
        for item in OutboxItem.by_due.query(f"DUE#{shard:02d}", OutboxItem.ds <= until):
            found.add(item.pk.removeprefix("U#"))
    return sorted(found)


def waiting(recipient: str, channel: str) -> list[OutboxItem]:
    """The recipient's messages waiting on `channel` (due or not)."""
    return list(OutboxItem.query(recipient_key(recipient), OutboxItem.sk.startswith(f"O#{channel}#"),
                                 filter_condition=OutboxItem.pending.exists(), consistent_read=True))


def queued(item: OutboxItem) -> Queued:
    """A waiting message as the composer takes it."""
    notice = Notice(item.kind or "", item.language or "kk", item.pupil or "", item.title or "", item.line or "",
                    item.note)
    return Queued(notice, parse_timestamp(item.at or ""))


@dataclass(frozen=True, slots=True)
class Claim:
    """A message taken to be sent, and how it waited (to put it back if sending fails)."""

    item: OutboxItem
    pending: str
    sent: str | None
    due: str


def _unindex() -> list[Action]:
    return [OutboxItem.pending.remove(), OutboxItem.due.remove(), OutboxItem.dp.remove(), OutboxItem.ds.remove()]


def _unchanged(item: OutboxItem) -> Condition:
    return (OutboxItem.version == item.version) & (OutboxItem.pending == item.pending)


def claim(item: OutboxItem) -> Claim | None:
    """Take a waiting message to send it: from now on it counts as sent (at most once). None: it changed."""
    held = Claim(item, item.pending or "", item.sent, item.due or "")
    return held if _apply(item, [OutboxItem.sent.set(held.pending), *_unindex()], _unchanged(item)) else None


def restore(held: Claim) -> None:
    """Put a claimed message back, waiting as before (sending it failed), unless its entry changed meanwhile."""
    item = held.item
    back = [OutboxItem.pending.set(held.pending), OutboxItem.due.set(held.due), OutboxItem.ds.set(held.due),
            OutboxItem.dp.set(_due_shard(item.pk.removeprefix("U#"))),
            OutboxItem.sent.set(held.sent) if held.sent is not None else OutboxItem.sent.remove()]
    _apply(item, back, (OutboxItem.version == item.version) & OutboxItem.pending.does_not_exist())


def cancel(item: OutboxItem) -> bool:
    """Drop a waiting message unsent (the channel is off, no address)."""
    return _apply(item, _unindex(), _unchanged(item))


def postpone(item: OutboxItem, due: datetime) -> bool:
    """Let a waiting message leave later (quiet hours chosen since it was queued)."""
    when = to_rfc3339(due)
    return _apply(item, [OutboxItem.due.set(when), OutboxItem.ds.set(when)], _unchanged(item))


# Preferences and devices ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Profile:
    """A person's preferences and push devices, read by one Query."""

    preferences: Preferences
    devices: tuple[DeviceItem, ...]


def _preferences_of(item: PreferencesItem | None) -> Preferences:
    if item is None:
        return Preferences()
    if item.quiet is None:
        return Preferences(dict(item.chosen or {}))
    quiet = None if item.quiet == "off" else QuietHours.parse(*item.quiet.split("-"))
    return Preferences(dict(item.chosen or {}), quiet)


def load_profile(person_id: str) -> Profile:
    prefs, devices = None, []
    connection = NotificationRecord._get_connection()
    raw = connection.query(recipient_key(person_id), NotificationRecord.sk.startswith("CFG#"), consistent_read=True)
    for data in raw["Items"]:
        if data["sk"]["S"] == "CFG#PREFS":
            prefs = PreferencesItem.from_raw_data(data)
        else:
            devices.append(DeviceItem.from_raw_data(data))
    return Profile(_preferences_of(prefs), tuple(devices))


def save_preferences(person_id: str, preferences: Preferences) -> None:
    quiet = "off" if preferences.quiet is None else "-".join(preferences.quiet.shown().values())
    PreferencesItem(recipient_key(person_id), "CFG#PREFS", chosen=dict(preferences.chosen), quiet=quiet).save()


def set_language(person_id: str, language: str) -> None:
    """The person's language (on the directory's person, so `/v1/me` and every notice agree)."""
    person = PersonItem.get(person_key(person_id), "#", consistent_read=True)
    if person.language != language:
        person.update(actions=[PersonItem.language.set(language)], add_version_condition=False)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:40]


def add_device(person_id: str, token: str, endpoint: str) -> tuple[DeviceItem, bool]:
    """Register a push device to the person (taking it from whoever held it); (device, newly added)."""
    digest = token_hash(token)
    try:
        owner = DeviceOwner.get(f"DEV#{digest}", "#", consistent_read=True)
    except DoesNotExist:
        owner = None
    if owner is not None and owner.person_id != person_id:
        DeviceItem(recipient_key(owner.person_id), f"CFG#DEV#{digest}").delete()
    try:
        held = DeviceItem.get(recipient_key(person_id), f"CFG#DEV#{digest}", consistent_read=True)
        if held.endpoint == endpoint and owner is not None and owner.person_id == person_id:
            return held, False
    except DoesNotExist:
        held = None
    device = DeviceItem(recipient_key(person_id), f"CFG#DEV#{digest}", endpoint=endpoint,
                        device_id=held.device_id if held else new_id(), created_at=to_rfc3339(now_kz()))
    device.save()
    DeviceOwner(f"DEV#{digest}", "#", person_id=person_id, endpoint=endpoint).save()
    return device, held is None


def remove_device(person_id: str, device: DeviceItem) -> None:
    """Forget one of the person's devices (and its ownership, unless someone else holds it now)."""
    digest = device.sk.removeprefix("CFG#DEV#")
    device.delete()
    try:
        DeviceOwner(f"DEV#{digest}", "#").delete(condition=DeviceOwner.person_id == person_id)
    except DeleteError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def device_owners(devices: Iterable[DeviceItem]) -> dict[str, str]:
    """Who holds each device now, by device sort key."""
    keys = [(f"DEV#{d.sk.removeprefix('CFG#DEV#')}", "#") for d in devices]
    return {f"CFG#DEV#{o.pk.removeprefix('DEV#')}": o.person_id for o in DeviceOwner.batch_get(keys)} if keys else {}


# Alert ledgers ----------------------------------------------------------------------------------------------

def _alert_pk(student_id: str) -> str:
    return f"A#{student_id}"


def alert_ledger(student_id: str, key: str) -> Ledger | None:
    """The pupil's ledger of one threshold (`B#<journal>#<period>` or `W#<Monday>`), read consistently."""
    try:
        item = AlertItem.get(_alert_pk(student_id), key, consistent_read=True)
    except DoesNotExist:
        return None
    return Ledger(bool(item.inside), int(item.crossings), item.cause)


def write_alert_ledger(student_id: str, key: str, ledger: Ledger, before: Ledger | None, *, days: int) -> bool:
    """Store `ledger` in place of `before` (False: another change crossed meanwhile; read again)."""
    item = AlertItem(_alert_pk(student_id), key, inside=ledger.inside, crossings=ledger.crossings,
                     cause=ledger.cause or "", expires=_expiry(now_kz(), days))
    return _saved(item, AlertItem.pk.does_not_exist() if before is None else AlertItem.crossings == before.crossings)
