"""Journal stream records, typed: which item changed, from what to what, and what a consumer may ignore.

A Lambda-shaped DynamoDB Streams record (Lambda's, the local poller's, or a test's) becomes a `StreamRecord`
(`read_record`); `change_of` says what it changed in the journal table:

- an expiry by TTL (`userIdentity` is the DynamoDB service itself): a `Change` with `expired` set, a tombstone
  leaving, which changes no count, history or notice;
- the emulator's extra key-only INSERT (an image without a version) and a MODIFY that keeps the version (the
  emulator's no-op write): None, nothing changed (real DynamoDB sends neither);
- items other than lessons, works and entries (references, period closes): None.

Every other change names its item (journal, sort key), its images as typed journal items and the version it
wrote. A record that cannot be read raises `MalformedRecord`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Mapping

from chalicelib.domain.dates import parse_timestamp
from chalicelib.store.journal import Entry, JournalRecord, Lesson, Work, decode, parse_entry_sk

__all__ = ["TTL_PRINCIPAL", "NEWS_HOURS", "MalformedRecord", "StreamRecord", "Change", "read_record", "change_of"]

TTL_PRINCIPAL = "dynamodb.amazonaws.com"
_EVENTS = ("INSERT", "MODIFY", "REMOVE")


class MalformedRecord(ValueError):
    """A stream record this service cannot read (never its own writes: a bug or a foreign writer)."""


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One stream record: its id and position, what happened, when, and the item's images (raw)."""

    event_id: str
    sequence: str
    name: str  # INSERT | MODIFY | REMOVE
    created: datetime  # UTC, to the second (DynamoDB's approximate creation time)
    keys: Mapping[str, Any]
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    expired: bool
    raw: Mapping[str, Any]  # the whole record, as delivered (parked and redriven as it is)


NEWS_HOURS = 24


@dataclass(frozen=True, slots=True)
class Change:
    """A real change of one lesson, work or entry of a journal."""

    record: StreamRecord
    journal_id: str
    sk: str
    old: JournalRecord | None
    new: JournalRecord | None
    version: int  # the version written; for a removal or an expiry, the version removed
    expired: bool = False

    @property
    def item(self) -> JournalRecord:
        """The item as it is now (as it was, for a removal)."""
        return self.new if self.new is not None else self.old  # type: ignore[return-value]

    @property
    def term(self) -> str:
        return self.sk.split("#", 1)[0]

    @property
    def news(self) -> bool:
        """Whether guardians should hear of it: written, by its own stamp, at most `NEWS_HOURS` before the stream
        carried it. Older writes (marks migrated from another system, a restored backup, the demo's history)
        count and are audited like any, but telling parents of them now would only be noise."""
        stamp = getattr(self.item, "at", None)
        if not stamp:
            return True
        try:
            written = parse_timestamp(stamp)
        except ValueError:
            return True
        return self.record.created - written <= timedelta(hours=NEWS_HOURS)

    @property
    def entry(self) -> tuple[str, str, str] | None:
        """(kind letter, lesson or work id, pupil) when the item is an entry."""
        parsed = parse_entry_sk(self.sk) if isinstance(self.item, Entry) else None
        return None if parsed is None else parsed[1:]


def _created(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromtimestamp(float(value), UTC)


def read_record(raw: Mapping[str, Any]) -> StreamRecord:
    """The typed view of one Lambda-shaped DynamoDB Streams record."""
    try:
        body = raw["dynamodb"]
        who = raw.get("userIdentity") or {}
        record = StreamRecord(
            event_id=str(raw["eventID"]), sequence=str(body["SequenceNumber"]), name=str(raw["eventName"]),
            created=_created(body["ApproximateCreationDateTime"]), keys=body["Keys"],
            old=body.get("OldImage") or None, new=body.get("NewImage") or None,
            expired=who.get("type") == "Service" and who.get("principalId") == TTL_PRINCIPAL, raw=raw)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise MalformedRecord(f"not a DynamoDB stream record ({type(exc).__name__}: {exc})") from None
    if record.name not in _EVENTS or (record.old is None and record.new is None and record.name != "REMOVE"):
        raise MalformedRecord(f"a {record.name} record without the item's image")
    return record


def _decode(image: Mapping[str, Any] | None) -> JournalRecord | None:
    if image is None:
        return None
    try:
        return decode(image)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedRecord(f"an image that is not a journal item ({type(exc).__name__})") from None


def change_of(record: StreamRecord) -> Change | None:
    """What `record` changed in the journal table, or None when it changed nothing a consumer counts."""
    try:
        pk, sk = record.keys["pk"]["S"], record.keys["sk"]["S"]
    except (KeyError, TypeError) as exc:
        raise MalformedRecord(f"a record without the journal table's keys ({type(exc).__name__})") from None
    if not pk.startswith("J#"):
        return None
    old, new = _decode(record.old), _decode(record.new)
    item = new if new is not None else old
    if not isinstance(item, (Lesson, Work, Entry)):
        return None
    if isinstance(item, Entry) and parse_entry_sk(sk) is None:
        raise MalformedRecord("an entry whose sort key is not <term>#<A|F|R>#<lesson or work>#<pupil>")
    if new is not None and new.version is None:
        return None  # the emulator's key-only INSERT before the real one
    if old is not None and new is not None and old.version == new.version:
        return None  # a write that changed nothing
    if new is None and (old is None or old.version is None):
        return None  # the removal of an item that was never written as a whole
    version = int(new.version if new is not None else old.version)  # type: ignore[union-attr]
    return Change(record, pk[2:], sk, old, new, version, expired=record.expired)
