"""Rule packs: the weights, settings and bands of one era of the national rules, kept as data.

The shipped packs live in `chalicelib/domain/data/rule-packs.json` (read once through `importlib.resources`).
A pack holds, per scheme (`term`, `half_year`), the weight of each component (FO, SOR, SOCH; exact decimals
or fractions adding up to 1) and the components a pupil must have before the period closes; the §3 settings
`fo_max`, `sor_method` ("points" | "mean_of_percentages") and `pool_fo_with_sor`; the §4 bands with their
kk/ru names; the marks `needed` is worked out for; the grades without marks; and the weekly hours up to which
a subject is marked per half-year. A new pack is a new entry in that file (or a dict passed to `load_packs`).
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Any

from chalicelib.domain.assessment.errors import InvalidInput, NoRulePack, RulePackInvalid
from chalicelib.domain.assessment.rounding import round_half_up
from chalicelib.domain.dates import parse_date

__all__ = [
    "FO", "SOR", "SOCH", "FO_SOR", "COMPONENTS", "SOR_METHODS", "LANGUAGES",
    "Scheme", "Band", "Weighting", "RulePack", "load_packs", "rule_packs", "pack_for", "scheme_for",
]

FO, SOR, SOCH = "FO", "SOR", "SOCH"
FO_SOR = "FO+SOR"  # the pooled block when `pool_fo_with_sor` is set
COMPONENTS = (FO, SOR, SOCH)
SOR_METHODS = ("points", "mean_of_percentages")
LANGUAGES = ("kk", "ru")
SUBJECT_ASSESSMENTS = ("criteria", "pass_fail", "none")  # a subject's `assessment` in the API

_SCHOOL_YEAR_START = (9, 1)
_PACK_KEYS = frozenset({"code", "effective_from", "source", "fo_max", "sor_method", "pool_fo_with_sor", "schemes",
                        "half_year_hours", "unmarked_grades", "needed_for", "bands"})


class Scheme(enum.StrEnum):
    """How a subject is marked in a period."""

    TERM = "term"            # per term from FO, SOR and SOCH (§3)
    HALF_YEAR = "half_year"  # 1-hour subjects, per half-year from FO and SOR (§5)
    PASS_FAIL = "pass_fail"  # зачёт/незачёт, the teacher's verdict (§5)
    UNMARKED = "unmarked"    # grade 1 and subjects assessed "none": feedback only (§5)


WEIGHTED_SCHEMES = (Scheme.TERM, Scheme.HALF_YEAR)


@dataclass(frozen=True, slots=True)
class Band:
    """Rounded percentages `lowest`..`highest` (inclusive) give `mark`; `name` in kk and ru (§4)."""

    mark: int
    lowest: int
    highest: int
    name: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Weighting:
    """The weight of each component in one scheme, and what a pupil needs before the period closes."""

    weights: Mapping[str, Fraction] = field(hash=False)
    required_at_close: frozenset[str]

    def counted(self) -> tuple[str, ...]:
        """The components with a positive weight, in FO, SOR, SOCH order."""
        return tuple(code for code, weight in self.weights.items() if weight > 0)


@dataclass(frozen=True, slots=True)
class RulePack:
    """One era of the rules. Construct through `load_packs`; adjust a school's settings with `with_settings`."""

    code: str
    effective_from: date
    fo_max: int
    sor_method: str
    pool_fo_with_sor: bool
    schemes: Mapping[Scheme, Weighting] = field(hash=False)
    bands: tuple[Band, ...]
    needed_for: tuple[int, ...]
    unmarked_grades: frozenset[int]
    half_year_hours: int
    source: str = ""

    def __post_init__(self) -> None:
        _check_pack(self)

    def weighting(self, scheme: Scheme) -> Weighting:
        """The weights of a weighted scheme (term or half-year)."""
        if scheme not in self.schemes:
            raise InvalidInput(f"scheme {scheme} has no weights")
        return self.schemes[scheme]

    def band_for(self, percent: Fraction) -> Band:
        """The band of a percentage, after rounding it half-up to an integer (§3, §4)."""
        if not 0 <= percent <= 100:
            raise InvalidInput(f"percentage {percent} is outside 0..100")
        rounded = round_half_up(percent)
        return next(band for band in reversed(self.bands) if band.lowest <= rounded)

    def mark_for(self, percent: Fraction) -> int:
        """The mark for a percentage: 39.5 -> 40 -> 3, 64.49 -> 64 -> 3, 84.5 -> 85 -> 5."""
        return self.band_for(percent).mark

    def band_of_mark(self, mark: int) -> Band:
        """The band that gives `mark`."""
        return next(band for band in self.bands if band.mark == mark)

    def with_settings(self, *, sor_method: str | None = None, pool_fo_with_sor: bool | None = None,
                      fo_max: int | None = None, half_year_weights: Mapping[str, Any] | None = None) -> RulePack:
        """This pack with a school's choices for the configurable §3/§5 settings (validated like the data)."""
        changes: dict[str, Any] = {}
        if sor_method is not None:
            changes["sor_method"] = sor_method
        if pool_fo_with_sor is not None:
            changes["pool_fo_with_sor"] = pool_fo_with_sor
        if fo_max is not None:
            changes["fo_max"] = fo_max
        if half_year_weights is not None:
            half_year = self.schemes[Scheme.HALF_YEAR]
            changes["schemes"] = {**self.schemes, Scheme.HALF_YEAR: Weighting(
                _weights(half_year_weights, f"{self.code}.half_year"), half_year.required_at_close)}
        return dataclasses.replace(self, **changes)


