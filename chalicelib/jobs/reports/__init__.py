"""Reports: built from counters, rollups and the directory, written as CSV, XLSX or PDF to S3.

- `runner`: `request_report(spec)` (pending, queued) and `run_report(report_id)` (the `report` task);
- `schedule`: the scheduled jobs, fanned out per school (the `report_school` task), and the region reports;
- kinds: `sheets` (class sheet, school report, the school's rollup), `timeliness` (with reminders), `regional`
  (region, national), `weekly` (parents); `sources` is everything they read from the rest of the service;
- `notes` tells people once (inbox, e-mail, SMS); `publish` writes a file and marks its report ready;
- `render` writes the files: only report jobs import it (openpyxl, fpdf2, Pillow and the font).
`python -m chalicelib.jobs.reports --help` runs one report by hand.

Importing this package registers both tasks and loads no report library.
"""
from chalicelib.jobs.reports.errors import Unavailable
from chalicelib.jobs.reports.runner import KINDS, TASK, request_report, run_report
from chalicelib.jobs.reports.schedule import SCHOOL_TASK, fan_out, run_regions, run_school

__all__ = ["KINDS", "TASK", "SCHOOL_TASK", "Unavailable", "request_report", "run_report", "fan_out", "run_school",
           "run_regions"]
