"""A pupil's standing through the HTTP API: band edges, provisional marks, "needed", read-your-writes, denials.

`marked(s)` gives the math journal of the small school a term of entries (the edit window opened so entries of
September can be written): p1 39.5 %, p2 64.49997 %, p3 84.5 %, p4 without a SOCH yet.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any
from unittest import mock

import pytest

from tests.integration.school import (  # noqa: F401  (fixtures)
    SmallSchool, dynamodb_calls, lesson, school, today, work,
)


def results(api: Any, work_id: str, points: dict[str, int]) -> None:
    api.ok("PUT", f"/v1/works/{work_id}/results",
           {"entries": [{"student_id": pupil, "points": p} for pupil, p in points.items()]})


def formative(api: Any, lesson_id: str, points: dict[str, int]) -> None:
    api.ok("PUT", f"/v1/lessons/{lesson_id}/formative",
           {"entries": [{"student_id": pupil, "points": p} for pupil, p in points.items()]})


def marked(s: SmallSchool) -> dict[str, str]:
    """The math journal's T1: two lessons, SOR a (20) and b (91), SOCH a (100) and b (97)."""
    p, math = s.pupils, s.journals["math"]
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    first = lesson(s.teacher, math, day="2026-09-10")["lesson_id"]
    second = lesson(s.teacher, math, day="2026-09-11")["lesson_id"]
    formative(s.teacher, first, {p["p1"]: 4, p["p2"]: 9, p["p3"]: 8, p["p4"]: 7})
    formative(s.teacher, second, {p["p2"]: 10})
    sor_a = work(s.teacher, math, day="2026-09-14", max_points=20)["work_id"]
    sor_b = work(s.teacher, math, day="2026-09-15", max_points=91)["work_id"]
    results(s.teacher, sor_a, {p["p1"]: 8, p["p3"]: 18, p["p4"]: 10})
    results(s.teacher, sor_b, {p["p2"]: 32})
    soch_a = work(s.teacher, math, day="2026-10-01", kind="SOCH", max_points=100)["work_id"]
    soch_b = work(s.teacher, math, day="2026-10-02", kind="SOCH", max_points=97)["work_id"]
    results(s.teacher, soch_a, {p["p1"]: 39, p["p3"]: 84})
    results(s.teacher, soch_b, {p["p2"]: 62})
    return {"first": first, "second": second, "sor_a": sor_a, "sor_b": sor_b, "soch_a": soch_a, "soch_b": soch_b}


def standing(api: Any, pupil: str, period: str = "T1", **query: str) -> dict[str, Any]:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return api.ok("GET", f"/v1/students/{pupil}/standing?year=2026&period={period}{extra}")


def subject(document: dict[str, Any], code: str = "math") -> dict[str, Any]:
    return next(x for x in document["subjects"] if x["code"] == code)


def explained(item: dict[str, Any], code: str) -> dict[str, Any]:
    return next(e for e in item["explanation"] if e["code"] == code)


def test_band_edges_round_half_up_on_the_exact_total(school: SmallSchool) -> None:
    s, p = school, school.pupils
    marked(s)
    edges = {pupil: subject(standing(s.admin, p[pupil])) for pupil in ("p1", "p2", "p3")}
    assert (edges["p1"]["total_percent"], edges["p1"]["mark"]) == (39.5, 3)
    assert edges["p2"]["total_percent"] == pytest.approx(64.499971) and edges["p2"]["mark"] == 3
    assert explained(edges["p2"], "rounding")["value"] == 64
    assert (edges["p3"]["total_percent"], edges["p3"]["mark"]) == (84.5, 5)
    assert edges["p3"]["fo_percent"] == 80 and edges["p3"]["sor_percent"] == 90 and edges["p3"]["soch_percent"] == 84
    assert all(not e["provisional"] and not e["final"] and e["rule_pack"] == "KZ-2020" for e in edges.values())


