"""Optimistic locking per entry, the edit window, an administrator's correction, closed periods, rollback, and
marks written while a period closes."""
from __future__ import annotations

import json
from unittest import mock

import pytest

from chalicelib.domain.errors import StaleVersion
from tests.integration.school import SmallSchool, lesson, problem_type, school, today  # noqa: F401
from tests.integration.test_close import close, finish_t1, set_status
from tests.integration.test_standing import marked, results


def cell(s: SmallSchool, pupil: str) -> dict:
    grid = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")
    return next(e for e in grid["entries"] if e["student_id"] == s.pupils[pupil])


def test_a_stale_version_gets_409_with_the_current_value_and_nothing_is_lost(school: SmallSchool) -> None:
    s, p = school, school.pupils
    path = f"/v1/lessons/{lesson(s.teacher, s.journals['math'])['lesson_id']}/formative"
    s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p1"], "points": 6}]})
    read = cell(s, "p1")  # both the teacher and the administrator read version 1
    s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p1"], "points": 9, "version": read["version"]}]})
    r = s.admin.call("PUT", path, {"entries": [{"student_id": p["p1"], "points": 3, "version": read["version"]},
                                               {"student_id": p["p2"], "points": 7}]})
    assert (r.status_code, problem_type(r)) == (409, "stale-version")
    problem = json.loads(r.body)
    assert problem["errors"][0]["field"] == "entries[0].version"
    assert [(c["student_id"], c["points"], c["version"]) for c in problem["current"]] == [(p["p1"], 9, 2)]
    assert cell(s, "p1")["points"] == 9
    assert [e["student_id"] for e in s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}?period=T1")[
        "entries"]] == [p["p1"]]  # the batch wrote nothing
    r = s.admin.call("PUT", path, {"entries": [{"student_id": p["p1"], "points": 3, "version": 2}]})
    assert r.status_code == 200 and cell(s, "p1")["version"] == 3


def test_a_new_entry_read_as_empty_has_version_0(school: SmallSchool) -> None:
    s, p = school, school.pupils
    path = f"/v1/lessons/{lesson(s.teacher, s.journals['math'])['lesson_id']}/attendance"
    s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p1"], "status": "present", "version": 0}]})
    r = s.admin.call("PUT", path, {"entries": [{"student_id": p["p1"], "status": "ill", "version": 0}]})
    assert (r.status_code, problem_type(r)) == (409, "stale-version")
    s.admin.ok("PUT", path, {"entries": [{"student_id": p["p1"], "status": "ill"}]})  # no version: applies
    assert cell(s, "p1")["status"] == "ill"


def test_edit_window_and_an_administrators_correction(school: SmallSchool) -> None:
    s, p = school, school.pupils
    math = s.journals["math"]
    r = s.teacher.call("POST", f"/v1/journals/{math}/lessons", {"date": "2026-09-21", "number": 1})
    assert (r.status_code, problem_type(r)) == (409, "edit-window-passed")
    old = lesson(s.admin, math, day="2026-09-21", reason="the teacher was ill; entered from the paper notes")
    edge = lesson(s.teacher, math, day="2026-09-28")  # 7 days ago: still open, inclusive
    entry = {"entries": [{"student_id": p["p1"], "status": "absent"}]}
    s.teacher.ok("PUT", f"/v1/lessons/{edge['lesson_id']}/attendance", entry)
    old_path = f"/v1/lessons/{old['lesson_id']}/attendance"
    r = s.teacher.call("PUT", old_path, {**entry, "reason": "please"})
    assert (r.status_code, problem_type(r)) == (409, "edit-window-passed")
    r = s.admin.call("PUT", old_path, entry)
    assert (r.status_code, problem_type(r)) == (422, "reason-required")
    s.admin.ok("PUT", old_path, {**entry, "reason": "parent's appeal, note No. 4"})
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    s.teacher.ok("PUT", old_path, {"entries": [{"student_id": p["p1"], "status": "excused"}]})
    r = s.teacher.call("PATCH", f"/v1/lessons/{old['lesson_id']}", {"topic": "Пропорция"})
    assert r.status_code == 200 and json.loads(r.body)["topic"] == "Пропорция"


def test_a_closed_period_is_read_only_for_everyone(school: SmallSchool) -> None:
    from chalicelib.store.journal import mark_closed

    s, p = school, school.pupils
    path = f"/v1/lessons/{lesson(s.teacher, s.journals['math'])['lesson_id']}/formative"
    mark_closed(s.journals["math"], "T1", s.people["admin"], "2026-10-25T18:00:00.000+05:00")
    for api in (s.teacher, s.admin):
        r = api.call("PUT", path, {"entries": [{"student_id": p["p1"], "points": 5}], "reason": "late mark"})
        assert (r.status_code, problem_type(r)) == (409, "period-closed")
    r = s.teacher.call("POST", f"/v1/journals/{s.journals['math']}/lessons", {"date": "2026-10-02", "number": 2})
    assert (r.status_code, problem_type(r)) == (409, "period-closed")
    lesson(s.teacher, s.journals["math"], day="2026-11-02")  # T2 stays open
    lesson(s.teacher, s.journals["music"], day="2026-10-02")  # so do other journals


