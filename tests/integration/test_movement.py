"""Pupil movement: a transfer with its date, leaving school, and the year's end with the old year read-only."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.store.directory import PersonItem
from chalicelib.store.marks import PeriodRecord
from chalicelib.store.people import person_key
from tests.integration.conftest import roster
from tests.integration.school import SmallSchool, lesson, problem_type, school, today  # noqa: F401


def _class_7b(s: SmallSchool) -> dict[str, str]:
    class_id = s.admin.ok("POST", f"/v1/schools/{s.school_id}/classes",
                          {"year": 2026, "grade": 7, "letter": "Б", "language": "kk"}, status=201)["class_id"]
    journal_id = s.admin.ok("POST", f"/v1/classes/{class_id}/journals",
                            {"subject_id": s.subjects["math"], "teacher_ids": [s.people["other_teacher"]],
                             "hours_per_week": 5}, status=201)["journal_id"]
    return {"class_id": class_id, "journal_id": journal_id}


def _attend(api: Any, lesson_id: str, pupil: str, status: str = "absent") -> Any:
    return api.call("PUT", f"/v1/lessons/{lesson_id}/attendance",
                    {"entries": [{"student_id": pupil, "status": status}]})


def test_a_transfer_splits_the_pupils_dates_between_the_classes(school: SmallSchool) -> None:
    s = school
    p1 = s.pupils["p1"]
    b = _class_7b(s)
    before = lesson(s.teacher, s.journals["math"], day="2026-10-01")["lesson_id"]
    assert _attend(s.teacher, before, p1).status_code == 200
    moved = s.admin.ok("POST", f"/v1/students/{p1}/transfer", {"class_id": b["class_id"], "date": "2026-10-05"})
    assert moved["class_id"] == b["class_id"]
    assert moved["classes"] == [{"class_id": s.class_id, "until": "2026-10-04"}]
    old_grid = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")
    mine = [p for p in old_grid["students"] if p["student_id"] == p1]
    assert mine and mine[0]["enrolled"] == [{"from": None, "to": "2026-10-04"}]
    assert [e["student_id"] for e in old_grid["entries"]] == [p1]  # their entries stay
    after_old = lesson(s.teacher, s.journals["math"], day="2026-10-05")["lesson_id"]
    refused = _attend(s.teacher, after_old, p1)
    assert refused.status_code == 422 and problem_type(refused) == "pupil-not-in-class"
    assert _attend(s.teacher, before, p1, "ill").status_code == 200  # the old class's past is still theirs
    new_grid = s.other_teacher.ok("GET", f"/v1/journals/{b['journal_id']}?period=T1")
    assert [p["enrolled"] for p in new_grid["students"] if p["student_id"] == p1] == [
        [{"from": "2026-10-05", "to": None}]]
    too_early = lesson(s.other_teacher, b["journal_id"], day="2026-10-02")["lesson_id"]
    assert _attend(s.other_teacher, too_early, p1).status_code == 422
    first_day = lesson(s.other_teacher, b["journal_id"], day="2026-10-05", number=2)["lesson_id"]
    assert _attend(s.other_teacher, first_day, p1, "present").status_code == 200
    diary = s.parent.ok("GET", f"/v1/students/{p1}/diary?from=2026-09-28&to=2026-10-09")
    assert [(d["date"], [x["lesson_id"] for x in d["lessons"]]) for d in diary["days"]] == [
        ("2026-10-01", [before]), ("2026-10-05", [first_day])]
    children = s.parent.ok("GET", "/v1/me")["children"]
    assert [c["class_id"] for c in children] == [b["class_id"]]
    assert p1 not in [p["student_id"] for p in s.teacher.ok("GET", f"/v1/classes/{s.class_id}/pupils")]
    assert s.parent.ok("GET", f"/v1/students/{p1}/classes")["class_id"] == b["class_id"]


def test_transfers_are_the_school_admins_and_checked(school: SmallSchool) -> None:
    s = school
    b = _class_7b(s)
    path = f"/v1/students/{s.pupils['p2']}/transfer"
    body = {"class_id": b["class_id"], "date": "2026-10-05"}
    assert s.teacher.call("POST", path, body).status_code == 403
    assert s.parent.call("POST", path, body).status_code == 403
    assert s.outsider.call("POST", path, body).status_code == 404
    same = s.admin.call("POST", path, {**body, "class_id": s.class_id})
    assert same.status_code == 422 and problem_type(same) == "transfer-refused"
    foreign = s.admin.call("POST", path, {**body, "class_id": "1"})
    assert foreign.status_code == 422
    s.admin.ok("POST", path, body)
    back = s.admin.call("POST", path, {"class_id": s.class_id, "date": "2026-10-01"})
    assert back.status_code == 422  # not before the last move
    s.admin.ok("POST", path, {"class_id": s.class_id, "date": "2026-10-12"})
    grid = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")
    assert [p["enrolled"] for p in grid["students"] if p["student_id"] == s.pupils["p2"]] == [
        [{"from": None, "to": "2026-10-04"}, {"from": "2026-10-12", "to": None}]]


def test_a_pupil_leaves_the_school(school: SmallSchool) -> None:
    s = school
    p9 = s.pupils["p9"]
    assert s.teacher.call("POST", f"/v1/students/{p9}/leave", {"date": "2026-10-06"}).status_code == 403
    gone = s.admin.ok("POST", f"/v1/students/{p9}/leave", {"date": "2026-10-06"})
    assert (gone["class_id"], gone["left_on"]) == (None, "2026-10-05")
    assert p9 not in [p["student_id"] for p in s.teacher.ok("GET", f"/v1/classes/{s.class_id}/pupils")]
    grid = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")
    assert [p["enrolled"] for p in grid["students"] if p["student_id"] == p9] == [[{"from": None,
                                                                                    "to": "2026-10-05"}]]
    again = s.admin.call("POST", f"/v1/students/{p9}/leave", {"date": "2026-10-20"})
    assert again.status_code == 422


def _annual(pupil: str, journal: str, mark: str) -> None:
    PeriodRecord(f"S#{pupil}", f"2026#P#Y#{journal}", mark=mark).save()


def test_the_years_end_promotes_holds_back_and_locks_the_old_year(school: SmallSchool) -> None:
    s = school
    p = s.pupils
    for journal in ("math", "music", "ethics"):
        _annual(p["p1"], s.journals[journal], "2")  # three 2s: repeats the year
    _annual(p["p2"], s.journals["math"], "2")  # one 2: a year summative first
    _annual(p["p3"], s.journals["math"], "4")
    end = s.admin.ok("POST", f"/v1/classes/{s.class_id}/rollover")
    outcomes = {x["student_id"]: x["outcome"] for x in end["pupils"]}
    assert outcomes[p["p1"]] == "repeats" and outcomes[p["p2"]] == "year_summative"
    assert {outcomes[p[k]] for k in ("p3", "p4", "p5", "p6", "p7", "p8", "p9")} == {"promoted"}
    assert sorted((c["year"], c["grade"], c["letter"]) for c in end["next_classes"]) == [(2027, 7, "Ә"),
                                                                                         (2027, 8, "Ә")]
    assert end["read_only"] is False  # p2 waits for the year summative
    eighth = next(c["class_id"] for c in end["next_classes"] if c["grade"] == 8)
    assert len(s.admin.ok("GET", f"/v1/classes/{eighth}/pupils")) == 7
    assert [x["student_id"] for x in s.admin.ok("GET", f"/v1/classes/{s.class_id}/pupils")] == [p["p2"]]
    s.admin.ok("POST", f"/v1/students/{p['p2']}/transfer", {"class_id": eighth, "date": "2027-09-01"})
    assert s.admin.ok("POST", f"/v1/classes/{s.class_id}/rollover")["read_only"] is True
    old = s.teacher.call("POST", f"/v1/journals/{s.journals['math']}/lessons", {"date": "2026-10-05", "number": 4})
    assert old.status_code == 409 and problem_type(old) == "period-closed"
    grid = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=Y")  # still readable
    assert len(grid["students"]) == 9
    assert s.teacher.call("POST", f"/v1/classes/{s.class_id}/rollover").status_code == 403


def test_grade_eleven_graduates(school: SmallSchool) -> None:
    s = school
    eleventh = s.admin.ok("POST", f"/v1/schools/{s.school_id}/classes",
                          {"year": 2026, "grade": 11, "letter": "А", "language": "ru"}, status=201)["class_id"]
    s.admin.ok("POST", f"/v1/students/{s.pupils['p5']}/transfer", {"class_id": eleventh, "date": "2026-10-05"})
    end = s.admin.ok("POST", f"/v1/classes/{eleventh}/rollover")
    assert end["pupils"] == [{"student_id": s.pupils["p5"], "outcome": "graduated", "class_id": None}]
    assert end["next_classes"] == [] and end["read_only"] is True
    assert s.admin.ok("GET", f"/v1/students/{s.pupils['p5']}/classes")["left_on"] == "2027-08-31"


def _row(pupil_id: str, class_id: str) -> str:
    """The pupil's roster row as stored, naming `class_id`."""
    p = PersonItem.get(person_key(pupil_id), "#")
    return f"student,{p.external_id},{p.last_name},{p.first_name},,{class_id},{p.username or ''},,,{p.language},,"


