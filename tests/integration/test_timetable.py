"""The timetable through the API: bells, grids, planned lessons, substitutions and cancelled lessons."""
from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, body
from tests.integration.school import SmallSchool, lesson, problem_type, school, today  # noqa: F401

BELLS = [{"number": 1, "start": "08:30", "end": "09:15"}, {"number": 2, "start": "09:25", "end": "10:10"},
         {"number": 3, "start": "10:20", "end": "11:05"}]


def _grid(s: SmallSchool) -> list[dict[str, Any]]:
    """7Ә: math on Monday 1 and Wednesday 2 (room 214), music on Monday 2, ethics on Friday 3."""
    j = s.journals
    return [{"weekday": 1, "number": 1, "journal_id": j["math"], "room": "214"},
            {"weekday": 1, "number": 2, "journal_id": j["music"]},
            {"weekday": 3, "number": 2, "journal_id": j["math"], "room": "214"},
            {"weekday": 5, "number": 3, "journal_id": j["ethics"]}]


def _set_up(s: SmallSchool, period: str = "T1") -> None:
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/bells", {"bells": BELLS})
    s.admin.ok("PUT", f"/v1/classes/{s.class_id}/timetable/{period}", {"slots": _grid(s)})


def _lessons(api: Api, journal_id: str, period: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"/v1/journals/{journal_id}?period={period}")["lessons"]


def test_bells_are_the_admins_to_set(school: SmallSchool) -> None:
    s = school
    path = f"/v1/schools/{s.school_id}/bells"
    assert s.admin.ok("GET", path) == []
    assert s.admin.ok("PUT", path, {"bells": BELLS[::-1]}) == BELLS
    assert s.parent.ok("GET", path) == BELLS
    overlap = s.admin.call("PUT", path, {"bells": [BELLS[0], {**BELLS[1], "start": "09:00"}]})
    assert overlap.status_code == 422 and problem_type(overlap) == "bells-overlap"
    assert s.teacher.call("PUT", path, {"bells": BELLS}).status_code == 403
    assert s.outsider.call("GET", path).status_code == 404


def test_a_grid_is_checked_and_shown_with_its_times(school: SmallSchool) -> None:
    s = school
    _set_up(s)
    grid = s.parent.ok("GET", f"/v1/classes/{s.class_id}/timetable/T1")
    assert [(x["weekday"], x["number"], x["subject_id"], x["room"], x["start"]) for x in grid["slots"]] == [
        (1, 1, s.subjects["math"], "214", "08:30"), (1, 2, s.subjects["music"], None, "09:25"),
        (3, 2, s.subjects["math"], "214", "09:25"), (5, 3, s.subjects["ethics"], None, "10:20")]
    path = f"/v1/classes/{s.class_id}/timetable/T1"
    clash = s.admin.call("PUT", path, {"slots": [*_grid(s), {"weekday": 1, "number": 1,
                                                              "journal_id": s.journals["ethics"]}]})
    assert clash.status_code == 422 and problem_type(clash) == "slot-taken"
    foreign = s.admin.call("PUT", path, {"slots": [{"weekday": 2, "number": 1, "journal_id": s.journals["math1"]}]})
    assert foreign.status_code == 422 and problem_type(foreign) == "journal-not-of-class"
    sunday = s.admin.call("PUT", path, {"slots": [{"weekday": 7, "number": 1, "journal_id": s.journals["math"]}]})
    assert sunday.status_code == 422
    assert s.admin.call("PUT", path, {"slots": [{"weekday": 1}]}).status_code == 400
    assert s.teacher.call("PUT", path, {"slots": []}).status_code == 403
    assert s.outsider.call("GET", path).status_code == 404
    assert s.admin.call("GET", f"/v1/classes/{s.class_id}/timetable/T9").status_code == 404


def test_a_teacher_cannot_be_in_two_classes_at_once(school: SmallSchool) -> None:
    s = school
    _set_up(s)
    busy = s.admin.call("PUT", f"/v1/classes/{s.first_grade_class_id}/timetable/T1",
                        {"slots": [{"weekday": 1, "number": 1, "journal_id": s.journals["math1"]}]})
    assert busy.status_code == 422 and problem_type(busy) == "teacher-busy"
    s.admin.ok("PUT", f"/v1/classes/{s.first_grade_class_id}/timetable/T1",
               {"slots": [{"weekday": 1, "number": 3, "journal_id": s.journals["math1"]}]})


