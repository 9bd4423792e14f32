"""The alerts consumer: thresholds a journal change crosses, told to the pupil's guardians once per crossing.

`prepare` keeps the entry changes that may cross one (`chalicelib.domain.alerts`): a formative entry or result
whose points or presence changed (the "2" band of the pupil's live period mark in that subject), an attendance
entry that is or was `absent` (the week's unexcused missed lessons). `apply` groups them and, per group, reads:

- the band, per journal and period: the journal's rule pack with the school's settings and its scheme
  (`chalicelib.api.marking.setup_of`, as the standing uses them), its live formative entries and results of the
  period (consistent Queries), the period's status sheet (one GetItem);
- the week, per pupil and calendar week: the pupil's entries of the week (one Query of `by_owner`) and the
  parents' excuses overlapping it (one Query);
- and, for both, the changed entries as they are now (one consistent BatchGetItem).

A change that a newer version of its entry superseded tells nothing (the newer one speaks). Every other change
is applied to that set twice, with its OldImage and with its NewImage (the batch's newest images laid over the
read first, so an index that lags does not hide them); the two values decide a crossing, the pupil's ledger
(notifications table) is moved on condition that it still holds what was read, and the guardians are told:
a band alert is version n (the n-th crossing) of `A#<pupil>|B#<journal>#<period>`, a week's alert version 1 of
`A#<pupil>|W#<Monday>`, so delivery keeps one notice per guardian and crossing whatever the stream repeats.
A group that fails fails its records alone.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.api.marking import Setup, cells_of, setup_of
from chalicelib.channels import Contended, notify_guardians
from chalicelib.domain.alerts import (
    ABSENCE_THRESHOLD, Ledger, band_crossing, in_band, missed, reach, shift, week_of,
)
from chalicelib.domain.assessment import Scheme, compute_period
from chalicelib.domain.dates import KZ_TZ, parse_timestamp
from chalicelib.domain.notices import NoticeEvent
from chalicelib.domain.standing import inputs_of, own_period, terms_in
from chalicelib.store import marks
from chalicelib.store import notifications as ledgers
from chalicelib.store.excuses import excuses_of
from chalicelib.store.journal import Entry, get_entries, marked_entries, parse_entry_sk, pupil_entries
from chalicelib.store.notifications import INBOX_DAYS, KEEP_DAYS
from chalicelib.store.schools import get_journal
from chalicelib.streams.batch import Consumer
from chalicelib.streams.records import Change, StreamRecord, change_of

__all__ = ["CONSUMER", "prepare", "apply"]

_ATTEMPTS = 3

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (journal id, entry sort key)


class UnknownJournal(LookupError):
    """A change of a journal the directory does not know."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A change that may cross a threshold: the band's ("band") or the week's ("week")."""

    kind: str
    change: Change
    pupil: str

    @property
    def key(self) -> Key:
        return self.change.journal_id, self.change.sk

    @property
    def cause(self) -> str:
        return f"{self.change.journal_id}|{self.change.sk}@{self.change.version}"

    @property
    def day(self) -> date:
        item = self.change.new if self.change.new is not None and self.change.new.gsk else self.change.old
        return date.fromisoformat((item.gsk or "")[:10])  # type: ignore[union-attr]

    @property
    def at(self) -> datetime:
        new = self.change.new
        if isinstance(new, Entry) and new.at:
            return parse_timestamp(new.at)
        return self.change.record.created.astimezone(KZ_TZ)


def _live(item: object) -> Entry | None:
    return item if isinstance(item, Entry) and not item.removed else None


def _said(item: object, field: str) -> object:
    live = _live(item)
    return None if live is None else getattr(live, field)


def prepare(record: StreamRecord) -> Candidate | None:
    change = change_of(record)
    if change is None or change.expired or change.entry is None or not change.news:
        return None
    letter, _, pupil = change.entry
    if letter == "A":
        before, after = _said(change.old, "status"), _said(change.new, "status")
        return Candidate("week", change, pupil) if before != after and "absent" in (before, after) else None
    if _said(change.old, "points") == _said(change.new, "points"):
        return None  # feedback alone, or a removal of what had no points: the mark is as it was
    return Candidate("band", change, pupil)


def apply(batch: Sequence[tuple[StreamRecord, Candidate]]) -> dict[str, str]:
    """Tell the crossings of a batch; the event ids of the groups that failed, with why."""
    groups: dict[tuple[str, ...], list[Candidate]] = {}
    for _, candidate in batch:
        groups.setdefault(_group(candidate), []).append(candidate)
    failed = {}
    for group, candidates in groups.items():
        try:
            (_band if group[0] == "band" else _week)(group, candidates)
        except Exception as exc:  # noqa: BLE001  (this group's records are retried; the others stand)
            log.warning("alerting a group of %d changes failed: %s", len(candidates), type(exc).__name__)
            failed |= {c.change.record.event_id: f"{type(exc).__name__}: {exc}" for c in candidates}
    return failed


def _group(candidate: Candidate) -> tuple[str, ...]:
    if candidate.kind == "band":
        return "band", candidate.change.journal_id, candidate.change.term
    return "week", candidate.pupil, week_of(candidate.day)[0].isoformat()


