"""The notifications consumer: a pupil's new, changed or removed entry, told to the pupil's guardians.

`prepare` turns a change of an attendance, formative or result entry into a `NoticeEvent` (a result names its
work: kind, title, maximum, period; the work is read once per process, works do not change); lessons, works,
expiries, a plain "present" and writes that are no longer news (`Change.news`: stamped over a day before the
stream carried them, e.g. migrated marks) are nobody's news. A pupil's period record (`S#` partition) that a
close has just given its final mark becomes a `period_mark` event (`period_notice`): final marks are written once
and never revised, so each is version 1 of its own source key, and every guardian is told once whatever the
stream repeats.

`apply` hands each event to `chalicelib.channels.notify_guardians`, which keeps one notice per guardian and
entry version (a duplicate or late record changes nothing) and queues e-mail, SMS and push by each guardian's
preferences. An event that fails fails its record alone.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import date

from chalicelib.channels import notify_guardians
from chalicelib.domain.dates import KZ_TZ, parse_timestamp
from chalicelib.domain.journal import FormativeScale
from chalicelib.domain.notices import Names, NoticeEvent
from chalicelib.store.excuses import excused_on
from chalicelib.store.journal import Entry, Work, get_work, work_sk
from chalicelib.store.marks import PeriodRecord, mark_of
from chalicelib.streams.batch import Consumer
from chalicelib.streams.records import Change, MalformedRecord, StreamRecord, change_of

__all__ = ["CONSUMER", "FINAL_VERSION", "notice_of", "period_notice", "prepare", "apply"]

FINAL_VERSION = 1  # a final mark is written once

_KIND = {"A": "attendance", "F": "formative", "R": "result"}

log = logging.getLogger(__name__)


class WorkMissing(LookupError):
    """A result whose work is not in the journal."""


@functools.lru_cache(maxsize=1024)
def _work(journal_id: str, sk: str) -> Work:
    work = get_work(journal_id, sk)
    if work is None:
        raise WorkMissing("a result of a work the journal does not hold")
    return work


def notice_of(change: Change) -> NoticeEvent | None:
    """What guardians hear of one change (None: nothing)."""
    if change.expired or change.entry is None or not change.news:
        return None
    letter, target, pupil = change.entry
    old, new = change.old, change.new
    live = new if isinstance(new, Entry) and not new.removed else None
    if letter == "A" and not (_absence(old) or _absence(new)):
        return None  # "present", before and after: nothing told, nothing to take back
    if letter == "A" and not _absence(new):
        live = None  # an absence turned into "present" or removed: its notice is taken back
    day = (new.gsk if new is not None else None) or (old.gsk if old is not None else None)
    at = parse_timestamp(new.at) if isinstance(new, Entry) and new.at else change.record.created.astimezone(KZ_TZ)
    common = dict(kind=_KIND[letter], student_id=pupil, journal_id=change.journal_id,
                  source_key=f"J#{change.journal_id}|{change.sk}", source_version=change.version, occurred_at=at,
                  lesson_date=date.fromisoformat(day[:10]) if day else None, removed=live is None)
    if live is None:
        return NoticeEvent(**common)
    if letter == "A":
        return NoticeEvent(**common, status=_status_told(pupil, live.status, common["lesson_date"]),
                           feedback=live.comment)
    points = None if live.points is None else int(live.points)
    if letter == "F":
        return NoticeEvent(**common, points=points, max_points=FormativeScale().high, feedback=live.feedback)
    work = _work(change.journal_id, work_sk(change.term, target))
    return NoticeEvent(**common, points=points, max_points=int(work.max_points), work_kind=work.kind,
                       work_title=work.title, period=work.period, feedback=live.feedback)


def _absence(image: object) -> bool:
    """An attendance entry guardians hear of: absent, excused, ill or late (not "present", not removed)."""
    return isinstance(image, Entry) and not image.removed and image.status not in (None, "present")


def _status_told(pupil: str, status: str | None, day: date | None) -> str | None:
    """An absence on a day the parent excused is told as excused (school-life issue, item 8: the parent knows)."""
    if status == "absent" and day is not None and excused_on(pupil, day):
        return "excused"
    return status


def _final(image: object) -> PeriodRecord | None:
    if not image:
        return None
    try:
        record = PeriodRecord.from_raw_data(dict(image))  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedRecord(f"an image that is not a period record ({type(exc).__name__})") from None
    return record if record.final and record.mark is not None else None


def period_notice(record: StreamRecord) -> NoticeEvent | None:
    """The final mark a close has just written to a pupil's period record (None: anything else there)."""
    sk = str(record.keys.get("sk", {}).get("S", ""))
    if record.expired or sk.split("#")[1:2] != ["P"]:
        return None  # write notes, and whatever is not a period record
    new, old = _final(record.new), _final(record.old)
    if new is None or (old is not None and (old.closed_at, old.mark) == (new.closed_at, new.mark)):
        return None
    pupil = new.pupil_id
    return NoticeEvent(kind="period_mark", student_id=pupil, journal_id=new.journal_id,
                       source_key=f"S#{pupil}|{sk}", source_version=FINAL_VERSION,
                       occurred_at=parse_timestamp(new.closed_at or ""), period=new.period, mark=mark_of(new.mark))


def prepare(record: StreamRecord) -> NoticeEvent | None:
    if str(record.keys.get("pk", {}).get("S", "")).startswith("S#"):
        return period_notice(record)
    change = change_of(record)
    return None if change is None else notice_of(change)


def apply(batch: Sequence[tuple[StreamRecord, NoticeEvent]]) -> dict[str, str]:
    """Tell each event's guardians; the event ids whose delivery failed, with why."""
    failed: dict[str, str] = {}
    subjects: dict[str, Names] = {}  # one lookup per journal and batch
    for record, event in batch:
        try:
            notify_guardians(event, subjects=subjects)
        except Exception as exc:  # noqa: BLE001  (this record is retried; the others stand)
            log.warning("notifying guardians failed: %s", type(exc).__name__)
            failed[record.event_id] = f"{type(exc).__name__}: {exc}"
    return failed


CONSUMER: Consumer[NoticeEvent] = Consumer("notifications", prepare, apply)
