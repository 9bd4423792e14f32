"""Closing a period through the HTTP API: refusal listing pupils, statuses, read-only afterwards, races, annual."""
from __future__ import annotations

import json
from datetime import date
from typing import Any
from unittest import mock

import pytest

from tests.integration.school import (  # noqa: F401  (fixtures)
    ALPHABETICAL, SmallSchool, lesson, problem_type, school, today, work,
)
from tests.integration.test_standing import explained, formative, marked, results, standing, subject


def close(api: Any, journal_id: str, period: str = "T1") -> Any:
    return api.call("POST", f"/v1/journals/{journal_id}/periods/{period}/close")


def set_status(s: SmallSchool, journal_id: str, entries: list[dict[str, Any]], period: str = "T1") -> Any:
    return s.admin.call("PUT", f"/v1/journals/{journal_id}/periods/{period}/status", {"entries": entries})


def finish_t1(s: SmallSchool, ids: dict[str, str]) -> None:
    """Everyone of 7Ә ready to close T1 in math: p4 exempt, p5 not assessed, SOCH results for p6..p9."""
    p = s.pupils
    r = set_status(s, s.journals["math"], [
        {"student_id": p["p4"], "status": "exempt", "reason": "медициналық анықтама № 12",
         "document_date": "2026-09-30"},
        {"student_id": p["p5"], "status": "not_assessed", "reason": "ТЖБ жазылмады: ауырды"}])
    assert r.status_code == 200, r.body
    results(s.teacher, ids["soch_a"], {p[k]: 50 + i for i, k in enumerate(("p6", "p7", "p8", "p9"))})


def test_the_close_is_refused_listing_every_pupil_without_a_soch(school: SmallSchool) -> None:
    s, p = school, school.pupils
    ids = marked(s)
    r = close(s.teacher, s.journals["math"])
    assert (r.status_code, problem_type(r)) == (409, "period-incomplete")
    problem = json.loads(r.body)
    lacking = [k for k in ALPHABETICAL if k not in ("p1", "p2", "p3")]
    assert [e["field"] for e in problem["errors"]] == [p[k] for k in lacking]
    assert problem["errors"][0]["message"] == "Бекова Айша: no SOCH"
    assert [x["missing"] for x in problem["students"]] == [["SOCH"]] * len(lacking)
    formative(s.teacher, ids["second"], {p["p1"]: 9})  # nothing was closed
    assert problem_type(close(s.teacher, s.journals["math"])) == "period-incomplete"


def test_statuses_need_a_reason_and_an_administrator(school: SmallSchool) -> None:
    s, p = school, school.pupils
    math = s.journals["math"]
    r = set_status(s, math, [{"student_id": p["p1"], "status": "exempt"}])
    assert (r.status_code, problem_type(r)) == (422, "reason-required")
    r = set_status(s, math, [{"student_id": p["q1"], "status": "exempt", "reason": "x", "document_date": "31.09"}])
    assert r.status_code == 422 and [e["field"] for e in json.loads(r.body)["errors"]] == [
        "entries[0].student_id", "entries[0].document_date"]
    r = s.teacher.call("PUT", f"/v1/journals/{math}/periods/T1/status",
                       {"entries": [{"student_id": p["p1"], "status": "exempt", "reason": "анықтама"}]})
    assert r.status_code == 403
    r = s.admin.call("PUT", f"/v1/journals/{math}/periods/H1/status", {"entries": []})
    assert (r.status_code, problem_type(r)) == (422, "period-not-marked")
    r = s.teacher.call("PUT", f"/v1/journals/{math}/periods/T1/verdicts", {"entries": []})
    assert (r.status_code, problem_type(r)) == (422, "not-pass-fail")


def test_a_complete_period_closes_with_every_final_mark(school: SmallSchool) -> None:
    s, p = school, school.pupils
    ids = marked(s)
    finish_t1(s, ids)
    r = close(s.teacher, s.journals["math"])
    assert r.status_code == 200, r.body
    closed = json.loads(r.body)
    got = {x["student_id"]: x["mark"] for x in closed["marks"]}
    assert [x["student_id"] for x in closed["marks"]] == [p[k] for k in ALPHABETICAL]
    assert {k: got[p[k]] for k in ("p1", "p2", "p3", "p4", "p5")} == {
        "p1": 3, "p2": 3, "p3": 5, "p4": "exempt", "p5": "not_assessed"}
    assert closed["annual"] is None and closed["closed_by"] == s.people["teacher"]
    assert closed["statistics"]["n"] == 8 and closed["statistics"]["distribution"]["not_assessed"] == 1
    state = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/periods/T1")
    assert state["closed"] and state["closed_at"] == closed["closed_at"]
    p4 = next(x for x in state["students"] if x["student_id"] == p["p4"])
    assert (p4["status"], p4["reason"], p4["document_date"], p4["mark"]) == (
        "exempt", "медициналық анықтама № 12", "2026-09-30", "exempt")


