"""Exact rounding: half-up to the whole percentage, and percentages served as JSON numbers.

Percentages are `Fraction`s from end to end. `round_half_up` picks the integer the bands apply to (§3: every
decimal counts, so 64.49... -> 64). `json_number` serves a Fraction as a float carrying 6 decimals, cut
towards the safe side: a standing is floored (so a client that rounds the served number half-up never gets a
higher mark than the journal: 64.4999999 is served as 64.499999, never 64.5), a requirement ("needed") is
ceiled (so reaching the served figure always reaches the mark). Six decimals of a number up to 100 fit a
float exactly enough that its shortest repr is those six decimals.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

__all__ = ["JSON_PLACES", "round_half_up", "json_number"]

JSON_PLACES = 6
_SCALE = 10**JSON_PLACES


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves going up: 39.5 -> 40, 64.49 -> 64, 84.5 -> 85 (exact, no float)."""
    return math.floor(value + Fraction(1, 2))


def json_number(value: Fraction | None, *, ceiling: bool = False) -> float | None:
    """`value` cut to 6 decimals (floored, or ceiled for requirements) as a float for a JSON body."""
    if value is None:
        return None
    scaled = math.ceil(value * _SCALE) if ceiling else math.floor(value * _SCALE)
    return float(Decimal(scaled).scaleb(-JSON_PLACES))
