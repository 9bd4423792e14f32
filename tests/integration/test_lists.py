"""Lists with pagination in Kazakh/Russian alphabetical order: who may list what, pages and their cursors."""
from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, Campus, body, roster
from tests.integration.school import (  # noqa: F401  (fixtures)
    ALPHABETICAL, SmallSchool, data_queries, dynamodb_calls, school, today,
)

# Kazakh order: Қ after К, Ң after Н, Ұ and Ү after У, Һ after Х, І after Ы; code-point order puts them all after Я.
EXTRA = [("k1", "Қасымов", "Ержан"), ("k2", "Кенжебаев", "Нұр"), ("k3", "Таңатаров", "Алмас"),
         ("k4", "Танабаев", "Бауыржан"), ("k5", "Таоев", "Дәурен"), ("k6", "Ұлықбеков", "Азамат"),
         ("k7", "Үсенова", "Әйгерім"), ("k8", "Уәлиев", "Серік"), ("k9", "Һашимов", "Рустам"),
         ("k10", "Хасенов", "Ілияс")]
EXTRA_ORDER = ["k2", "k1", "k4", "k3", "k5", "k8", "k6", "k7", "k10", "k9"]


def _with_extra_pupils(s: SmallSchool) -> dict[str, str]:
    rows = [f"student,{ext}-{s.school_id},{last},{first},,{s.class_id},,,,kk,," for ext, last, first in EXTRA]
    made = s.admin.ok("POST", f"/v1/schools/{s.school_id}/roster", raw=roster(*rows), content_type="text/csv")
    return {p["external_id"].split("-")[0]: p["person_id"] for p in made["people"]}


