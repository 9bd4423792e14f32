"""Proof that the audit trail is complete: every version of every entry and lesson has its audit record.

For each item of a journal (tombstones included) the versions form a chain: the record of version n names the
write time of version n-1 (`previous_at`). Walking the chain from the item's current version and write time
down to its first write finds every missing record. Run by hand:

    python -m chalicelib.jobs.audit_reconciliation <journal_id> [<journal_id> ...]

It prints each gap and exits 1 if there is any. A gap is repaired by replaying the stream (records are kept
24 h) or, past that, by an administrator's note; the report says which version of which item is missing.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass

from chalicelib.store.audit import AuditRecord, records_of
from chalicelib.store.journal import Entry, Lesson, journal_items, parse_entry_sk

__all__ = ["Gap", "reconcile_journal", "main"]


@dataclass(frozen=True, slots=True)
class Gap:
    """A change without its audit record: the item (journal, sort key) and the version missing."""

    journal_id: str
    sk: str
    version: int


def reconcile_journal(journal_id: str) -> list[Gap]:
    """Every missing audit record of one journal's entries and lessons."""
    items = [i for i in journal_items(journal_id) if isinstance(i, (Entry, Lesson)) and i.version is not None]
    owners = {f"J#{journal_id}"} | {f"S#{parse_entry_sk(i.sk)[3]}" for i in items if isinstance(i, Entry)}
    chains: dict[tuple[str, str, str], dict[int, dict[str, AuditRecord]]] = defaultdict(lambda: defaultdict(dict))
    for owner in sorted(owners):
        for record in records_of(owner, journal_id):
            kind, target = record.sk.split("#")[2:4]
            chains[(owner, kind, target)][int(record.version)][record.at] = record
    gaps = []
    for item in items:
        if isinstance(item, Lesson):
            chain = chains[(f"J#{journal_id}", "L", item.lesson_id)]
        else:
            _, kind, target, pupil = parse_entry_sk(item.sk)
            chain = chains[(f"S#{pupil}", kind, target)]
        gaps += [Gap(journal_id, item.sk, v) for v in _missing(chain, int(item.version), item.at)]
    return gaps


def _missing(chain: dict[int, dict[str, AuditRecord]], version: int, at: str | None) -> list[int]:
    """The versions 1..`version` without a record, walking back from the current write time."""
    missing = []
    for v in range(version, 0, -1):
        found = chain.get(v, {})
        record = found.get(at) if at else (found[max(found)] if found else None)
        if record is None:
            missing.append(v)
            at = None
            continue
        if record.before is None and record.previous_at is None:
            break  # the first write of this item (after an expired tombstone, versions start again)
        at = record.previous_at
    return missing


def main(argv: list[str]) -> int:
    gaps = [gap for journal_id in argv for gap in reconcile_journal(journal_id)]
    for gap in gaps:
        print(f"missing audit record: journal {gap.journal_id} item {gap.sk} version {gap.version}")
    print(f"{len(gaps)} gap(s) in {len(argv)} journal(s)")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
