"""A report as PDF (fpdf2): title and heading lines, every table (headings repeated on each page), notes, then
the charts as pictures. PT Sans is embedded (subset), so every Kazakh and Russian letter prints and can be
copied or extracted as text.
"""
from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.fonts import FontFace

from chalicelib.domain.reports import Kind, Report, Table
from chalicelib.jobs.reports.render.cells import page_text
from chalicelib.jobs.reports.render.charts import HEIGHT, WIDTH, chart_png
from chalicelib.jobs.reports.render.fonts import FAMILY, font_file

__all__ = ["pdf_bytes"]

_BOLD = FontFace(emphasis="BOLD")
_WIDE = {Kind.TEXT: 3.0, Kind.DATE: 1.6}
_MARGIN = 12


class _Pages(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, size=8)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")


def _font_size(columns: int) -> int:
    return 9 if columns <= 12 else 7 if columns <= 24 else 6


def _table(pdf: FPDF, table: Table, language: str) -> None:
    pdf.set_font(FAMILY, style="B", size=12)
    pdf.multi_cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    size = _font_size(len(table.columns))
    pdf.set_font(FAMILY, size=size)
    widths = [_WIDE.get(c.kind, 1.0) for c in table.columns]
    with pdf.table(col_widths=widths, line_height=size * 0.5, text_align="LEFT", padding=0.8) as grid:
        heading = grid.row()
        for column in table.columns:
            heading.cell(column.title)
        for row in table.rows:
            line = grid.row(style=_BOLD if row.total else None)
            for column, cell in zip(table.columns, row.cells):
                line.cell(page_text(cell, column.kind, language),
                          align="LEFT" if column.kind in (Kind.TEXT, Kind.DATE) else "RIGHT")
    pdf.set_font(FAMILY, size=8)
    for note in table.notes:
        pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def pdf_bytes(report: Report) -> bytes:
    pdf = _Pages(orientation="L" if report.landscape else "P", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font(FAMILY, style="", fname=str(font_file()))
    pdf.add_font(FAMILY, style="B", fname=str(font_file(bold=True)))
    pdf.set_title(report.title)
    pdf.set_lang(report.language)
    pdf.set_creator("ejournal-kz")
    pdf.add_page()
    pdf.set_font(FAMILY, style="B", size=16)
    pdf.multi_cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    for line in report.lines:
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for table in report.tables:
        _table(pdf, table, report.language)
    for chart in report.charts:
        width = pdf.epw
        height = width * HEIGHT / WIDTH
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        pdf.image(io.BytesIO(chart_png(chart)), w=width, h=height)
        pdf.ln(4)
    for note in report.notes:
        pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
