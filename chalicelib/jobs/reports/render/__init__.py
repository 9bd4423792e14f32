"""Writing a report as a file: CSV (`as_csv`), XLSX (`as_xlsx`, openpyxl), PDF (`as_pdf`, fpdf2), with PNG charts
(`charts`, Pillow) and the embedded font (`fonts`).

Only the report job imports this package: openpyxl, fpdf2, Pillow and the font ship with the report functions,
never with the API function.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.reports import Report

__all__ = ["FORMATS", "Rendered", "render"]

FORMATS = ("csv", "xlsx", "pdf")
_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True, slots=True)
class Rendered:
    """A report's file: its bytes, content type and file name extension."""

    data: bytes
    content_type: str
    extension: str


def render(report: Report, fmt: str) -> Rendered:
    """`report` as a `fmt` file (csv, xlsx or pdf)."""
    if fmt == "csv":
        from chalicelib.jobs.reports.render.as_csv import csv_bytes as write
    elif fmt == "xlsx":
        from chalicelib.jobs.reports.render.as_xlsx import xlsx_bytes as write
    elif fmt == "pdf":
        from chalicelib.jobs.reports.render.as_pdf import pdf_bytes as write
    else:
        raise ValueError(f"a report is written as {', '.join(FORMATS)}, not {fmt!r}")
    return Rendered(write(report), _CONTENT_TYPES[fmt], fmt)