def test_after_the_close_every_change_is_refused(school: SmallSchool) -> None:
    s, p = school, school.pupils
    ids = marked(s)
    finish_t1(s, ids)
    assert close(s.admin, s.journals["math"]).status_code == 200
    math, first = s.journals["math"], ids["first"]
    changes = [
        (s.teacher, "POST", f"/v1/journals/{math}/lessons", {"date": "2026-10-02", "number": 3}),
        (s.teacher, "PATCH", f"/v1/lessons/{first}", {"topic": "Пропорция"}),
        (s.teacher, "PUT", f"/v1/lessons/{first}/attendance", {"entries": [{"student_id": p["p1"],
                                                                            "status": "ill"}]}),
        (s.admin, "PUT", f"/v1/lessons/{first}/formative", {"entries": [{"student_id": p["p1"], "points": 9}],
                                                             "reason": "late"}),
        (s.teacher, "POST", f"/v1/journals/{math}/works", {"kind": "SOR", "period": "T1", "date": "2026-09-25",
                                                           "title": "Бөлім 4", "max_points": 10}),
        (s.teacher, "PUT", f"/v1/works/{ids['soch_a']}/results", {"entries": [{"student_id": p["p1"],
                                                                               "points": 100}]}),
        (s.admin, "PUT", f"/v1/journals/{math}/periods/T1/status", {"entries": [{"student_id": p["p1"],
                                                                                 "status": "assessed"}]}),
        (s.teacher, "POST", f"/v1/journals/{math}/periods/T1/close", None),
    ]
    for api, method, path, body in changes:
        r = api.call(method, path, body)
        assert (r.status_code, problem_type(r)) == (409, "period-closed"), (method, path, r.body)
    lesson(s.teacher, math, day="2026-11-02")  # T2 stays open


def test_pass_fail_verdicts_close_a_period_and_are_read_only_after(school: SmallSchool) -> None:
    s, p = school, school.pupils
    music = s.journals["music"]
    path = f"/v1/journals/{music}/periods/T1/verdicts"
    assert s.parent.call("PUT", path, {"entries": []}).status_code == 403
    s.teacher.ok("PUT", path, {"entries": [{"student_id": p[k], "passed": k != "p9"} for k in ALPHABETICAL[:-1]]})
    r = close(s.teacher, music)
    assert [e["field"] for e in json.loads(r.body)["errors"]] == [p["p9"]]
    assert json.loads(r.body)["students"][0]["missing"] == ["verdict"]
    s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p9"], "passed": False}]})
    closed = json.loads(close(s.teacher, music).body)
    assert {x["student_id"]: x["mark"] for x in closed["marks"]}[p["p9"]] == "fail"
    assert closed["statistics"]["n"] == 0  # pass/fail verdicts are outside §8
    r = s.teacher.call("PUT", path, {"entries": [{"student_id": p["p9"], "passed": True}]})
    assert (r.status_code, problem_type(r)) == (409, "period-closed")
    assert subject(standing(s.parent, p["p1"], lang="ru"), "music")["mark"] == "pass"


def test_final_marks_are_served_after_the_close_and_never_revised(school: SmallSchool) -> None:
    s, p = school, school.pupils
    ids = marked(s)
    finish_t1(s, ids)
    close(s.admin, s.journals["math"])
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None, "pool_fo_with_sor": True,
                                                              "sor_method": "mean_of_percentages"})
    p2 = subject(standing(s.parent, p["p1"]))
    assert (p2["final"], p2["provisional"], p2["mark"], p2["total_percent"]) == (True, False, 3, 39.5)
    assert explained(p2, "status.final")["text"].startswith("Кезең жабылды")
    assert explained(p2, "total")["value"] == 39.5  # the explanation uses the settings of the close
    exempt = subject(standing(s.admin, p["p4"], lang="ru"))
    assert exempt["mark"] == "exempt" and exempt["final"]
    assert explained(exempt, "status.exempt")["text"].startswith("Освобождён")


