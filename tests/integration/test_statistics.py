"""Class statistics of a journal's period (assessment-rules.md §8) before and after the close, and who may read them.

Before the close they come from the stream-kept counters (saying `as_of`), never from the journal's entries: each
test counts the stream first, and checks them against a full recomputation (every pupil's standing, read from the
pupil's entries) and the reconciliation (no drift).
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.assessment import class_statistics, compute_period, pack_for, scheme_for
from chalicelib.domain.tally import counted_inputs
from chalicelib.jobs.reconcile import reconcile_school
from chalicelib.store import counters
from chalicelib.streams import counters as consumer
from chalicelib.streams.batch import handle
from tests.integration.school import (  # noqa: F401  (fixtures)
    SmallSchool, StreamPump, dynamodb_calls, lesson, pump, school, today,
)
from tests.integration.test_close import close, finish_t1, set_status
from tests.integration.test_standing import formative, marked, results, standing, subject


def statistics(s: SmallSchool, period: str = "T1", journal: str = "math") -> dict:
    return s.teacher.ok("GET", f"/v1/journals/{s.journals.get(journal, journal)}/statistics?period={period}")


def count(pump: StreamPump) -> None:
    """Deliver the journal stream's new records to the counters, as Lambda would."""
    assert handle({"Records": pump.read()}, consumer.CONSUMER)["batchItemFailures"] == []


def recomputed(s: SmallSchool, pupils: list[str], code: str = "math") -> dict[str, Any]:
    """The §8 figures of every pupil's live mark, each from the pupil's own entries (their standing)."""
    return class_statistics(subject(standing(s.admin, p), code)["mark"] for p in pupils).as_json()


def figures(document: dict[str, Any]) -> dict[str, Any]:
    return {k: document[k] for k in ("n", "pass_rate", "quality", "sou", "average", "distribution")}


def test_before_the_close_from_every_pupils_live_mark(school: SmallSchool, pump: StreamPump) -> None:
    s, p = school, school.pupils
    marked(s)  # p1 3, p2 3, p3 5, p4 3 (provisional); p5..p9 have nothing yet
    unseen = statistics(s)
    assert (unseen["n"], unseen["as_of"]) == (0, None)  # nothing counted yet
    count(pump)
    with dynamodb_calls() as calls:
        live = statistics(s)
    assert not [op for op, params in calls if op == "Query" and params["TableName"] == settings().table("journal")]
    assert live["final"] is False and live["as_of"] == counters.class_counters(s.journals["math"], "T1").as_of
    assert live["as_of"].endswith("+05:00")
    assert figures(live) == recomputed(s, list(p.values())[:9])
    assert (live["n"], live["pass_rate"], live["quality"], live["sou"], live["average"]) == (4, 100.0, 25.0, 52.0, 3.5)
    assert live["distribution"] == {"2": 0, "3": 3, "4": 0, "5": 1, "not_assessed": 0}
    set_status(s, s.journals["math"], [{"student_id": p["p4"], "status": "exempt", "reason": "анықтама"},
                                       {"student_id": p["p5"], "status": "not_assessed", "reason": "ауырды"}])
    live = statistics(s)  # exempt leaves N, not assessed stays in it
    assert (live["n"], live["distribution"]["not_assessed"], live["distribution"]["3"]) == (4, 1, 2)
    assert (live["pass_rate"], live["quality"], live["average"], live["sou"]) == (75.0, 25.0, 3.666666, 44.75)


def test_after_the_close_from_the_final_marks_without_reading_entries(school: SmallSchool) -> None:
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


