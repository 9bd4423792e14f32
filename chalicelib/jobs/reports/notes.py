"""Notes the report jobs send: a reminder to a teacher, a report's summary to a school_admin, the weekly message
to a parent. Each goes once per key, to the inbox and, as the person chose, by e-mail and SMS.

The channels' `deliver` is built around journal entries (a `NoticeEvent` of a formative, result, attendance or
period-mark change, versioned and coalesced), so a note takes the simpler path: the store's `post_note` for the
inbox and `channels.send` for the rest:
- once: `reports.claim_note(person, key)` is taken first, so a rerun of a job sends nothing again;
- inbox always (read through `GET /v1/me/notifications`, `kind` says which note);
- e-mail and SMS when the person's mode for the channel is not "off" and they have an address; a note is
  itself a digest, so "daily" and "immediate" both send it now, unless quiet hours hold: then only the
  inbox gets it (the next note is a day or a week away). Push is left to the inbox's own notices.
Nothing personal is logged.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from chalicelib.channels import Undelivered, send
from chalicelib.domain.notices import Message
from chalicelib.store import notifications, reports
from chalicelib.store.directory import PersonItem

__all__ = ["Note", "send_note"]

log = logging.getLogger(__name__)

_SHORT = 300


@dataclass(frozen=True, slots=True)
class Note:
    """What one person is told: a key that makes it once only, its kind, the pupil it is about (if any)."""

    key: str
    kind: str
    title: str
    body: str
    language: str
    student_id: str | None = None


def send_note(person: PersonItem, note: Note, now: datetime) -> list[str]:
    """Tell `person` once; the channels it went out on (empty when it was sent before)."""
    if not reports.claim_note(person.person_id, note.key, now):
        return []
    notifications.post_note(person.person_id, note.key, kind=note.kind, title=note.title, body=note.body,
                            language=note.language, student_id=note.student_id, now=now)
    sent = ["inbox"]
    preferences = notifications.load_profile(person.person_id).preferences
    if preferences.quiet is not None and preferences.quiet.holds(now):
        return sent
    short = note.title if len(note.title) <= _SHORT else note.title[:_SHORT - 1] + "…"
    message = Message(note.title, note.body, short)
    for channel, address in (("email", person.email), ("sms", person.phone)):
        if address and preferences.mode(channel) != "off":
            try:
                send(channel, address, message)
                sent.append(channel)
            except Undelivered as exc:
                log.warning("a report note was not delivered on %s: %s", channel, exc)
    return sent
