"""The grid and the diary: what they show, in which order, and how many Queries they take."""
from __future__ import annotations

from tests.integration.school import (  # noqa: F401  (fixtures)
    ALPHABETICAL, SmallSchool, data_queries, dynamodb_calls, lesson, school, today, work,
)

OBJECTIVES = [{"code": "7.2.1.3", "text": {"kk": "бөлшектерді қосу", "ru": "сложение дробей"}},
              {"code": "7.2.1.4", "text": {"kk": "бөлшектерді азайту", "ru": "вычитание дробей"}}]


def fill(s: SmallSchool) -> dict[str, str]:
    """Two lessons and a SOR in the math journal, a music lesson, with entries for several pupils."""
    p = s.pupils
    s.admin.ok("PUT", f"/v1/subjects/{s.subjects['math']}/objectives?grade=7", {"objectives": OBJECTIVES})
    first = lesson(s.teacher, s.journals["math"], day="2026-09-29", topic="Бөлшектер", homework="№ 3",
                   objectives=["7.2.1.3"])
    second = lesson(s.teacher, s.journals["math"], day="2026-10-01", number=2)
    music = lesson(s.teacher, s.journals["music"], day="2026-10-01", number=3, topic="Күй")
    sor = work(s.teacher, s.journals["math"], day="2026-10-02", objectives=["7.2.1.4"])
    for made in (first, second):
        s.teacher.ok("PUT", f"/v1/lessons/{made['lesson_id']}/attendance", {"entries": [
            {"student_id": p[k], "status": "absent" if k == "p1" else "present"} for k in ALPHABETICAL[::-1]]})
    s.teacher.ok("PUT", f"/v1/lessons/{first['lesson_id']}/formative", {"entries": [
        {"student_id": p["p1"], "points": 7, "feedback": "Жақсы",
         "objectives": [{"code": "7.2.1.3", "feedback": "қосуды меңгерді"}]},
        {"student_id": p["p2"], "points": 9}]})
    s.teacher.ok("PUT", f"/v1/works/{sor['work_id']}/results", {"entries": [
        {"student_id": p["p1"], "points": 15, "feedback": "Азайтуды қайтала"}]})
    return {"first": first["lesson_id"], "second": second["lesson_id"], "music": music["lesson_id"],
            "sor": sor["work_id"]}


def test_grid_in_alphabetical_order_with_versions_in_two_queries(school: SmallSchool) -> None:
    s = school
    ids = fill(s)
    with dynamodb_calls() as calls:
        grid = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")
    assert len(data_queries(calls, s.people["teacher"])) <= 2
    assert not [op for op, _ in calls if op == "Scan"]
    pupils = [s.pupils[k] for k in ALPHABETICAL]
    assert [x["student_id"] for x in grid["students"]] == pupils
    assert [x["last_name"][0] for x in grid["students"]] == ["А", "Ә", "Б", "Г", "Ғ", "О", "Ө", "Ы", "І"]
    assert [x["lesson_id"] for x in grid["lessons"]] == [ids["first"], ids["second"]]
    assert grid["lessons"][0]["objectives"] == ["7.2.1.3"]
    assert [x["work_id"] for x in grid["works"]] == [ids["sor"]]
    attendance = [e["student_id"] for e in grid["entries"] if e["kind"] == "attendance"]
    assert attendance == [pid for pid in pupils for _ in range(2)]
    assert all(e["version"] == 1 for e in grid["entries"])
    assert s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T2")["entries"] == []
    assert len(s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=H1")["entries"]) == 21


def test_a_week_of_the_diary_in_two_queries(school: SmallSchool) -> None:
    s = school
    ids = fill(s)
    path = f"/v1/students/{s.pupils['p1']}/diary?from=2026-09-28&to=2026-10-04"
    with dynamodb_calls() as calls:
        diary = s.parent.ok("GET", path)
    assert len(data_queries(calls, s.people["parent"])) <= 2
    assert not [op for op, _ in calls if op == "Scan"]
    days = {d["date"]: d for d in diary["days"]}
    assert sorted(days) == ["2026-09-29", "2026-10-01", "2026-10-02"]
    monday = days["2026-09-29"]["lessons"][0]
    assert (monday["lesson_id"], monday["topic"], monday["homework"], monday["attendance"]) == (
        ids["first"], "Бөлшектер", "№ 3", "absent")
    assert monday["subject"]["name"]["kk"] == "Математика"
    assert monday["objectives"] == [{"code": "7.2.1.3", "text": OBJECTIVES[0]["text"]}]
    assert monday["formative"] == {"points": 7, "feedback": "Жақсы", "objectives": [
        {"code": "7.2.1.3", "text": OBJECTIVES[0]["text"], "feedback": "қосуды меңгерді"}]}
    thursday = {x["lesson_id"]: x for x in days["2026-10-01"]["lessons"]}
    assert thursday[ids["music"]]["attendance"] is None and thursday[ids["music"]]["formative"] is None
    assert thursday[ids["second"]]["attendance"] == "absent"
    sor = days["2026-10-02"]["works"][0]
    assert (sor["points"], sor["max_points"], sor["feedback"], sor["objectives"][0]["code"]) == (
        15, 20, "Азайтуды қайтала", "7.2.1.4")


def test_who_may_read_a_diary(school: SmallSchool) -> None:
    s = school
    own, other = s.pupils["p1"], s.pupils["p2"]
    week = "from=2026-09-28&to=2026-10-04"
    assert s.student.call("GET", f"/v1/students/{own}/diary?{week}").status_code == 200
    assert s.teacher.call("GET", f"/v1/students/{other}/diary?{week}").status_code == 200
    for api in (s.parent, s.student, s.outsider):
        for route in ("diary", "history"):
            assert api.call("GET", f"/v1/students/{other}/{route}?{week}").status_code == 404
    assert s.parent.call("GET", f"/v1/students/{own}/diary?from=2026-10-04&to=2026-09-28").status_code == 400
    assert s.parent.call("GET", f"/v1/students/{own}/diary?from=2026-01-01&to=2026-12-31").status_code == 400


def test_objectives_of_the_curriculum(school: SmallSchool) -> None:
    s = school
    path = f"/v1/subjects/{s.subjects['math']}/objectives?grade=7"
    assert s.teacher.ok("GET", path)["objectives"] == []
    assert s.teacher.call("PUT", path, {"objectives": OBJECTIVES}).status_code == 403
    s.admin.ok("PUT", path, {"objectives": OBJECTIVES})
    assert s.parent.ok("GET", path)["objectives"] == OBJECTIVES
    bad = s.admin.call("PUT", path, {"objectives": [{"code": "8.1.1.1", "text": {"kk": "x", "ru": "y"}}]})
    assert bad.status_code == 422
    r = s.teacher.call("POST", f"/v1/journals/{s.journals['math']}/lessons",
                       {"date": "2026-10-01", "number": 1, "objectives": ["7.9.9.9"]})
    assert r.status_code == 422 and "unknown-objective" in r.body.decode()
