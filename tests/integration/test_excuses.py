"""A parent's excuse: reported for coming or past dates, seen by the teacher as prefilled "excused"."""
from __future__ import annotations

from datetime import date

from chalicelib.store.excuses import excused_on
from tests.integration.school import SmallSchool, lesson, problem_type, school, today  # noqa: F401

NOTE = {"from": "2026-10-05", "to": "2026-10-07", "reason": "Отбасылық жағдай"}


def test_a_parent_excuses_their_child_and_the_teacher_sees_it_prefilled(school: SmallSchool) -> None:
    s = school
    p1 = s.pupils["p1"]
    made = s.parent.ok("POST", f"/v1/students/{p1}/excuses", NOTE, status=201)
    assert (made["from"], made["to"], made["created_by"]) == ("2026-10-05", "2026-10-07", s.people["parent"])
    monday = lesson(s.teacher, s.journals["math"], day="2026-10-05")["lesson_id"]
    shown = s.teacher.ok("GET", f"/v1/lessons/{monday}")
    assert shown["prefill"] == [{"student_id": p1, "status": "excused", "excuse_id": made["excuse_id"],
                                 "comment": "Отбасылық жағдай"}]
    s.teacher.ok("PUT", f"/v1/lessons/{monday}/attendance", {"entries": [{"student_id": p1, "status": "excused"}]})
    assert s.teacher.ok("GET", f"/v1/lessons/{monday}")["prefill"] == []  # recorded: nothing left to prefill
    thursday = lesson(s.teacher, s.journals["math"], day="2026-10-08")["lesson_id"]
    assert s.teacher.ok("GET", f"/v1/lessons/{thursday}")["prefill"] == []
    listed = s.teacher.ok("GET", f"/v1/classes/{s.class_id}/excuses?from=2026-10-01&to=2026-10-31")
    assert [e["excuse_id"] for e in listed] == [made["excuse_id"]]
    assert s.student.ok("GET", f"/v1/students/{p1}/excuses") == [made]


def test_notifications_can_ask_whether_a_day_is_excused(school: SmallSchool) -> None:
    s = school
    p1 = s.pupils["p1"]
    s.parent.ok("POST", f"/v1/students/{p1}/excuses", NOTE, status=201)
    assert excused_on(p1, date(2026, 10, 5)) and excused_on(p1, date(2026, 10, 7))
    assert not excused_on(p1, date(2026, 10, 8)) and not excused_on(p1, date(2026, 10, 4))
    assert not excused_on(s.pupils["p2"], date(2026, 10, 5))


def test_who_may_excuse_and_withdraw(school: SmallSchool) -> None:
    s = school
    p1, p2 = s.pupils["p1"], s.pupils["p2"]
    assert s.parent.call("POST", f"/v1/students/{p2}/excuses", NOTE).status_code == 404  # not their child
    assert s.teacher.call("POST", f"/v1/students/{p1}/excuses", NOTE).status_code == 403
    assert s.student.call("POST", f"/v1/students/{p1}/excuses", NOTE).status_code == 403
    assert s.outsider.call("POST", f"/v1/students/{p1}/excuses", NOTE).status_code == 404
    by_admin = s.admin.ok("POST", f"/v1/students/{p2}/excuses", NOTE, status=201)
    assert s.parent.call("GET", f"/v1/students/{p2}/excuses").status_code == 404
    assert s.other_teacher.call("GET", f"/v1/classes/{s.class_id}/excuses?from=2026-10-01&to=2026-10-31"
                                ).status_code == 403
    mine = s.parent.ok("POST", f"/v1/students/{p1}/excuses", NOTE, status=201)
    path = f"/v1/students/{p1}/excuses/{mine['excuse_id']}"
    assert s.teacher.call("DELETE", path).status_code == 403
    assert s.parent.call("DELETE", f"/v1/students/{p1}/excuses/{by_admin['excuse_id']}").status_code == 404
    assert s.parent.ok("DELETE", path) == {"excuse_id": mine["excuse_id"], "withdrawn": True}
    assert s.parent.ok("GET", f"/v1/students/{p1}/excuses") == []


def test_an_excuses_dates_are_checked(school: SmallSchool) -> None:
    s = school
    path = f"/v1/students/{s.pupils['p1']}/excuses"
    for bad in ({**NOTE, "to": "2026-10-01"}, {**NOTE, "to": "2026-11-30"}, {**NOTE, "from": "2026-08-01"},
                {**NOTE, "from": "2027-02-01", "to": "2027-02-02"}, {**NOTE, "from": "2026-13-01"},
                {**NOTE, "reason": " "}):
        r = s.parent.call("POST", path, bad)
        assert r.status_code == 422, bad
    assert s.parent.call("POST", path, {"from": "2026-10-05"}).status_code == 400
    past = s.parent.ok("POST", path, {**NOTE, "from": "2026-09-28", "to": "2026-09-30"}, status=201)
    assert past["from"] == "2026-09-28"
    key = {"Idempotency-Key": "sick-note"}
    once = s.parent.ok("POST", path, NOTE, status=201, headers=key)
    assert s.parent.ok("POST", path, NOTE, status=201, headers=key) == once
    assert len(s.parent.ok("GET", path)) == 2
    assert problem_type(s.parent.call("POST", path, {**NOTE, "to": "2026-10-01"})) == "date-out-of-range"
