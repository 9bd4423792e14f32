"""The real Kundelik / Dnevnik.ru client, `pydnevnikruapi` 0.2.0, unmodified, against the local run over loopback.

Its only change of setting is public: `host`, the base URL. What it reads through /v2 is checked against what
the v1 API says about the same demo half-term (the same store): the right marks for the right pupils.
"""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from pydnevnikruapi import AsyncDiaryAPI
from pydnevnikruapi.exceptions import AsyncDiaryError

from tests.e2e.conftest import Client, Runner

SEPTEMBER = ("2026-09-01", "2026-09-30")
WEEK = ("2026-09-14T00:00:00", "2026-09-20T00:00:00")
_SEED_SECONDS = 300  # the demo half-term is written in the background once the API answers


def with_client(runner: Runner, token: str, use: Callable[[AsyncDiaryAPI], Awaitable[Any]], prefix: str = "v2") -> Any:
    """Run `use` with the client as its users make it, pointed at the local run."""
    async def session() -> Any:
        async with aiohttp.ClientSession() as s:
            dn = AsyncDiaryAPI(session=s, token=token)
            dn.host = f"{runner.url}/{prefix}/"
            return await use(dn)

    return asyncio.run(session())


@pytest.fixture(scope="module")
def seeded(runner: Runner) -> Runner:
    """The runner once its demo half-term of journal entries is written."""
    deadline = time.monotonic() + _SEED_SECONDS
    while "Demo journal:" not in runner.output():
        assert time.monotonic() < deadline, f"the demo journal was not seeded:\n{runner.output()}"
        assert runner.process.poll() is None, runner.output()
        time.sleep(0.5)
    return runner


@pytest.fixture(scope="module")
def parent(seeded: Runner, anonymous: Client) -> Client:
    return anonymous.as_user("parent.demo")


@pytest.fixture(scope="module")
def family(parent: Client) -> dict[str, dict[str, str]]:
    """The demo parent's children by first name: person id and class id (from v1)."""
    me = parent.call("GET", "/v1/me").json()
    return {c["display_name"].split()[1]: {"id": c["student_id"], "class": c["class_id"]} for c in me["children"]}


@pytest.fixture(scope="module")
def son_points(parent: Client, family: dict[str, dict[str, str]]) -> dict[str, str]:
    """What v1's diary says of Нұрислам's marks in September: points by lesson or work."""
    return points_by_target(diary(parent, family["Нұрислам"]["id"], *SEPTEMBER))


def diary(api: Client, pupil: str, start: str, end: str) -> list[dict[str, Any]]:
    days = api.call("GET", f"/v1/students/{pupil}/diary?from={start}&to={end}").json()["days"]
    return [{"date": d["date"], **x} for d in days for x in d["lessons"] + d["works"]]


def points_by_target(items: list[dict[str, Any]]) -> dict[str, str]:
    """v1's points by lesson (formative) or work (result), as v2 values."""
    found = {}
    for x in items:
        if "lesson_id" in x:
            points, target = (x["formative"] or {}).get("points"), x["lesson_id"]
        else:
            points, target = x["points"], x["work_id"]
        if points is not None:
            found[target] = str(points)
    return found


def by_target(marks: list[dict[str, Any]]) -> dict[str, str]:
    return {(m["lesson_str"] if m["type"] == "mark10" else m["work_str"]): m["value"] for m in marks}


def test_a_parent_reads_context_marks_lesson_homework_and_schedule(
        seeded: Runner, school_id: str, parent: Client, family: dict[str, dict[str, str]]) -> None:
    son = family["Нұрислам"]

    async def scenario(dn: AsyncDiaryAPI) -> dict[str, Any]:
        context = await dn.get_context()
        marks = await dn.get_person_marks(son["id"], context["schoolIds"][0], *SEPTEMBER)
        return {"context": context, "me": await dn.get_info(), "marks": marks,
                "lesson": await dn.get_lesson_info(marks[0]["lesson"]),
                "homework": await dn.get_school_homework(context["schoolIds"][0], *WEEK),
                "schedule": await dn.get_person_schedule(son["id"], son["class"], *WEEK)}

    got = with_client(seeded, parent.token, scenario)
    context = got["context"]
    assert context["schoolIds"] == [int(school_id)] and context["roles"] == ["EduParent"]
    assert {c["personId_str"]: c["groupIds"] for c in context["children"]} == {
        child["id"]: [int(child["class"])] for child in family.values()}
    assert got["me"]["personId_str"] == context["personId_str"] and got["me"]["login"] == "parent.demo"

    september = diary(parent, son["id"], *SEPTEMBER)
    assert got["marks"] and by_target(got["marks"]) == points_by_target(september)
    assert {m["person_str"] for m in got["marks"]} == {son["id"]}

    first = got["marks"][0]
    lesson = next(x for x in september if x.get("lesson_id") == first["lesson_str"])
    shown = got["lesson"]
    assert (shown["id_str"], shown["title"], shown["date"][:10]) == (lesson["lesson_id"], lesson["topic"],
                                                                     lesson["date"])
    assert shown["subject"]["name"] == lesson["subject"]["name"]["kk"]  # 5Ә learns in Kazakh
    assert first["work_str"] in {w["id_str"] for w in shown["works"]}

    week = [x for child in family.values() for x in diary(parent, child["id"], WEEK[0][:10], WEEK[1][:10])]
    homework = {(x["lesson_id"], x["homework"]) for x in week if x.get("homework")}
    assert homework and {(w["lesson_str"], w["text"]) for w in got["homework"]["works"]} == homework

    days = got["schedule"]["days"]
    assert [d["date"][:10] for d in days] == [f"2026-09-{n}" for n in range(14, 21)]
    own_week = diary(parent, son["id"], WEEK[0][:10], WEEK[1][:10])
    for day in days:
        expected = [x["lesson_id"] for x in own_week if "lesson_id" in x and x["date"] == day["date"][:10]]
        assert sorted(x["id_str"] for x in day["lessons"]) == sorted(expected)
        assert {m["person_str"] for m in day["marks"]} <= {son["id"]}