def test_a_write_in_flight_holds_the_close_back(school: SmallSchool, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.store import journal as store

    s = school
    finish_t1(s, marked(s))
    monkeypatch.setattr(store, "_SHUT_WAIT", 0.0)
    with store.writing(s.journals["math"], "T1"):  # a teacher's request that has not finished yet
        r = close(s.teacher, s.journals["math"])
        assert (r.status_code, problem_type(r), r.headers["Retry-After"]) == (409, "journal-busy", "5")
    assert close(s.teacher, s.journals["math"]).status_code == 200


def test_a_write_racing_the_close_is_either_in_the_marks_or_refused(school: SmallSchool) -> None:
    from chalicelib.store import journal as store

    s, p = school, school.pupils
    ids = marked(s)
    finish_t1(s, ids)
    set_status(s, s.journals["math"], [{"student_id": p["p5"], "status": "assessed"}])  # p5 lacks a SOCH again
    shut, read, refused = store.shut, store.marked_entries, []

    def late_but_before_the_gates(journal_id: str, period: str) -> None:
        results(s.teacher, ids["soch_b"], {p["p5"]: 97})  # lands after the marker, before the gates shut
        shut(journal_id, period)

    def after_the_gates(journal_id: str, terms: tuple[str, ...]) -> list:
        refused.append(s.teacher.call("PUT", f"/v1/works/{ids['soch_b']}/results",
                                      {"entries": [{"student_id": p["p5"], "points": 0}]}))
        return read(journal_id, terms)

    with mock.patch.object(store, "shut", late_but_before_the_gates), \
            mock.patch.object(store, "marked_entries", after_the_gates):
        r = close(s.teacher, s.journals["math"])
    assert r.status_code == 200, r.body
    assert {x["student_id"]: x["soch_percent"] for x in json.loads(r.body)["marks"]}[p["p5"]] == 100.0
    assert (refused[0].status_code, problem_type(refused[0])) == (409, "period-closed")
    assert subject(standing(s.admin, p["p5"]))["soch_percent"] == 100.0


def test_annual_marks_come_with_the_last_close(school: SmallSchool, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.domain import dates

    s, p = school, school.pupils
    monkeypatch.setattr(dates, "today_kz", lambda: date(2027, 5, 20))
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    math, music = s.journals["math"], s.journals["music"]
    others = [{"student_id": p[k], "status": "exempt", "reason": "анықтама"} for k in ALPHABETICAL[1:]]
    days = {"T1": "2026-10-01", "T2": "2026-12-01", "T3": "2027-02-02", "T4": "2027-05-04"}
    for term, soch in zip(days, (70, 70, 90, 90)):
        made = work(s.teacher, math, day=days[term], kind="SOCH", period=term, max_points=100)
        results(s.teacher, made["work_id"], {p["p1"]: soch})
        assert set_status(s, math, others, period=term).status_code == 200
        s.teacher.ok("PUT", f"/v1/journals/{music}/periods/{term}/verdicts",
                     {"entries": [{"student_id": p[k], "passed": True} for k in ALPHABETICAL]})
        closed = json.loads(close(s.teacher, math, term).body)
        assert (closed["annual"] is None) == (term != "T4")
        assert close(s.teacher, music, term).status_code == 200
    assert {x["student_id"]: x["mark"] for x in closed["annual"]} == {
        p["p1"]: 5, **{p[k]: "exempt" for k in ALPHABETICAL[1:]}}  # 4, 4, 5, 5 -> 4.5 -> 5
    year = standing(s.parent, p["p1"], period="Y", lang="ru")
    assert (subject(year)["mark"], subject(year)["final"]) == (5, True)
    assert [x["mark"] for x in subject(year)["periods"]] == [4, 4, 5, 5]
    assert explained(subject(year), "annual")["text"].endswith("«5».")
    assert subject(year, "music")["mark"] == "pass"


def test_who_may_close(school: SmallSchool) -> None:
    s = school
    math = s.journals["math"]
    for api in (s.other_teacher, s.parent, s.student, s.ministry):
        assert close(api, math).status_code == 403
    assert close(s.outsider, math).status_code == 404
    assert close(s.teacher, math, "H1").status_code == 422
    assert close(s.teacher, math, "Y").status_code == 400
