"""Subgroups: a journal for part of a class; its grid, entries, timetable and the pupils' diaries respect it."""
from __future__ import annotations

from typing import Any

from tests.integration.conftest import body
from tests.integration.school import (  # noqa: F401  (fixtures)
    SmallSchool, StreamPump, lesson, problem_type, pump, school, today, work,
)
from tests.integration.test_standing import formative, results, standing, subject
from tests.integration.test_statistics import count, figures, recomputed, statistics

GROUP_1 = ["p1", "p2", "p6"]
GROUP_2 = ["p3", "p4", "p5", "p7", "p8", "p9"]


def _english(s: SmallSchool) -> dict[str, Any]:
    subject = s.admin.ok("POST", f"/v1/schools/{s.school_id}/subjects",
                         {"code": "english", "name": {"kk": "Ағылшын тілі", "ru": "Английский язык"},
                          "assessment": "criteria"}, status=201)["subject_id"]
    groups = {}
    for name, members, teacher in (("1-топ", GROUP_1, "teacher"), ("2-топ", GROUP_2, "other_teacher")):
        groups[name] = s.admin.ok("POST", f"/v1/classes/{s.class_id}/subgroups", {
            "subject_id": subject, "name": name, "teacher_ids": [s.people[teacher]], "hours_per_week": 3,
            "student_ids": [s.pupils[k] for k in members]}, status=201)
    return {"subject": subject, **groups}


