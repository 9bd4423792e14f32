"""Class statistics for one subject and period (§8), exact and unrounded.

N counts the pupils with a mark 2..5 plus those not assessed; exempt pupils, pass/fail verdicts and pupils
without a mark yet (None, live standing) are outside N. With N = 0 every figure is None.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from chalicelib.domain.assessment.compute import PeriodMark
from chalicelib.domain.assessment.errors import InvalidInput
from chalicelib.domain.assessment.rounding import json_number

__all__ = ["ClassStatistics", "class_statistics", "SOU_WEIGHTS"]

SOU_WEIGHTS = {"5": 100, "4": 64, "3": 36, "2": 16, "not_assessed": 7}  # СОУ / ООЖ, §8
_OUTSIDE_N = ("exempt", "pass", "fail")


@dataclass(frozen=True, slots=True)
class ClassStatistics:
    """Pass rate, quality and СОУ in percent, the average mark, and how many pupils got each result."""

    n: int
    pass_rate: Fraction | None
    quality: Fraction | None
    sou: Fraction | None
    average: Fraction | None
    distribution: dict[str, int] = field(hash=False)

    def as_json(self) -> dict[str, Any]:
        """The figures as JSON numbers (6 decimals), as `GET /v1/journals/{id}/statistics` serves them."""
        return {"n": self.n, "pass_rate": json_number(self.pass_rate), "quality": json_number(self.quality),
                "sou": json_number(self.sou), "average": json_number(self.average),
                "distribution": dict(self.distribution)}


def class_statistics(marks: Iterable[PeriodMark | None]) -> ClassStatistics:
    """The §8 figures over the period marks of a class (one per pupil)."""
    counts: Counter[str] = Counter()
    for mark in marks:
        key = _key(mark)
        if key is not None:
            counts[key] += 1
    distribution = {key: counts[key] for key in ("2", "3", "4", "5", "not_assessed")}
    n = sum(distribution.values())
    if n == 0:
        return ClassStatistics(0, None, None, None, None, distribution)
    n2, n3, n4, n5 = (distribution[key] for key in ("2", "3", "4", "5"))
    marked = n2 + n3 + n4 + n5
    return ClassStatistics(
        n=n,
        pass_rate=Fraction(100 * (n5 + n4 + n3), n),
        quality=Fraction(100 * (n5 + n4), n),
        sou=Fraction(sum(SOU_WEIGHTS[key] * distribution[key] for key in SOU_WEIGHTS), n),
        average=Fraction(2 * n2 + 3 * n3 + 4 * n4 + 5 * n5, marked) if marked else None,
        distribution=distribution,
    )


def _key(mark: object) -> str | None:
    if mark is None or (isinstance(mark, str) and mark in _OUTSIDE_N):
        return None
    if mark == "not_assessed":
        return "not_assessed"
    if isinstance(mark, int) and not isinstance(mark, bool) and 2 <= mark <= 5:
        return str(mark)
    raise InvalidInput(f"a period mark is 2..5, pass, fail, exempt or not_assessed, not {mark!r}")
