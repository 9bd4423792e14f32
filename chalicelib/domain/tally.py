"""What a journal's entries add up to: the counters kept from the stream and recomputed by reconciliation.

Pure. A `Ledger` is one lesson's or work's state as far as counting goes: the lesson or work itself (`Target`:
day, teacher, topic, kind, maximum) and, for each of its entries, the version last taken and what it holds.
Changes are taken newest-version-wins, so a duplicate, a replay or a late delivery of an older version changes
nothing, whatever the order (`take_target`, `take_entry`); an item deleted (`drop_entry`) or a tombstone
expired (`forget_entry`) leaves the ledger, so that a new item under the same key starts again at version 1.

`tally(ledger)` is everything one ledger counts for, as `Key -> amount`:

    ("pupil", <pupil>, <field>)             PUPIL_FIELDS: FO sum and count, SOR and SOCH points and maxima,
                                            attendance by status
    ("teacher", <teacher>, <day>, <field>)  TEACHER_FIELDS of the lesson's or work's teacher (its last writer)
    ("school", <day>, <field>)              SCHOOL_FIELDS of the day of the lesson or work

The stream consumer adds `difference(tally(after), tally(before))` to the counters; reconciliation builds the
ledgers from the journal and compares totals. An entry counts for its teacher and day only once its lesson or
work is known, and a result counts for SOR or SOCH only then: the totals converge when that record arrives.
A removed lesson or work (its tombstone, `Target.removed`) counts for nothing, its entries neither; when the
tombstone expires it leaves the ledger (`forget_target`), so that the lesson's place may be taken again.
`counted_inputs` and `distribution` give a pupil's inputs and the class's live marks from the pupils' sums: exact
for `sor_method` "points" (both shipped packs); "mean_of_percentages" needs each SOR's result, which sums lose.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from chalicelib.domain.assessment import PeriodInputs, RulePack, Scheme, Status, WorkResult, compute_period

__all__ = [
    "PUPIL_FIELDS", "TEACHER_FIELDS", "SCHOOL_FIELDS", "ATTENDANCE", "ABSENCES", "Key", "Target", "EntryState",
    "Ledger", "tally", "difference", "accumulate", "pupil_sums", "counted_inputs", "live_mark", "distribution",
]

ATTENDANCE = ("present", "absent", "excused", "ill", "late")
ABSENCES = frozenset({"absent", "excused", "ill"})
PUPIL_FIELDS = ("fo_sum", "fo_count", "sor_points", "sor_max", "soch_points", "soch_max", *ATTENDANCE)
TEACHER_FIELDS = ("lessons", "topics", "attendance", "marks")
SCHOOL_FIELDS = ("entries", "absences")

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """A lesson or work as counted: its version, day (ISO date), teacher, and topic or kind and maximum;
    `removed`: a tombstone (it and its entries count for nothing)."""

    version: int
    day: str
    teacher: str | None
    topic: bool = False
    work_kind: str | None = None  # SOR | SOCH (works)
    max_points: int = 0
    removed: bool = False


@dataclass(frozen=True, slots=True)
class EntryState:
    """One entry as counted: its version; a tombstone is not `live`; `value` is a status or points (or None)."""

    version: int
    live: bool = True
    value: str | int | None = None


@dataclass
class Ledger:
    """A lesson (`kind` "L") or work ("W") and its entries by (kind letter A/F/R, pupil)."""

    kind: str
    target: Target | None = None
    entries: dict[tuple[str, str], EntryState] = field(default_factory=dict)

    def take_target(self, target: Target) -> bool:
        """Take the lesson or work as of `target.version`, if newer than what the ledger holds."""
        if self.target is not None and self.target.version >= target.version:
            return False
        self.target = target
        return True

    def drop_target(self, version: int) -> bool:
        """The lesson or work was deleted after `version`."""
        if self.target is None or self.target.version > version:
            return False
        self.target = None
        return True

    def forget_target(self, version: int) -> bool:
        """A tombstone of `version` expired: forget it (it counted for nothing); a live lesson or work stays."""
        if self.target is None or not self.target.removed or self.target.version > version:
            return False
        self.target = None
        return True

    def take_entry(self, letter: str, pupil: str, state: EntryState) -> bool:
        """Take an entry as of `state.version`, if newer than what the ledger holds."""
        held = self.entries.get((letter, pupil))
        if held is not None and held.version >= state.version:
            return False
        self.entries[(letter, pupil)] = state
        return True

    def drop_entry(self, letter: str, pupil: str, version: int) -> bool:
        """The entry was deleted after `version`: its state leaves (and with it what it counted)."""
        held = self.entries.get((letter, pupil))
        if held is None or held.version > version:
            return False
        del self.entries[(letter, pupil)]
        return True

    def forget_entry(self, letter: str, pupil: str, version: int) -> bool:
        """A tombstone of `version` expired: forget it (it counted for nothing); a live entry stays."""
        held = self.entries.get((letter, pupil))
        if held is None or held.live or held.version > version:
            return False
        del self.entries[(letter, pupil)]
        return True

    def copy(self) -> Ledger:
        return copy.deepcopy(self)


def _add(total: dict[Key, int], key: Key, amount: int) -> None:
    if amount:
        total[key] = total.get(key, 0) + amount


def tally(ledger: Ledger) -> dict[Key, int]:
    """Everything one lesson or work counts for (zero amounts left out)."""
    total: dict[Key, int] = {}
    target = ledger.target
    if target is not None and target.removed:
        return total
    live = [(letter, pupil, state.value) for (letter, pupil), state in sorted(ledger.entries.items()) if state.live]
    for letter, pupil, value in live:
        if letter == "A" and isinstance(value, str):
            _add(total, ("pupil", pupil, value), 1)
        elif letter == "F" and isinstance(value, int):
            _add(total, ("pupil", pupil, "fo_sum"), value)
            _add(total, ("pupil", pupil, "fo_count"), 1)
        elif letter == "R" and isinstance(value, int) and target is not None and target.work_kind:
            prefix = target.work_kind.lower()
            _add(total, ("pupil", pupil, f"{prefix}_points"), value)
            _add(total, ("pupil", pupil, f"{prefix}_max"), target.max_points)
    if target is None:
        return total
    attendance = sum(letter == "A" for letter, _, _ in live)
    marks = sum(letter in "FR" and isinstance(value, int) for letter, _, value in live)
    if target.teacher is not None:
        teacher = ("teacher", target.teacher, target.day)
        _add(total, (*teacher, "lessons"), int(ledger.kind == "L"))
        _add(total, (*teacher, "topics"), int(ledger.kind == "L" and target.topic))
        _add(total, (*teacher, "attendance"), attendance)
        _add(total, (*teacher, "marks"), marks)
    _add(total, ("school", target.day, "entries"), len(live))
    _add(total, ("school", target.day, "absences"),
             sum(letter == "A" and value in ABSENCES for letter, _, value in live))
    return total


def difference(after: Mapping[Key, int], before: Mapping[Key, int]) -> dict[Key, int]:
    """after - before, zero amounts left out."""
    out: dict[Key, int] = {}
    for key in after.keys() | before.keys():
        _add(out, key, after.get(key, 0) - before.get(key, 0))
    return out


def accumulate(tallies: Iterable[Mapping[Key, int]]) -> dict[Key, int]:
    """The sum of several tallies (zero amounts left out)."""
    total: dict[Key, int] = {}
    for one in tallies:
        for key, amount in one.items():
            _add(total, key, amount)
    return {key: amount for key, amount in total.items() if amount}


def pupil_sums(total: Mapping[Key, int]) -> dict[str, list[int]]:
    """The pupils' rows (amounts in PUPIL_FIELDS order) of a tally."""
    rows: dict[str, list[int]] = {}
    for key, amount in total.items():
        if key[0] == "pupil":
            rows.setdefault(key[1], [0] * len(PUPIL_FIELDS))[PUPIL_FIELDS.index(key[2])] += amount
    return rows


