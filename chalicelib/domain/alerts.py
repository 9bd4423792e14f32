"""Threshold alerts to guardians: edge-triggered from a change's old and new values, told once per crossing. Pure.

- The "2" band: a pupil's live period mark in a subject is 2 (a rounded percentage below 40, §4 of the rules).
  `band_crossing(before, after)` says whether a change of the mark entered the band or left it.
- Unexcused missed lessons: a lesson counts when its attendance is `absent` and no parent's excuse covers its
  day (`excused`, `ill` and `late` never count, §7). `week_of(day)` is its calendar week, Monday to Sunday
  (dates are UTC+5 dates). The week's alert is due when a change takes the count from below
  `ABSENCE_THRESHOLD` to it or above.
- A `Ledger` is what the guardians were last told of one threshold: inside or not, after how many crossings,
  and the change that made the last one. `shift` (the band: entering and leaving both tell, again and again)
  and `reach` (a week: told once) give the ledger to tell about, or None. A duplicate, or a replay of a change
  after a later crossing, finds the ledger on the other side already and tells nothing; the very change that
  made the last crossing gets that ledger again, so a delivery broken half-way completes on a retry (delivery
  keeps one notice per guardian and crossing).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["BAND_MARK", "ABSENCE_THRESHOLD", "Ledger", "in_band", "band_crossing", "shift", "counts_as_missed",
           "missed", "week_of", "reach"]

BAND_MARK = 2
ABSENCE_THRESHOLD = 3
_MISSED = "absent"


@dataclass(frozen=True, slots=True)
class Ledger:
    """What the guardians were last told of one threshold (a missing ledger: outside, never crossed)."""

    inside: bool = False
    crossings: int = 0
    cause: str | None = None


def in_band(mark: object) -> bool:
    """Whether a live mark (2..5, pass, fail, exempt, not_assessed or None) is in the "2" band."""
    return mark == BAND_MARK and not isinstance(mark, bool)


def band_crossing(before: object, after: object) -> str | None:
    """"entered" or "left" when the mark crossed the band's edge from `before` to `after`, else None."""
    was, now = in_band(before), in_band(after)
    if was == now:
        return None
    return "entered" if now else "left"


def shift(ledger: Ledger | None, before: bool, after: bool, cause: str) -> Ledger | None:
    """The ledger to tell about after `cause` took the value from inside (`before`) to inside (`after`)."""
    held = ledger or Ledger()
    if held.cause == cause and held.crossings:
        return held
    if before == after or held.inside != before:
        return None
    return Ledger(after, held.crossings + 1, cause)


def counts_as_missed(status: str | None, excused: bool) -> bool:
    """Whether one lesson's attendance counts as an unexcused missed lesson."""
    return status == _MISSED and not excused


def missed(lessons: Iterable[tuple[str | None, date]], excused_days: Iterable[date]) -> int:
    """How many of (status, day) are unexcused missed lessons, given the days a parent excused."""
    excused = set(excused_days)
    return sum(counts_as_missed(status, day in excused) for status, day in lessons)


def week_of(day: date) -> tuple[date, date]:
    """The calendar week of `day`: its Monday and its Sunday."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def reach(ledger: Ledger | None, before: int, after: int, cause: str) -> Ledger | None:
    """The week's ledger to tell about when `cause` took its unexcused missed lessons from `before` to `after`."""
    if ledger is not None:
        return ledger if ledger.cause == cause else None
    if before < ABSENCE_THRESHOLD <= after:
        return Ledger(True, 1, cause)
    return None
