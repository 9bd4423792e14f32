"""A mark a teacher enters reaches the parent's inbox through the local stream runner, as it would on Lambda."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from tests.e2e.conftest import Client

_KZ = timezone(timedelta(hours=5))
_WAIT_SECONDS = 60  # a liveness bound for a loaded CI machine, not a performance goal (the figure is printed)


def _a_lesson(teacher: Client, journal_id: str, number: int) -> str:
    """A lesson of the journal on a recent school day: one the teacher may still mark."""
    today, made = datetime.now(_KZ).date(), None
    for back in range(0, 8):
        day = today - timedelta(days=back)
        if day.weekday() < 5:
            made = teacher.call("POST", f"/v1/journals/{journal_id}/lessons", {"date": day.isoformat(),
                                                                              "number": number})
            if made.status_code == 201:
                return str(made.json()["lesson_id"])
    raise AssertionError(f"no recent school day took a lesson: {made.text if made is not None else ''}")


def test_each_mark_reaches_the_parents_inbox(anonymous: Client) -> None:
    teacher, parent = anonymous.as_user("teacher.math"), anonymous.as_user("parent.demo")
    child = parent.call("GET", "/v1/me").json()["children"][0]
    journal = next(j for j in teacher.call("GET", "/v1/me").json()["journals"] if j["class_id"] == child["class_id"])
    for number, points in ((7, 9), (8, 6)):
        feedback = f"Теңдеуді дұрыс шештің / Верно решено (№{number})"
        lesson_id = _a_lesson(teacher, journal["journal_id"], number)
        written = teacher.call("PUT", f"/v1/lessons/{lesson_id}/formative", {"entries": [
            {"student_id": child["student_id"], "points": points, "feedback": feedback}]})
        assert written.status_code == 200, written.text
        entered, found = time.monotonic(), None
        while found is None and time.monotonic() - entered < _WAIT_SECONDS:
            inbox = parent.call("GET", "/v1/me/notifications?limit=20").json()
            found = next((n for n in inbox if n["kind"] == "formative" and feedback in n["body"]), None)
            time.sleep(0.05)
        assert found is not None, "the mark never reached the parent's inbox"
        assert found["student_id"] == child["student_id"] and f"{points} " in found["body"]
        print(f"\nmark -> parent's inbox: {time.monotonic() - entered:.2f} s")
