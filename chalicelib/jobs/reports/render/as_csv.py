"""A report's main table as CSV: UTF-8, `,` delimiter, `.` decimals, a header of column keys, CRLF line ends.

Only the first table goes into the file (subtotal and total rows included, labelled in their first cell), and
only its `in_csv` columns (the class sheet's CSV is exactly
`last_name,first_name,<code>_percent,<code>_mark...`, api-contract.md). Formula-like text is escaped.
"""
from __future__ import annotations

import csv
import io

from chalicelib.domain.reports import Report
from chalicelib.jobs.reports.render.cells import csv_text, escaped

__all__ = ["csv_bytes"]


def csv_bytes(report: Report) -> bytes:
    table = report.tables[0]
    keep = [i for i, column in enumerate(table.columns) if column.in_csv]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    writer.writerow([escaped(table.columns[i].key) for i in keep])
    for row in table.rows:
        writer.writerow([csv_text(row.cells[i]) for i in keep])
    return out.getvalue().encode("utf-8")
