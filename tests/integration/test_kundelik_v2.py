"""The Kundelik v2 layer through the app: the right marks for the right pupils, every date form, both prefixes
and token carriers, denials in the v2 envelope, and bounded reads."""
from __future__ import annotations

import json
from typing import Any

from tests.integration.school import (  # noqa: F401  (fixtures)
    SmallSchool, data_queries, dynamodb_calls, lesson, school, today, work,
)

PREFIXES = ("/v2", "/v2.0")
OCTOBER = "2026-09-01/2026-10-31"


def fill(s: SmallSchool) -> dict[str, str]:
    """Math lessons on 29 Sep (topic, homework) and 1 Oct, a SOR on 1 Oct, a music lesson on 1 Oct; p1's and
    p2's formative marks and results, p3's feedback without points, attendance."""
    p = s.pupils
    first = lesson(s.teacher, s.journals["math"], day="2026-09-29", topic="Бөлшектер", homework="№ 3")
    second = lesson(s.teacher, s.journals["math"], day="2026-10-01", number=2)
    music = lesson(s.teacher, s.journals["music"], day="2026-10-01", number=3, topic="Күй")
    sor = work(s.teacher, s.journals["math"], day="2026-10-01")
    s.teacher.ok("PUT", f"/v1/lessons/{first['lesson_id']}/attendance", {"entries": [
        {"student_id": p["p1"], "status": "absent", "comment": "ауырды"},
        {"student_id": p["p2"], "status": "excused"}]})
    s.teacher.ok("PUT", f"/v1/lessons/{second['lesson_id']}/attendance", {"entries": [
        {"student_id": p["p1"], "status": "present"}, {"student_id": p["p2"], "status": "late"}]})
    s.teacher.ok("PUT", f"/v1/lessons/{first['lesson_id']}/formative", {"entries": [
        {"student_id": p["p1"], "points": 7, "feedback": "Жақсы"}, {"student_id": p["p2"], "points": 9},
        {"student_id": p["p3"], "feedback": "Тек пікір"}]})
    s.teacher.ok("PUT", f"/v1/works/{sor['work_id']}/results", {"entries": [
        {"student_id": p["p1"], "points": 15}, {"student_id": p["p2"], "points": 6}]})
    return {"first": first["lesson_id"], "second": second["lesson_id"], "music": music["lesson_id"],
            "sor": sor["work_id"]}


def get(api: Any, path: str, *, carrier: str = "header", token: str | None = None) -> Any:
    """GET a v2 path with the token as `Access-Token` or as `access_token` (never the v1 Bearer header)."""
    token = api.token if token is None else token
    headers = {"Access-Token": token} if carrier == "header" and token else {}
    if carrier == "query" and token:
        path += ("&" if "?" in path else "?") + f"access_token={token}"
    return api.client.http.get(path, headers=headers)


