"""Writing a batch of entries (attendance, formative, results): merged, version-checked, all-or-nothing.

1. One consistent Query reads the lesson's or work's current entries of that kind.
2. Every `version` given is checked against them; any stale one -> 409 with the current values, nothing written.
3. Formative entries and results that will change are noted in their pupils' partitions first (store.marks: one
   BatchWriteItem per 25, 1 WRU each), so a pupil's standing reads them even before the index has them; then the
   term's gate is read (1 RRU): 409 `period-closed` if a close has shut it, the notes forgotten. A close that
   shut it after that waits for the entries noted (store.journal.shut). Attendance holds the gate instead
   (api.journal.admit).
4. Each changed entry is written with one conditional UpdateItem (1 WRU, and 1 for its index entry); entries
   whose values do not change are not written. An entry sent without `version` that someone changes between
   our read and our write is read again and written again (the write applies, nothing is lost). Overwriting an
   entry another batch wrote within the close's lease forgets that batch's note of it (a close need not wait
   for it any longer: its write is there, superseded).
5. If a write fails midway (a version given went stale in that instant, or DynamoDB refused), the entries
   already written by this request are put back as they were (compensation, recorded in the audit trail with
   the reason), and the request fails. A transaction would make this atomic at twice the write cost.
   The notes of entries not written are forgotten, whatever the outcome.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from chalicelib.api.journal import entry_view
from chalicelib.domain import dates
from chalicelib.domain.errors import Conflict, FieldError, StaleVersion
from chalicelib.domain.standing import school_year
from chalicelib.store import journal as store
from chalicelib.store import marks

__all__ = ["Wanted", "save_entries"]

_RETRIES = 3
_UNDO_REASON = "undone: the rest of the batch could not be written"


@dataclass(frozen=True, slots=True)
class Wanted:
    """One entry of a request: its position in the body, the pupil, the new values (None: remove), version."""

    index: int
    pupil_id: str
    values: Mapping[str, Any] | None
    version: int | None


def _matches(current: store.Entry | None, version: int) -> bool:
    if current is None:
        return version == 0
    if current.removed:
        return version in (0, int(current.version))
    return version == int(current.version)


def _unchanged(current: store.Entry | None, values: Mapping[str, Any] | None) -> bool:
    if current is None or current.removed:
        return values is None
    if values is None:
        return False
    return all(_norm(getattr(current, name)) == _norm(values.get(name)) for name in store.VALUE_FIELDS)


def _norm(value: Any) -> Any:
    if value in (None, "", set(), {}, []):
        return None
    return set(map(int, value)) if isinstance(value, (set, frozenset)) else value


def _current_view(pupil_id: str, entry: store.Entry | None) -> dict[str, Any]:
    if entry is None or entry.removed:
        return {"student_id": pupil_id, "removed": True, "version": int(entry.version) if entry else 0}
    return entry_view(entry)


def _stale(stale: Sequence[tuple[Wanted, store.Entry | None]]) -> StaleVersion:
    return StaleVersion(
        "Someone changed these entries since you read them; here is what they hold now.",
        [FieldError(f"entries[{w.index}].version",
                    f"read {w.version}, now {int(c.version) if c is not None else 0}") for w, c in stale],
        extra={"current": [_current_view(w.pupil_id, c) for w, c in stale]})


def save_entries(journal_id: str, term: str, kind: str, target_id: str, day: str, wanted: Sequence[Wanted],
                 actor: store.Actor) -> dict[str, store.Entry]:
    """Apply `wanted` to a lesson's or work's entries of `kind`; returns every entry of it by pupil."""
    current = store.entries_of(journal_id, term, kind, target_id)
    stale = [(w, current.get(w.pupil_id)) for w in wanted
             if w.version is not None and not _matches(current.get(w.pupil_id), w.version)]
    if stale:
        raise _stale(stale)
    year = school_year(date.fromisoformat(day))
    noted = _note(journal_id, term, kind, target_id, wanted, current, actor, year) if kind in ("F", "R") else {}
    written: list[tuple[store.Entry, store.Entry | None]] = []
    try:
        if kind in ("F", "R"):
            store.check_open(journal_id, term)
        for w in wanted:
            before = current.get(w.pupil_id)
            after = _write(journal_id, store.entry_sk(term, kind, target_id, w.pupil_id), day, w, before, actor)
            if after is not before:
                written.append((after, before))
                current[w.pupil_id] = after
    except Exception:
        undo = replace(actor, reason=_UNDO_REASON)
        for after, before in reversed(written):
            store.undo_entry(after, before, undo)
        raise
    finally:
        mine = {after.sk for after, _ in written}
        unwritten = [n for n in noted.values() if n.entry_sk not in mine]
        if unwritten:
            marks.forget_writes(year, actor.at, unwritten)
    if noted:
        _supersede(journal_id, written, year)
    return current


def _note(journal_id: str, term: str, kind: str, target_id: str, wanted: Sequence[Wanted],
          current: dict[str, store.Entry], actor: store.Actor, year: int) -> dict[str, marks.Noted]:
    """Note the entries that will change, with the version each will have (read-your-writes for the standing,
    and what a close waits for); by pupil."""
    noted = {}
    for w in wanted:
        before = current.get(w.pupil_id)
        if not _unchanged(before, w.values):
            version = (int(before.version) if before is not None else 0) + 1
            noted[w.pupil_id] = marks.Noted(w.pupil_id, journal_id, store.entry_sk(term, kind, target_id, w.pupil_id),
                                            version)
    if noted:
        marks.note_writes(year, actor.at, list(noted.values()))
    return noted


def _supersede(journal_id: str, written: Sequence[tuple[store.Entry, store.Entry | None]], year: int) -> None:
    """Forget the notes of the batches whose writes this one overwrote within the close's lease."""
    recent = dates.to_rfc3339(dates.now_kz() - timedelta(seconds=store.LEASE_SECONDS))
    by_batch: dict[str, list[marks.Noted]] = {}
    for after, before in written:
        if before is not None and before.at and before.at >= recent and before.at != after.at:
            pupil = store.parse_entry_sk(after.sk)[3]
            by_batch.setdefault(before.at, []).append(marks.Noted(pupil, journal_id, after.sk, int(before.version)))
    for at, superseded in by_batch.items():
        marks.forget_writes(year, at, superseded)


def _write(journal_id: str, sk: str, day: str, w: Wanted, before: store.Entry | None,
           actor: store.Actor) -> store.Entry | None:
    """Write one entry; returns `before` itself when nothing had to change."""
    for _ in range(_RETRIES):
        if _unchanged(before, w.values):
            return before
        try:
            return store.write_entry(before, journal_id, sk, day, w.pupil_id, w.values, actor)
        except store.VersionConflict as conflict:
            if w.version is not None:
                raise _stale([(w, conflict.current)]) from None
            before = conflict.current
    raise Conflict("This entry is being changed by others right now; retry.", slug="busy")
