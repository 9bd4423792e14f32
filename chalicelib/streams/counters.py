"""The counters consumer: the journal stream's changes counted into the counters table (store/counters.py).

`prepare` turns a record into its `Change` (None when it changes nothing) and checks that the directory knows
the journal (a record of an unknown journal fails alone). `apply` groups the batch's changes by ledger (one
lesson or work), at most `LEDGERS_PER_WRITE` ledgers to a write, and for each write:

1. reads the ledgers and the sheets they count in (consistent BatchGetItem);
2. takes the changes into the ledgers, newest version wins (`chalicelib.domain.tally`): a duplicate, replayed,
   late or emulator-made record changes nothing, in whatever order records of different items arrive;
3. adds `tally(after) - tally(before)` of each ledger to its sheet and sums it per teacher's and school's day,
   so a counter takes one write per batch however many entries it counts; a SOR work's results on the sheet
   are set to its ledger's (`pupil_results(tally(after))`: the same as adding the difference, and a sheet kept
   before results were counted on their own gets each work's as soon as the work changes);
4. writes ledgers, sheets and day amounts in one transaction, sheets and ledgers on condition of the revision
   read. A stale read is read again, a transaction conflict tried again after a pause; a write that still
   fails fails its records (the batch machinery parks them and Lambda delivers them again).

Exactly once: the ledger item holds each entry's version and value, in the same transaction as the counts it
justifies, so the effect of a change is applied once whatever the delivery does (eventID claims would cost
2 WRU a record; a sequence-number watermark needs the shard, which Lambda's records do not carry).
Cost, a class's batch of 30 entries of one lesson: ledger (~2 KB) and sheet (~6.5 KB with 3 SOR a term)
transactional puts, two day items of a few bytes: about 22 WRU, 0.7 WRU an entry (transactional writes count
twice).
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence

from chalicelib.domain.dates import KZ_TZ, to_rfc3339
from chalicelib.domain.tally import PUPIL_FIELDS, Key, Ledger, difference, pupil_results, tally
from chalicelib.store.counters import (
    Busy, LedgerItem, SheetItem, Stale, day_key, entry_state, ledger_item, ledger_key, ledger_of, load,
    marking_of, sheet_item, sheet_key, target_of, write,
)
from chalicelib.store.journal import Lesson, Work
from chalicelib.streams.batch import Consumer
from chalicelib.streams.records import Change, StreamRecord, change_of

__all__ = ["CONSUMER", "LEDGERS_PER_WRITE", "prepare", "apply", "take"]

LEDGERS_PER_WRITE = 20  # with their sheets and day items, well inside a transaction's 100 items
_ATTEMPTS = 5
_PAUSE_SECONDS = 0.05

log = logging.getLogger(__name__)

LedgerKey = tuple[str, str]


def prepare(record: StreamRecord) -> Change | None:
    change = change_of(record)
    if change is not None:
        marking_of(change.journal_id)
    return change


def _ledger(change: Change) -> tuple[LedgerKey, str]:
    """The key and kind ("L" lesson, "W" work) of the ledger a change counts in."""
    item = change.item
    if isinstance(item, Lesson):
        return ledger_key(change.journal_id, change.term, "L", item.lesson_id), "L"
    if isinstance(item, Work):
        return ledger_key(change.journal_id, change.term, "W", item.work_id), "W"
    letter, target, _ = change.entry  # type: ignore[misc]
    kind = "W" if letter == "R" else "L"
    return ledger_key(change.journal_id, change.term, kind, target), kind


def take(ledger: Ledger, change: Change) -> bool:
    """Take one change into its ledger; whether the ledger changed."""
    if isinstance(change.item, (Lesson, Work)):
        if change.new is not None:  # a tombstone too: the lesson or work and its entries stop counting
            return ledger.take_target(target_of(change.new))  # type: ignore[arg-type]
        if change.expired:
            return ledger.forget_target(change.version)
        return ledger.drop_target(change.version)
    letter, _, pupil = change.entry  # type: ignore[misc]
    if change.expired:
        return ledger.forget_entry(letter, pupil, change.version)
    if change.new is None:
        return ledger.drop_entry(letter, pupil, change.version)
    return ledger.take_entry(letter, pupil, entry_state(change.new))  # type: ignore[arg-type]


def apply(batch: Sequence[tuple[StreamRecord, Change]]) -> dict[str, str]:
    """Count a batch of changes; the event ids of changes that could not be written, with why."""
    groups: dict[LedgerKey, tuple[str, list[Change]]] = {}
    for _, change in batch:
        key, kind = _ledger(change)
        groups.setdefault(key, (kind, []))[1].append(change)
    keys, failed = list(groups), {}
    for start in range(0, len(keys), LEDGERS_PER_WRITE):
        part = {key: groups[key] for key in keys[start:start + LEDGERS_PER_WRITE]}
        try:
            _write(part)
        except Exception as exc:  # noqa: BLE001  (these records are retried; the others stand)
            log.exception("counting %d ledgers failed", len(part))
            failed |= {c.record.event_id: f"{type(exc).__name__}: {exc}" for _, cs in part.values() for c in cs}
    return failed


def _write(groups: Mapping[LedgerKey, tuple[str, list[Change]]]) -> None:
    for attempt in range(_ATTEMPTS):
        try:
            _attempt(groups)
            return
        except Stale:
            continue
        except Busy:
            time.sleep(random.uniform(0, _PAUSE_SECONDS * 2 ** attempt))
    raise Busy(f"the counters stayed contended through {_ATTEMPTS} attempts")


def _attempt(groups: Mapping[LedgerKey, tuple[str, list[Change]]]) -> None:
    sheets = {sheet_key(cs[0].journal_id, cs[0].term): cs[0].journal_id for _, cs in groups.values()}
    stored = load([*groups, *sheets])
    writes: list[SheetItem | LedgerItem] = []
    pupils: dict[LedgerKey, dict[Key, int]] = {}
    works: dict[LedgerKey, dict[str, dict[str, list[int]]]] = {}  # sheet -> work -> pupil -> [points, max]
    days: dict[LedgerKey, dict[str, int]] = {}
    as_of: dict[LedgerKey, str] = {}
    for key, (kind, changes) in groups.items():
        held = stored.get(key)
        before = ledger_of(key, held, kind)  # type: ignore[arg-type]
        after = before.copy()
        if not [change for change in changes if take(after, change)]:
            continue
        writes.append(ledger_item(key, after, held.rev if held is not None else None))
        journal_id = changes[0].journal_id
        school_id = marking_of(journal_id).school_id
        sheet = sheet_key(journal_id, changes[0].term)
        counted_after = tally(after)
        if kind == "W":
            works.setdefault(sheet, {})[after.target_id] = {
                pupil: own[after.target_id] for pupil, own in pupil_results(counted_after).items()}
        for counted, amount in difference(counted_after, tally(before)).items():
            if counted[0] == "sor":
                continue
            if counted[0] == "pupil":
                rows = pupils.setdefault(sheet, {})
                rows[counted] = rows.get(counted, 0) + amount
            else:
                day = days.setdefault(day_key(school_id, journal_id, counted), {})
                day[counted[-1]] = day.get(counted[-1], 0) + amount
        newest = to_rfc3339(max(c.record.created for c in changes).astimezone(KZ_TZ))
        as_of[sheet] = max(as_of.get(sheet, newest), newest)
    for sheet in sorted(pupils.keys() | works.keys()):
        held = stored.get(sheet)
        delta = pupils.get(sheet, {})
        rows = {pupil: list(sums) for pupil, sums in (held.pupils if held is not None else {}).items()}
        for (_, pupil, name), amount in delta.items():
            rows.setdefault(pupil, [0] * len(PUPIL_FIELDS))[PUPIL_FIELDS.index(name)] += amount
        was = held.results if held is not None else {}
        results = _set_results(was, works.get(sheet, {}))
        if not any(delta.values()) and results == was:
            continue
        newest = max(filter(None, (as_of[sheet], held.as_of if held is not None else None)))
        writes.append(sheet_item(sheet, rows, results, marking_of(sheets[sheet]), newest,
                                 held.rev if held is not None else None))
    amounts = {key: {name: n for name, n in day.items() if n} for key, day in days.items()}
    amounts = {key: day for key, day in amounts.items() if day}
    if writes or amounts:
        write(writes, amounts)


def _set_results(held: Mapping[str, Mapping[str, list[int]]],
                 works: Mapping[str, Mapping[str, list[int]]]) -> dict[str, dict[str, list[int]]]:
    """The sheet's SOR results (pupil -> work -> [points, max]) with each of `works` (work -> pupil -> result)
    set to what its ledger counts."""
    results = {pupil: {work: list(r) for work, r in own.items() if work not in works} for pupil, own in held.items()}
    for work, by_pupil in works.items():
        for pupil, result in by_pupil.items():
            results.setdefault(pupil, {})[work] = list(result)
    return {pupil: own for pupil, own in results.items() if own}


CONSUMER: Consumer[Change] = Consumer("counters", prepare, apply)