def _all_pages(api: Api, path: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, following its cursors; and how many pages it took."""
    items, pages, url = [], 0, f"{path}{'&' if '?' in path else '?'}limit={limit}"
    while url:
        response = api.call("GET", url)
        assert response.status_code == 200, response.body
        pages += 1
        items += body(response)
        link = response.headers.get("Link")
        assert (link is None) == ("X-Next-Cursor" not in response.headers)
        url = link[1:link.index(">")] if link else None
    return items, pages


def test_a_class_list_pages_through_in_kazakh_order(school: SmallSchool) -> None:
    s = school
    extra = _with_extra_pupils(s)
    everyone, pages = _all_pages(s.teacher, f"/v1/classes/{s.class_id}/pupils", 4)
    assert pages == 5  # 19 pupils, 4 a page
    names = [p["last_name"] for p in everyone]
    expected = sorted([*(last for _, last, _ in EXTRA), "Абаев", "Әлиев", "Бекова", "Гаухаров", "Ғалымова",
                       "Оспанов", "Өтепов", "Ыбыраев", "Іскаков"], key=lambda n: _kazakh(n))
    assert names == expected
    assert [p["student_id"] for p in everyone if p["student_id"] in extra.values()] == [extra[k] for k in EXTRA_ORDER]
    assert names.index("Танабаев") < names.index("Таңатаров") < names.index("Таоев")
    assert names.index("Уәлиев") < names.index("Ұлықбеков") < names.index("Үсенова") < names.index("Хасенов")
    assert names.index("Хасенов") < names.index("Һашимов") < names.index("Ыбыраев") < names.index("Іскаков")


def _kazakh(name: str) -> list[int]:
    alphabet = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ"
    return [alphabet.index(c) for c in name.upper()]


def test_the_class_list_is_one_query_and_a_cursor_survives_a_new_pupil(school: SmallSchool) -> None:
    s = school
    with dynamodb_calls() as calls:
        first = s.teacher.call("GET", f"/v1/classes/{s.class_id}/pupils?limit=3")
    assert len(data_queries(calls, s.people["teacher"])) == 1
    assert [p["student_id"] for p in body(first)] == [s.pupils[k] for k in ALPHABETICAL[:3]]
    _with_extra_pupils(s)  # Қасымов and others arrive between the pages; "Абаев" had been seen already
    cursor = first.headers["X-Next-Cursor"]
    rest, _ = _all_pages(s.teacher, f"/v1/classes/{s.class_id}/pupils?cursor={cursor}", 50)
    assert s.pupils[ALPHABETICAL[3]] == rest[0]["student_id"]
    assert not {p["student_id"] for p in rest} & {s.pupils[k] for k in ALPHABETICAL[:3]}


def test_who_may_list_a_class(school: SmallSchool) -> None:
    s = school
    path = f"/v1/classes/{s.class_id}/pupils"
    assert s.admin.call("GET", path).status_code == 200
    assert s.other_teacher.call("GET", path).status_code == 403  # teaches no journal of the class
    assert s.parent.call("GET", path).status_code == 403
    assert s.student.call("GET", path).status_code == 403
    assert s.outsider.call("GET", path).status_code == 404  # another school
    assert s.ministry.call("GET", path).status_code == 403  # no names for the ministry


def test_bad_limits_and_cursors_are_400(school: SmallSchool) -> None:
    s = school
    for query in ("limit=0", "limit=501", "limit=x", "cursor=not-a-cursor", "cursor=WzFd"):
        r = s.teacher.call("GET", f"/v1/classes/{s.class_id}/pupils?{query}")
        assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/problem+json"), query


def test_a_schools_people_for_its_admin_only(school: SmallSchool) -> None:
    s = school
    path = f"/v1/schools/{s.school_id}/people"
    staff = s.admin.ok("GET", f"{path}?role=teacher")
    assert [p["last_name"] for p in staff] == ["Нұрланова", "Петров"]
    everyone, _ = _all_pages(s.admin, path, 5)
    assert len(everyone) == 3 + 10 + 1  # staff, pupils, the parent
    assert s.admin.call("GET", f"{path}?role=janitor").status_code == 400
    assert s.teacher.call("GET", path).status_code == 403
    assert s.outsider.call("GET", path).status_code == 404


def test_a_teachers_journals_by_class_and_subject(school: SmallSchool) -> None:
    s = school
    with dynamodb_calls() as calls:
        mine = s.teacher.ok("GET", f"/v1/teachers/{s.people['teacher']}/journals?language=kk")
    operations = [op for op, _ in calls]
    assert operations.count("Query") == 2 and operations.count("BatchGetItem") == 2  # the caller's own, then ours
    assert [(j["class_name"], j["subject"]["code"]) for j in mine] == [
        ("1А", "math"), ("7Ә", "math"), ("7Ә", "music"), ("7Ә", "ethics")]
    ru = s.admin.ok("GET", f"/v1/teachers/{s.people['teacher']}/journals?language=ru")
    assert [j["subject"]["code"] for j in ru] == ["math", "math", "music", "ethics"]  # Математика, Музыка, Само..
    assert s.admin.ok("GET", f"/v1/teachers/{s.people['other_teacher']}/journals") == []
    assert s.other_teacher.call("GET", f"/v1/teachers/{s.people['teacher']}/journals").status_code == 403
    assert s.outsider.call("GET", f"/v1/teachers/{s.people['teacher']}/journals").status_code == 404
    assert s.admin.call("GET", f"/v1/teachers/{s.pupils['p1']}/journals").status_code == 404


def test_a_schools_journals_page_by_page(school: SmallSchool) -> None:
    s = school
    everyone, pages = _all_pages(s.parent, f"/v1/schools/{s.school_id}/journals?language=kk", 3)
    assert pages == 2
    assert [(j["class_name"], j["subject"]["code"]) for j in everyone] == [
        ("1А", "math"), ("7Ә", "math"), ("7Ә", "music"), ("7Ә", "ethics")]
    assert s.outsider.call("GET", f"/v1/schools/{s.school_id}/journals").status_code == 404


def test_other_schools_are_hidden_in_every_list(campus: Campus) -> None:
    a, b = campus.a, campus.b
    for path in (f"/v1/schools/{b.school_id}/people", f"/v1/schools/{b.school_id}/journals",
                 f"/v1/classes/{b.class_id}/pupils", f"/v1/teachers/{b.people['teacher']}/journals"):
        assert a.admin.call("GET", path).status_code == 404, path
        assert a.teacher.call("GET", path).status_code == 404, path
