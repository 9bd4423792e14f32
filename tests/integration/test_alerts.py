"""Final marks and threshold alerts, the whole way: API -> journal stream (moto) -> the app's stream handler ->
each guardian's inbox, in their language, once, whatever the stream repeats.

The family of `tests.integration.test_notifications`: pupil Ерлан with guardians `parent` (kk), `mama` (ru) and
`papa` (kk); Іңкәр (pupil2) with `mama` alone. The journal's "today" is Monday 5 October 2026 (T1).
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.store.excuses import create_excuse
from tests.integration.conftest import Api
from tests.integration.school import StreamPump, lesson, today, work  # noqa: F401  (fixture)
from tests.integration.test_notifications import Family, family, inbox  # noqa: F401  (fixture)
from tests.integration.test_standing import formative, results


@pytest.fixture()
def home(family: Family, today: date) -> Family:
    """The family, with the school's edit window open (entries of past weeks may be written)."""
    s = family.school
    s.admin.ok("PUT", f"/v1/schools/{s.school_id}/settings", {"edit_window_days": None})
    return family


def flow(pump: StreamPump, times: int = 1) -> list[dict[str, Any]]:
    """Hand every new journal-stream record to the app's handler `times` times (a duplicated batch)."""
    from app import journal_counters

    records = pump.read()
    for _ in range(times):
        assert journal_counters({"Records": records}, None)["batchItemFailures"] == []
    return records


def alerts(api: Api, kind: str) -> list[dict[str, Any]]:
    return [item for item in inbox(api) if item["kind"] == kind]


def guardians(f: Family) -> dict[str, Api]:
    return {"parent": f.school.parent, "mama": f.mama, "papa": f.papa}


def test_every_guardian_gets_the_final_term_mark_once_in_their_language(home: Family) -> None:
    s, pump = home.school, StreamPump()
    pupil, other = s.people["student"], s.people["pupil2"]
    soch = work(s.teacher, s.journal_id, day="2026-10-01", kind="SOCH", max_points=20)["work_id"]
    results(s.teacher, soch, {pupil: 18, other: 11})
    flow(pump)
    closed = s.teacher.call("POST", f"/v1/journals/{s.journal_id}/periods/T1/close")
    assert closed.status_code == 200, closed.body
    flow(pump, times=2)
    flow(pump)  # nothing new: no second notice
    (kk,) = alerts(s.parent, "period_mark")
    assert kk["title"] == "Қорытынды баға: Математика" and kk["student_id"] == pupil
    assert kk["body"] == f"Ерлан {s.names[2]}, Математика, 1-тоқсан бағасы: 5 (өте жақсы)."
    ru = {item["student_id"]: item for item in alerts(home.mama, "period_mark")}
    assert ru.keys() == {pupil, other} and ru[pupil]["title"] == "Итоговая оценка: Математика"
    assert ru[pupil]["body"] == f"Ерлан {s.names[2]}, Математика, оценка за 1 четверть: 5 (отлично)."
    assert ru[other]["body"].endswith("оценка за 1 четверть: 3 (удовлетворительно).")
    assert [i["student_id"] for i in alerts(home.papa, "period_mark")] == [pupil]  # not Іңкәр's mark


def test_dropping_into_the_2_band_alerts_each_guardian_once_and_leaving_it_alerts_again(home: Family) -> None:
    s, pump = home.school, StreamPump()
    pupil = s.people["student"]
    made = lesson(s.teacher, s.journal_id, day="2026-10-01")["lesson_id"]
    formative(s.teacher, made, {pupil: 6, s.people["pupil2"]: 2})  # Ерлан 60 %: a 3; Іңкәр 20 %: a 2
    flow(pump)
    assert alerts(s.parent, "mark_alert") == [] and alerts(home.papa, "mark_alert") == []
    formative(s.teacher, made, {pupil: 3})  # 30 %: the "2" band
    flow(pump, times=2)
    first = {name: alerts(api, "mark_alert") for name, api in guardians(home).items()}
    assert {name: len(items) for name, items in first.items()} == {"parent": 1, "mama": 2, "papa": 1}
    (kk,) = first["parent"]
    assert kk["title"] == "Назар аударыңыз: Математика" and kk["student_id"] == pupil
    assert kk["body"] == f"Ерлан {s.names[2]}, Математика, 1-тоқсан: ағымдағы баға «2»-ге түсті (40 %-дан төмен)."
    mama = next(i for i in first["mama"] if i["student_id"] == pupil)
    assert mama["body"].endswith("1 четверть: текущая оценка снизилась до «2» (ниже 40 %).")
    formative(s.teacher, made, {pupil: 2})  # deeper in the band: no crossing
    flow(pump)
    assert alerts(home.papa, "mark_alert") == first["papa"]
    formative(s.teacher, made, {pupil: 7})
    flow(pump)
    (left,) = alerts(home.papa, "mark_alert")
    assert left["body"].endswith("1-тоқсан: ағымдағы баға енді «2» емес, қазір «4».") and not left["read"]
    formative(s.teacher, made, {pupil: 1})
    flow(pump)
    (again,) = alerts(home.papa, "mark_alert")
    assert again["body"].endswith("түсті (40 %-дан төмен).")
    assert again["notification_id"] not in {left["notification_id"], first["papa"][0]["notification_id"]}


