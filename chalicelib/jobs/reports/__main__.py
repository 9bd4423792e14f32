"""Run reports by hand, with the stage's settings and AWS endpoints (locally: the emulator's).

    python -m chalicelib.jobs.reports class_sheet --class ID --period T1 --format xlsx --language kk --out 7a.xlsx
    python -m chalicelib.jobs.reports school --school ID --period T2
    python -m chalicelib.jobs.reports timeliness --school ID --date 2026-10-05
    python -m chalicelib.jobs.reports scheduled timeliness --school ID --date 2026-10-05   (as the schedule: notes too)
    python -m chalicelib.jobs.reports scheduled regions

A report runs here, not on the queue; it prints its report_id, status and file key (and writes `--out`).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime, time

from chalicelib.domain.dates import KZ_TZ, now_kz, school_year_of
from chalicelib.domain.reports import week_of
from chalicelib.jobs.reports.runner import KINDS, run_report
from chalicelib.jobs.reports.schedule import SCHOOL_JOBS, run_regions, run_school
from chalicelib.store import files, reports
from chalicelib.store.reports import Spec

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.jobs.reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=(*KINDS, "scheduled"))
    parser.add_argument("job", nargs="?", choices=(*SCHOOL_JOBS, "regions"), help="with `scheduled`")
    parser.add_argument("--school")
    parser.add_argument("--class", dest="class_id")
    parser.add_argument("--region")
    parser.add_argument("--student")
    parser.add_argument("--year", type=int)
    parser.add_argument("--period")
    parser.add_argument("--date", type=date.fromisoformat)
    parser.add_argument("--format", default="xlsx", choices=("xlsx", "csv", "pdf"))
    parser.add_argument("--language", default="kk", choices=("kk", "ru"))
    parser.add_argument("--out", help="also write the file here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    day = args.date or now_kz().date()
    now = now_kz() if args.date is None else datetime.combine(day, time(16, 0), KZ_TZ)
    if args.kind == "scheduled":
        if args.job == "regions":
            done = run_regions(now)
        elif args.job and args.school:
            done = run_school(args.job, args.school, day, now)
        else:
            print("scheduled needs a job, and --school for a school's job", file=sys.stderr)
            return 2
        print(json.dumps(done))
        return 0
    spec = Spec(args.kind, args.year or school_year_of(day), args.format, args.language, school_id=args.school,
                class_id=args.class_id, region=args.region, student_id=args.student, period=args.period,
                date={"timeliness": day, "parent_weekly": week_of(day)}.get(args.kind, day).isoformat()
                if args.kind in ("timeliness", "parent_weekly") else None)
    item = reports.request(spec, now_kz())
    status = run_report(item.report_id)
    done = reports.get_report(item.report_id)
    print(json.dumps({"report_id": item.report_id, "status": status, "key": done.object_key if done else None,
                      "error": done.error if done else None}, ensure_ascii=False))
    if args.out and done is not None and done.object_key:
        with open(args.out, "wb") as out:
            out.write(files.get_file(done.object_key))
    return 0 if status == "ready" else 1


if __name__ == "__main__":
    sys.exit(main())
