"""How a report's cells read in each format: exact figures cut to 2 decimals on the page, to 6 in CSV.

Figures are cut towards zero (floored), never rounded up, as the API serves them (`json_number`): a total of
64.4999 is shown as 64.49, never as 64.50 beside its mark 3.
"""
from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

from chalicelib.domain.assessment import json_number
from chalicelib.domain.reports import Cell, Kind, Suppressed, is_formula_like, mark_text
from chalicelib.domain.reports.words import day_text

__all__ = ["PLACES", "csv_text", "page_text", "page_number", "escaped"]

PLACES = 2


def escaped(text: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with an apostrophe (CSV)."""
    return f"'{text}" if is_formula_like(text) else text


def page_number(value: Fraction) -> Decimal:
    """A figure cut to 2 decimals."""
    return Decimal(math.floor(value * 10 ** PLACES)).scaleb(-PLACES)


def csv_text(cell: Cell) -> str:
    """A cell as CSV text: numbers with `.` decimals (6 places, floored), marks as the API names them."""
    if cell is None:
        return ""
    if isinstance(cell, Suppressed):
        return str(cell)
    if isinstance(cell, Fraction):
        return format(Decimal(str(json_number(cell))).normalize(), "f")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int):
        return str(cell)
    return escaped(cell)


def page_text(cell: Cell, kind: Kind, language: str) -> str:
    """A cell as text on a page (PDF): marks in words, dates as dd.mm.yyyy, figures with 2 decimals."""
    if cell is None:
        return ""
    if isinstance(cell, Suppressed):
        return str(cell)
    if kind is Kind.MARK:
        return mark_text(language, cell)  # type: ignore[arg-type]
    if isinstance(cell, Fraction):
        return str(page_number(cell))
    if isinstance(cell, date):
        return day_text(cell)
    return str(cell)
