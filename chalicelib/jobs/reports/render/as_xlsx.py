"""A report as an XLSX workbook (openpyxl): a sheet per table, figures as numbers (2 decimals shown, 6 kept),
marks in words or numbers, dates as dates, a sheet of chart pictures.

Text that Excel would run as a formula is stored as text with Excel's own quote prefix (as if typed after an
apostrophe): shown as written, never evaluated.
"""
from __future__ import annotations

import io
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from chalicelib.domain.assessment import json_number
from chalicelib.domain.reports import Cell, Column, Kind, Report, Suppressed, Table, is_formula_like, mark_text
from chalicelib.jobs.reports.render.charts import HEIGHT, WIDTH, chart_png

__all__ = ["xlsx_bytes"]

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="E0E0E0")
_FORMATS = {Kind.PERCENT: "0.00", Kind.AVERAGE: "0.00", Kind.COUNT: "0", Kind.DATE: "DD.MM.YYYY"}
_CHART_WIDTH = 900


def _value(cell: Cell, column: Column, language: str) -> object:
    if cell is None:
        return None
    if isinstance(cell, Suppressed):
        return str(cell)
    if column.kind is Kind.MARK:
        return cell if isinstance(cell, int) else mark_text(language, cell)  # type: ignore[arg-type]
    if isinstance(cell, Fraction):
        return json_number(cell)
    return cell


def _put(sheet: Worksheet, row: int, col: int, value: object, *, number_format: str | None = None) -> None:
    target = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str) and is_formula_like(value):
        target.data_type = "s"
        target.quotePrefix = True
    if number_format and not isinstance(value, str):
        target.number_format = number_format


def _sheet(book: Workbook, report: Report, table: Table) -> None:
    sheet = book.create_sheet(table.name)
    row = 1
    _put(sheet, row, 1, report.title)
    sheet.cell(row=row, column=1).font = _TITLE
    for line in report.lines:
        row += 1
        _put(sheet, row, 1, line)
    row += 2
    _put(sheet, row, 1, table.title)
    sheet.cell(row=row, column=1).font = _BOLD
    row += 1
    for c, column in enumerate(table.columns, start=1):
        _put(sheet, row, c, column.title)
        head = sheet.cell(row=row, column=c)
        head.font, head.fill = _BOLD, _HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = 26 if column.kind is Kind.TEXT else 12
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
    for line in table.rows:
        row += 1
        for c, (column, cell) in enumerate(zip(table.columns, line.cells), start=1):
            _put(sheet, row, c, _value(cell, column, report.language), number_format=_FORMATS.get(column.kind))
            if line.total:
                sheet.cell(row=row, column=c).font = _BOLD
    row += 1
    for note in table.notes:
        row += 1
        _put(sheet, row, 1, note)


def _charts(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("charts")
    row = 1
    for chart in report.charts:
        picture = Image(io.BytesIO(chart_png(chart)))
        picture.width, picture.height = _CHART_WIDTH, _CHART_WIDTH * HEIGHT // WIDTH
        sheet.add_image(picture, f"A{row}")
        row += picture.height // 20 + 2


def xlsx_bytes(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = report.title
    book.properties.language = report.language
    book.properties.creator = "ejournal-kz"
    for table in report.tables:
        _sheet(book, report, table)
    if report.charts:
        _charts(book, report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