def _spread(total: int, count: int) -> tuple[int, ...]:
    """`count` whole numbers adding up to `total` (their mean is the FO mean: same FO%)."""
    low, extra = divmod(total, count) if count else (0, 0)
    return (low + 1,) * extra + (low,) * (count - extra)


def counted_inputs(sums: Sequence[int], *, status: str | None = None, passed: bool | None = None) -> PeriodInputs:
    """A pupil's inputs from their sums (PUPIL_FIELDS order), with the status and verdict the school set."""
    fo_sum, fo_count, sor_points, sor_max, soch_points, soch_max = (list(sums) + [0] * 6)[:6]
    return PeriodInputs(fo=_spread(fo_sum, fo_count),
                        sor=(WorkResult(sor_points, sor_max),) if sor_max else (),
                        soch=(WorkResult(soch_points, soch_max),) if soch_max else (),
                        status=Status(status or Status.ASSESSED), passed=passed)


def live_mark(sums: Sequence[int], pack: RulePack, scheme: Scheme) -> int | str | None:
    """A pupil's live mark from their sums (None before any entry that counts)."""
    return compute_period(pack, scheme, counted_inputs(sums)).mark


def distribution(pupils: Mapping[str, Sequence[int]], pack: RulePack, scheme: Scheme) -> dict[str, int]:
    """How many pupils have each live mark ("2".."5"); empty for schemes without weighted marks."""
    if scheme not in (Scheme.TERM, Scheme.HALF_YEAR):
        return {}
    counts: dict[str, int] = {}
    for sums in pupils.values():
        mark = live_mark(sums, pack, scheme)
        if isinstance(mark, int):
            counts[str(mark)] = counts.get(str(mark), 0) + 1
    return dict(sorted(counts.items()))
