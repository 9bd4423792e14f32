"""Pupils moving: the dates a pupil is in a class (a journal shows them only then), and the year's end.

Pure. Spans are (first day, last day), either end open (None). A pupil a journal has no span for is in it
for as long as they are in its class (everyone imported with the class).

Decisions (assessment-rules.md §5):
- At the year's end a pupil with no annual "2" moves up a grade (grade 11 graduates); with a "2" in one or
  two subjects they take a year summative and stay where they are until the school decides (the transfer
  route moves them once it has); with a "2" in three or more they repeat the year (same grade, next year).
- A transfer takes effect on its date: the old class up to the day before, the new one from that day.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

__all__ = ["Span", "LAST_GRADE", "Outcome", "enrolled_on", "overlaps", "closed", "opened", "outcome", "spans_of",
           "spans_json"]

Span = tuple[date | None, date | None]
LAST_GRADE = 11
_REPEAT_AT = 3


class Outcome(enum.StrEnum):
    PROMOTED = "promoted"
    GRADUATED = "graduated"
    YEAR_SUMMATIVE = "year_summative"
    REPEATS = "repeats"


def enrolled_on(spans: Sequence[Span] | None, day: date) -> bool:
    """Whether a pupil is in the class on `day` (no spans: always)."""
    return not spans or any((s is None or s <= day) and (e is None or day <= e) for s, e in spans)


def overlaps(spans: Sequence[Span] | None, start: date, end: date) -> bool:
    """Whether a pupil is in the class on any day start..end."""
    return not spans or any((s is None or s <= end) and (e is None or start <= e) for s, e in spans)


def closed(spans: Sequence[Span] | None, day: date) -> list[Span]:
    """The spans once the pupil leaves the class on `day` (their last day there is the day before)."""
    last = day - timedelta(days=1)
    out = [(s, e) for s, e in spans or [(None, None)] if s is None or s <= last]
    return [(s, last if e is None or e > last else e) for s, e in out]


def opened(spans: Sequence[Span] | None, day: date) -> list[Span]:
    """The spans once the pupil joins the class on `day`."""
    return [*[(s, e) for s, e in spans or [] if e is not None and e < day], (day, None)]


def outcome(grade: int, annual_marks: Iterable[int | str | None]) -> Outcome:
    """Where a pupil goes at the year's end, from their annual marks (numbers 2..5 or words)."""
    twos = sum(1 for mark in annual_marks if mark == 2)
    if twos >= _REPEAT_AT:
        return Outcome.REPEATS
    if twos:
        return Outcome.YEAR_SUMMATIVE
    return Outcome.GRADUATED if grade >= LAST_GRADE else Outcome.PROMOTED


def spans_of(raw: Sequence[Sequence[str | None]] | None) -> list[Span]:
    """Spans as stored (ISO dates or null)."""
    return [(date.fromisoformat(s) if s else None, date.fromisoformat(e) if e else None) for s, e in raw or []]


def spans_json(spans: Sequence[Span]) -> list[list[str | None]]:
    return [[s.isoformat() if s else None, e.isoformat() if e else None] for s, e in spans]
