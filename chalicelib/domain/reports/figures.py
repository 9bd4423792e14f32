"""The figures of a group of pupils (a class, a grade, a school, a region), small-cell suppression, and live
period marks from counted sums and SOR results (pure).

`Tally` counts what the school, region and national reports show; tallies add up, so a grade's is the sum of
its classes' and a region's the sum of its schools' (a school's tally is what its rollup keeps).

- Subject marks (every pupil's mark in every subject) give §8's figures: СОУ and the average mark.
- Pupils are counted once each by their lowest result: with a "2" in any subject, else not assessed in any,
  else with a "3", else "good" (4s and 5s), else "excellent" (5s only). A pupil with no mark at all (exempt,
  pass/fail only, nothing entered yet) is on the roll but not assessed (§8: outside N). Pass rate and quality
  of a group are shares of its assessed pupils: pupils with no "2" and no "not assessed"; pupils with 4s and
  5s only.

Suppression (`shown_count`, `shown_share`): a figure computed from fewer than 5 pupils is hidden; where one
pupil count of a row is hidden and the others and their total are shown, the smallest other non-zero count is
hidden too, so no hidden count is the difference of the shown ones (`hide_complements`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from chalicelib.domain.assessment import RulePack, Scheme, compute_period
from chalicelib.domain.assessment.statistics import SOU_WEIGHTS
from chalicelib.domain.reports.document import MIN_PUPILS, SUPPRESSED, Cell, percent_of
from chalicelib.domain.tally import Results, counted_inputs

__all__ = [
    "CATEGORIES", "MARK_KEYS", "ABSENCE_STATUSES", "Tally", "tally_of", "category_of", "shown_count", "shown_share",
    "hide_complements", "LiveResult", "live_result", "missed_lessons",
]

CATEGORIES = ("excellent", "good", "with_3", "with_2", "not_assessed")
MARK_KEYS = ("5", "4", "3", "2", "not_assessed")
ABSENCE_STATUSES = ("absent", "excused", "ill", "late")
_MISSED = ("absent", "excused", "ill")


def category_of(marks: Iterable[object]) -> str | None:
    """A pupil's group by their lowest result (None: no mark 2..5 and never not assessed)."""
    seen = {str(m) for m in marks if m in (2, 3, 4, 5, "not_assessed") and not isinstance(m, bool)}
    for mark, category in (("2", "with_2"), ("not_assessed", "not_assessed"), ("3", "with_3"), ("4", "good"),
                           ("5", "excellent")):
        if mark in seen:
            return category
    return None


def missed_lessons(absences: Mapping[str, int]) -> int:
    """Lessons missed: absent, excused and ill (late is present)."""
    return sum(absences.get(status, 0) for status in _MISSED)