def load_packs(raw: Mapping[str, Any]) -> tuple[RulePack, ...]:
    """Rule packs from their data (`{"packs": [...]}`, the shape of rule-packs.json), oldest first."""
    entries = raw.get("packs") if isinstance(raw, Mapping) else None
    if not isinstance(entries, Sequence) or not entries:
        raise RulePackInvalid("rule pack data needs a non-empty list `packs`")
    packs = sorted((_parse_pack(entry) for entry in entries), key=lambda pack: pack.effective_from)
    for earlier, later in zip(packs, packs[1:]):
        if earlier.effective_from == later.effective_from:
            raise RulePackInvalid(f"{earlier.code} and {later.code} take effect on the same day")
    if len({pack.code for pack in packs}) != len(packs):
        raise RulePackInvalid("rule pack codes must be unique")
    return tuple(packs)


@functools.cache
def rule_packs() -> tuple[RulePack, ...]:
    """The shipped rule packs, oldest first."""
    text = resources.files("chalicelib.domain").joinpath("data", "rule-packs.json").read_text(encoding="utf-8")
    return load_packs(json.loads(text))


def pack_for(year: int, packs: Sequence[RulePack] | None = None) -> RulePack:
    """The pack in force on 1 September of school year `year` (2019 = 2019-20 -> KZ-2016; 2020 -> KZ-2020)."""
    start = date(year, *_SCHOOL_YEAR_START)
    in_force = [pack for pack in (rule_packs() if packs is None else packs) if pack.effective_from <= start]
    if not in_force:
        raise NoRulePack(f"no rule pack was in force at the start of school year {year}")
    return max(in_force, key=lambda pack: pack.effective_from)


def scheme_for(pack: RulePack, *, grade: int, assessment: str = "criteria", hours_per_week: int) -> Scheme:
    """How a subject (`assessment`: criteria | pass_fail | none) is marked in a grade under this pack."""
    if assessment not in SUBJECT_ASSESSMENTS:
        raise InvalidInput(f"unknown subject assessment {assessment!r}")
    if assessment == "none" or grade in pack.unmarked_grades:
        return Scheme.UNMARKED
    if assessment == "pass_fail":
        return Scheme.PASS_FAIL
    return Scheme.HALF_YEAR if hours_per_week <= pack.half_year_hours else Scheme.TERM


def _parse_pack(raw: Any) -> RulePack:
    if not isinstance(raw, Mapping):
        raise RulePackInvalid("a rule pack is an object")
    code = raw.get("code")
    unknown = set(raw) - _PACK_KEYS
    if unknown:
        raise RulePackInvalid(f"{code}: unknown keys {sorted(unknown)}")
    try:
        schemes = raw["schemes"]
        if set(schemes) != {str(scheme) for scheme in WEIGHTED_SCHEMES}:
            raise RulePackInvalid(f"{code}: `schemes` needs exactly {[str(s) for s in WEIGHTED_SCHEMES]}")
        return RulePack(
            code=code,
            effective_from=parse_date(raw["effective_from"]),
            fo_max=raw["fo_max"],
            sor_method=raw["sor_method"],
            pool_fo_with_sor=raw["pool_fo_with_sor"],
            schemes={scheme: Weighting(_weights(schemes[scheme]["weights"], f"{code}.{scheme}"),
                                       frozenset(schemes[scheme].get("required_at_close", ())))
                     for scheme in WEIGHTED_SCHEMES},
            bands=_bands(raw["bands"], code),
            needed_for=tuple(raw["needed_for"]),
            unmarked_grades=frozenset(raw["unmarked_grades"]),
            half_year_hours=raw["half_year_hours"],
            source=raw.get("source", ""),
        )
    except RulePackInvalid:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:  # InvalidDate is a ValueError
        raise RulePackInvalid(f"{code}: missing or malformed {error}") from error


