"""Lessons, attendance, formative entries, works and results through the API: rules, merges, denials."""
from __future__ import annotations

import json
from typing import Any

from tests.integration.school import (  # noqa: F401  (fixtures)
    SmallSchool, lesson, problem_type, school, today, work,
)


def grid(s: SmallSchool, journal: str = "math", period: str = "T1") -> dict[str, Any]:
    return s.teacher.ok("GET", f"/v1/journals/{s.journals[journal]}?period={period}")


def put(api: Any, path: str, *entries: dict[str, Any], **extra: Any) -> Any:
    return api.call("PUT", path, {"entries": list(entries), **extra})


def test_a_lesson_with_attendance_and_formative_marks(school: SmallSchool) -> None:
    s, p = school, school.pupils
    made = lesson(s.teacher, s.journals["math"], topic="Бөлшектерді қосу", homework="№ 12, 14")
    path = f"/v1/lessons/{made['lesson_id']}"
    r = put(s.teacher, f"{path}/attendance", {"student_id": p["p1"], "status": "absent", "comment": "ауырды"},
            {"student_id": p["p2"], "status": "late"})
    assert r.status_code == 200, r.body
    r = put(s.teacher, f"{path}/formative", {"student_id": p["p2"], "points": 9, "feedback": "Өте жақсы шешім"})
    assert r.status_code == 200, r.body
    got = s.teacher.ok("GET", path)
    assert got["topic"] == "Бөлшектерді қосу" and got["homework"] == "№ 12, 14"
    assert [(e["student_id"], e["status"], e["comment"]) for e in got["attendance"]] == [
        (p["p1"], "absent", "ауырды"), (p["p2"], "late", None)]
    assert [(e["points"], e["feedback"], e["version"]) for e in got["formative"]] == [(9, "Өте жақсы шешім", 1)]


def test_put_merges_and_an_empty_entry_removes(school: SmallSchool) -> None:
    s, p = school, school.pupils
    path = f"/v1/lessons/{lesson(s.teacher, s.journals['math'])['lesson_id']}/formative"
    put(s.teacher, path, {"student_id": p["p1"], "points": 6}, {"student_id": p["p2"], "points": 7})
    body = s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p2"], "points": 8}]})
    assert {e["student_id"]: e["points"] for e in body["entries"]} == {p["p1"]: 6, p["p2"]: 8}
    body = s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p1"], "points": None, "feedback": None}]})
    assert [e["student_id"] for e in body["entries"]] == [p["p2"]]
    assert [e["student_id"] for e in grid(s)["entries"]] == [p["p2"]]


def test_results_from_descriptors(school: SmallSchool) -> None:
    s, p = school, school.pupils
    criteria = [{"text": {"kk": "Бөлшекті қысқартады", "ru": "Сокращает дробь"},
                 "descriptors": [{"text": {"kk": "ортақ бөлгішті табады", "ru": "находит делитель"}, "points": 5},
                                 {"text": {"kk": "қысқартады", "ru": "сокращает"}, "points": 5}]},
                {"text": {"kk": "Есеп шығарады", "ru": "Решает задачу"},
                 "descriptors": [{"text": {"kk": "шешеді", "ru": "решает"}, "points": 10}]}]
    made = work(s.teacher, s.journals["math"], criteria=criteria)
    ids = [d["descriptor_id"] for c in made["criteria"] for d in c["descriptors"]]
    assert len(set(ids)) == 3 and all(i.isdigit() and int(i) > 0 for i in ids)
    path = f"/v1/works/{made['work_id']}/results"
    body = s.teacher.ok("PUT", path, {"entries": [
        {"student_id": p["p1"], "descriptors_met": [ids[0], ids[2]], "feedback": "Жақсы"},
        {"student_id": p["p2"], "points": 5, "descriptors_met": [ids[1]]},
        {"student_id": p["p3"], "points": 17}]})
    assert [(e["points"], e["descriptors_met"]) for e in body["entries"]] == [
        (15, sorted([ids[0], ids[2]])), (5, [ids[1]]), (17, [])]
    r = put(s.teacher, path, {"student_id": p["p4"], "points": 4, "descriptors_met": [ids[1]]})
    assert (r.status_code, problem_type(r)) == (422, "points-mismatch")
    r = put(s.teacher, path, {"student_id": p["p4"], "descriptors_met": ["999"]})
    assert (r.status_code, problem_type(r)) == (422, "unknown-descriptor")