def ok(api: Any, path: str, **kwargs: Any) -> Any:
    response = get(api, path, **kwargs)
    assert response.status_code == 200, (response.status_code, response.body)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def refused(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The v2 error envelope with `kind` and `status`, as JSON, with no data."""
    assert response.status_code == status, (response.status_code, response.body)
    assert response.headers["Content-Type"].startswith("application/json")
    error = json.loads(response.body)
    assert set(error) == {"type", "description"} and error["type"] == kind, error
    return error


def values(marks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(m["person_str"], m["date"][:10], m["value"]) for m in marks]


def test_a_parent_reads_their_childs_marks(school: SmallSchool) -> None:
    s = school
    ids = fill(s)
    p1 = s.pupils["p1"]
    for prefix in PREFIXES:
        for carrier in ("header", "query"):
            marks = ok(s.parent, f"{prefix}/persons/{p1}/schools/{s.school_id}/marks/{OCTOBER}", carrier=carrier)
            assert values(marks) == [(p1, "2026-09-29", "7"), (p1, "2026-10-01", "15")]
    formative, result = marks
    assert (formative["type"], formative["lesson_str"], formative["lesson"]) == ("mark10", ids["first"],
                                                                                 int(ids["first"]))
    assert (formative["person"], formative["mood"], formative["date"]) == (int(p1), "Good", "2026-09-29T00:00:00")
    assert (result["type"], result["work_str"], result["lesson_str"]) == ("points", ids["sor"], ids["second"])
    assert result["id"] == int(result["id_str"]) and result["id"] != formative["id"]


DATE_FORMS = [
    ("2026-09-29", "2026-09-29"),
    ("2026-09-29T00:00:00", "2026-09-29T00:00:00"),
    ("2026-09-29T00:00:00.000000", "2026-09-29T23:59:59.999999"),
    ("2026-09-29%2000:00:00", "2026-09-29%2000:00:00"),
    ("2026-09-29%2008:30:00.5", "2026-09-29%2000:00:00.123456"),
]


def test_every_date_form_names_the_whole_day(school: SmallSchool) -> None:
    s = school
    fill(s)
    p1 = s.pupils["p1"]
    for start, end in DATE_FORMS:
        for prefix in PREFIXES:
            marks = ok(s.parent, f"{prefix}/persons/{p1}/schools/{s.school_id}/marks/{start}/{end}")
            assert values(marks) == [(p1, "2026-09-29", "7")], (start, end)
            entries = ok(s.parent, f"{prefix}/persons/{p1}/lesson-log-entries?startDate={start}&endDate={end}")
            assert [(e["person_str"], e["status"], e["comment"]) for e in entries] == [(p1, "Absent", "ауырды")]
        group = ok(s.teacher, f"/v2/edu-groups/{s.class_id}/marks/{start}/{end}", carrier="query")
        assert sorted(values(group)) == sorted([(p1, "2026-09-29", "7"), (s.pupils["p2"], "2026-09-29", "9")])


def test_a_teacher_reads_the_class_and_a_parent_their_childs_rows(school: SmallSchool) -> None:
    s = school
    fill(s)
    p1, p2 = s.pupils["p1"], s.pupils["p2"]
    path = f"/v2/edu-groups/{s.class_id}/marks/{OCTOBER}"
    assert sorted(values(ok(s.teacher, path))) == sorted([(p1, "2026-09-29", "7"), (p2, "2026-09-29", "9"),
                                                          (p1, "2026-10-01", "15"), (p2, "2026-10-01", "6")])
    assert values(ok(s.parent, path)) == [(p1, "2026-09-29", "7"), (p1, "2026-10-01", "15")]
    assert values(ok(s.student, path)) == values(ok(s.parent, path))
    assert len(ok(s.admin, path)) == 4
    for api in (s.other_teacher, s.outsider, s.ministry):
        refused(get(api, path), 404, "parameterInvalid")


def test_denials_are_parameter_invalid_and_show_nothing(school: SmallSchool) -> None:
    s = school
    ids = fill(s)
    p2 = s.pupils["p2"]
    for api in (s.parent, s.student, s.outsider):
        for path in (f"/v2/persons/{p2}/schools/{s.school_id}/marks/{OCTOBER}",
                     f"/v2/persons/{p2}/lesson-log-entries?startDate=2026-09-01&endDate=2026-10-31",
                     f"/v2/persons/{p2}/groups/{s.class_id}/schedules?startDate=2026-09-28&endDate=2026-10-04"):
            error = refused(get(api, path), 404, "parameterInvalid")
            assert p2 not in json.dumps(error)
    p1 = s.pupils["p1"]
    refused(get(s.parent, f"/v2/persons/{p1}/schools/{s.school_id}1/marks/{OCTOBER}"), 404, "parameterInvalid")
    refused(get(s.outsider, f"/v2/lessons/{ids['first']}"), 404, "parameterInvalid")
    refused(get(s.parent, f"/v2/edu-groups/{s.first_grade_class_id}/subjects"), 404, "parameterInvalid")
    refused(get(s.parent, f"/v2/users/me/school/{s.school_id}1/homeworks?startDate=2026-09-28&endDate=2026-10-04"),
            404, "parameterInvalid")


def test_tokens_ids_dates_routes_and_methods(school: SmallSchool) -> None:
    s = school
    p1 = s.pupils["p1"]
    marks = f"/v2/persons/{p1}/schools/{s.school_id}/marks"
    refused(get(s.parent, "/v2/users/me", token=""), 401, "invalidToken")
    refused(get(s.parent, "/v2/users/me", token="not.a.token"), 401, "invalidToken")
    refused(get(s.parent, "/v2/users/me", carrier="query", token="not.a.token"), 401, "invalidToken")
    bearer = s.parent.client.http.get("/v2/users/me", headers={"Authorization": f"Bearer {s.parent.token}"})
    refused(bearer, 401, "invalidToken")
    refused(get(s.parent, f"/v2/persons/abc/schools/{s.school_id}/marks/{OCTOBER}"), 400, "parameterInvalid")
    refused(get(s.parent, f"{marks}/2026-13-01/2026-10-31"), 400, "parameterInvalid")
    refused(get(s.parent, f"{marks}/01.09.2026/2026-10-31"), 400, "parameterInvalid")
    refused(get(s.parent, f"{marks}/2026-10-31/2026-09-01"), 400, "parameterInvalid")
    refused(get(s.parent, f"{marks}/2025-01-01/2026-10-31"), 400, "parameterInvalid")
    refused(get(s.parent, f"/v2/persons/{p1}/lesson-log-entries"), 400, "parameterInvalid")
    for path in ("/v2/no-such-thing", "/v2.0/users/me/no/such/route", "/v2/persons/1/schools/2/marks/3/4/5"):
        refused(get(s.parent, path), 404, "apiUnknownError")
    posted = s.parent.client.http.post("/v2/users/me", headers={"Access-Token": s.parent.token}, body=b"{}")
    assert refused(posted, 405, "apiUnknownError") and posted.headers["Allow"] == "GET"
    big = s.parent.client.http.post("/v2/users/me", headers={"Access-Token": s.parent.token},
                                    body=b"x" * (1024 * 1024 + 1))
    refused(big, 413, "parameterInvalid")
    v1 = s.parent.call("GET", f"/v1/students/{s.pupils['p2']}/diary?from=2026-09-01&to=2026-09-30")
    assert v1.status_code == 404 and v1.headers["Content-Type"].startswith("application/problem+json")


def test_the_lesson_of_a_mark_with_its_works(school: SmallSchool) -> None:
    s = school
    ids = fill(s)
    shown = ok(s.parent, f"/v2/lessons/{ids['second']}")
    assert (shown["id_str"], shown["date"], shown["number"], shown["group_str"]) == (
        ids["second"], "2026-10-01T00:00:00", 2, s.class_id)
    assert shown["subject"]["name"] == "Математика" and shown["teachers"] == [int(s.people["teacher"])]
    assert [(w["type"], w["lesson_str"]) for w in shown["works"]] == [("Formative", ids["second"]),
                                                                     ("SOR", ids["second"])]
    first = ok(s.student, f"/v2.0/lessons/{ids['first']}")
    assert (first["title"], [w["type"] for w in first["works"]]) == ("Бөлшектер", ["Formative", "Homework"])
    assert first["works"][1]["text"] == "№ 3"
    marks = ok(s.parent, f"/v2/persons/{s.pupils['p1']}/schools/{s.school_id}/marks/{OCTOBER}")
    assert marks[0]["work_str"] == first["works"][0]["id_str"]


def test_homework_and_the_schedule_of_a_week(school: SmallSchool) -> None:
    s = school
    ids = fill(s)
    p1 = s.pupils["p1"]
    week = "startDate=2026-09-28T00:00:00&endDate=2026-10-04T00:00:00"
    homework = ok(s.parent, f"/v2/users/me/school/{s.school_id}/homeworks?{week}")
    assert [(w["text"], w["lesson_str"], w["type"]) for w in homework["works"]] == [("№ 3", ids["first"], "Homework")]
    assert [x["id_str"] for x in homework["lessons"]] == [ids["first"]]
    assert [t["lastName"] for t in homework["teachers"]] == ["Нұрланова"]
    assert [x["name"] for x in homework["subjects"]] == ["Математика"]
    assert ok(s.teacher, f"/v2/users/me/school/{s.school_id}/homeworks?{week}")["works"] == homework["works"]
    days = ok(s.parent, f"/v2/persons/{p1}/groups/{s.class_id}/schedules?{week}")["days"]
    assert [d["date"][:10] for d in days] == [f"2026-{d}" for d in ("09-28", "09-29", "09-30", "10-01", "10-02",
                                                                    "10-03", "10-04")]
    tuesday, thursday = days[1], days[3]
    assert [x["id_str"] for x in tuesday["lessons"]] == [ids["first"]]
    assert [m["value"] for m in tuesday["marks"]] == ["7"]
    assert [(e["status"], e["lesson_str"]) for e in tuesday["lessonLogEntries"]] == [("Absent", ids["first"])]
    assert [w["text"] for w in tuesday["homeworks"]] == ["№ 3"]
    assert [x["id_str"] for x in thursday["lessons"]] == [ids["second"], ids["music"]]
    assert [(m["value"], m["work_str"]) for m in thursday["marks"]] == [("15", ids["sor"])]
    assert {w["type"] for w in thursday["works"]} == {"Formative", "SOR"}
    assert sorted(x["name"] for x in thursday["subjects"]) == ["Математика", "Музыка"]
    assert days[0]["lessons"] == [] and days[0]["marks"] == []


def test_context_and_user_of_each_role(school: SmallSchool) -> None:
    s = school
    klass, p1 = int(s.class_id), s.pupils["p1"]
    parent = ok(s.parent, "/v2/users/me/context")
    assert (parent["personId_str"], parent["roles"], parent["schoolIds"]) == (
        s.people["parent"], ["EduParent"], [int(s.school_id)])
    assert [(c["personId_str"], c["groupIds"], c["schoolIds"]) for c in parent["children"]] == [
        (p1, [klass], [int(s.school_id)])]
    assert [(g["id"], g["name"], g["type"]) for g in parent["eduGroups"]] == [(klass, "7Ә", "Group")]
    assert sorted(x["name"] for x in parent["eduGroups"][0]["subjects"]) == ["Математика", "Музыка",
                                                                             "Өзін-өзі тану"]
    student = ok(s.student, "/v2.0/users/me/context")
    assert (student["groupIds"], student["children"], student["roles"]) == ([klass], [], ["EduStudent"])
    [school_shown] = student["schools"]
    assert (school_shown["id_str"], school_shown["type"], school_shown["groupIds"]) == (s.school_id, "Regular", [klass])
    assert school_shown["name"].endswith("мектеп")
    teacher = ok(s.teacher, "/v2/users/me/context")
    assert sorted(teacher["groupIds"]) == sorted([klass, int(s.first_grade_class_id)])
    me = ok(s.student, "/v2/users/me", carrier="query")
    assert (me["id_str"], me["personId"], me["roles"], me["locale"]) == (p1, int(p1), ["EduStudent"], "kk-KZ")
    assert me["login"].startswith("jstudent") and me["lastName"] == "Абаев"


def test_subjects_periods_statuses_and_values(school: SmallSchool) -> None:
    s = school
    subjects = ok(s.parent, f"/v2/edu-groups/{s.class_id}/subjects")
    assert [(x["name"], x["id_str"]) for x in subjects][0] == ("Математика", s.subjects["math"])
    periods = ok(s.student, f"/v2/edu-groups/{s.class_id}/reporting-periods")
    terms = [p for p in periods if p["type"] == "Quarter"]
    assert [(p["number"], p["name"]) for p in terms] == [(1, "1-тоқсан"), (2, "2-тоқсан"), (3, "3-тоқсан"),
                                                         (4, "4-тоқсан")]
    assert (terms[0]["start"], terms[0]["year"]) == ("2026-09-01T00:00:00", 2026)
    assert ok(s.parent, "/v2/lesson-log-entries/statuses") == ["Attend", "Absent", "Ill", "Late", "Pass"]
    assert [v["type"] for v in ok(s.parent, "/v2.0/marks/values")] == ["mark10", "points"]


def test_final_marks_of_closed_periods(school: SmallSchool) -> None:
    from chalicelib.store import marks

    s = school
    p1, p2, closed = s.pupils["p1"], s.pupils["p2"], "2026-10-30T12:00:00.000+05:00"
    marks.put_records([
        marks.PeriodRecord(*marks.record_key(p1, 2026, "T1", s.journals["math"]), mark="5", closed_at=closed),
        marks.PeriodRecord(*marks.record_key(p1, 2026, "T1", s.journals["music"]), mark="pass", closed_at=closed),
        marks.PeriodRecord(*marks.record_key(p1, 2026, "T2", s.journals["math"]), status="exempt"),  # not closed
        marks.PeriodRecord(*marks.record_key(p2, 2026, "T1", s.journals["math"]), mark="3", closed_at=closed)])
    path = f"/v2/persons/{p1}/edu-groups/{s.class_id}/final-marks"
    shown = ok(s.parent, path)
    assert sorted((m["subjectId_str"], m["value"], m["periodType"], m["periodNumber"]) for m in shown) == sorted([
        (s.subjects["math"], "5", "Quarter", 1), (s.subjects["music"], "pass", "Quarter", 1)])
    assert {m["person_str"] for m in shown} == {p1} and shown[0]["date"] == "2026-10-30T12:00:00"
    periods = ok(s.parent, f"/v2/edu-groups/{s.class_id}/reporting-periods")
    assert shown[0]["reportingPeriod"] == next(p["id"] for p in periods if (p["type"], p["number"]) == ("Quarter", 1))
    refused(get(s.parent, f"/v2/persons/{p2}/edu-groups/{s.class_id}/final-marks"), 404, "parameterInvalid")
    refused(get(s.parent, f"/v2/persons/{p1}/edu-groups/{s.first_grade_class_id}/final-marks"), 404,
            "parameterInvalid")
    assert [m["value"] for m in ok(s.teacher, f"/v2/persons/{p2}/edu-groups/{s.class_id}/final-marks")] == ["3"]


def test_reads_are_bounded_queries(school: SmallSchool) -> None:
    s = school
    fill(s)
    p1 = s.pupils["p1"]
    with dynamodb_calls() as calls:
        ok(s.parent, f"/v2/persons/{p1}/schools/{s.school_id}/marks/{OCTOBER}")
    assert len(data_queries(calls, s.people["parent"])) <= 2
    with dynamodb_calls() as calls:
        ok(s.teacher, f"/v2/edu-groups/{s.class_id}/marks/{OCTOBER}")
    journals = [j for j in s.journals if j != "math1"]  # the class's journals (7Ә)
    assert len(data_queries(calls, s.people["teacher"])) <= 1 + len(journals)
    with dynamodb_calls() as more:
        ok(s.parent, f"/v2/persons/{p1}/groups/{s.class_id}/schedules?startDate=2026-09-28&endDate=2026-10-04")
    assert len(data_queries(more, s.people["parent"])) <= 3
    assert not [op for op, _ in calls + more if op == "Scan"]