def test_a_term_of_planned_lessons_skips_holidays_and_breaks(school: SmallSchool) -> None:
    s = school
    for klass in (s.class_id, s.first_grade_class_id):
        journal = s.journals["math"] if klass == s.class_id else s.journals["math1"]
        s.admin.ok("PUT", f"/v1/classes/{klass}/timetable/T3", {"slots": [
            {"weekday": 1, "number": 1 if klass == s.class_id else 2, "journal_id": journal}]})
    made = s.admin.ok("POST", f"/v1/classes/{s.first_grade_class_id}/timetable/T3/lessons", status=201)
    assert (made["from"], made["to"], made["created"]) == ("2027-01-11", "2027-03-21", 8)
    seventh = s.admin.ok("POST", f"/v1/classes/{s.class_id}/timetable/T3/lessons", status=201)
    assert seventh["created"] == 9
    first_dates = {x["date"] for x in _lessons(s.admin, s.journals["math1"], "T3")}
    seventh_dates = {x["date"] for x in _lessons(s.admin, s.journals["math"], "T3")}
    assert "2027-02-08" in seventh_dates and "2027-02-08" not in first_dates  # grade 1's February break
    assert "2027-03-08" not in seventh_dates  # a public holiday
    assert seventh_dates - first_dates == {"2027-02-08"}


def test_planning_again_changes_nothing_and_keeps_a_teachers_own_lesson(school: SmallSchool) -> None:
    s = school
    _set_up(s)
    own = lesson(s.teacher, s.journals["math"], day="2026-10-12", number=1, topic="Кіріспе")
    key = {"Idempotency-Key": "plan-t1"}
    first = s.admin.ok("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons", status=201, headers=key)
    assert first["planned"] == first["created"] + 1  # 12 October's math lesson was there already
    assert s.admin.ok("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons", status=201, headers=key) == first
    again = s.admin.ok("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons", status=201)
    assert again["created"] == 0
    math = _lessons(s.teacher, s.journals["math"], "T1")
    assert [x["topic"] for x in math if x["lesson_id"] == own["lesson_id"]] == ["Кіріспе"]
    assert {x["room"] for x in math} == {"214", None}  # the one made by hand has no room
    assert all(x["date"] >= "2026-09-01" and x["date"] <= "2026-10-25" for x in math)
    assert s.teacher.call("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons").status_code == 403
    none_yet = s.admin.call("POST", f"/v1/classes/{s.class_id}/timetable/T2/lessons")
    assert none_yet.status_code == 422 and problem_type(none_yet) == "no-timetable"


def test_the_whole_school_at_once_and_the_diary_reads_the_plan(school: SmallSchool) -> None:
    s = school
    _set_up(s)
    done = s.admin.ok("POST", f"/v1/schools/{s.school_id}/timetable/T1/lessons?year=2026&from=2026-10-05&to="
                              "2026-10-11", status=201)
    assert [c["class_id"] for c in done["classes"]] == [s.class_id] and done["created"] == 4
    diary = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/diary?from=2026-10-05&to=2026-10-09")
    monday = diary["days"][0]
    assert monday["date"] == "2026-10-05"
    assert [(x["number"], x["start"], x["end"], x["room"]) for x in monday["lessons"]] == [
        (1, "08:30", "09:15", "214"), (2, "09:25", "10:10", None)]
    assert [d["date"] for d in diary["days"]] == ["2026-10-05", "2026-10-07", "2026-10-09"]
    assert s.admin.call("POST", f"/v1/schools/{s.school_id}/timetable/T1/lessons").status_code == 400
    assert s.outsider.call("POST", f"/v1/schools/{s.school_id}/timetable/T1/lessons?year=2026").status_code == 404


def _monday_math(s: SmallSchool) -> str:
    _set_up(s)
    s.admin.ok("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons?from=2026-09-28&to=2026-10-05", status=201)
    return {x["date"]: x["lesson_id"] for x in _lessons(s.admin, s.journals["math"], "T1")}["2026-10-05"]


def test_a_substitute_fills_that_one_lesson(school: SmallSchool) -> None:
    s = school
    lesson_id = _monday_math(s)
    other = {x["date"]: x["lesson_id"] for x in _lessons(s.admin, s.journals["math"], "T1")}["2026-09-30"]
    attendance = {"entries": [{"student_id": s.pupils["p2"], "status": "late"}]}
    assert s.other_teacher.call("PUT", f"/v1/lessons/{lesson_id}/attendance", attendance).status_code == 403
    path = f"/v1/lessons/{lesson_id}/substitution"
    assert s.teacher.call("PUT", path, {"teacher_id": s.people["other_teacher"]}).status_code == 403
    assert s.outsider.call("PUT", path, {"teacher_id": s.people["other_teacher"]}).status_code == 404
    not_teacher = s.admin.call("PUT", path, {"teacher_id": s.pupils["p1"]})
    assert not_teacher.status_code == 422
    changed = s.admin.ok("PUT", path, {"teacher_id": s.people["other_teacher"], "reason": "ауырып қалды"})
    assert changed["substitute_id"] == s.people["other_teacher"]
    written = s.other_teacher.ok("PUT", f"/v1/lessons/{lesson_id}/attendance", attendance)
    assert [e["status"] for e in written["entries"]] == ["late"]
    assert s.other_teacher.ok("GET", f"/v1/lessons/{lesson_id}")["attendance"][0]["student_id"] == s.pupils["p2"]
    assert s.other_teacher.call("PUT", f"/v1/lessons/{other}/attendance", attendance).status_code == 403
    assert s.other_teacher.call("GET", f"/v1/journals/{s.journals['math']}?period=T1").status_code == 403
    assert s.teacher.call("PUT", f"/v1/lessons/{lesson_id}/formative", {"entries": [
        {"student_id": s.pupils["p2"], "points": 7}]}).status_code == 200  # the journal's teacher still may
    assert s.admin.ok("DELETE", path)["substitute_id"] is None
    assert s.other_teacher.call("PUT", f"/v1/lessons/{lesson_id}/attendance", attendance).status_code == 403


