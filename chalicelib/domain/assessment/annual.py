"""Annual marks and the end-of-year decision (§5).

A period or annual mark is an int (2..5) or one of "pass", "fail", "exempt", "not_assessed" (`PeriodMark`).
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.assessment.compute import PeriodMark
from chalicelib.domain.assessment.errors import InvalidInput
from chalicelib.domain.assessment.rounding import round_half_up

__all__ = ["Decision", "YearOutcome", "annual_mark", "year_outcome", "after_year_summative"]

_FAILING = 2
_MARKS = range(2, 6)
_VERDICTS = ("pass", "fail")
_EXEMPT, _NOT_ASSESSED = "exempt", "not_assessed"
_REPEAT_FROM = 3  # a "2" in this many subjects or more: the year is repeated


class Decision(enum.StrEnum):
    """What the annual results mean for the pupil."""

    PROMOTED = "promoted"              # no "2": on to the next grade
    YEAR_SUMMATIVE = "year_summative"  # a "2" in 1-2 subjects: a year summative work in each of them
    REPEAT = "repeat"                  # a "2" in 3 or more subjects: the year is repeated
    PENDING = "pending"                # an annual mark is missing or waits (not assessed)


@dataclass(frozen=True, slots=True)
class YearOutcome:
    """The decision and the subjects behind it (those with a "2", or those still pending), sorted."""

    decision: Decision
    subjects: tuple[str, ...]


def annual_mark(period_marks: Sequence[PeriodMark | None]) -> PeriodMark | None:
    """The annual mark from every term (or half-year) mark of the year; None while a period is still open.

    Not assessed in any period -> "not_assessed" (waits); exempt all year -> "exempt"; pass/fail subjects ->
    "pass" when every period not exempt passed; otherwise the mean of the numeric marks, half-up (4, 4, 5, 5 -> 5).
    Periods the pupil was exempt from are left out of the mean.
    """
    if not period_marks:
        raise InvalidInput("an annual mark needs the marks of the year's periods")
    for mark in period_marks:
        _check_mark(mark)
    if any(mark is None for mark in period_marks):
        return None
    if _NOT_ASSESSED in period_marks:
        return _NOT_ASSESSED
    counted = [mark for mark in period_marks if mark != _EXEMPT]
    if not counted:
        return _EXEMPT
    verdicts = [mark for mark in counted if mark in _VERDICTS]
    if verdicts and len(verdicts) != len(counted):
        raise InvalidInput("a subject is either pass/fail or marked 2..5, not both")
    if verdicts:
        return "pass" if all(mark == "pass" for mark in verdicts) else "fail"
    return round_half_up(Fraction(sum(counted), len(counted)))


def after_year_summative(annual: int, summative: int) -> int:
    """The annual mark after a year summative work: the mean of both marks, half-up (2 and 3 -> 3)."""
    for mark in (annual, summative):
        if isinstance(mark, bool) or mark not in _MARKS:
            raise InvalidInput(f"marks are 2..5, not {mark!r}")
    return round_half_up(Fraction(annual + summative, 2))


def year_outcome(annual_marks: Mapping[str, PeriodMark | None]) -> YearOutcome:
    """The end-of-year decision from the annual mark of every subject (keyed by subject).

    Three or more "2" -> repeat, whatever is still pending; otherwise any missing or not-assessed mark ->
    pending; then a "2" in one or two subjects -> year summative; else promoted. Exempt, pass and fail
    results do not count as a "2".
    """
    for mark in annual_marks.values():
        _check_mark(mark)
    failing = tuple(sorted(subject for subject, mark in annual_marks.items() if mark == _FAILING))
    pending = tuple(sorted(subject for subject, mark in annual_marks.items() if mark in (None, _NOT_ASSESSED)))
    if len(failing) >= _REPEAT_FROM:
        return YearOutcome(Decision.REPEAT, failing)
    if pending:
        return YearOutcome(Decision.PENDING, pending)
    if failing:
        return YearOutcome(Decision.YEAR_SUMMATIVE, failing)
    return YearOutcome(Decision.PROMOTED, ())


def _check_mark(mark: object) -> None:
    if mark is None or (isinstance(mark, str) and mark in (*_VERDICTS, _EXEMPT, _NOT_ASSESSED)):
        return
    if isinstance(mark, bool) or not isinstance(mark, int) or mark not in _MARKS:
        raise InvalidInput(f"a period mark is 2..5, pass, fail, exempt or not_assessed, not {mark!r}")