def _current(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates no newer version of their entry superseded, the newest per entry."""
    now = {(e.pk[2:], e.sk): int(e.version) for e in get_entries(sorted({c.key for c in candidates}))}
    newest: dict[Key, Candidate] = {}
    for c in candidates:
        if c.key in now and c.change.version >= now[c.key]:
            if c.key not in newest or c.change.version > newest[c.key].change.version:
                newest[c.key] = c
    return list(newest.values())


def _laid(base: Mapping[Key, Entry], candidates: Iterable[Candidate]) -> dict[Key, Entry]:
    """`base` with each candidate's NewImage laid over it (a removal takes the entry out)."""
    found = dict(base)
    for c in candidates:
        found.pop(c.key, None)
        if (live := _live(c.change.new)) is not None:
            found[c.key] = live
    return found


def _with(entries: Mapping[Key, Entry], key: Key, image: object) -> list[Entry]:
    """The pupil's entries with `key` as `image` says (None or a tombstone: without it)."""
    found = {k: e for k, e in entries.items() if k != key}
    if (live := _live(image)) is not None:
        found[key] = live
    return list(found.values())


def _tell(pupil: str, sk: str, decide: Callable[[Ledger | None], Ledger | None], days: int,
          event: Callable[[Ledger], NoticeEvent]) -> None:
    """Move the pupil's ledger `sk` as `decide` says, then tell the guardians (nothing when it says None)."""
    for _ in range(_ATTEMPTS):
        held = ledgers.alert_ledger(pupil, sk)
        told = decide(held)
        if told is None:
            return
        if told == held or ledgers.write_alert_ledger(pupil, sk, told, held, days=days):
            notify_guardians(event(told))
            return
    raise Contended("an alert ledger kept changing")


# The "2" band -----------------------------------------------------------------------------------------------

def _band(group: tuple[str, ...], candidates: list[Candidate]) -> None:
    _, journal_id, term = group
    journal = get_journal(journal_id)
    if journal is None:
        raise UnknownJournal("a journal the directory does not know")
    setup = setup_of(journal)
    period = own_period(setup.periods, term)
    if period is None or setup.scheme in (Scheme.PASS_FAIL, Scheme.UNMARKED):
        return  # no mark of 2 in this subject and term
    current = _current(candidates)
    if not current:
        return
    pupils = {c.pupil for c in current}
    base = {(e.pk[2:], e.sk): e for e in marked_entries(journal_id, terms_in(period))
            if parse_entry_sk(e.sk)[3] in pupils}  # type: ignore[index]
    laid = _laid(base, current)
    sheet = marks.status_sheet(journal_id, period)
    for c in current:
        mine = {k: e for k, e in laid.items() if parse_entry_sk(k[1])[3] == c.pupil}  # type: ignore[index]
        said = sheet.get(c.pupil, {})
        before = _mark(setup, period, _with(mine, c.key, c.change.old), said)
        after = _mark(setup, period, _with(mine, c.key, c.change.new), said)
        if band_crossing(before, after) is None:
            continue
        _tell(c.pupil, f"B#{journal_id}#{period}",
              lambda held: shift(held, in_band(before), in_band(after), c.cause), INBOX_DAYS,
              lambda told: _band_event(c, period, told, after))


def _mark(setup: Setup, period: str, entries: list[Entry], said: Mapping[str, object]) -> object:
    inputs = inputs_of(setup.pack, setup.scheme, cells_of(entries), status=said.get("status"),  # type: ignore[arg-type]
                       passed=said.get("passed"))  # type: ignore[arg-type]
    return compute_period(setup.pack, setup.scheme, inputs).mark


def _band_event(c: Candidate, period: str, told: Ledger, mark: object) -> NoticeEvent:
    return NoticeEvent(kind="mark_alert", student_id=c.pupil, journal_id=c.change.journal_id,
                       source_key=f"A#{c.pupil}|B#{c.change.journal_id}#{period}",
                       source_version=told.crossings, occurred_at=c.at, period=period,
                       alert="entered" if told.inside else "left", count=told.crossings,
                       mark=None if told.inside else mark)  # type: ignore[arg-type]


# The week's unexcused missed lessons ------------------------------------------------------------------------

def _week(group: tuple[str, ...], candidates: list[Candidate]) -> None:
    _, pupil, first = group
    monday, sunday = week_of(date.fromisoformat(first))
    current = _current(candidates)
    if not current:
        return
    base = {(e.pk[2:], e.sk): e for e in pupil_entries(pupil, monday, sunday) if e.sk.split("#")[1] == "A"}
    laid = _laid(base, current)
    days = [monday + timedelta(days=n) for n in range(7)]
    excused = {day for excuse in excuses_of(pupil, monday, sunday) for day in days if excuse.covers(day)}
    for c in current:
        before = missed(_lessons(_with(laid, c.key, c.change.old)), excused)
        after = missed(_lessons(_with(laid, c.key, c.change.new)), excused)
        if not before < ABSENCE_THRESHOLD <= after:
            continue
        _tell(pupil, f"W#{monday.isoformat()}", lambda held: reach(held, before, after, c.cause), KEEP_DAYS,
              lambda told: NoticeEvent(kind="absence_alert", student_id=pupil, journal_id=c.change.journal_id,
                                       source_key=f"A#{pupil}|W#{monday.isoformat()}", source_version=1,
                                       occurred_at=c.at, lesson_date=monday, count=after))


def _lessons(entries: Iterable[Entry]) -> Iterator[tuple[str | None, date]]:
    """(status, day) of attendance entries."""
    for entry in entries:
        yield entry.status, date.fromisoformat((entry.gsk or "")[:10])


CONSUMER: Consumer[Candidate] = Consumer("alerts", prepare, apply)
