"""Directory routes (api-contract.md, Directory): schools, classes, subjects, journals, periods, holidays, settings."""
from __future__ import annotations

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.policy import REGIONS
from tests.integration.conftest import PASSWORD, Campus, body, directory_items

SCHOOL = {"name": {"kk": "Абай атындағы мектеп-гимназия", "ru": "Школа-гимназия имени Абая"}, "region": "astana"}


def test_regions_are_the_contracts_codes(campus: Campus) -> None:
    assert REGIONS == {
        "abai", "akmola", "aktobe", "almaty_region", "atyrau", "east_kazakhstan", "jambyl", "jetisu",
        "west_kazakhstan", "karaganda", "kostanay", "kyzylorda", "mangystau", "pavlodar", "north_kazakhstan",
        "turkistan", "ulytau", "astana", "almaty", "shymkent"}
    for region in ("almaty_region", "north_kazakhstan", "shymkent"):
        school = campus.ministry.ok("POST", "/v1/schools", {**SCHOOL, "region": region}, status=201)
        assert school["region"] == region


def test_ministry_creates_a_school_and_reads_it_back_byte_exact(campus: Campus) -> None:
    created = campus.ministry.ok("POST", "/v1/schools", {**SCHOOL, "locality": "Нұр-Сұлтан"}, status=201)
    assert set(created) >= {"school_id", "name", "region", "locality"}
    assert created["school_id"].isdigit() and 0 < int(created["school_id"]) < 2 ** 63
    again = campus.ministry.ok("GET", f"/v1/schools/{created['school_id']}")
    assert again["name"] == SCHOOL["name"] and again["locality"] == "Нұр-Сұлтан"


def test_region_admin_creates_schools_of_their_region_only(campus: Campus) -> None:
    assert campus.astana.ok("POST", "/v1/schools", SCHOOL, status=201)["region"] == "astana"
    before = directory_items()
    refused = campus.almaty.call("POST", "/v1/schools", SCHOOL)
    assert refused.status_code == 403
    assert body(refused)["type"].endswith("/forbidden")
    assert directory_items() == before


def test_school_roles_cannot_create_schools(campus: Campus) -> None:
    before = directory_items()
    for api in (campus.a.admin, campus.a.teacher, campus.a.parent, campus.a.student):
        assert api.call("POST", "/v1/schools", {**SCHOOL, "region": "almaty"}).status_code == 403
    assert directory_items() == before


def test_unknown_region_code_and_empty_name_are_422_and_write_nothing(campus: Campus) -> None:
    before = directory_items()
    r = campus.ministry.call("POST", "/v1/schools", {"name": {"kk": " ", "ru": "Школа"}, "region": "Almaty"})
    assert r.status_code == 422
    assert {e["field"] for e in body(r)["errors"]} == {"region", "name.kk"}
    assert directory_items() == before


def test_school_admin_creates_classes_and_lists_them_in_alphabet_order(campus: Campus) -> None:
    school = campus.a
    path = f"/v1/schools/{school.school_id}/classes"
    for letter in ("Б", "Ә", "А"):
        created = school.admin.ok("POST", path, {"year": 2027, "grade": 5, "letter": letter, "language": "ru"},
                                  status=201)
        assert created["letter"] == letter and created["name"] == f"5{letter}"
    listed = school.admin.ok("GET", f"{path}?year=2027")
    assert [c["letter"] for c in listed] == ["А", "Ә", "Б"]
    assert school.teacher.ok("GET", f"/v1/classes/{listed[0]['class_id']}")["school_id"] == school.school_id


def test_a_class_with_a_homeroom_teacher(campus: Campus) -> None:
    a = campus.a
    created = a.admin.ok("POST", f"/v1/schools/{a.school_id}/classes",
                         {"year": 2026, "grade": 1, "letter": "В", "language": "kk",
                          "homeroom_teacher_id": a.people["teacher"]}, status=201)
    assert created["homeroom_teacher_id"] == a.people["teacher"]
    before = directory_items()
    r = a.admin.call("POST", f"/v1/schools/{a.school_id}/classes",
                     {"year": 2026, "grade": 1, "letter": "Г", "language": "kk",
                      "homeroom_teacher_id": a.people["parent"]})
    assert r.status_code == 422 and body(r)["errors"][0]["field"] == "homeroom_teacher_id"
    assert directory_items() == before