def _weights(raw: Mapping[str, Any], where: str) -> dict[str, Fraction]:
    if not isinstance(raw, Mapping) or not set(raw) <= set(COMPONENTS):
        raise RulePackInvalid(f"{where}: weights are an object with keys among {list(COMPONENTS)}")
    return {code: _fraction(raw[code], f"{where}.{code}") for code in COMPONENTS if code in raw}


def _fraction(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal | Fraction):
        raise RulePackInvalid(f"{where}: {value!r} is not a number")
    try:
        return Fraction(str(value))  # str() keeps a float as written: 0.1 -> 1/10
    except (ValueError, ZeroDivisionError) as error:
        raise RulePackInvalid(f"{where}: {value!r} is not a number") from error


def _bands(raw: Sequence[Mapping[str, Any]], code: str) -> tuple[Band, ...]:
    ordered = sorted(raw, key=lambda band: band["from"])
    highest = [band["from"] - 1 for band in ordered[1:]] + [100]
    return tuple(Band(band["mark"], band["from"], top, dict(band["name"])) for band, top in zip(ordered, highest))


def _check_pack(pack: RulePack) -> None:
    where = pack.code
    if not isinstance(where, str) or not where:
        raise RulePackInvalid("a rule pack needs a `code`")
    if not _is_int(pack.fo_max) or pack.fo_max < 1:
        raise RulePackInvalid(f"{where}: fo_max must be a positive integer")
    if pack.sor_method not in SOR_METHODS:
        raise RulePackInvalid(f"{where}: sor_method must be one of {list(SOR_METHODS)}")
    if not isinstance(pack.pool_fo_with_sor, bool):
        raise RulePackInvalid(f"{where}: pool_fo_with_sor must be true or false")
    if not _is_int(pack.half_year_hours) or pack.half_year_hours < 0:
        raise RulePackInvalid(f"{where}: half_year_hours must be a whole number >= 0")
    if not all(_is_int(grade) for grade in pack.unmarked_grades):
        raise RulePackInvalid(f"{where}: unmarked_grades are whole numbers")
    for scheme, weighting in pack.schemes.items():
        _check_weighting(weighting, pack.pool_fo_with_sor, f"{where}.{scheme}")
    _check_bands(pack.bands, where)
    marks = {band.mark for band in pack.bands}
    if not set(pack.needed_for) <= marks:
        raise RulePackInvalid(f"{where}: needed_for lists marks that have no band")


def _check_weighting(weighting: Weighting, pooled: bool, where: str) -> None:
    weights = weighting.weights
    if any(weight < 0 for weight in weights.values()) or sum(weights.values()) != 1:
        raise RulePackInvalid(f"{where}: weights must be >= 0 and add up to exactly 1")
    if not weighting.required_at_close <= set(weighting.counted()):
        raise RulePackInvalid(f"{where}: required_at_close lists a component without weight")
    if pooled and SOR in weighting.counted() and FO not in weighting.counted():
        raise RulePackInvalid(f"{where}: pool_fo_with_sor needs FO to carry weight")


def _check_bands(bands: tuple[Band, ...], where: str) -> None:
    if not bands or bands[0].lowest != 0:
        raise RulePackInvalid(f"{where}: bands must start at 0 %")
    for band in bands:
        if not (_is_int(band.mark) and _is_int(band.lowest) and band.lowest <= band.highest <= 100):
            raise RulePackInvalid(f"{where}: band {band.mark} must cover whole percentages within 0..100")
        if not all(isinstance(band.name.get(language), str) and band.name[language] for language in LANGUAGES):
            raise RulePackInvalid(f"{where}: band {band.mark} needs a name in {list(LANGUAGES)}")
    if any(lower.mark >= upper.mark for lower, upper in zip(bands, bands[1:])):
        raise RulePackInvalid(f"{where}: higher bands must give higher marks")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
