"""Fan-out of one journal change to the pupil's guardians, and the sending of messages that are due.

`notify_guardians` is what the journal stream's consumer calls: every guardian gets the inbox item at once and,
per their preferences, a message queued on e-mail, SMS and push. `send` hands one composed message to a channel.
Personal data (names, addresses, texts) is never logged.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.channels import inbox
from chalicelib.channels.email import send_email
from chalicelib.channels.push import send_push
from chalicelib.channels.sms import send_sms
from chalicelib.config import settings
from chalicelib.domain.dates import now_kz
from chalicelib.domain.notices import (
    LANGUAGES, Message, Names, Notice, NoticeEvent, InvalidNotice, due_at, next_outbox, render,
)
from chalicelib.store import notifications as store
from chalicelib.store.directory import PersonItem
from chalicelib.store.people import get_person
from chalicelib.store.schools import get_journal, get_subject

__all__ = ["OUTGOING", "Contended", "Recipient", "deliver", "notify_guardians", "send", "language_of"]

OUTGOING = ("email", "sms", "push")
_ATTEMPTS = 3
_SENDERS = {"email": send_email, "sms": send_sms, "push": send_push}


class Contended(RuntimeError):
    """A message kept changing under us; the caller retries the whole event (it is idempotent)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """A guardian as delivery needs them: language, addresses, preferences and devices."""

    person: PersonItem
    profile: store.Profile

    @property
    def person_id(self) -> str:
        return self.person.person_id

    def reachable(self, channel: str) -> bool:
        return {"email": bool(self.person.email), "sms": bool(self.person.phone),
                "push": bool(self.profile.devices)}.get(channel, True)


def language_of(person: PersonItem) -> str:
    return person.language if person.language in LANGUAGES else LANGUAGES[0]


def send(channel: str, address: str, message: Message) -> None:
    """Hand `message` to `channel` for one address (raises Undelivered, or AddressGone for a dead push device)."""
    _SENDERS[channel](address, message)


def deliver(recipient: Recipient, event: NoticeEvent, notice: Notice | None, *, now: datetime,
            window: timedelta) -> bool:
    """Write the inbox at once and queue a message on each other channel the recipient wants.

    Every write is guarded by the entry's version, so a second delivery of the same event changes nothing.
    Returns whether the inbox changed.
    """
    changed = inbox.post(recipient.person_id, event, notice)
    preferences = recipient.profile.preferences
    for channel in OUTGOING:
        mode = preferences.mode(channel, recipient.reachable(channel))
        if mode != "off":
            _queue(recipient.person_id, channel, mode, event, notice,
                   due_at(mode, now, window=window, quiet=preferences.quiet))
    return changed


def _queue(recipient: str, channel: str, mode: str, event: NoticeEvent, notice: Notice | None,
           due: datetime) -> None:
    for _ in range(_ATTEMPTS):
        before = store.outbox_state(recipient, channel, event)
        after = next_outbox(before, event, due)
        if after is None or store.write_outbox(recipient, channel, mode, event, notice, before, after):
            return
    raise Contended("the outbox of an entry kept changing")


def _subject_names(event: NoticeEvent) -> Names:
    if event.subject is not None:
        return event.subject
    subject_id = event.subject_id
    if subject_id is None:
        journal = get_journal(event.journal_id)
        subject_id = journal.subject_id if journal else None
    subject = get_subject(subject_id) if subject_id else None
    if subject is None:
        raise InvalidNotice("the notice's subject is unknown")
    return Names(subject.name_kk, subject.name_ru)


def notify_guardians(event: NoticeEvent, *, now: datetime | None = None,
                     subjects: dict[str, Names] | None = None) -> int:
    """Tell every guardian of the pupil about `event`, each in their language; returns how many inboxes changed.

    Idempotent: calling it again with the same event (or an older version of the entry) changes nothing and
    returns 0. A pupil without guardians, or no longer in the directory, is nobody's news. `subjects` keeps
    the subject names already looked up (a batch's events mostly share one journal).
    """
    guardians = store.guardians_of(event.student_id)
    pupil = get_person(event.student_id) if guardians else None
    if pupil is None:
        return 0
    subject = event.subject
    if subject is None and event.names_subject and not event.withdrawn:
        known, key = subjects if subjects is not None else {}, f"{event.journal_id}|{event.subject_id}"
        subject = known.get(key) or known.setdefault(key, _subject_names(event))
    received = now or now_kz()
    window = timedelta(seconds=settings().notice_window_seconds)
    changed = 0
    for guardian in guardians:
        notice = None if event.withdrawn else render(event, f"{pupil.first_name} {pupil.last_name}", subject,
                                                     language_of(guardian))
        recipient = Recipient(guardian, store.load_profile(guardian.person_id))
        changed += deliver(recipient, event, notice, now=received, window=window)
    return changed