def test_a_schools_own_settings_give_counters_matching_the_standing(school: SmallSchool, pump: StreamPump) -> None:
    s, p = school, school.pupils
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None, "pool_fo_with_sor": True,
                                                               "fo_max": 12})
    ids = marked(s)
    formative(s.teacher, ids["second"], {p["p1"]: 12, p["p3"]: 2, p["p4"]: 11})
    count(pump)
    pupils = [p[k] for k in ("p1", "p2", "p3", "p4", "p5")]
    expected = recomputed(s, pupils)
    assert figures(statistics(s)) == expected
    assert expected["distribution"] != recomputed_default(s, pupils)["distribution"]  # the settings matter here
    sheet = counters.class_counters(s.journals["math"], "T1")
    assert {mark: n for mark, n in expected["distribution"].items() if n} == sheet.marks
    assert reconcile_school(s.school_id) == []


def recomputed_default(s: SmallSchool, pupils: list[str]) -> dict[str, Any]:
    """The §8 figures the counted sums would give with the national pack's default settings."""
    pack, sheet = pack_for(2026), counters.class_counters(s.journals["math"], "T1")
    scheme = scheme_for(pack, grade=7, assessment="criteria", hours_per_week=5)
    return class_statistics(compute_period(pack, scheme, counted_inputs(sheet.pupils[x].sums(), pack, scheme)).mark
                            for x in pupils if x in sheet.pupils).as_json()


def test_with_the_mean_of_sor_percentages_the_counters_give_the_standing(school: SmallSchool,
                                                                         pump: StreamPump) -> None:
    s, p = school, school.pupils
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None,
                                                               "sor_method": "mean_of_percentages"})
    ids = marked(s)
    results(s.teacher, ids["sor_b"], {p["p1"]: 90, p["p3"]: 10})  # two SOR each: their mean is not the sums'
    count(pump)
    with dynamodb_calls() as calls:
        live = statistics(s)
    assert not [op for op, params in calls if op == "Query" and params["TableName"] == settings().table("journal")]
    assert live["as_of"] == counters.class_counters(s.journals["math"], "T1").as_of is not None
    pupils = [p[k] for k in ("p1", "p2", "p3", "p4")]
    expected = recomputed(s, pupils)
    assert figures(live) == expected
    # p1: SOR 8/20 and 90/91, the mean of 40 % and 98.90 % (69.45 %), not 98/111 (88.29 %)
    assert abs(subject(standing(s.admin, p["p1"]))["sor_percent"] - (40 + 9000 / 91) / 2) < 1e-4
    sheet = counters.class_counters(s.journals["math"], "T1")
    assert {mark: n for mark, n in expected["distribution"].items() if n} == sheet.marks
    assert sorted(sheet.pupils[p["p1"]].sor_results.values()) == [(8, 20), (90, 91)]
    assert reconcile_school(s.school_id) == []


def test_removed_lessons_and_works_count_nothing(school: SmallSchool, pump: StreamPump) -> None:
    s, p = school, school.pupils
    ids = marked(s)
    extra = lesson(s.teacher, s.journals["math"], day="2026-09-17", topic="Қайталау")["lesson_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{extra}/attendance", {"entries": [{"student_id": p["p1"], "status": "absent"}]})
    formative(s.teacher, extra, {p["p1"]: 1, p["p2"]: 1})
    count(pump)
    before = counters.class_counters(s.journals["math"], "T1").pupils[p["p1"]]
    assert before.attendance == {"absent": 1} and before.fo_count == 2
    s.teacher.ok("DELETE", f"/v1/lessons/{extra}?reason=қате")
    s.teacher.ok("DELETE", f"/v1/works/{ids['sor_a']}?reason=қате")
    count(pump)
    sheet = counters.class_counters(s.journals["math"], "T1")
    p1 = sheet.pupils[p["p1"]]
    assert (p1.fo_sum, p1.fo_count, p1.sor_max, p1.attendance) == (4, 1, 0, {})
    assert extra not in {x.lesson_id for x in counters.lesson_counters(s.journals["math"], "T1")}
    teacher = counters.teacher_days(s.school_id, s.people["teacher"], "2026-09-17", "2026-09-17")
    assert teacher.get("2026-09-17", {}).get("lessons", 0) == 0
    assert figures(statistics(s)) == recomputed(s, list(p.values())[:9])
    assert reconcile_school(s.school_id) == []