def test_class_rules_and_duplicates_are_422_and_write_nothing(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    path = f"/v1/schools/{a.school_id}/classes"
    r = a.admin.call("POST", path, {"year": 1999, "grade": 12, "letter": "7", "language": "en"})
    assert r.status_code == 422
    assert {e["field"] for e in body(r)["errors"]} == {"year", "grade", "letter", "language"}
    duplicate = a.admin.call("POST", path, {"year": 2026, "grade": 7, "letter": "Ә", "language": "kk"})
    assert duplicate.status_code == 422 and body(duplicate)["type"].endswith("/already-exists")
    assert directory_items() == before


def test_only_the_school_admin_sets_up_classes_subjects_and_journals(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    for api in (a.teacher, a.parent, a.student, campus.ministry, campus.almaty):
        assert api.call("POST", f"/v1/schools/{a.school_id}/classes",
                        {"year": 2026, "grade": 3, "letter": "Д", "language": "kk"}).status_code == 403
        assert api.call("POST", f"/v1/schools/{a.school_id}/subjects",
                        {"code": "art", "name": {"kk": "Сурет", "ru": "ИЗО"}, "assessment": "none"}
                        ).status_code == 403
        assert api.call("POST", f"/v1/classes/{a.class_id}/journals",
                        {"subject_id": a.subject_id, "teacher_ids": [a.people["teacher"]], "hours_per_week": 1}
                        ).status_code == 403
    assert directory_items() == before


def test_subjects_are_created_and_listed(campus: Campus) -> None:
    a = campus.a
    created = a.admin.ok("POST", f"/v1/schools/{a.school_id}/subjects",
                         {"code": "Kazakh_Lit", "name": {"kk": "Қазақ әдебиеті", "ru": "Казахская литература"},
                          "assessment": "pass_fail"}, status=201)
    assert created["code"] == "kazakh_lit" and created["name"]["kk"] == "Қазақ әдебиеті"
    listed = a.teacher.ok("GET", f"/v1/schools/{a.school_id}/subjects")
    assert created in listed and {s["code"] for s in listed} >= {"math", "kazakh_lit"}
    before = directory_items()
    again = a.admin.call("POST", f"/v1/schools/{a.school_id}/subjects",
                         {"code": "math", "name": {"kk": "Алгебра", "ru": "Алгебра"}, "assessment": "criteria"})
    assert again.status_code == 422 and body(again)["errors"] == [
        {"field": "code", "message": "subject code math is already used in this school"}]
    assert directory_items() == before


def test_a_journal_is_a_class_a_subject_its_teachers_and_hours(campus: Campus) -> None:
    a = campus.a
    subject = a.admin.ok("POST", f"/v1/schools/{a.school_id}/subjects",
                         {"code": "physics", "name": {"kk": "Физика", "ru": "Физика"}, "assessment": "criteria"},
                         status=201)
    journal = a.admin.ok("POST", f"/v1/classes/{a.class_id}/journals",
                         {"subject_id": subject["subject_id"], "teacher_ids": [a.people["teacher"]],
                          "hours_per_week": 2}, status=201)
    assert journal == {"journal_id": journal["journal_id"], "class_id": a.class_id,
                       "subject_id": subject["subject_id"], "teacher_ids": [a.people["teacher"]],
                       "hours_per_week": 2}
    assert journal in a.admin.ok("GET", f"/v1/classes/{a.class_id}/journals")
    me = a.teacher.ok("GET", "/v1/me")
    assert {"journal_id": journal["journal_id"], "class_id": a.class_id,
            "subject_id": subject["subject_id"]} in me["journals"]


def test_journal_rules_are_422_and_write_nothing(campus: Campus) -> None:
    a, b = campus.a, campus.b
    before = directory_items()
    r = a.admin.call("POST", f"/v1/classes/{a.class_id}/journals",
                     {"subject_id": b.subject_id, "teacher_ids": [b.people["teacher"], a.people["student"]],
                      "hours_per_week": 0})
    assert r.status_code == 422
    assert {e["field"] for e in body(r)["errors"]} == {"subject_id", "teacher_ids[0]", "teacher_ids[1]",
                                                      "hours_per_week"}
    twice = a.admin.call("POST", f"/v1/classes/{a.class_id}/journals",
                         {"subject_id": a.subject_id, "teacher_ids": [a.people["teacher"]], "hours_per_week": 3})
    assert twice.status_code == 422 and body(twice)["errors"][0]["field"] == "subject_id"
    none = a.admin.call("POST", f"/v1/classes/{a.class_id}/journals",
                        {"subject_id": a.subject_id, "teacher_ids": [], "hours_per_week": 3})
    assert none.status_code == 422
    assert directory_items() == before


def test_periods_come_from_the_national_calendar(campus: Campus) -> None:
    a = campus.a
    for grade in (1, 7, 11):
        got = a.parent.ok("GET", f"/v1/schools/{a.school_id}/periods?year=2026&grade={grade}")
        assert got == [{"period": p.code, "start": p.start.isoformat(), "end": p.end.isoformat()}
                       for p in calendar.periods(2026, grade)]
        assert [p["period"] for p in got][:4] == ["T1", "T2", "T3", "T4"]


def test_school_admin_adjusts_periods_and_get_returns_them(campus: Campus) -> None:
    school = campus.a
    path = f"/v1/schools/{school.school_id}/periods?year=2026&grade=7"
    national = school.admin.ok("GET", path)
    adjusted = [{**p, "start": "2026-09-02"} if p["period"] == "T1" else p for p in national]
    assert school.admin.ok("PUT", path, {"periods": adjusted}) == adjusted
    assert school.teacher.ok("GET", path) == adjusted
    assert school.admin.ok("GET", f"/v1/schools/{school.school_id}/periods?year=2026&grade=8") == national
    as_list = [{**p, "end": "2026-10-31"} if p["period"] == "T1" else p for p in national]
    assert school.admin.ok("PUT", path, as_list) == as_list  # the GET representation is accepted as it is


def test_periods_that_break_rules_or_come_from_others_write_nothing(campus: Campus) -> None:
    a = campus.a
    path = f"/v1/schools/{a.school_id}/periods?year=2026&grade=7"
    before = directory_items()
    bad = [{"period": "T5", "start": "2026-11-01", "end": "2026-10-01"},
           {"period": "T2", "start": "2031-01-01", "end": "2031-01-02"},
           {"period": "T3", "start": "2026-02-30", "end": "2027-01-01"}]
    r = a.admin.call("PUT", path, {"periods": bad})
    assert r.status_code == 422
    assert {e["field"] for e in body(r)["errors"]} == {"periods[0].period", "periods[0]", "periods[1].start",
                                                      "periods[2].start"}
    assert a.teacher.call("PUT", path, {"periods": []}).status_code == 403
    assert a.admin.call("PUT", f"/v1/schools/{a.school_id}/periods?year=2026", {"periods": []}).status_code == 400
    assert directory_items() == before


def test_holidays_come_from_the_national_calendar_and_can_be_adjusted(campus: Campus) -> None:
    school = campus.a
    path = f"/v1/schools/{school.school_id}/holidays?year=2026"
    national = school.parent.ok("GET", path)
    assert national == [{"date": h.date.isoformat(), "name": dict(h.name)} for h in calendar.holidays(2026)]
    extra = {"date": "2026-12-31", "name": {"kk": "Мектеп күні", "ru": "День школы"}}
    saved = school.admin.ok("PUT", path, {"holidays": [extra, *national]})
    assert saved == sorted([extra, *national], key=lambda h: h["date"])
    assert school.student.ok("GET", path) == saved
    assert school.teacher.call("PUT", path, {"holidays": []}).status_code == 403


def test_settings_edit_window_is_7_by_default_a_number_or_null(campus: Campus) -> None:
    school = campus.a
    path = f"/v1/schools/{school.school_id}/settings"
    def window(document: dict) -> object:
        return document["edit_window_days"]

    assert window(school.teacher.ok("GET", path)) == 7
    assert window(school.admin.ok("PUT", path, {"edit_window_days": None})) is None
    assert window(school.teacher.ok("GET", path)) is None
    assert window(school.admin.ok("PUT", path, {"edit_window_days": 3})) == 3
    assert window(school.admin.ok("GET", path)) == 3


@pytest.mark.parametrize("value, status", [("7", 400), (7.5, 400), (True, 400), (-1, 422), (1000, 422)])
def test_settings_refuse_bad_values_and_write_nothing(campus: Campus, value: object, status: int) -> None:
    a = campus.a
    before = directory_items()
    r = a.admin.call("PUT", f"/v1/schools/{a.school_id}/settings", {"edit_window_days": value})
    assert r.status_code == status
    assert body(r)["errors"][0]["field"] == "edit_window_days"
    assert directory_items() == before
    assert a.teacher.call("PUT", f"/v1/schools/{a.school_id}/settings", {"edit_window_days": 7}).status_code == 403


def test_people_of_a_new_school_log_in_with_their_roster_password(campus: Campus) -> None:
    me = campus.anonymous().as_user(f"admin{campus.a.number}", PASSWORD).ok("GET", "/v1/me")
    assert me["roles"] == [{"role": "school_admin", "school_id": campus.a.school_id, "region": "almaty"}]
    assert me["display_name"].startswith("Әлиев")