def test_a_teacher_reads_the_class_marks(seeded: Runner, anonymous: Client, family: dict[str, dict[str, str]]
                                         ) -> None:
    teacher = anonymous.as_user("teacher.math")
    klass = family["Нұрислам"]["class"]
    journal = next(j["journal_id"] for j in teacher.call("GET", "/v1/me").json()["journals"] if j["class_id"] == klass)
    grid = teacher.call("GET", f"/v1/journals/{journal}?period=T1").json()
    dates = {x["lesson_id"]: x["date"] for x in grid["lessons"]} | {w["work_id"]: w["date"] for w in grid["works"]}
    expected = {(e["student_id"], e.get("lesson_id") or e["work_id"], str(e["points"])) for e in grid["entries"]
                if e["kind"] in ("formative", "result") and e["points"] is not None
                and SEPTEMBER[0] <= dates[e.get("lesson_id") or e["work_id"]] <= SEPTEMBER[1]}

    marks = with_client(seeded, teacher.token, lambda dn: dn.get_group_marks_period(klass, *SEPTEMBER))
    math = {(m["person_str"], m["lesson_str"] if m["type"] == "mark10" else m["work_str"], m["value"])
            for m in marks if (m["lesson_str"] if m["type"] == "mark10" else m["work_str"]) in dates}
    assert expected and math == expected
    assert len({m["person_str"] for m in marks}) > 10  # the whole class, not one pupil


def test_another_childs_marks_raise_and_return_nothing(seeded: Runner, school_id: str, parent: Client,
                                                       anonymous: Client, family: dict[str, dict[str, str]]) -> None:
    teacher = anonymous.as_user("teacher.math")
    klass = family["Нұрислам"]["class"]
    journal = next(j["journal_id"] for j in teacher.call("GET", "/v1/me").json()["journals"] if j["class_id"] == klass)
    mine = {child["id"] for child in family.values()}
    other = next(p["student_id"] for p in teacher.call("GET", f"/v1/journals/{journal}?period=T1").json()["students"]
                 if p["student_id"] not in mine)

    async def ask(dn: AsyncDiaryAPI) -> Any:
        return await dn.get_person_marks(other, school_id, *SEPTEMBER)

    with pytest.raises(AsyncDiaryError) as raised:
        with_client(seeded, parent.token, ask)
    assert other not in str(raised.value)
    with pytest.raises(AsyncDiaryError):
        with_client(seeded, parent.token, lambda dn: dn.get_lesson_info(int(other)))


@pytest.mark.parametrize("prefix", ["v2", "v2.0"])
@pytest.mark.parametrize("start, end", [
    SEPTEMBER,
    (datetime(2026, 9, 1).isoformat(), datetime(2026, 9, 30).isoformat()),
    (str(datetime(2026, 9, 1)), str(datetime(2026, 9, 30, 23, 59))),
    (datetime(2026, 9, 1, 0, 0, 0, 1).isoformat(), str(datetime(2026, 9, 30, 8, 0, 0, 250000))),
])
def test_each_date_form_and_prefix_gives_the_same_marks(seeded: Runner, school_id: str, parent: Client,
                                                        family: dict[str, dict[str, str]], son_points: dict[str, str],
                                                        prefix: str, start: str, end: str) -> None:
    son = family["Нұрислам"]["id"]
    marks = with_client(seeded, parent.token, lambda dn: dn.get_person_marks(son, school_id, start, end), prefix)
    assert son_points and by_target(marks) == son_points


def test_the_token_as_a_query_parameter_and_a_bad_token(seeded: Runner, parent: Client) -> None:
    by_header = with_client(seeded, parent.token, lambda dn: dn.get_context())

    async def by_query(dn: AsyncDiaryAPI) -> Any:
        return await dn.get("users/me/context", params={"access_token": parent.token})

    assert with_client(seeded, "", by_query) == by_header
    refused = with_client(seeded, "not-a-token", lambda dn: dn.get_context())
    assert refused["type"] == "invalidToken" and set(refused) == {"type", "description"}
    with pytest.raises(AsyncDiaryError):
        with_client(seeded, parent.token, lambda dn: dn.get("no/such/route"))
    assert re.fullmatch(r"[0-9]+", by_header["personId_str"])