def test_a_replayed_batch_sends_nothing_more(home: Family) -> None:
    from app import journal_counters

    s, pump = home.school, StreamPump()
    made = lesson(s.teacher, s.journal_id, day="2026-10-01")["lesson_id"]
    formative(s.teacher, made, {s.people["student"]: 3})
    entered = flow(pump)
    formative(s.teacher, made, {s.people["student"]: 9})
    left = flow(pump)
    seen = {name: alerts(api, "mark_alert") for name, api in guardians(home).items()}
    assert seen["papa"][0]["body"].endswith("қазір «5».")
    for batch in (entered, left, entered + left):  # replayed, alone and together: nothing is sent again
        assert journal_counters({"Records": batch}, None)["batchItemFailures"] == []
    assert {name: alerts(api, "mark_alert") for name, api in guardians(home).items()} == seen


def absent(s: Any, day: str, number: int, status: str = "absent") -> None:
    made = lesson(s.teacher, s.journal_id, day=day, number=number)["lesson_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{made}/attendance",
                 {"entries": [{"student_id": s.people["student"], "status": status}]})


def test_the_third_unexcused_missed_lesson_of_a_week_alerts_once(home: Family) -> None:
    s, pump = home.school, StreamPump()
    absent(s, "2026-09-28", 1)
    absent(s, "2026-09-29", 1, "excused")
    absent(s, "2026-09-30", 1, "ill")
    absent(s, "2026-10-01", 2)
    flow(pump)
    assert alerts(s.parent, "absence_alert") == []
    absent(s, "2026-10-03", 1)  # Saturday: the third of the week
    absent(s, "2026-10-05", 1)  # Monday: the next week's first
    flow(pump, times=2)
    absent(s, "2026-10-02", 3)  # the fourth: still one alert
    flow(pump)
    (kk,) = alerts(s.parent, "absence_alert")
    assert kk["title"] == "Себепсіз қалдырылған сабақтар" and kk["student_id"] == s.people["student"]
    assert kk["body"] == f"Ерлан {s.names[2]}, 28.09.2026 басталған аптада 3 сабақ себепсіз қалдырылды."
    (ru,) = alerts(home.mama, "absence_alert")
    assert ru["body"].endswith("на неделе с 28.09.2026 пропущено уроков без уважительной причины: 3.")


def test_an_absence_a_parent_excused_does_not_count(home: Family) -> None:
    s, pump = home.school, StreamPump()
    create_excuse(s.people["student"], s.class_id, s.school_id, date(2026, 9, 29), date(2026, 9, 29), "дәрігер",
                  s.people["parent"], "2026-09-28T20:00:00.000+05:00")
    for day, number in (("2026-09-28", 1), ("2026-09-29", 1), ("2026-09-29", 2)):
        absent(s, day, number)
    flow(pump)
    assert alerts(s.parent, "absence_alert") == []
    told = {item["body"].split(", ")[1]: item["body"] for item in alerts(s.parent, "attendance")}
    assert told["29.09.2026"].endswith(": дәлелді себеппен келмеді.")  # the parent's excuse, not "unexcused"
    assert told["28.09.2026"].endswith(": себепсіз келмеді.")
    absent(s, "2026-09-30", 1)
    absent(s, "2026-10-01", 1)
    flow(pump)
    assert len(alerts(s.parent, "absence_alert")) == 1
    assert all(item["student_id"] == s.people["student"] for api in (s.parent, home.papa) for item in inbox(api))
