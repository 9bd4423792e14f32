"""Removing lessons, changing and removing works: audited like entries, results kept in the pupils' history."""
from __future__ import annotations

from urllib.parse import quote

from chalicelib.jobs.audit_reconciliation import reconcile_journal
from tests.integration.conftest import body
from tests.integration.school import (  # noqa: F401  (fixtures)
    SmallSchool, StreamPump, lesson, problem_type, pump, school, today, work,
)


def test_a_lesson_without_entries_goes_and_its_removal_is_in_the_journals_history(
        school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"], day="2026-10-05", topic="Бөлшектер")["lesson_id"]
    assert s.teacher.ok("DELETE", f"/v1/lessons/{made}") == {"lesson_id": made, "removed": True,
                                                             "entries_removed": 0}
    assert s.teacher.call("GET", f"/v1/lessons/{made}").status_code == 404
    assert s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")["lessons"] == []
    diary = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/diary?from=2026-10-05&to=2026-10-05")
    assert diary["days"] == []
    pump()
    history = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/history")
    assert [(h["what"], h["before"], h["after"]) for h in history] == [
        ("lesson", {"topic": "Бөлшектер", "homework": None, "objectives": []}, None),
        ("lesson", None, {"topic": "Бөлшектер", "homework": None, "objectives": []})]
    assert history[0]["actor"] == s.people["teacher"] and history[0]["lesson_id"] == made
    again = lesson(s.teacher, s.journals["math"], day="2026-10-05", topic="Қайта")  # its place is free again
    assert again["lesson_id"] != made and again["version"] > 1
    StreamPump()()  # the whole stream again (delivering twice writes nothing twice)
    assert reconcile_journal(s.journals["math"]) == []


def test_a_lesson_with_entries_needs_a_reason_and_its_entries_stay_in_history(
        school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"], day="2026-10-05")["lesson_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{made}/attendance", {"entries": [
        {"student_id": s.pupils["p1"], "status": "absent"}, {"student_id": s.pupils["p2"], "status": "present"}]})
    s.teacher.ok("PUT", f"/v1/lessons/{made}/formative", {"entries": [{"student_id": s.pupils["p1"], "points": 4}]})
    refused = s.teacher.call("DELETE", f"/v1/lessons/{made}")
    assert refused.status_code == 422 and problem_type(refused) == "reason-required"
    stale = s.teacher.call("DELETE", f"/v1/lessons/{made}?reason=x&version=7")
    assert stale.status_code == 409 and body(stale)["current"]["lesson_id"] == made
    done = s.teacher.ok("DELETE", f"/v1/lessons/{made}?reason={quote('қате сабақ')}&version=1")
    assert done["entries_removed"] == 3
    pump()
    history = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/history")
    removals = [h for h in history if h["after"] is None]
    assert {h["what"] for h in removals} == {"attendance", "formative"}
    assert all(h["reason"] == "қате сабақ" and h["actor"] == s.people["teacher"] for h in removals)
    assert {h["what"]: h["before"] for h in removals}["formative"]["points"] == 4


def test_a_work_with_results_is_removed_only_with_a_reason_its_results_kept_in_history(
        school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = work(s.teacher, s.journals["math"], day="2026-10-02")["work_id"]
    s.teacher.ok("PUT", f"/v1/works/{made}/results", {"entries": [{"student_id": s.pupils["p1"], "points": 15}]})
    refused = s.teacher.call("DELETE", f"/v1/works/{made}")
    assert refused.status_code == 422 and problem_type(refused) == "reason-required"
    assert s.teacher.ok("DELETE", f"/v1/works/{made}?reason={quote('басқа күні жазылады')}")["entries_removed"] == 1
    assert s.teacher.call("GET", f"/v1/works/{made}").status_code == 404
    assert s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")["works"] == []
    pump()
    result = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/history")[0]
    assert (result["what"], result["before"]["points"], result["after"]) == ("result", 15, None)
    assert result["reason"] == "басқа күні жазылады" and result["work_id"] == made
    journal = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/history")
    assert [(h["what"], h["work_id"], h["after"]) for h in journal][0] == ("work", made, None)
    assert journal[0]["before"]["title"] == "Бөлім 1" and journal[0]["reason"] == "басқа күні жазылады"
    for kind in ("SOR", "SOR", "SOR"):  # the removed SOR no longer counts towards the term's three
        work(s.teacher, s.journals["math"], day="2026-10-02", kind=kind)


def test_changing_a_work(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = work(s.teacher, s.journals["math"], day="2026-10-02")
    path = f"/v1/works/{made['work_id']}"
    moved = s.teacher.ok("PATCH", path, {"date": "2026-10-05", "max_points": 25, "version": 1})
    assert (moved["date"], moved["max_points"], moved["version"]) == ("2026-10-05", 25, 2)
    diary = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/diary?from=2026-10-02&to=2026-10-05")
    assert [(d["date"], [w["work_id"] for w in d["works"]]) for d in diary["days"]] == [
        ("2026-10-05", [made["work_id"]])]
    stale = s.teacher.call("PATCH", path, {"title": "x", "version": 1})
    assert stale.status_code == 409 and problem_type(stale) == "stale-version"
    outside = s.teacher.call("PATCH", path, {"date": "2026-11-03"})
    assert outside.status_code == 422 and problem_type(outside) == "date-outside-period"
    holiday = s.teacher.call("PATCH", path, {"date": "2026-10-04"})  # a Sunday
    assert holiday.status_code == 422
    s.teacher.ok("PUT", f"{path}/results", {"entries": [{"student_id": s.pupils["p1"], "points": 20}]})
    kept = s.teacher.call("PATCH", path, {"max_points": 10})
    assert kept.status_code == 422 and problem_type(kept) == "work-has-results"
    assert s.teacher.ok("PATCH", path, {"title": "Бөлім 2"})["title"] == "Бөлім 2"
    pump()
    journal = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/history")
    assert [(h["before"] or {}).get("title") for h in journal if h["what"] == "work"][:2] == ["Бөлім 1", "Бөлім 1"]


def test_who_may_correct(school: SmallSchool, today) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"], day="2026-10-05")["lesson_id"]
    sor = work(s.teacher, s.journals["math"], day="2026-10-02")["work_id"]
    for api, status in ((s.parent, 403), (s.student, 403), (s.other_teacher, 403), (s.outsider, 404)):
        assert api.call("DELETE", f"/v1/lessons/{made}").status_code == status
        assert api.call("DELETE", f"/v1/works/{sor}").status_code == status
        assert api.call("PATCH", f"/v1/works/{sor}", {"title": "x"}).status_code == status
    old = lesson(s.admin, s.journals["math"], day="2026-09-14", reason="кешіккен жазба")["lesson_id"]
    late = s.teacher.call("DELETE", f"/v1/lessons/{old}")
    assert late.status_code == 409 and problem_type(late) == "edit-window-passed"
    assert s.admin.call("DELETE", f"/v1/lessons/{old}").status_code == 422  # after the window: with a reason
    assert s.admin.ok("DELETE", f"/v1/lessons/{old}?reason=dup")["removed"] is True
    assert s.teacher.call("DELETE", f"/v1/lessons/{made}?version=x").status_code == 400
