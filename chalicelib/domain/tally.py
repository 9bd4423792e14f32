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
    ("sor", <pupil>, <work>, <field>)       each SOR result on its own: "points" and "max" (`pupil_results`)

The stream consumer adds `difference(tally(after), tally(before))` to the counters; reconciliation builds the
ledgers from the journal and compares totals. An entry counts for its teacher and day only once its lesson or
work is known, and a result counts for SOR or SOCH only then: the totals converge when that record arrives.
A removed lesson or work (its tombstone, `Target.removed`) counts for nothing, its entries neither; when the
tombstone expires it leaves the ledger (`forget_target`), so that the lesson's place may be taken again.
`counted_inputs` and `distribution` give a pupil's inputs and the class's live marks from the pupils' sums and
SOR results, exact for every `sor_method`: "mean_of_percentages" takes the mean of each SOR's percentage, which
the SOR sums lose, so each SOR result is counted on its own too (a work's maximum is never 0, so a result of 0
points still shows). SOCH is always "points" (§3): its sums are enough.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from chalicelib.domain.assessment import SOCH, SOR, PeriodInputs, RulePack, Scheme, compute_period
from chalicelib.domain.standing import Cell, inputs_of

__all__ = [
    "PUPIL_FIELDS", "TEACHER_FIELDS", "SCHOOL_FIELDS", "ATTENDANCE", "ABSENCES", "Key", "Target", "EntryState",
    "Ledger", "Results", "tally", "difference", "accumulate", "pupil_sums", "pupil_results", "counted_inputs",
    "live_mark", "distribution",
]

ATTENDANCE = ("present", "absent", "excused", "ill", "late")
ABSENCES = frozenset({"absent", "excused", "ill"})
PUPIL_FIELDS = ("fo_sum", "fo_count", "sor_points", "sor_max", "soch_points", "soch_max", *ATTENDANCE)
TEACHER_FIELDS = ("lessons", "topics", "attendance", "marks")
SCHOOL_FIELDS = ("entries", "absences")

Key = tuple[str, ...]
Results = Mapping[str, Sequence[int]]  # a pupil's SOR results: work -> (points, maximum)


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
    """A lesson (`kind` "L") or work ("W") and its entries by (kind letter A/F/R, pupil); `target_id` is the
    lesson's or work's id (a SOR's results are counted under it)."""

    kind: str
    target: Target | None = None
    entries: dict[tuple[str, str], EntryState] = field(default_factory=dict)
    target_id: str = ""

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
            if target.work_kind == SOR:
                _add(total, ("sor", pupil, ledger.target_id, "points"), value)
                _add(total, ("sor", pupil, ledger.target_id, "max"), target.max_points)
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


def pupil_results(total: Mapping[Key, int]) -> dict[str, dict[str, list[int]]]:
    """The pupils' SOR results (work -> [points, maximum]) of a tally."""
    rows: dict[str, dict[str, list[int]]] = {}
    for key, amount in total.items():
        if key[0] == "sor":
            rows.setdefault(key[1], {}).setdefault(key[2], [0, 0])[0 if key[3] == "points" else 1] += amount
    return rows


def _spread(total: int, count: int) -> tuple[int, ...]:
    """`count` whole numbers adding up to `total` (their mean is the FO mean: same FO%)."""
    low, extra = divmod(total, count) if count else (0, 0)
    return (low + 1,) * extra + (low,) * (count - extra)


def _sor_results(sor_points: int, sor_max: int, results: Results | None) -> list[tuple[int, int]]:
    """Each SOR result, when `results` account for the SOR sums; else the sums as one result (a sheet kept
    before results were counted on their own, until reconciliation adds them: exact for "points" only)."""
    own = [(int(points), int(maximum)) for points, maximum in (results or {}).values() if maximum]
    if own and (sum(p for p, _ in own), sum(m for _, m in own)) == (sor_points, sor_max):
        return own
    return [(sor_points, sor_max)] if sor_max else []


def counted_inputs(sums: Sequence[int], pack: RulePack, scheme: Scheme, *, results: Results | None = None,
                   status: str | None = None, passed: bool | None = None) -> PeriodInputs:
    """A pupil's inputs from their sums (PUPIL_FIELDS order) and SOR results (work -> (points, maximum)), as
    `standing.inputs_of` makes them from entries: what the scheme records, with the status and verdict the
    school set."""
    fo_sum, fo_count, sor_points, sor_max, soch_points, soch_max = (list(sums) + [0] * 6)[:6]
    cells = [Cell("", "", "F", "", points) for points in _spread(fo_sum, fo_count)]
    cells += [Cell("", "", "R", "", points, maximum, SOR)
              for points, maximum in _sor_results(sor_points, sor_max, results)]
    if soch_max:
        cells.append(Cell("", "", "R", "", soch_points, soch_max, SOCH))
    return inputs_of(pack, scheme, cells, status=status, passed=passed)


def live_mark(sums: Sequence[int], pack: RulePack, scheme: Scheme, results: Results | None = None
              ) -> int | str | None:
    """A pupil's live mark from their sums and SOR results (None before any entry that counts)."""
    return compute_period(pack, scheme, counted_inputs(sums, pack, scheme, results=results)).mark


def distribution(pupils: Mapping[str, Sequence[int]], pack: RulePack, scheme: Scheme,
                 results: Mapping[str, Results] | None = None) -> dict[str, int]:
    """How many pupils have each live mark ("2".."5") from their sums and SOR results; empty for schemes
    without weighted marks."""
    if scheme not in (Scheme.TERM, Scheme.HALF_YEAR):
        return {}
    counts: dict[str, int] = {}
    for pupil, sums in pupils.items():
        mark = live_mark(sums, pack, scheme, (results or {}).get(pupil))
        if isinstance(mark, int):
            counts[str(mark)] = counts.get(str(mark), 0) + 1
    return dict(sorted(counts.items()))
