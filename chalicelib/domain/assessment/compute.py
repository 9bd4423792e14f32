"""A pupil's standing in one subject and period: component percentages, total, mark and "needed" (§3-§5).

Everything is exact (`Fraction`); only the total is rounded, half-up, to pick the band. A counted component
(weight > 0) with no entries yet is absent: its weight goes proportionally to the components present, and the
standing is provisional until the period closes. `needed` is worked out over the same components.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from chalicelib.domain.assessment.errors import InvalidInput, PeriodIncomplete
from chalicelib.domain.assessment.packs import FO, FO_SOR, SOCH, SOR, RulePack, Scheme, Weighting
from chalicelib.domain.assessment.rounding import round_half_up

__all__ = ["Status", "WorkResult", "PeriodInputs", "ComponentScore", "PeriodMark", "Standing",
           "compute_period", "ready_to_close"]

PeriodMark = int | str  # 2..5, or "pass" | "fail" | "exempt" | "not_assessed"

_HALF = Fraction(1, 2)


class Status(enum.StrEnum):
    """A pupil's standing in the period as the teacher set it (§5)."""

    ASSESSED = "assessed"
    EXEMPT = "exempt"              # освобождён / босатылған: no mark, outside the statistics
    NOT_ASSESSED = "not_assessed"  # временно не аттестован / уақытша аттестатталмаған


@dataclass(frozen=True, slots=True)
class WorkResult:
    """A pupil's result in one summative work (SOR or SOCH): `points` out of `max_points`, exact numbers."""

    points: Fraction
    max_points: Fraction

    def __post_init__(self) -> None:
        points, maximum = _exact(self.points, "points"), _exact(self.max_points, "max_points")
        if maximum <= 0:
            raise InvalidInput(f"a work's maximum must be positive, not {maximum}")
        if not 0 <= points <= maximum:
            raise InvalidInput(f"points {points} are outside 0..{maximum}")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "max_points", maximum)

    @property
    def percent(self) -> Fraction:
        return 100 * self.points / self.max_points