def test_before_the_soch_the_mark_is_provisional_and_says_how_the_weights_moved(school: SmallSchool) -> None:
    s, p = school, school.pupils
    marked(s)
    kk = subject(standing(s.parent, p["p1"]))  # the parent reads in Kazakh
    assert kk["mark"] == 3
    p4_kk, p4_ru = subject(standing(s.admin, p["p4"], lang="kk")), subject(standing(s.admin, p["p4"], lang="ru"))
    assert p4_kk["provisional"] and p4_kk["soch_percent"] is None
    assert p4_kk["total_percent"] == 60.0 and p4_kk["mark"] == 3  # (25 * 70 + 25 * 50) / 50
    for item, soch in ((p4_kk, "ТЖБ"), (p4_ru, "СОч")):
        moved = explained(item, "redistributed")
        assert soch in moved["text"] and moved["value"]["absent"] == ["SOCH"]
        assert moved["value"]["applied_weights"] == {"FO": 0.5, "SOR": 0.5}
    assert "предварительная" in explained(p4_ru, "status.provisional")["text"]


def test_needed_is_the_exact_soch_percentage_for_4_and_5(school: SmallSchool) -> None:
    s, p = school, school.pupils
    marked(s)
    p1 = subject(standing(s.student, p["p1"]))  # the pupil himself may read his own
    assert p1["needed"] == {"4": 89.0, "5": None}  # FO 40, SOR 40: (64.5 - 20) / 0.5; 5 is out of reach
    p3, p4 = subject(standing(s.admin, p["p3"])), subject(standing(s.admin, p["p4"], lang="ru"))
    assert p3["needed"] == {"4": 44.0, "5": 84.0} and p3["soch_percent"] == 84 and p3["mark"] == 5
    assert p4["needed"] == {"4": 69.0, "5": None}
    assert explained(p4, "needed.4")["text"] == "«4»: на СОч нужно не менее 69 %."
    assert explained(p4, "needed.5")["text"] == "«5»: недостижима даже при 100 % за СОч."


def test_a_write_is_in_the_standing_at_once_even_when_the_index_lags(school: SmallSchool) -> None:
    from chalicelib.store import journal as store

    s, p = school, school.pupils
    ids = marked(s)
    before = subject(standing(s.parent, p["p1"]))
    stale = store.pupil_entries  # the index as it was before the teacher's next writes
    frozen = {}

    def lagging(pupil: str, start: Any, end: Any) -> list:
        key = (pupil, start, end)
        frozen.setdefault(key, stale(pupil, start, end))
        return frozen[key]

    with mock.patch.object(store, "pupil_entries", lagging):
        subject(standing(s.parent, p["p1"]))  # the index is read now and frozen from here on
        results(s.teacher, ids["soch_a"], {p["p1"]: 79})
        formative(s.teacher, ids["first"], {p["p1"]: None})  # removed
        after = subject(standing(s.parent, p["p1"]))
    assert before["soch_percent"] == 39 and after["soch_percent"] == 79
    assert after["fo_percent"] is None and after["total_percent"] == pytest.approx(float(
        Fraction(1, 3) * 40 + Fraction(2, 3) * 79), abs=1e-5)


def test_one_query_of_the_index_and_one_of_the_pupils_partition(school: SmallSchool) -> None:
    from chalicelib.config import settings

    s, p = school, school.pupils
    marked(s)
    with dynamodb_calls() as calls:
        standing(s.parent, p["p1"])
    journal_table = settings().table("journal")
    queries = [params for op, params in calls if op == "Query" and params["TableName"] == journal_table]
    assert len(queries) == 2
    assert sorted(bool(q.get("ConsistentRead")) for q in queries) == [False, True]
    assert not [op for op, params in calls if op == "BatchGetItem" and journal_table in params["RequestItems"]]