def test_a_subgroups_grid_has_its_pupils_only(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    first = g["1-топ"]
    assert first["group_name"] == "1-топ" and sorted(first["student_ids"]) == sorted(s.pupils[k] for k in GROUP_1)
    grid = s.teacher.ok("GET", f"/v1/journals/{first['journal_id']}?period=T1")
    assert [p["student_id"] for p in grid["students"]] == [s.pupils[k] for k in ("p1", "p2", "p6")]
    listed = s.teacher.ok("GET", f"/v1/journals/{first['journal_id']}/pupils")
    assert [p["student_id"] for p in listed] == [s.pupils[k] for k in ("p1", "p2", "p6")]
    whole = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/pupils")
    assert len(whole) == 9


def test_entries_only_for_the_groups_pupils(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    made = lesson(s.teacher, g["1-топ"]["journal_id"], day="2026-10-05")
    outside = s.teacher.call("PUT", f"/v1/lessons/{made['lesson_id']}/attendance",
                             {"entries": [{"student_id": s.pupils["p3"], "status": "absent"}]})
    assert outside.status_code == 422 and problem_type(outside) == "pupil-not-in-class"
    s.teacher.ok("PUT", f"/v1/lessons/{made['lesson_id']}/attendance",
                 {"entries": [{"student_id": s.pupils["p1"], "status": "absent"}]})
    assert s.teacher.call("POST", f"/v1/journals/{g['2-топ']['journal_id']}/lessons",
                          {"date": "2026-10-05", "number": 1}).status_code == 403  # not the teacher of group 2


def test_the_diary_shows_the_pupils_own_group(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    mine = lesson(s.teacher, g["1-топ"]["journal_id"], day="2026-10-05", number=3)
    theirs = lesson(s.other_teacher, g["2-топ"]["journal_id"], day="2026-10-05", number=3)
    math = lesson(s.teacher, s.journals["math"], day="2026-10-05", number=1)
    diary = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/diary?from=2026-10-05&to=2026-10-05")
    assert [x["lesson_id"] for x in diary["days"][0]["lessons"]] == [math["lesson_id"], mine["lesson_id"]]
    other = s.admin.ok("GET", f"/v1/students/{s.pupils['p3']}/diary?from=2026-10-05&to=2026-10-05")
    assert [x["lesson_id"] for x in other["days"][0]["lessons"]] == [math["lesson_id"], theirs["lesson_id"]]


def test_two_groups_share_a_slot_but_not_a_pupil(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    path = f"/v1/classes/{s.class_id}/timetable/T1"
    slots = [{"weekday": 2, "number": 2, "journal_id": g["1-топ"]["journal_id"], "room": "301"},
             {"weekday": 2, "number": 2, "journal_id": g["2-топ"]["journal_id"], "room": "302"}]
    s.admin.ok("PUT", path, {"slots": slots})
    s.admin.ok("PUT", f"/v1/journals/{g['2-топ']['journal_id']}/pupils",
               {"student_ids": [s.pupils[k] for k in [*GROUP_2, "p1"]]})
    overlap = s.admin.call("PUT", path, {"slots": slots})
    assert overlap.status_code == 422 and problem_type(overlap) == "slot-taken"
    whole = s.admin.call("PUT", path, {"slots": [slots[0], {**slots[1], "journal_id": s.journals["math"]}]})
    assert whole.status_code == 422


def test_changing_a_groups_pupils_and_its_denials(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    path = f"/v1/journals/{g['1-топ']['journal_id']}/pupils"
    changed = s.admin.ok("PUT", path, {"student_ids": [s.pupils["p1"], s.pupils["p9"]]})
    assert sorted(changed["student_ids"]) == sorted([s.pupils["p1"], s.pupils["p9"]])
    grid = s.teacher.ok("GET", f"/v1/journals/{g['1-топ']['journal_id']}?period=T1")
    assert [p["student_id"] for p in grid["students"]] == [s.pupils["p1"], s.pupils["p9"]]
    foreign = s.admin.call("PUT", path, {"student_ids": [s.pupils["q1"]]})  # a pupil of 1А
    assert foreign.status_code == 422
    assert s.admin.call("PUT", path, {"student_ids": []}).status_code == 422
    whole = s.admin.call("PUT", f"/v1/journals/{s.journals['math']}/pupils", {"student_ids": [s.pupils["p1"]]})
    assert whole.status_code == 422 and problem_type(whole) == "not-a-subgroup"
    assert s.teacher.call("PUT", path, {"student_ids": [s.pupils["p1"]]}).status_code == 403
    assert s.outsider.call("PUT", path, {"student_ids": [s.pupils["p1"]]}).status_code == 404
    assert s.parent.call("GET", path).status_code == 403


def test_creating_a_group_is_checked(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    new = {"subject_id": g["subject"], "name": " 1-ТОП ", "teacher_ids": [s.people["teacher"]],
            "hours_per_week": 3, "student_ids": [s.pupils["p1"]]}
    path = f"/v1/classes/{s.class_id}/subgroups"
    taken = s.admin.call("POST", path, new)
    assert taken.status_code == 422 and problem_type(taken) == "already-exists"
    bad = s.admin.call("POST", path, {**new, "name": "3-топ", "student_ids": [s.pupils["q1"]],
                                      "teacher_ids": [s.pupils["p1"]], "hours_per_week": 0})
    assert {e["field"] for e in body(bad)["errors"]} == {"student_ids[0]", "teacher_ids[0]", "hours_per_week"}
    assert s.teacher.call("POST", path, {**new, "name": "4"}).status_code == 403
    assert s.outsider.call("POST", path, {**new, "name": "5"}).status_code == 404
    journals = s.parent.ok("GET", f"/v1/schools/{s.school_id}/journals?language=kk")
    assert [j["group_name"] for j in journals if j["subject_id"] == g["subject"]] == ["1-топ", "2-топ"]


def test_a_groups_standing_close_and_statistics_cover_its_pupils_only(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    g = _english(s)
    mine, theirs = g["1-топ"]["journal_id"], g["2-топ"]["journal_id"]
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    made = lesson(s.teacher, mine, day="2026-09-10")["lesson_id"]
    formative(s.teacher, made, {s.pupils["p1"]: 9, s.pupils["p2"]: 4})
    soch = work(s.teacher, mine, day="2026-10-01", kind="SOCH", max_points=30)["work_id"]
    results(s.teacher, soch, {s.pupils[k]: points for k, points in (("p1", 27), ("p2", 12), ("p6", 20))})
    english = {k: subject(standing(s.admin, s.pupils[k]), "english") for k in ("p1", "p3")}
    assert english["p1"]["journal_id"] == mine and english["p1"]["mark"] == 5
    assert english["p3"]["journal_id"] == theirs and english["p3"]["mark"] is None
    count(pump)
    live = statistics(s, journal=mine)
    assert live["n"] == 3 and figures(live) == recomputed(s, [s.pupils[k] for k in GROUP_1], "english")
    closed = s.teacher.ok("POST", f"/v1/journals/{mine}/periods/T1/close")  # group 2 has no SOCH: no matter
    assert sorted(m["student_id"] for m in closed["marks"]) == sorted(s.pupils[k] for k in GROUP_1)
    assert statistics(s, journal=mine)["final"] is True
    assert s.teacher.call("POST", f"/v1/journals/{theirs}/periods/T1/close").status_code == 403


def test_a_groups_teacher_writes_only_their_groups_journal(school: SmallSchool) -> None:
    s = school
    g = _english(s)
    theirs = lesson(s.other_teacher, g["2-топ"]["journal_id"], day="2026-10-05")["lesson_id"]
    for method, path, document in (
            ("PUT", f"/v1/lessons/{theirs}/attendance",
             {"entries": [{"student_id": s.pupils["p3"], "status": "absent"}]}),
            ("PUT", f"/v1/lessons/{theirs}/formative", {"entries": [{"student_id": s.pupils["p3"], "points": 7}]}),
            ("POST", f"/v1/journals/{g['2-топ']['journal_id']}/works",
             {"kind": "SOR", "period": "T1", "date": "2026-10-05", "title": "Бөлім 1", "max_points": 20}),
            ("PUT", f"/v1/journals/{g['2-топ']['journal_id']}/periods/T1/verdicts", {"entries": []}),
            ("DELETE", f"/v1/lessons/{theirs}", None)):
        assert s.teacher.call(method, path, document).status_code == 403, path
    assert s.other_teacher.call("PUT", f"/v1/lessons/{theirs}/attendance", {
        "entries": [{"student_id": s.pupils["p3"], "status": "absent"}]}).status_code == 200
