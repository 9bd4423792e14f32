"""The scheduled flush of e-mail, SMS and push: every message whose time has come leaves, and nothing twice.

`run_digest(now)` finds everyone with a message due by `now` and, per person and channel:
- immediate messages: one message per pupil, coalescing every notice of that pupil still waiting;
- daily messages (due at 19:00 UTC+5): one digest covering all the person's children;
- notices the person already read in the inbox are not sent again;
- the person's current choices rule: a channel turned off or an address gone cancels; quiet hours chosen
  since the message was queued hold it until they end.
A message is claimed before it is sent (at most once per guardian, entry and version); a channel that refuses
it puts it back for the next run. Nothing personal is logged: only counts and error codes.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from chalicelib.channels import OUTGOING, AddressGone, Undelivered, send
from chalicelib.channels.delivery import language_of
from chalicelib.domain.dates import KZ_TZ, parse_timestamp
from chalicelib.domain.notices import Message, compose
from chalicelib.store import notifications as store
from chalicelib.store.directory import PersonItem
from chalicelib.store.people import get_person

__all__ = ["run_digest"]

log = logging.getLogger(__name__)


def run_digest(now: datetime) -> dict[str, int]:
    """Send every message due by `now`; returns how many messages left, by channel (and `failed` people)."""
    sent: Counter[str] = Counter()
    for person_id in store.due_recipients(now):
        try:
            sent.update(_flush(person_id, now))
        except Exception as exc:  # one person's trouble must not hold everyone else's messages
            log.error("flushing one person's messages failed: %s", type(exc).__name__)
            sent["failed"] += 1
    return dict(sent)


def _pupil_of(item: store.OutboxItem) -> str:
    return item.sk.split("#")[2]


def _is_due(item: store.OutboxItem, now: datetime) -> bool:
    return item.due is not None and parse_timestamp(item.due) <= now


def _leaving(items: list[store.OutboxItem], now: datetime) -> list[tuple[bool, list[store.OutboxItem]]]:
    """(digest?, items) for each message to send now: a due pupil's immediate notices, and the due daily ones."""
    due = [i for i in items if _is_due(i, now)]
    pupils = sorted({_pupil_of(i) for i in due if i.mode == "immediate"})
    groups = [(False, [i for i in items if i.mode == "immediate" and _pupil_of(i) == p]) for p in pupils]
    daily = [i for i in due if i.mode == "daily"]
    return groups + [(True, daily)] if daily else groups


def _addresses(channel: str, person: PersonItem, profile: store.Profile) -> list[tuple[str, store.DeviceItem | None]]:
    if channel == "email":
        return [(person.email, None)] if person.email else []
    if channel == "sms":
        return [(person.phone, None)] if person.phone else []
    owners = store.device_owners(profile.devices)
    mine = []
    for device in profile.devices:
        if owners.get(device.sk) == person.person_id:
            mine.append((device.endpoint, device))
        else:  # the device was registered by someone else since
            store.remove_device(person.person_id, device)
    return mine


def _flush(person_id: str, now: datetime) -> Counter[str]:
    sent: Counter[str] = Counter()
    person = get_person(person_id)
    profile = store.load_profile(person_id)
    preferences = profile.preferences
    for channel in OUTGOING:
        items = store.waiting(person_id, channel)
        if not items:
            continue
        addresses = _addresses(channel, person, profile) if person else []
        if not addresses or preferences.mode(channel) == "off":
            for item in items:
                store.cancel(item)
            continue
        if preferences.quiet and preferences.quiet.holds(now):
            later = preferences.quiet.release(now)
            for item in items:
                if _is_due(item, now):
                    store.postpone(item, later)
            continue
        groups = _leaving(items, now)
        seen = store.read_versions(person_id, {i.source_key for _, group in groups for i in group})
        for digest, group in groups:
            claims = [held for held in map(store.claim, group) if held is not None]
            fresh = [held for held in claims if seen.get(held.item.source_key, 0) < held.item.version]
            if not fresh:
                continue
            message = compose([store.queued(held.item) for held in fresh], language_of(person), digest=digest,
                              day=now.astimezone(KZ_TZ).date())
            if _send(channel, addresses, message, person_id):
                sent[channel] += 1
            else:
                for held in fresh:
                    store.restore(held)
    return sent


def _send(channel: str, addresses: list[tuple[str, store.DeviceItem | None]], message: Message,
          person_id: str) -> bool:
    """Send to every address; True when at least one took it (a dead push device is forgotten)."""
    delivered, refused = False, []
    for address, device in addresses:
        try:
            send(channel, address, message)
            delivered = True
        except AddressGone:
            if device is not None:
                store.remove_device(person_id, device)
        except Undelivered as exc:
            refused.append(exc.reason)
    if refused:
        log.warning("%s refused a message: %s", channel, ", ".join(sorted(set(refused))))
    return delivered
