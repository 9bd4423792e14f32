"""Reports as data (pure): the tables, figures and charts of every report kind, in Kazakh or Russian.

Each kind's module turns what the report job read into a `Report` (`document`): titled tables of typed cells
(text, counts, exact percentages and averages, marks, dates; `SUPPRESSED` where a figure stands on fewer than
5 pupils) and charts. The job's renderers write a `Report` as CSV, XLSX or PDF without computing anything.

- `class_sheet`: pupils x subjects of a class for a period, subject statistics (§8), absences.
- `school`: per class, grade and school (`figures.Tally`), pupils with a "2" or not assessed.
- `timeliness`: a school's unfilled lessons of the day and edit window, per teacher and class, 4-week trend,
  reminder texts.
- `region`: per school of a region, per region of the country, from schools' rollups; aggregates only.
- `parent_weekly`: a pupil's week for their guardians (report and message).
Headings and phrases: `words`.
"""
from chalicelib.domain.reports.class_sheet import Pupil, SheetHeading, SubjectResults, class_sheet
from chalicelib.domain.reports.document import (
    MIN_PUPILS, SUPPRESSED, Cell, Chart, Column, Kind, Report, ReportError, Row, Series, Suppressed, Table,
    is_formula_like,
)
from chalicelib.domain.reports.figures import LiveResult, Tally, live_result
from chalicelib.domain.reports.parent_weekly import (
    SubjectStanding, WeekAbsence, WeekHeading, WeekMark, week_of, weekly_message, weekly_report,
)
from chalicelib.domain.reports.region import Punctuality, SchoolRollup, national_report, region_report
from chalicelib.domain.reports.school import ClassResults, school_report, school_tally
from chalicelib.domain.reports.timeliness import (
    Planned, TimelinessHeading, WeekCount, gaps_by_teacher, on_time, reminder_text, summary_text, timeliness_report,
)
from chalicelib.domain.reports.words import LANGUAGES, mark_text, word

__all__ = [
    "MIN_PUPILS", "SUPPRESSED", "Suppressed", "Cell", "Kind", "Column", "Row", "Table", "Series", "Chart", "Report",
    "ReportError", "is_formula_like", "LANGUAGES", "word", "mark_text", "Tally", "LiveResult", "live_result",
    "Pupil", "SubjectResults", "SheetHeading", "class_sheet", "ClassResults", "school_report", "school_tally",
    "Planned", "WeekCount", "TimelinessHeading", "timeliness_report", "gaps_by_teacher", "on_time",
    "reminder_text", "summary_text", "Punctuality", "SchoolRollup", "region_report", "national_report",
    "WeekMark", "WeekAbsence", "SubjectStanding", "WeekHeading", "week_of", "weekly_report", "weekly_message",
]