def test_every_rule_has_its_own_422_and_writes_nothing(school: SmallSchool) -> None:
    s, p = school, school.pupils
    math = s.journals["math"]
    for day, slug in (("2026-10-28", "date-outside-period"), ("2026-08-31", "date-outside-period"),
                      ("2026-12-16", "holiday"), ("2026-10-04", "not-a-school-day"), ("2026-13-01", "invalid-date")):
        r = s.teacher.call("POST", f"/v1/journals/{math}/lessons", {"date": day, "number": 1})
        assert (r.status_code, problem_type(r)) == (422, slug), day
    past = f"/v1/lessons/{lesson(s.teacher, math)['lesson_id']}"
    planned = f"/v1/lessons/{lesson(s.teacher, math, day='2026-10-08')['lesson_id']}"
    sor = f"/v1/works/{work(s.teacher, math)['work_id']}/results"
    first_grade = f"/v1/lessons/{lesson(s.teacher, s.journals['math1'])['lesson_id']}/formative"
    music = f"/v1/lessons/{lesson(s.teacher, s.journals['music'])['lesson_id']}/formative"
    ethics = f"/v1/lessons/{lesson(s.teacher, s.journals['ethics'])['lesson_id']}/formative"
    good = {"student_id": p["p1"], "status": "present"}
    cases = [
        (f"{past}/attendance", [good, {"student_id": s.pupils["q1"], "status": "present"}], "pupil-not-in-class"),
        (f"{planned}/attendance", [good], "future-date"),
        (f"{planned}/formative", [{"student_id": p["p1"], "points": 5}], "future-date"),
        (f"{past}/formative", [{"student_id": p["p1"], "points": 8}, {"student_id": p["p2"], "points": 11}],
         "points-out-of-range"),
        (f"{past}/formative", [{"student_id": p["p1"], "points": 0}], "points-out-of-range"),
        (sor, [{"student_id": p["p1"], "points": 12}, {"student_id": p["p2"], "points": 21}], "points-above-maximum"),
        (first_grade, [{"student_id": p["q1"], "points": 8, "feedback": "Жарайсың"}], "feedback-only"),
        (ethics, [{"student_id": p["p1"], "points": 8}], "feedback-only"),
        (music, [{"student_id": p["p1"], "points": 8}], "pass-fail-no-points"),
        (f"{past}/attendance", [{"student_id": p["p1"], "status": "н"}], "invalid-value"),
    ]
    for path, entries, slug in cases:
        r = put(s.teacher, path, *entries)
        assert (r.status_code, problem_type(r)) == (422, slug), (path, r.body)
        assert json.loads(r.body)["errors"]
    assert grid(s)["entries"] == [] and grid(s, "math1")["entries"] == []
    r = put(s.teacher, first_grade, {"student_id": p["q1"], "feedback": "Жарайсың, Томирис!"})
    assert r.status_code == 200 and json.loads(r.body)["entries"][0]["points"] is None


def test_summative_limits(school: SmallSchool) -> None:
    s = school
    math = s.journals["math"]
    for day in ("2026-10-01", "2026-10-07", "2026-10-14"):  # planned ahead too
        work(s.teacher, math, day=day)
    r = s.teacher.call("POST", f"/v1/journals/{math}/works", {"kind": "SOR", "period": "T1", "date": "2026-10-16",
                                                              "title": "4", "max_points": 20})
    assert (r.status_code, problem_type(r)) == (422, "sor-limit")
    for day, slug in (("2026-10-07", "sor-and-soch-same-day"), ("2026-10-23", "soch-on-last-day")):
        r = s.teacher.call("POST", f"/v1/journals/{math}/works", {"kind": "SOCH", "period": "T1", "date": day,
                                                                  "title": "ТЖБ", "max_points": 25})
        assert (r.status_code, problem_type(r)) == (422, slug)
    r = s.teacher.call("POST", f"/v1/journals/{s.journals['music']}/works",
                       {"kind": "SOR", "period": "T1", "date": "2026-10-01", "title": "Ән", "max_points": 10})
    assert (r.status_code, problem_type(r)) == (422, "no-summative-in-pass-fail")
    r = s.teacher.call("POST", f"/v1/journals/{math}/works",
                       {"kind": "SOR", "period": "T1", "date": "2026-10-01", "title": "x", "max_points": 20,
                        "criteria": [{"text": {"kk": "a", "ru": "a"},
                                      "descriptors": [{"text": {"kk": "b", "ru": "b"}, "points": 19}]}]})
    assert (r.status_code, problem_type(r)) == (422, "criteria-points")


