"""Reports through the API and the scheduled jobs, on a small class whose every figure is worked out by hand.

Class 7Ә (nine pupils) has a maths journal (term marks) in T1 of 2026-27 with, for five pupils, one formative
mark, one SOR (out of 20) and one SOCH (out of 20); marks go through the journal stream into the counters as in
production. term% = 0.25 FO% + 0.25 SOR% + 0.5 SOCH%:

    pupil  FO  SOR    SOCH   FO%  SOR%  SOCH%  term%  mark
    p1      8  18/20  17/20   80    90     85   85      5
    p2     10  20/20  19/20  100   100     95   97.5    5
    p3      6  10/20   9/20   60    50     45   50      3
    p4      4   6/20   5/20   40    30     25   30      2
    p5      9  16/20  12/20   90    80     60   72.5    4

Maths statistics (§8): N 5; pass rate 4/5 = 80 %; quality 3/5 = 60 %; СОУ (2*100 + 64 + 36 + 16) / 5 = 63.2;
average 19/5 = 3.8. Attendance of the first lesson: p6 absent, p7 ill, p8 late.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from chalicelib.config import settings
from chalicelib.domain.dates import KZ_TZ
from tests.integration.conftest import Api, aws_client, drain_tasks, operator
from tests.integration.test_standing import standing, subject
from tests.integration.school import (  # noqa: F401
    SmallSchool, StreamPump, lesson, pump, school, today, work,
)

MARKS = {"p1": (8, 18, 17), "p2": (10, 20, 19), "p3": (6, 10, 9), "p4": (4, 6, 5), "p5": (9, 16, 12)}
NOW = datetime(2026, 10, 5, 16, 0, tzinfo=KZ_TZ)


def _stream(pump: StreamPump) -> None:
    from app import journal_counters

    assert journal_counters({"Records": pump.read()}, None)["batchItemFailures"] == []


@pytest.fixture()
def marked(school: SmallSchool, pump: StreamPump) -> SmallSchool:
    s, math = school, school.journals["math"]
    first = lesson(s.teacher, math, "2026-10-01", topic="Бөлшектер")["lesson_id"]
    lesson(s.teacher, math, "2026-10-02", number=2)  # planned, never filled
    sor = work(s.teacher, math, "2026-10-01", "SOR")["work_id"]
    soch = work(s.teacher, math, "2026-10-02", "SOCH", title="1-тоқсан")["work_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{first}/formative", {"entries": [
        {"student_id": s.pupils[p], "points": fo, "feedback": "Жақсы" if p == "p1" else None}
        for p, (fo, _, _) in MARKS.items()]})
    for work_id, column in ((sor, 1), (soch, 2)):
        s.teacher.ok("PUT", f"/v1/works/{work_id}/results", {"entries": [
            {"student_id": s.pupils[p], "points": marks[column]} for p, marks in MARKS.items()]})
    status = {"p6": "absent", "p7": "ill", "p8": "late"}
    s.teacher.ok("PUT", f"/v1/lessons/{first}/attendance", {"entries": [
        {"student_id": s.pupils[p], "status": status.get(p, "present")} for p in s.pupils if p != "q1"]})
    _stream(pump)
    return s


def _ask(api: Api, body: dict[str, Any], status: int = 202) -> Any:
    return api.ok("POST", "/v1/reports", {"year": 2026, "language": "kk", **body}, status=status)


def _ready(api: Api, report_id: str) -> dict[str, Any]:
    drain_tasks()
    found = api.ok("GET", f"/v1/reports/{report_id}")
    assert found["status"] == "ready", found
    return found


def _file(url: str) -> bytes:
    parsed = urlparse(url)
    assert parsed.scheme in ("http", "https") and parsed.netloc  # absolute
    key = unquote(parsed.path).lstrip("/").removeprefix(f"{settings().files_bucket}/")
    return aws_client("s3").get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()


def test_class_sheet_csv_is_the_contract_with_hand_computed_figures(marked: SmallSchool) -> None:
    s = marked
    asked = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "csv"})
    assert asked["status"] == "pending"
    rows = list(csv.reader(io.StringIO(_file(_ready(s.admin, asked["report_id"])["url"]).decode("utf-8"))))
    assert rows[0] == ["last_name", "first_name", "math_percent", "math_mark", "music_percent", "music_mark"]
    assert rows[1:] == [
        ["Абаев", "Ерлан", "85", "5", "", ""], ["Әлиев", "Нұрлан", "97.5", "5", "", ""],
        ["Бекова", "Айша", "", "", "", ""], ["Гаухаров", "Тимур", "50", "3", "", ""],
        ["Ғалымова", "Аружан", "30", "2", "", ""], ["Оспанов", "Бекзат", "72.5", "4", "", ""],
        ["Өтепов", "Алихан", "", "", "", ""], ["Ыбыраев", "Дана", "", "", "", ""], ["Іскаков", "Мирас", "", "", "", ""]]


def test_class_sheet_xlsx_has_statistics_and_absences(marked: SmallSchool) -> None:
    s = marked
    asked = _ask(s.teacher, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "xlsx",
                             "language": "ru"}, status=403)  # not the homeroom teacher
    assert asked["status"] == 403
    asked = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "xlsx",
                           "language": "ru"})
    book = load_workbook(io.BytesIO(_file(_ready(s.admin, asked["report_id"])["url"])))
    assert book.sheetnames == ["sheet", "statistics", "absences", "charts"]
    stats = [[c.value for c in row] for row in book["statistics"].iter_rows() if row[0].value == "Математика"][0]
    assert stats == ["Математика", 5, 2, 1, 1, 1, 0, 80, 60, 63.2, 3.8]
    assert any(row[0].value == "Успеваемость, %" or "Успеваемость, %" in [c.value for c in row]
               for row in book["statistics"].iter_rows())
    absences = {row[0].value: [c.value for c in row[2:]] for row in book["absences"].iter_rows()
                if row[0].value in ("Бекова", "Өтепов", "Ыбыраев")}
    assert absences == {"Бекова": [1, 0, 0, 0, 1], "Өтепов": [0, 0, 1, 0, 1], "Ыбыраев": [0, 0, 0, 1, 0]}


def test_class_sheet_pdf_prints_kazakh_letters(marked: SmallSchool) -> None:
    s = marked
    asked = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(_file(_ready(
        s.admin, asked["report_id"])["url"]))).pages)
    for word in ("Жиынтық ведомость", "Әлиев", "Нұрлан", "Ғалымова", "Өтепов", "Іскаков", "Үлгерім", "97.50"):
        assert word in text
    assert "\ufffd" not in text


def test_the_same_tuple_keeps_its_report_id_and_a_rerun_replaces_the_file(marked: SmallSchool,
                                                                          pump: StreamPump) -> None:
    s = marked
    body = {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "csv"}
    first = _ask(s.admin, body)["report_id"]
    before = _file(_ready(s.admin, first)["url"])
    made = lesson(s.teacher, s.journals["math"], "2026-10-05", number=3, topic="Пропорция")["lesson_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{made}/formative", {"entries": [{"student_id": s.pupils["p6"], "points": 7}]})
    _stream(pump)
    again = _ask(s.admin, body)["report_id"]
    assert again == first
    after = _file(_ready(s.admin, first)["url"])
    assert before != after and "Бекова,Айша,70,4" in after.decode("utf-8")
    assert [r["report_id"] for r in s.admin.ok("GET", "/v1/reports")] == [first]


def test_school_report_and_the_region_reports_from_its_rollup(marked: SmallSchool) -> None:
    s = marked
    asked = _ask(s.admin, {"kind": "school", "school_id": s.school_id, "period": "T1", "format": "xlsx"})
    book = load_workbook(io.BytesIO(_file(_ready(s.admin, asked["report_id"])["url"])))
    rows = {row[0].value: [c.value for c in row] for row in book["classes"].iter_rows() if row[0].value}
    assert rows["7Ә"][1:12] == [9, 5, 2, 1, 1, 1, 0, 80, 60, 63.2, 3.8]
    assert rows["Барлығы"][1:3] == [10, 5]
    failing = [[c.value for c in row] for row in book["failing"].iter_rows() if row[0].value == "7Ә"]
    assert failing == [["7Ә", "Ғалымова", "Аружан", "Математика", None]]

    region_admin = operator(s.admin.client, "almaty-admin", "region_admin", "almaty")
    asked = _ask(region_admin, {"kind": "region", "region": "almaty", "period": "T1", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(_file(_ready(region_admin, asked["report_id"])["url"]).decode())))
    school_row = rows[0]
    assert school_row["pupils"] == "10" and school_row["assessed"] == "5"
    assert [school_row[c] for c in ("excellent", "good", "with_3", "with_2")] == ["n<5"] * 4
    assert (school_row["pass_rate"], school_row["quality"], school_row["sou"]) == ("80", "60", "63.2")
    text = _file(_ready(region_admin, asked["report_id"])["url"]).decode()
    assert "Ғалымова" not in text and "Абаев" not in text
    assert _ask(region_admin, {"kind": "school", "school_id": s.school_id, "period": "T1",
                               "format": "xlsx"}, status=403)["status"] == 403
    assert _ask(region_admin, {"kind": "region", "region": "astana", "period": "T1",
                               "format": "xlsx"}, status=403)["status"] == 403


def test_timeliness_report_reminds_each_teacher_once_a_day(marked: SmallSchool) -> None:
    from chalicelib.jobs.reports import run_school
    from chalicelib.store import reports

    s = marked
    assert run_school("timeliness", s.school_id, NOW.date(), NOW) == {"reports": 2, "notes": 2}
    assert run_school("timeliness", s.school_id, NOW.date(), NOW)["notes"] == 0  # a rerun: no second reminder
    reminders = [n for n in s.teacher.ok("GET", "/v1/me/notifications") if n["kind"] == "timeliness_reminder"]
    assert len(reminders) == 1
    body = reminders[0]["body"]
    assert "02.10.2026, 2 — 7Ә, Математика: толтырылмаған" in body  # a lesson planned and never filled
    assert "жұмыс нәтижелері жоқ" in body
    notes = [n for n in s.admin.ok("GET", "/v1/me/notifications") if n["kind"] == "timeliness_report"]
    assert len(notes) == 1 and "4 жоспарланған сабақтың 1 уақытылы" in notes[0]["body"]
    listed = [r for r in s.admin.ok("GET", "/v1/reports") if r["kind"] == "timeliness"]
    assert {r["language"] for r in listed} == {"kk", "ru"} and all(r["status"] == "ready" for r in listed)
    book = load_workbook(io.BytesIO(_file(listed[0]["url"])))
    teacher = [[c.value for c in row] for row in book["teachers"].iter_rows() if row[0].value == "Нұрланова Гүлнар"]
    assert teacher[0][1:] == [4, 1, 0, 0, 2, 25]
    check = reports.punctualities("almaty")
    assert [c.figures for c in check] == [{"day": "2026-10-05", "planned": 4, "on_time": 1}]


def test_weekly_parent_report_in_the_guardians_language(marked: SmallSchool) -> None:
    from chalicelib.jobs.reports import run_school

    s = marked
    sunday = datetime(2026, 10, 4, 18, 0, tzinfo=KZ_TZ)  # the schedule's run: the week of 28.09-04.10
    assert run_school("parents", s.school_id, sunday.date(), sunday) == {"classes": 2}  # queued per class
    assert drain_tasks() == 2
    again = run_school("parents", s.school_id, sunday.date(), sunday, s.class_id)
    assert again == {"reports": 1, "notes": 0}  # only p1 has a guardian; a rerun replaces, tells nobody twice
    note = [n for n in s.parent.ok("GET", "/v1/me/notifications") if n["kind"] == "weekly_report"][0]
    assert note["student_id"] == s.pupils["p1"] and note["language"] == "kk"
    assert "Математика, ТЖБ «1-тоқсан»: 17 / 20" in note["body"] and "Математика: 5" in note["body"]
    listed = s.parent.ok("GET", "/v1/reports")
    assert [(r["kind"], r["date"], r["format"]) for r in listed] == [("parent_weekly", "2026-09-28", "pdf")]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_file(listed[0]["url"]))).pages)
    assert "Жақсы" in text and "85.00" in text and "Апталық есеп" in text


def test_who_may_ask_and_fetch(marked: SmallSchool) -> None:
    s = marked
    weekly = {"kind": "parent_weekly", "student_id": s.pupils["p1"], "date": "2026-10-01", "format": "pdf"}
    mine = _ask(s.parent, weekly)["report_id"]
    _ready(s.parent, mine)
    assert s.admin.call("GET", f"/v1/reports/{mine}").status_code == 404  # a parent's report is theirs only
    assert _ask(s.parent, {**weekly, "student_id": s.pupils["p2"]}, status=422)["errors"][0]["field"] == "student_id"
    assert _ask(s.teacher, {**weekly, "student_id": s.pupils["p2"]}, status=403)["status"] == 403
    sheet = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "csv"})
    assert s.teacher.call("GET", f"/v1/reports/{sheet['report_id']}").status_code == 403
    assert s.outsider.call("GET", f"/v1/reports/{sheet['report_id']}").status_code == 404
    assert _ask(s.outsider, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "csv"},
                status=422)["errors"][0]["field"] == "class_id"
    assert _ask(s.admin, {"kind": "national", "period": "T1", "format": "xlsx"}, status=403)["status"] == 403
    assert _ask(s.admin, {"kind": "school", "school_id": s.school_id, "period": "T1", "format": "pdf"},
                status=422)["errors"][0]["field"] == "format"
    assert s.ministry.call("GET", f"/v1/reports/{sheet['report_id']}").status_code == 404
    national = _ask(s.ministry, {"kind": "national", "period": "T1", "format": "xlsx", "language": "ru"})
    assert _ready(s.ministry, national["report_id"])["kind"] == "national"
    assert s.student.ok("GET", "/v1/reports") == []


def test_the_api_function_loads_no_report_library() -> None:
    import subprocess
    import sys

    from tests.integration.conftest import ROOT

    probe = ("import sys, app; print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'openpyxl', 'fpdf', 'PIL', 'fontTools', 'fontpkg_pt_sans'}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_schedule_fans_out_a_task_per_school(marked: SmallSchool) -> None:
    from app import report_timeliness

    s = marked
    event = {"version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "000000000000", "time": "2026-10-05T11:00:00Z", "region": "eu-central-1", "resources": [],
             "detail": {}}
    assert report_timeliness(event, None) == 2  # the school in almaty and the outsider's in astana
    assert drain_tasks() == 2
    listed = [r for r in s.admin.ok("GET", "/v1/reports") if r["kind"] == "timeliness"]
    assert sorted((r["date"], r["language"], r["status"]) for r in listed) == [
        ("2026-10-05", "kk", "ready"), ("2026-10-05", "ru", "ready")]


def test_after_the_close_the_sheet_shows_final_marks_statuses_and_verdicts(marked: SmallSchool) -> None:
    s = marked
    math, music = s.journals["math"], s.journals["music"]
    s.admin.ok("PUT", f"/v1/journals/{math}/periods/T1/status", {"entries": [
        {"student_id": s.pupils["p6"], "status": "exempt", "reason": "Анықтама", "document_date": "2026-09-20"},
        *({"student_id": s.pupils[p], "status": "not_assessed", "reason": "Ауырды", "document_date": "2026-10-20"}
          for p in ("p7", "p8", "p9"))]})
    s.teacher.ok("PUT", f"/v1/journals/{music}/periods/T1/verdicts", {"entries": [
        {"student_id": s.pupils["p1"], "passed": True}, {"student_id": s.pupils["p2"], "passed": False}]})
    s.teacher.ok("POST", f"/v1/journals/{math}/periods/T1/close")
    asked = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "csv"})
    rows = {r[0]: r[2:] for r in csv.reader(io.StringIO(_file(_ready(s.admin, asked["report_id"])["url"]).decode()))}
    assert rows["Абаев"] == ["85", "5", "", "pass"] and rows["Әлиев"] == ["97.5", "5", "", "fail"]
    assert rows["Бекова"] == ["", "exempt", "", ""] and rows["Өтепов"] == ["", "not_assessed", "", ""]
    asked = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "xlsx"})
    book = load_workbook(io.BytesIO(_file(_ready(s.admin, asked["report_id"])["url"])))
    stats = [[c.value for c in row] for row in book["statistics"].iter_rows() if row[0].value == "Математика"][0]
    assert stats[1:7] == [8, 2, 1, 1, 1, 3]  # N: five marks and three not assessed; the exempt pupil is out
    lines = [cell.value or "" for cell in book["sheet"]["A"][:8]]
    assert any("ағымдағы" in line for line in lines)  # music's T1 is still open: the sheet says it is live


def test_with_the_mean_of_sor_percentages_statistics_and_the_class_sheet_are_the_standing(
        school: SmallSchool, pump: StreamPump) -> None:
    """SOR% is the mean of each SOR's percentage, kept by the counters work by work:

        pupil  FO  SOR 1   SOR 2   SOCH    SOR% (by points)  term%                          mark (by points)
        p1      8   5/10   20/20   18/20   75   (83.33)      0.25*80 + 0.25*75 + 0.5*90 = 83.75   4  (5: 85.83)
        p2     10  10/10   10/20   20/20   75   (66.67)      0.25*100 + 0.25*75 + 0.5*100 = 93.75 5  (5: 91.67)
    """
    s, math, p = school, school.journals["math"], school.pupils
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None,
                                                               "sor_method": "mean_of_percentages"})
    first = lesson(s.teacher, math, "2026-10-01", topic="Бөлшектер")["lesson_id"]
    sor_1 = work(s.teacher, math, "2026-10-01", "SOR", max_points=10)["work_id"]
    sor_2 = work(s.teacher, math, "2026-10-02", "SOR", title="Бөлім 2")["work_id"]
    soch = work(s.teacher, math, "2026-10-05", "SOCH", title="1-тоқсан")["work_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{first}/formative", {"entries": [
        {"student_id": p["p1"], "points": 8}, {"student_id": p["p2"], "points": 10}]})
    for work_id, (one, two) in ((sor_1, (5, 10)), (sor_2, (20, 10)), (soch, (18, 20))):
        s.teacher.ok("PUT", f"/v1/works/{work_id}/results", {"entries": [
            {"student_id": p["p1"], "points": one}, {"student_id": p["p2"], "points": two}]})
    _stream(pump)
    live = s.teacher.ok("GET", f"/v1/journals/{math}/statistics?period=T1")
    assert live["distribution"] == {"2": 0, "3": 0, "4": 1, "5": 1, "not_assessed": 0} and live["as_of"]
    asked = _ask(s.admin, {"kind": "class_sheet", "class_id": s.class_id, "period": "T1", "format": "csv"})
    rows = {row[0]: row[2:4] for row in csv.reader(io.StringIO(
        _file(_ready(s.admin, asked["report_id"])["url"]).decode("utf-8")))}
    assert rows["Абаев"] == ["83.75", "4"] and rows["Әлиев"] == ["93.75", "5"]
    for pupil, last_name in (("p1", "Абаев"), ("p2", "Әлиев")):  # the engine's standing from the entries
        own = subject(standing(s.admin, p[pupil]))
        assert [f"{own['total_percent']:g}", str(own["mark"])] == rows[last_name]
        assert own["sor_percent"] == 75