def test_lesson_changes_are_version_checked(school: SmallSchool) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"], topic="Теңдеулер")
    path = f"/v1/lessons/{made['lesson_id']}"
    s.teacher.ok("PATCH", path, {"homework": "§ 5", "version": 1})
    r = s.admin.call("PATCH", path, {"topic": "Теңсіздіктер", "version": 1})
    assert (r.status_code, problem_type(r)) == (409, "stale-version")
    assert json.loads(r.body)["current"]["homework"] == "§ 5"


def test_a_batch_that_fails_midway_is_put_back(school: SmallSchool) -> None:
    """A version that goes stale between the check and the write: the entries already written are undone."""
    from chalicelib.api.entries import Wanted, save_entries
    from chalicelib.store import journal as store

    s, p = school, school.pupils
    made = lesson(s.teacher, s.journals["math"])
    path = f"/v1/lessons/{made['lesson_id']}/formative"
    s.teacher.ok("PUT", path, {"entries": [{"student_id": p["p1"], "points": 5}, {"student_id": p["p2"], "points": 5}]})
    write = store.write_entry

    def meanwhile(current, journal_id, sk, *args):  # someone writes p2 just before we do
        if sk.endswith(p["p2"]) and current.version == 1:
            write(current, journal_id, sk, *args[:-2], {"points": 4}, args[-1])
        return write(current, journal_id, sk, *args)

    actor = store.Actor(s.people["teacher"], "teacher", "2026-10-05T10:00:00.000+05:00")
    wanted = [Wanted(0, p["p1"], {"points": 9}, 1), Wanted(1, p["p2"], {"points": 9}, 1)]
    with mock.patch.object(store, "write_entry", meanwhile), pytest.raises(StaleVersion) as stale:
        save_entries(s.journals["math"], "T1", "F", made["lesson_id"], "2026-10-01", wanted, actor)
    assert stale.value.extra["current"][0]["points"] == 4
    assert (cell(s, "p1")["points"], cell(s, "p2")["points"]) == (5, 4)


def test_a_close_waits_for_results_noted_before_it_shut_the_gates(school: SmallSchool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Results hold no gate: a close that shuts the gates while a batch is between its notes and its writes
    waits for it (here it gives up at once, 409), and the marks of the next close have the batch's results."""
    from chalicelib.store import journal as store

    s, p, math = school, school.pupils, school.journals["math"]
    ids = marked(s)
    finish_t1(s, ids)
    set_status(s, math, [{"student_id": p["p5"], "status": "assessed"}])  # p5 lacks a SOCH again
    monkeypatch.setattr(store, "_SHUT_WAIT", 0.0)
    check, answers = store.check_open, []

    def close_meanwhile(journal_id: str, term: str) -> None:  # the batch has noted p5's result, not read the gate
        answers.append(close(s.teacher, journal_id))
        check(journal_id, term)

    with mock.patch.object(store, "check_open", close_meanwhile):
        results(s.teacher, ids["soch_b"], {p["p5"]: 97})
    assert (answers[0].status_code, problem_type(answers[0]), answers[0].headers["Retry-After"]) == (
        409, "journal-busy", "5")
    r = close(s.teacher, math)
    assert r.status_code == 200, r.body
    assert {x["student_id"]: x["soch_percent"] for x in json.loads(r.body)["marks"]}[p["p5"]] == 100.0


def test_results_rewritten_at_once_do_not_hold_the_close_back(school: SmallSchool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.store import journal as store

    s, p, math = school, school.pupils, school.journals["math"]
    ids = marked(s)
    finish_t1(s, ids)  # SOCH results of p6..p9, a moment ago
    results(s.teacher, ids["soch_a"], {p["p6"]: 40})  # p6's corrected by the next batch
    monkeypatch.setattr(store, "_SHUT_WAIT", 0.0)  # no batch is in flight: the close needs no wait
    r = close(s.teacher, math)
    assert r.status_code == 200, r.body
    assert {x["student_id"]: x["soch_percent"] for x in json.loads(r.body)["marks"]}[p["p6"]] == 40.0
    r = s.teacher.call("PUT", f"/v1/works/{ids['soch_a']}/results", {"entries": [{"student_id": p["p6"],
                                                                                  "points": 41}]})
    assert (r.status_code, problem_type(r)) == (409, "period-closed")