def _enrolled(api: Any, journal_id: str, pupil: str) -> list[Any]:
    grid = api.ok("GET", f"/v1/journals/{journal_id}?period=T1")
    return [p["enrolled"] for p in grid["students"] if p["student_id"] == pupil]


def test_a_roster_import_moves_a_transferred_pupil_back_from_its_day(school: SmallSchool) -> None:
    s, p = school, school.pupils
    b = _class_7b(s)
    s.admin.ok("POST", f"/v1/students/{p['p2']}/transfer", {"class_id": b["class_id"], "date": "2026-09-14"})
    s.admin.ok("POST", f"/v1/students/{p['p4']}/transfer", {"class_id": b["class_id"], "date": "2026-10-05"})
    s.admin.ok("POST", f"/v1/students/{p['p9']}/leave", {"date": "2026-09-21"})
    data = roster(*(_row(p[k], s.class_id) for k in ("p2", "p4", "p9")))
    path = f"/v1/schools/{s.school_id}/roster"
    assert s.teacher.call("POST", path, raw=data, content_type="text/csv").status_code == 403
    summary = s.admin.ok("POST", path, raw=data, content_type="text/csv")
    assert (summary["updated"], summary["unchanged"]) == (3, 0)
    assert s.admin.ok("GET", f"/v1/students/{p['p2']}/classes") == {
        "student_id": p["p2"], "class_id": s.class_id, "left_on": None,
        "classes": [{"class_id": s.class_id, "until": "2026-09-13"},
                    {"class_id": b["class_id"], "until": "2026-10-04"}]}
    assert _enrolled(s.teacher, s.journals["math"], p["p2"]) == [
        [{"from": None, "to": "2026-09-13"}, {"from": "2026-10-05", "to": None}]]
    assert _enrolled(s.other_teacher, b["journal_id"], p["p2"]) == [[{"from": "2026-09-14", "to": "2026-10-04"}]]
    assert _enrolled(s.other_teacher, b["journal_id"], p["p4"]) == []  # back on the day they came: never in 7Б
    assert _enrolled(s.teacher, s.journals["math"], p["p9"]) == [
        [{"from": None, "to": "2026-09-20"}, {"from": "2026-10-05", "to": None}]]
    assert s.admin.ok("GET", f"/v1/students/{p['p9']}/classes")["left_on"] is None
    pupils = [x["student_id"] for x in s.admin.ok("GET", f"/v1/classes/{s.class_id}/pupils")]
    assert {p["p2"], p["p4"], p["p9"]} <= set(pupils) and len(pupils) == len(set(pupils)) == 9
    assert s.admin.ok("GET", f"/v1/classes/{b['class_id']}/pupils") == []
    again = s.admin.ok("POST", path, raw=data, content_type="text/csv")
    assert (again["updated"], again["unchanged"]) == (0, 3)
    assert len(s.admin.ok("GET", f"/v1/students/{p['p2']}/classes")["classes"]) == 2


def test_a_roster_import_does_not_move_a_pupil_before_their_last_move(school: SmallSchool) -> None:
    s, p3 = school, school.pupils["p3"]
    b = _class_7b(s)
    s.admin.ok("POST", f"/v1/students/{p3}/transfer", {"class_id": b["class_id"], "date": "2026-10-12"})
    refused = s.admin.call("POST", f"/v1/schools/{s.school_id}/roster", raw=roster(_row(p3, s.class_id)),
                           content_type="text/csv")
    assert refused.status_code == 422 and problem_type(refused) == "roster-rejected"
    assert [e["field"] for e in json.loads(refused.body)["errors"]] == ["row 2: class_id"]
    assert s.admin.ok("GET", f"/v1/students/{p3}/classes")["class_id"] == b["class_id"]