def test_a_fourth_soch_in_one_day_for_the_class_is_refused(school: SmallSchool) -> None:
    s = school
    journals = [s.journals["math"], s.journals["ethics"]]
    for code in ("phys", "chem"):
        subject = s.admin.ok("POST", f"/v1/schools/{s.school_id}/subjects",
                             {"code": code, "name": {"kk": code, "ru": code}, "assessment": "criteria"}, status=201)
        journals.append(s.admin.ok("POST", f"/v1/classes/{s.class_id}/journals",
                                   {"subject_id": subject["subject_id"], "teacher_ids": [s.people["teacher"]],
                                    "hours_per_week": 2}, status=201)["journal_id"])
    for journal in journals[:3]:
        work(s.teacher, journal, day="2026-10-14", kind="SOCH")
    r = s.teacher.call("POST", f"/v1/journals/{journals[3]}/works",
                       {"kind": "SOCH", "period": "T1", "date": "2026-10-14", "title": "ТЖБ", "max_points": 25})
    assert (r.status_code, problem_type(r)) == (422, "soch-daily-limit")
    work(s.teacher, journals[3], day="2026-10-15", kind="SOCH")


def test_lesson_creation_is_idempotent(school: SmallSchool) -> None:
    s = school
    path, body = f"/v1/journals/{s.journals['math']}/lessons", {"date": "2026-10-02", "number": 3}
    first = s.teacher.call("POST", path, body, headers={"Idempotency-Key": "lesson-2-10-3"})
    again = s.teacher.call("POST", path, body, headers={"Idempotency-Key": "lesson-2-10-3"})
    assert first.status_code == again.status_code == 201 and json.loads(first.body) == json.loads(again.body)
    assert len(grid(s)["lessons"]) == 1
    r = s.teacher.call("POST", path, body)
    assert (r.status_code, problem_type(r)) == (422, "lesson-exists")
    r = s.teacher.call("POST", path, {**body, "number": 4}, headers={"Idempotency-Key": "lesson-2-10-3"})
    assert (r.status_code, problem_type(r)) == (422, "idempotency-key-reused")


def test_who_may_write(school: SmallSchool) -> None:
    s, p = school, school.pupils
    made = f"/v1/lessons/{lesson(s.teacher, s.journals['math'])['lesson_id']}/attendance"
    entry = {"student_id": p["p1"], "status": "present"}
    for api, status in ((s.other_teacher, 403), (s.parent, 403), (s.student, 403), (s.outsider, 404),
                        (s.ministry, 403)):
        assert put(api, made, entry).status_code == status
    assert put(s.admin, made, entry).status_code == 200
    assert put(s.teacher, "/v1/lessons/1234567/attendance", entry).status_code == 404
    r = s.parent.call("POST", f"/v1/journals/{s.journals['math']}/lessons", {"date": "2026-10-02", "number": 2})
    assert r.status_code == 403
    assert s.outsider.call("GET", f"/v1/journals/{s.journals['math']}?period=T1").status_code == 404
    assert s.parent.call("GET", f"/v1/journals/{s.journals['math']}?period=T1").status_code == 403
    assert s.teacher.call("GET", "/v1/journals/42?period=T1").status_code == 404
    assert s.teacher.call("GET", f"/v1/journals/{s.journals['math']}?period=T9").status_code == 400