@dataclass(frozen=True, slots=True)
class Tally:
    """Pupils on the roll, pupils by lowest result, subject marks by value, lessons missed by status."""

    pupils: int = 0
    categories: Mapping[str, int] = field(default_factory=dict, hash=False)
    marks: Mapping[str, int] = field(default_factory=dict, hash=False)
    absences: Mapping[str, int] = field(default_factory=dict, hash=False)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.pupils + other.pupils, _sum(self.categories, other.categories),
                     _sum(self.marks, other.marks), _sum(self.absences, other.absences))

    @property
    def assessed(self) -> int:
        """N: pupils with at least one mark 2..5 or not assessed."""
        return sum(self.categories.values())

    def count(self, category: str) -> int:
        return self.categories.get(category, 0)

    @property
    def pass_rate(self) -> Fraction | None:
        return percent_of(self.assessed - self.count("with_2") - self.count("not_assessed"), self.assessed)

    @property
    def quality(self) -> Fraction | None:
        return percent_of(self.count("excellent") + self.count("good"), self.assessed)

    @property
    def sou(self) -> Fraction | None:
        """СОУ over the subject marks (§8)."""
        n = sum(self.marks.get(key, 0) for key in MARK_KEYS)
        return Fraction(sum(SOU_WEIGHTS[k] * self.marks.get(k, 0) for k in MARK_KEYS), n) if n else None

    @property
    def average(self) -> Fraction | None:
        """The mean of the numeric subject marks."""
        numeric = {int(k): self.marks.get(k, 0) for k in ("2", "3", "4", "5")}
        count = sum(numeric.values())
        return Fraction(sum(mark * n for mark, n in numeric.items()), count) if count else None

    @property
    def missed(self) -> int:
        return missed_lessons(self.absences)

    def missed_per_pupil(self) -> Fraction | None:
        return Fraction(self.missed, self.pupils) if self.pupils else None

    def as_json(self) -> dict[str, Any]:
        return {"pupils": self.pupils, "categories": dict(self.categories), "marks": dict(self.marks),
                "absences": dict(self.absences)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Tally:
        return cls(int(raw["pupils"]), _ints(raw["categories"]), _ints(raw["marks"]), _ints(raw["absences"]))


def _ints(raw: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in raw.items() if int(v)}


def _sum(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted(a.keys() | b.keys()) if a.get(k, 0) + b.get(k, 0)}


def tally_of(marks: Mapping[str, Sequence[object]], absences: Mapping[str, Mapping[str, int]],
             pupils: Iterable[str]) -> Tally:
    """The tally of `pupils` from each pupil's subject marks and absences by status."""
    roll = list(pupils)
    categories: dict[str, int] = {}
    counted: dict[str, int] = {}
    missed: dict[str, int] = {}
    for pupil in roll:
        own = marks.get(pupil, ())
        category = category_of(own)
        if category is not None:
            categories[category] = categories.get(category, 0) + 1
        for mark in own:
            if mark in (2, 3, 4, 5, "not_assessed") and not isinstance(mark, bool):
                counted[str(mark)] = counted.get(str(mark), 0) + 1
        for status, n in absences.get(pupil, {}).items():
            if status in ABSENCE_STATUSES and n:
                missed[status] = missed.get(status, 0) + n
    return Tally(len(roll), categories, counted, missed)


def shown_count(n: int) -> Cell:
    """A pupil count as a region may see it: 1..4 hidden (0 says nobody and is shown)."""
    return SUPPRESSED if 0 < n < MIN_PUPILS else n


def shown_share(value: Fraction | None, pupils: int) -> Cell:
    """A figure computed from `pupils` pupils: hidden when they are fewer than 5 (but not none)."""
    return SUPPRESSED if 0 < pupils < MIN_PUPILS else value


def hide_complements(counts: Sequence[int], shown: Sequence[Cell]) -> list[Cell]:
    """`shown` (the counts as `shown_count` left them) with the smallest other non-zero count hidden too
    wherever exactly one count is hidden: a total shown beside them must not give it away."""
    cells = list(shown)
    hidden = [i for i, cell in enumerate(cells) if cell is SUPPRESSED]
    if len(hidden) != 1:
        return cells
    others = [(counts[i], i) for i, cell in enumerate(cells) if cell is not SUPPRESSED and counts[i] > 0]
    if others:
        cells[min(others)[1]] = SUPPRESSED
    return cells


@dataclass(frozen=True, slots=True)
class LiveResult:
    """A pupil's standing in one subject and period: the unrounded percentage, the mark, and whether the mark is
    provisional (a component still has no entry) or final (the period is closed)."""

    percent: Fraction | None
    mark: int | str | None
    provisional: bool = False
    final: bool = False


def live_result(sums: Sequence[int], pack: RulePack, scheme: Scheme, results: Results | None = None) -> LiveResult:
    """The live standing from a pupil's counted sums (FO sum and count, SOR and SOCH points and maxima) and SOR
    results (work -> (points, maximum)): the engine's standing from the entries, for every `sor_method`."""
    if scheme not in (Scheme.TERM, Scheme.HALF_YEAR):
        return LiveResult(None, None)
    standing = compute_period(pack, scheme, counted_inputs(sums, pack, scheme, results=results))
    return LiveResult(standing.total, standing.mark, standing.provisional)