def test_a_cancelled_lesson_takes_no_entries_until_restored(school: SmallSchool) -> None:
    s = school
    lesson_id = _monday_math(s)
    path = f"/v1/lessons/{lesson_id}/cancellation"
    attendance = {"entries": [{"student_id": s.pupils["p1"], "status": "absent"}]}
    assert s.parent.call("PUT", path, {"reason": "карантин"}).status_code == 403
    assert s.teacher.call("PUT", path, {}).status_code == 400
    assert s.teacher.call("PUT", path, {"reason": "  "}).status_code == 422
    cancelled = s.teacher.ok("PUT", path, {"reason": "карантин"})
    assert cancelled["cancelled"] == "карантин"
    refused = s.teacher.call("PUT", f"/v1/lessons/{lesson_id}/attendance", attendance)
    assert refused.status_code == 422 and problem_type(refused) == "lesson-cancelled"
    diary = s.student.ok("GET", f"/v1/students/{s.pupils['p1']}/diary?from=2026-10-05&to=2026-10-05")
    assert diary["days"][0]["lessons"][0]["cancelled"] == "карантин"
    restored = s.teacher.ok("DELETE", path)
    assert restored["cancelled"] is None
    stale = s.teacher.call("PUT", path, {"reason": "x", "version": 1})
    assert stale.status_code == 409 and problem_type(stale) == "stale-version"
    assert body(stale)["current"]["version"] == restored["version"]
    s.teacher.ok("PUT", f"/v1/lessons/{lesson_id}/attendance", attendance)
    taken_place = s.teacher.call("PUT", path, {"reason": "карантин"})
    assert taken_place.status_code == 422 and problem_type(taken_place) == "lesson-has-entries"


def test_planning_refuses_a_closed_period_and_plans_nothing(school: SmallSchool) -> None:
    s = school
    _set_up(s)
    closed = s.admin.call("POST", f"/v1/journals/{s.journals['ethics']}/periods/T1/close")
    assert closed.status_code == 200, closed.body
    refused = s.admin.call("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons")
    assert refused.status_code == 409 and problem_type(refused) == "period-closed"
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert [(e["field"], e["message"]) for e in body(refused)["errors"]] == [
        (f"journals.{s.journals['ethics']}", f"T1 of class {s.class_id} is read-only: T1 closed")]
    assert _lessons(s.admin, s.journals["math"], "T1") == []  # not even the journals still open
    whole = s.admin.call("POST", f"/v1/schools/{s.school_id}/timetable/T1/lessons?year=2026")
    assert whole.status_code == 409 and problem_type(whole) == "period-closed"
    assert s.teacher.call("POST", f"/v1/classes/{s.class_id}/timetable/T1/lessons").status_code == 403
    s.admin.ok("PUT", f"/v1/classes/{s.class_id}/timetable/T2", {"slots": _grid(s)})
    assert s.admin.ok("POST", f"/v1/classes/{s.class_id}/timetable/T2/lessons", status=201)["created"] > 0


def test_planning_refuses_a_year_made_read_only_by_the_rollover(school: SmallSchool) -> None:
    s = school
    _set_up(s, "T2")
    assert s.admin.ok("POST", f"/v1/classes/{s.class_id}/rollover")["read_only"] is True
    refused = s.admin.call("POST", f"/v1/classes/{s.class_id}/timetable/T2/lessons")
    assert refused.status_code == 409 and problem_type(refused) == "year-read-only"
    document = body(refused)
    assert document["detail"].startswith("The school year has ended")
    assert {e["message"] for e in document["errors"]} == {
        f"T2 of class {s.class_id} is read-only: its school year has ended (rollover)"}
    assert len(document["errors"]) == 3  # math, music and ethics
    assert _lessons(s.admin, s.journals["math"], "T2") == []
    whole = s.admin.call("POST", f"/v1/schools/{s.school_id}/timetable/T2/lessons?year=2026")
    assert whole.status_code == 409 and problem_type(whole) == "year-read-only"
