"""Class statistics of a journal's period (assessment-rules.md §8) before and after the close, and who may read them."""
from __future__ import annotations

import json

from tests.integration.school import SmallSchool, dynamodb_calls, school, today  # noqa: F401  (fixtures)
from tests.integration.test_close import close, finish_t1, set_status
from tests.integration.test_standing import marked


def statistics(s: SmallSchool, period: str = "T1") -> dict:
    return s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/statistics?period={period}")


def test_before_the_close_from_every_pupils_live_mark(school: SmallSchool) -> None:
    s, p = school, school.pupils
    marked(s)  # p1 3, p2 3, p3 5, p4 3 (provisional); p5..p9 have nothing yet
    live = statistics(s)
    assert live["final"] is False and live["as_of"].endswith("+05:00")
    assert (live["n"], live["pass_rate"], live["quality"], live["sou"], live["average"]) == (4, 100.0, 25.0, 52.0, 3.5)
    assert live["distribution"] == {"2": 0, "3": 3, "4": 0, "5": 1, "not_assessed": 0}
    set_status(s, s.journals["math"], [{"student_id": p["p4"], "status": "exempt", "reason": "анықтама"},
                                       {"student_id": p["p5"], "status": "not_assessed", "reason": "ауырды"}])
    live = statistics(s)  # exempt leaves N, not assessed stays in it
    assert (live["n"], live["distribution"]["not_assessed"], live["distribution"]["3"]) == (4, 1, 2)
    assert (live["pass_rate"], live["quality"], live["average"], live["sou"]) == (75.0, 25.0, 3.666666, 44.75)


def test_after_the_close_from_the_final_marks_without_reading_entries(school: SmallSchool) -> None:
    from chalicelib.config import settings

    s = school
    finish_t1(s, marked(s))
    closed = json.loads(close(s.teacher, s.journals["math"]).body)
    with dynamodb_calls() as calls:
        final = statistics(s)
    assert final["final"] is True and final["as_of"] == closed["closed_at"]
    assert {k: final[k] for k in closed["statistics"]} == closed["statistics"]
    assert final["n"] == 8 and final["distribution"] == {"2": 0, "3": 6, "4": 0, "5": 1, "not_assessed": 1}
    assert not [op for op, params in calls if op == "Query" and params["TableName"] == settings().table("journal")]


def test_who_may_read_statistics(school: SmallSchool) -> None:
    s = school
    path = f"/v1/journals/{s.journals['math']}/statistics?period=T1"
    for api in (s.parent, s.student, s.other_teacher, s.ministry):
        assert api.call("GET", path).status_code == 403
    assert s.outsider.call("GET", path).status_code == 404
    assert s.admin.call("GET", path).status_code == 200
    assert s.teacher.call("GET", path.replace("T1", "Y")).status_code == 400
    assert s.teacher.call("GET", path.replace("T1", "H1")).status_code == 422