@dataclass(frozen=True, slots=True)
class PeriodInputs:
    """Everything entered for one pupil, subject and period. `passed`: the verdict of a pass/fail subject."""

    fo: tuple[int, ...] = ()
    sor: tuple[WorkResult, ...] = ()
    soch: tuple[WorkResult, ...] = ()
    status: Status = Status.ASSESSED
    passed: bool | None = None

    def __post_init__(self) -> None:
        for name in ("fo", "sor", "soch"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if any(isinstance(points, bool) or not isinstance(points, int) for points in self.fo):
            raise InvalidInput("FO points are whole numbers")
        if any(not isinstance(result, WorkResult) for result in self.sor + self.soch):
            raise InvalidInput("SOR and SOCH results are WorkResult values")
        object.__setattr__(self, "status", Status(self.status))
        if self.passed is not None and not isinstance(self.passed, bool):
            raise InvalidInput("`passed` is true, false or None")

    def has(self, component: str) -> bool:
        """Whether the component has at least one entry."""
        return bool({FO: self.fo, SOR: self.sor, SOCH: self.soch}[component])


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One counted component: its percentage (None: no entries yet), the pack's weight and the weight applied."""

    code: str  # FO, SOR, SOCH, or FO+SOR when pooled
    percent: Fraction | None
    weight: Fraction
    applied_weight: Fraction  # redistributed over the components present; 0 when absent

    @property
    def present(self) -> bool:
        return self.percent is not None


@dataclass(frozen=True, slots=True)
class Standing:
    """The result of `compute_period`. `needed` maps a mark to the smallest SOCH % reaching it (None: over 100)."""

    pack: RulePack
    scheme: Scheme
    inputs: PeriodInputs
    percents: Mapping[str, Fraction | None] = field(hash=False)  # FO%, SOR%, SOCH% each on its own
    components: tuple[ComponentScore, ...]  # the counted ones, in the order they add up
    total: Fraction | None
    mark: PeriodMark | None
    provisional: bool
    final: bool
    needed: Mapping[int, Fraction | None] = field(hash=False)  # empty when the scheme has no SOCH

    @property
    def rounded(self) -> int | None:
        """The total rounded half-up: the percentage the band is read from."""
        return None if self.total is None else round_half_up(self.total)

    @property
    def absent(self) -> tuple[str, ...]:
        """Counted components with no entries yet, whose weight was redistributed."""
        return tuple(c.code for c in self.components if not c.present)


def ready_to_close(pack: RulePack, scheme: Scheme, inputs: PeriodInputs) -> bool:
    """Whether the period may close for this pupil: exempt, not assessed, or every required result is in."""
    if inputs.status is not Status.ASSESSED or scheme is Scheme.UNMARKED:
        return True
    if scheme is Scheme.PASS_FAIL:
        return inputs.passed is not None
    return all(inputs.has(code) for code in pack.weighting(scheme).required_at_close)


def compute_period(pack: RulePack, scheme: Scheme, inputs: PeriodInputs, *, closed: bool = False) -> Standing:
    """The standing of one pupil: live while the period is open, final (`closed=True`) once it closes.

    Raises `InvalidInput` for entries the scheme does not have or the pack does not allow, and
    `PeriodIncomplete` when `closed` is set before `ready_to_close`.
    """
    scheme = Scheme(scheme)
    _check(pack, scheme, inputs)
    if closed and not ready_to_close(pack, scheme, inputs):
        raise PeriodIncomplete(f"a required result is missing for the {scheme} mark")
    percents = _percents(pack, scheme, inputs)
    if inputs.status is not Status.ASSESSED or scheme in (Scheme.PASS_FAIL, Scheme.UNMARKED):
        return Standing(pack, scheme, inputs, percents, (), None, _unweighted_mark(scheme, inputs),
                        provisional=False, final=closed, needed={})
    weighting = pack.weighting(scheme)
    components = _components(pack, weighting, inputs, percents)
    total = _total(components)
    return Standing(
        pack, scheme, inputs, percents, components, total,
        mark=None if total is None else pack.mark_for(total),
        provisional=not closed and any(not c.present for c in components),
        final=closed,
        needed=_needed(pack, weighting, components),
    )


def _check(pack: RulePack, scheme: Scheme, inputs: PeriodInputs) -> None:
    allowed = _component_codes(pack, scheme)
    extra = [code for code in (FO, SOR, SOCH) if inputs.has(code) and code not in allowed]
    if extra:
        raise InvalidInput(f"a {scheme} subject has no {', '.join(extra)} entries")
    if any(not 1 <= points <= pack.fo_max for points in inputs.fo):
        raise InvalidInput(f"FO points are 1..{pack.fo_max}")
    if inputs.passed is not None and scheme is not Scheme.PASS_FAIL:
        raise InvalidInput("only pass/fail subjects take a pass/fail verdict")


def _component_codes(pack: RulePack, scheme: Scheme) -> tuple[str, ...]:
    """The components a subject of this scheme records: pass/fail subjects keep FO points, unmarked ones none."""
    if scheme is Scheme.PASS_FAIL:
        return (FO,)
    if scheme is Scheme.UNMARKED:
        return ()
    return tuple(pack.weighting(scheme).weights)


def _unweighted_mark(scheme: Scheme, inputs: PeriodInputs) -> PeriodMark | None:
    if inputs.status is not Status.ASSESSED:
        return str(inputs.status)
    if scheme is Scheme.PASS_FAIL and inputs.passed is not None:
        return "pass" if inputs.passed else "fail"
    return None


def _percents(pack: RulePack, scheme: Scheme, inputs: PeriodInputs) -> dict[str, Fraction | None]:
    items = _items(pack, inputs)
    methods = {FO: "points", SOR: pack.sor_method, SOCH: "points"}
    return {code: _percent(items[code], methods[code]) for code in _component_codes(pack, scheme)}


def _items(pack: RulePack, inputs: PeriodInputs) -> dict[str, list[tuple[Fraction, Fraction]]]:
    """Each entry as (points, maximum): an FO entry is out of `fo_max`."""
    return {FO: [(Fraction(points), Fraction(pack.fo_max)) for points in inputs.fo],
            SOR: [(r.points, r.max_points) for r in inputs.sor],
            SOCH: [(r.points, r.max_points) for r in inputs.soch]}


def _percent(items: list[tuple[Fraction, Fraction]], method: str) -> Fraction | None:
    """`points`: 100 * sum of points / sum of maxima; `mean_of_percentages`: the mean of each item's %."""
    if not items:
        return None
    if method == "points":
        return 100 * sum(points for points, _ in items) / sum(maximum for _, maximum in items)
    return sum(100 * points / maximum for points, maximum in items) / len(items)


def _components(pack: RulePack, weighting: Weighting, inputs: PeriodInputs,
                percents: Mapping[str, Fraction | None]) -> tuple[ComponentScore, ...]:
    counted = weighting.counted()
    blocks: list[tuple[str, Fraction, Fraction | None]] = []
    if pack.pool_fo_with_sor and FO in counted:
        items = _items(pack, inputs)
        pooled = items[FO] + (items[SOR] if SOR in counted else [])
        weight = weighting.weights[FO] + (weighting.weights[SOR] if SOR in counted else 0)
        blocks.append((FO_SOR, weight, _percent(pooled, pack.sor_method)))
        counted = tuple(code for code in counted if code not in (FO, SOR))
    blocks += [(code, weighting.weights[code], percents[code]) for code in counted]
    present = sum((weight for _, weight, percent in blocks if percent is not None), Fraction(0))
    return tuple(ComponentScore(code, percent, weight, weight / present if percent is not None else Fraction(0))
                 for code, weight, percent in blocks)


def _total(components: Iterable[ComponentScore]) -> Fraction | None:
    present = [c for c in components if c.present]
    if not present:
        return None
    return sum((c.applied_weight * c.percent for c in present), Fraction(0))


def _needed(pack: RulePack, weighting: Weighting, components: tuple[ComponentScore, ...]) -> dict[int, Fraction | None]:
    """Per mark, the smallest SOCH % s in 0..100 with base + share * s >= band start - 1/2, or None (§3)."""
    if SOCH not in weighting.counted():
        return {}
    others = [c for c in components if c.code != SOCH and c.present]
    soch_weight = weighting.weights[SOCH]
    scale = soch_weight + sum((c.weight for c in others), Fraction(0))
    base = sum((c.weight * c.percent for c in others), Fraction(0)) / scale
    share = soch_weight / scale
    needed: dict[int, Fraction | None] = {}
    for mark in pack.needed_for:
        s = max(Fraction(0), (pack.band_of_mark(mark).lowest - _HALF - base) / share)
        needed[mark] = s if s <= 100 else None
    return needed


def _exact(value: object, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction) or (
            isinstance(value, Decimal) and not value.is_finite()):
        raise InvalidInput(f"{name} must be an int, Decimal or Fraction (exact), not {type(value).__name__}")
    return Fraction(value)
