"""Reconciliation of the counters: every counter of a school recomputed from the journal, drift reported.

For each journal of the school, one consistent Query reads every item (tombstones included); the ledgers,
sheets and day items they give (`chalicelib.domain.tally`, the very arithmetic the stream consumer uses) are
compared with what the counters table holds, field by field. `--repair` writes what the journal says over
what drifted and deletes counters nothing accounts for (run it while the school is not writing: the nightly
run is at 02:00 UTC+5).

The nightly schedule only fans out (`fan_out`): one task per school on the tasks queue (`TASK`), each run by
the queue's function on its own, so no Lambda run holds the whole country and a school that fails is retried
alone. By hand (`make reconcile [SCHOOL=<id>] [REPAIR=1]`):

    python -m chalicelib.jobs.reconcile [<school_id>] [--repair] [--queue]

reconciles one school, or every school one after another (`reconcile_all`), here; `--queue` queues every
school (or the one named) as the schedule does instead. It prints one line per drift and exits 1 if there was
any that is not repaired.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.domain.policy import REGIONS
from chalicelib.domain.tally import PUPIL_FIELDS, Key, Ledger, accumulate, pupil_results, pupil_sums, tally
from chalicelib.jobs.tasks import TASKS, enqueue
from chalicelib.store import counters
from chalicelib.store import journal as journal_store
from chalicelib.store.schools import classes_of_school, journals_of_class, schools_of_region

__all__ = ["TASK", "Drift", "Expected", "expected_of", "reconcile_school", "reconcile_all", "schools", "fan_out",
           "main"]

TASK = "reconcile_school"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Drift:
    """One counter that differs from the journal: its item (pk, sk), what (a field, a pupil's field, a ledger)."""

    pk: str
    sk: str
    what: str
    stored: Any
    expected: Any

    def __str__(self) -> str:
        return f"{self.pk} {self.sk} {self.what}: stored {self.stored!r}, expected {self.expected!r}"


@dataclass
class Expected:
    """What the counters of a school should hold, item by item."""

    ledgers: dict[tuple[str, str], counters.LedgerItem]
    sheets: dict[tuple[str, str], counters.SheetItem]
    days: dict[tuple[str, str], dict[str, int]]


def _journals(school_id: str) -> list[str]:
    return sorted(j.journal_id for c in classes_of_school(school_id) for j in journals_of_class(c.class_id))


def expected_of(school_id: str) -> Expected:
    """Every ledger, sheet and day amount the school's journals give."""
    found = Expected({}, {}, {})
    for journal_id in _journals(school_id):
        ledgers: dict[tuple[str, str], Ledger] = {}
        for item in journal_store.journal_items(journal_id):
            term = item.sk.split("#", 1)[0]
            if isinstance(item, (journal_store.Lesson, journal_store.Work)):
                kind, target = ("L", item.lesson_id) if isinstance(item, journal_store.Lesson) else ("W", item.work_id)
                ledger = ledgers.setdefault(counters.ledger_key(journal_id, term, kind, target),
                                            Ledger(kind, target_id=target))
                ledger.take_target(counters.target_of(item))
            elif isinstance(item, journal_store.Entry) and item.version is not None:
                _, letter, target, pupil = journal_store.parse_entry_sk(item.sk)  # type: ignore[misc]
                kind = "W" if letter == "R" else "L"
                ledger = ledgers.setdefault(counters.ledger_key(journal_id, term, kind, target),
                                            Ledger(kind, target_id=target))
                ledger.take_entry(letter, pupil, counters.entry_state(item))
        marking = counters.marking_of(journal_id)
        terms: dict[str, list[dict[Key, int]]] = {}
        for key, ledger in ledgers.items():
            found.ledgers[key] = counters.ledger_item(key, ledger, None)
            counted = tally(ledger)
            terms.setdefault(key[1].split("#", 1)[0], []).append(counted)
            for item_key, amount in counted.items():
                if item_key[0] in ("teacher", "school"):
                    day = found.days.setdefault(counters.day_key(marking.school_id, journal_id, item_key), {})
                    day[item_key[-1]] = day.get(item_key[-1], 0) + amount
        for term, tallies in terms.items():
            key = counters.sheet_key(journal_id, term)
            total = accumulate(tallies)
            found.sheets[key] = counters.sheet_item(key, pupil_sums(total), pupil_results(total), marking, None, None)
    found.days = {key: {name: n for name, n in day.items() if n} for key, day in found.days.items()}
    found.days = {key: day for key, day in found.days.items() if day}
    return found


def _differences(pk: str, sk: str, stored: Mapping[str, Any], expected: Mapping[str, Any],
                 prefix: str = "") -> Iterator[Drift]:
    for name in sorted(stored.keys() | expected.keys()):
        if stored.get(name) != expected.get(name):
            yield Drift(pk, sk, f"{prefix}{name}", stored.get(name), expected.get(name))


def _sheet_fields(item: counters.SheetItem | None) -> dict[str, Any]:
    if item is None:
        return {}
    fields: dict[str, Any] = {f"{pupil}.{name}": n for pupil, sums in item.pupils.items()
                              for name, n in zip(PUPIL_FIELDS, sums) if n}
    fields |= {f"{pupil}.sor.{work}": list(result) for pupil, own in (item.results or {}).items()
               for work, result in own.items()}
    return fields | {f"marks.{mark}": n for mark, n in item.marks.items()}


def _ledger_fields(item: counters.LedgerItem | None) -> dict[str, Any]:
    if item is None:
        return {}
    return {"target": item.target, **{f"{letter}.{pupil}": state for letter, states in item.entries.items()
                                      for pupil, state in states.items()}}


def reconcile_school(school_id: str, *, repair: bool = False) -> list[Drift]:
    """Every counter of the school that differs from its journals; with `repair`, set right afterwards."""
    want = expected_of(school_id)
    held: dict[tuple[str, str], Any] = {}
    for journal_id in _journals(school_id):
        held |= {(f"J#{journal_id}", sk): item for sk, item in counters.journal_counters(journal_id).items()}
    days = counters.day_items(school_id)
    drifts: list[Drift] = []
    for key in sorted(want.sheets.keys() | {k for k, v in held.items() if isinstance(v, counters.SheetItem)}):
        drifts += _differences(*key, _sheet_fields(held.get(key)), _sheet_fields(want.sheets.get(key)))
    for key in sorted(want.ledgers.keys() | {k for k, v in held.items() if isinstance(v, counters.LedgerItem)}):
        drifts += _differences(*key, _ledger_fields(held.get(key)), _ledger_fields(want.ledgers.get(key)))
    for key in sorted(want.days.keys() | days.keys()):
        drifts += _differences(*key, days[key].amounts() if key in days else {}, want.days.get(key, {}))
    if repair and drifts:
        _repair(want, held, days, {(d.pk, d.sk) for d in drifts})
    return drifts


def _repair(want: Expected, held: Mapping[tuple[str, str], Any], days: Mapping[tuple[str, str], Any],
            drifted: set[tuple[str, str]]) -> None:
    """Write what the journal says over every drifted item (a sheet as of now), and delete those it does not
    account for."""
    repaired = to_rfc3339(now_kz())
    with counters.CounterRecord.batch_write() as batch:
        for key in sorted(drifted):
            if key in want.days:
                batch.save(counters.DayItem(*key, **want.days[key]))
            elif key in want.sheets or key in want.ledgers:
                item = want.sheets.get(key) or want.ledgers[key]
                item.rev = int(held[key].rev) + 1 if key in held else 1
                if isinstance(item, counters.SheetItem):
                    item.as_of = repaired  # what the statistics say they are as of
                batch.save(item)
            else:
                batch.delete(held.get(key) or days[key])


def schools() -> list[str]:
    """Every school of every region, by region and id."""
    return [school for region in sorted(REGIONS) for school in sorted(s.school_id for s in schools_of_region(region))]


def _reconciled(school_id: str, repair: bool) -> list[Drift]:
    drifts = reconcile_school(school_id, repair=repair)
    if drifts:
        log.warning("school %s: %d counters drifted%s", school_id, len(drifts), ", repaired" if repair else "")
    return drifts


def reconcile_all(*, repair: bool = True) -> dict[str, int]:
    """Reconcile every school here, one after another; the number of drifts per school that had any."""
    found = {school: len(_reconciled(school, repair)) for school in schools()}
    return {school: n for school, n in found.items() if n}


def fan_out(*, repair: bool = True, school_ids: list[str] | None = None) -> int:
    """Queue one reconciliation task per school (every school unless named); how many were queued."""
    chosen = schools() if school_ids is None else school_ids
    for school in chosen:
        enqueue(TASK, school_id=school, repair=repair)
    return len(chosen)


def _task(message: dict[str, Any]) -> None:
    _reconciled(str(message["school_id"]), bool(message.get("repair", True)))


TASKS[TASK] = _task


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.jobs.reconcile", description=__doc__.split("\n")[0])
    parser.add_argument("school_id", nargs="?", help="one school (default: every school)")
    parser.add_argument("--repair", action="store_true", help="write what the journal says over what drifted")
    parser.add_argument("--queue", action="store_true", help="queue the schools' tasks instead of running here")
    args = parser.parse_args(argv)
    named = [args.school_id] if args.school_id else None
    if args.queue:
        print(f"{fan_out(repair=args.repair, school_ids=named)} schools queued")
        return 0
    if named is None:
        found = reconcile_all(repair=args.repair)
        for school, n in found.items():
            print(f"{school}: {n} drifted counters")
        print(f"{sum(found.values())} drifted counters in {len(found)} schools"
              + (", repaired" if args.repair and found else ""))
        return 1 if found and not args.repair else 0
    drifts = reconcile_school(args.school_id, repair=args.repair)
    for drift in drifts:
        print(drift)
    print(f"{len(drifts)} drifted counters" + (", repaired" if args.repair and drifts else ""))
    return 1 if drifts and not args.repair else 0


if __name__ == "__main__":
    sys.exit(main())