def test_every_subject_of_the_class_with_its_own_kind_of_standing(school: SmallSchool) -> None:
    s, p = school, school.pupils
    marked(s)
    document = standing(s.teacher, p["p1"], lang="ru")
    assert {x["code"]: x["scheme"] for x in document["subjects"]} == {
        "math": "term", "music": "pass_fail", "ethics": "unmarked"}
    assert [x["name"]["ru"] for x in document["subjects"]] == ["Математика", "Музыка", "Самопознание"]
    music = subject(document, "music")
    assert music["mark"] is None and explained(music, "verdict")["text"] == "Зачёт/незачёт ещё не выставлен."
    half = standing(s.teacher, p["p1"], period="H1", lang="ru")
    assert subject(half)["mark"] is None and subject(half)["period"] is None
    assert "по четвертям" in explained(subject(half), "period.not_marked")["text"]


def test_a_one_hour_subject_is_marked_per_half_year(school: SmallSchool) -> None:
    s, p = school, school.pupils
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    chem = s.admin.ok("POST", f"/v1/schools/{s.school_id}/subjects", {
        "code": "chem", "name": {"kk": "Химия", "ru": "Химия"}, "assessment": "criteria"}, status=201)["subject_id"]
    journal = s.admin.ok("POST", f"/v1/classes/{s.class_id}/journals", {
        "subject_id": chem, "teacher_ids": [s.people["teacher"]], "hours_per_week": 1}, status=201)["journal_id"]
    formative(s.teacher, lesson(s.teacher, journal, day="2026-09-21")["lesson_id"], {p["p1"]: 6})
    results(s.teacher, work(s.teacher, journal, day="2026-09-22", period="H1")["work_id"], {p["p1"]: 16})
    chemistry = subject(standing(s.parent, p["p1"], period="T1"), "chem")
    assert (chemistry["period"], chemistry["scheme"]) == ("H1", "half_year")
    assert chemistry["total_percent"] == 70.0 and chemistry["mark"] == 4 and not chemistry["provisional"]
    assert chemistry["needed"] == {"4": None, "5": None}


def test_school_settings_choose_how_sor_is_counted(school: SmallSchool) -> None:
    s, p = school, school.pupils
    marked(s)
    results(s.teacher, work(s.teacher, s.journals["math"], day="2026-09-16", max_points=10)["work_id"], {p["p3"]: 2})
    assert subject(standing(s.admin, p["p3"]))["sor_percent"] == 66.666666  # (18 + 2) / 30, floored
    settings = s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None,
                                                                        "sor_method": "mean_of_percentages"})
    assert settings == {"edit_window_days": None, "sor_method": "mean_of_percentages", "pool_fo_with_sor": False,
                        "fo_max": 10}
    assert subject(standing(s.admin, p["p3"]))["sor_percent"] == 55.0  # (90 + 20) / 2
    r = s.admin.call("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None, "fo_max": 8})
    assert r.status_code == 422
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None, "fo_max": 12})
    formative(s.teacher, lesson(s.teacher, s.journals["math"], day="2026-09-17")["lesson_id"], {p["p3"]: 12})
    assert subject(standing(s.admin, p["p3"]))["fo_percent"] == 83.333333  # (8 + 12) / (2 * 12)


def test_who_may_read_a_standing(school: SmallSchool) -> None:
    s, p = school, school.pupils
    path = f"/v1/students/{p['p2']}/standing?year=2026&period=T1"
    assert s.parent.call("GET", path).status_code == 404  # not her child
    assert s.student.call("GET", path).status_code == 404  # not himself
    assert s.outsider.call("GET", path).status_code == 404
    assert s.other_teacher.call("GET", path).status_code == 404  # teaches nothing in the class
    assert s.ministry.call("GET", path).status_code == 403
    assert s.teacher.call("GET", path).status_code == 200
    assert s.admin.call("GET", f"/v1/students/{p['p2']}/standing?year=2025&period=T1").status_code == 404
    assert s.admin.call("GET", f"/v1/students/{p['p2']}/standing?period=T5").status_code == 400
    assert s.admin.call("GET", f"/v1/students/{p['p2']}/standing?period=T1&lang=en").status_code == 400
