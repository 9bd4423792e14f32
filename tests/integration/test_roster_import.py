"""Roster import (api-contract.md, Directory): CSV as Excel writes it, checked whole, idempotent, 202 when large."""
from __future__ import annotations

from chalicelib.store.directory import PersonItem
from chalicelib.store.people import person_key
from tests.integration.conftest import (
    PASSWORD, ROSTER_HEADER, Api, Campus, School, body, directory_items, drain_tasks, roster,
)

# Names as a Kazakh or Russian school writes them: letters outside Latin-1, ё and й, a hyphen, an apostrophe.
KK = ("Құрманғазы-Сағырбайұлы", "Әсел", "Ұлықбекқызы")
RU = ("Ёлкина-Щукина", "Наталья", "Йосифовна")


def excel(*rows: str) -> bytes:
    """A file as Excel's "CSV UTF-8" writes it in a Russian or Kazakh locale: BOM, `;`, CRLF."""
    return ("\ufeff" + "\r\n".join((ROSTER_HEADER.replace(",", ";"), *rows)) + "\r\n").encode("utf-8")


def post(api: Api, s: School, data: bytes):
    return api.call("POST", f"/v1/schools/{s.school_id}/roster", raw=data, content_type="text/csv")


def errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, (response.status_code, response.body)
    document = body(response)
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert document["type"].endswith("/roster-rejected")
    return [(e["field"], e["message"]) for e in document["errors"]]


def test_an_excel_file_is_imported_byte_exact(campus: Campus) -> None:
    a = campus.a
    data = excel(f"student;X1;{KK[0]};{KK[1]};{KK[2]};{a.class_id};x1.pupil;{PASSWORD};;kk;;",
                 f"student;X2;{RU[0]};{RU[1]};{RU[2]};{a.class_id};;;;ru;;8 (701) 123-45-67",
                 f"parent;X3;{RU[0]};Ольга;;;x3.parent;{PASSWORD};X1|X2;ru;Olga@Mail.kz;")
    summary = post(a.admin, a, data)
    assert summary.status_code == 200, summary.body
    result = body(summary)
    assert (result["created"], result["updated"], result["unchanged"]) == (3, 0, 0)
    assert [p["external_id"] for p in result["people"]] == ["X1", "X2", "X3"]
    ids = {p["external_id"]: p["person_id"] for p in result["people"]}
    stored = PersonItem.get(person_key(ids["X1"]), "#")
    assert (stored.last_name, stored.first_name, stored.middle_name) == KK
    assert stored.last_name.encode() == KK[0].encode()
    assert PersonItem.get(person_key(ids["X2"]), "#").phone == "+77011234567"
    parent = campus.anonymous().as_user("x3.parent", PASSWORD).ok("GET", "/v1/me")
    assert parent["language"] == "ru"
    assert sorted((c["display_name"], c["class_id"]) for c in parent["children"]) == sorted(
        [(f"{KK[0]} {KK[1]}", a.class_id), (f"{RU[0]} {RU[1]}", a.class_id)])
    assert campus.anonymous().as_user("x1.pupil", PASSWORD).ok("GET", "/v1/me")["display_name"] == \
        f"{KK[0]} {KK[1]}"


def test_reimporting_the_same_file_changes_nothing(campus: Campus) -> None:
    a = campus.a
    data = excel(f"student;Y1;{KK[0]};{KK[1]};;{a.class_id};y1.pupil;{PASSWORD};;kk;;",
                 f"parent;Y2;{RU[0]};{RU[1]};;;;;Y1;ru;;")
    first = post(a.admin, a, data)
    assert first.status_code == 200
    written = directory_items()
    second = post(a.admin, a, data)
    assert second.status_code == 200
    assert {k: body(second)[k] for k in ("created", "updated", "unchanged")} == {
        "created": 0, "updated": 0, "unchanged": 2}
    assert body(second)["people"] == body(first)["people"]
    assert directory_items() == written


def test_a_password_counts_only_when_the_login_is_created(campus: Campus) -> None:
    a = campus.a
    post(a.admin, a, roster(f"teacher,Z1,Бекова,Дана,,,z1.teacher,{PASSWORD},,kk,,"))
    again = post(a.admin, a, roster("teacher,Z1,Бекова,Дана,,,z1.teacher,another-password,,kk,,"))
    assert body(again)["unchanged"] == 1
    assert campus.anonymous().as_user("z1.teacher", PASSWORD).ok("GET", "/v1/me")["display_name"] == "Бекова Дана"


def test_people_lists_every_data_row_created_updated_or_unchanged(campus: Campus) -> None:
    a = campus.a
    n = a.number
    data = roster(f"student,S{n},{a.names[2]},Ерлан,,{a.class_id},student{n},,,kk,,",   # unchanged
                  f"student,S{n}b,{a.names[3]},Інкар,,{a.class_id},,,,kk,,",           # renamed
                  f"student,N{n},Жаңабек,Нұрлан,,{a.class_id},,,,kk,,")                # new
    result = body(post(a.admin, a, data))
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    assert [p["external_id"] for p in result["people"]] == [f"S{n}", f"S{n}b", f"N{n}"]
    assert result["people"][0]["person_id"] == a.people["student"]
    assert result["people"][1]["person_id"] == a.people["pupil2"]


def test_a_renamed_pupil_is_renamed_on_their_guardians_card(campus: Campus) -> None:
    a = campus.a
    n = a.number
    result = body(post(a.admin, a, roster(f"student,S{n},Жаңатегі,Ерлан,,{a.class_id},student{n},,,kk,,")))
    assert result["updated"] == 1
    children = a.parent.ok("GET", "/v1/me")["children"]
    assert [c["display_name"] for c in children] == ["Жаңатегі Ерлан"]


def test_a_bad_last_row_stops_the_whole_file(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    rows = [f"student,G{i},Оқушы,Атау,,{a.class_id},,,,kk,," for i in range(30)]
    response = post(a.admin, a, roster(*rows, "student,G99,,Атау,,,,,,kk,,"))
    assert errors(response) == [("row 32: last_name", "required"), ("row 32: class_id", "required for a student")]
    assert directory_items() == before


def test_a_missing_column(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    header = ROSTER_HEADER.replace(",middle_name", "")
    response = post(a.admin, a, f"{header}\r\nteacher,M1,Бек,Дана,,,,,kk,,\r\n".encode())
    assert errors(response) == [("row 1: middle_name", "missing column")]
    assert directory_items() == before


def test_duplicate_external_ids(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    response = post(a.admin, a, roster("teacher,D1,Бек,Дана,,,,,,kk,,", "teacher,D2,Бек,Асан,,,,,,kk,,",
                                       "teacher,D1,Сейт,Әли,,,,,,kk,,"))
    assert errors(response) == [("row 4: external_id", "'D1' is already on row 2")]
    assert directory_items() == before


def test_a_guardian_of_nobody(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    response = post(a.admin, a, roster(f"parent,Q1,Бек,Дана,,,,,S{a.number};NOBODY,kk,,"))
    assert errors(response) == [("row 2: guardian_of", "no student 'NOBODY' in this file or this school")]
    assert directory_items() == before


def test_a_class_of_another_school(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    response = post(a.admin, a, roster(f"student,C1,Бек,Дана,,{campus.b.class_id},,,,kk,,"))
    assert errors(response) == [("row 2: class_id", "no class with this id in this school")]
    assert directory_items() == before


def test_a_username_taken_in_another_school(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    response = post(a.admin, a, roster(f"teacher,U1,Бек,Дана,,,teacher{campus.c.number},{PASSWORD},,kk,,"))
    assert errors(response) == [("row 2: username", "this username is taken")]
    assert directory_items() == before


def test_text_that_is_not_utf8(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    cp1251 = "teacher,W1,Бекова,Дана,,,,,,kk,,".encode("cp1251")
    response = post(a.admin, a, roster("teacher,W0,Бек,Дана,,,,,,kk,,") + cp1251 + b"\r\n")
    assert [field for field, _ in errors(response)] == ["row 3: last_name", "row 3: first_name"]
    assert directory_items() == before


def test_every_bad_row_against_the_directory_is_listed(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    response = post(a.admin, a, roster(f"student,E1,Бек,Дана,,{campus.b.class_id},,,,kk,,",
                                       f"teacher,E2,Бек,Асан,,,admin{campus.b.number},{PASSWORD},,kk,,",
                                       "parent,E3,Бек,Әли,,,,,E1;GHOST,kk,,",
                                       "teacher,E4,Бек,Нұр,,,e4.login,,,kk,,"))
    assert errors(response) == [("row 2: class_id", "no class with this id in this school"),
                                ("row 3: username", "this username is taken"),
                                ("row 4: guardian_of", "no student 'GHOST' in this file or this school"),
                                ("row 5: password", "required to create the login")]
    assert directory_items() == before


def test_a_large_file_is_imported_later_with_the_same_summary(campus: Campus) -> None:
    a = campus.a
    rows = [f"student,L{i:03},Оқушы{i},Әлия,,{a.class_id},,,,kk,," for i in range(201)]
    accepted = post(a.admin, a, roster(*rows))
    assert accepted.status_code == 202, accepted.body
    started = body(accepted)
    assert started["status"] == "pending" and set(started) == {"import_id", "status"}
    path = f"/v1/schools/{a.school_id}/roster/imports/{started['import_id']}"
    assert a.admin.ok("GET", path)["status"] == "pending"
    assert drain_tasks() == 1
    done = a.admin.ok("GET", path)
    assert done["status"] == "done"
    assert (done["created"], done["updated"], done["unchanged"]) == (201, 0, 0)
    assert [p["external_id"] for p in done["people"]] == [f"L{i:03}" for i in range(201)]
    assert campus.b.admin.call("GET", path).status_code == 404
    assert a.teacher.call("GET", path).status_code == 403

    written = directory_items()
    again = post(a.admin, a, roster(*rows))
    assert again.status_code == 202
    drain_tasks()
    redone = a.admin.ok("GET", f"/v1/schools/{a.school_id}/roster/imports/{body(again)['import_id']}")
    assert (redone["created"], redone["updated"], redone["unchanged"]) == (0, 0, 201)
    assert redone["people"] == done["people"]
    assert directory_items() == written + 1  # the second import's own status item


def test_a_large_bad_file_is_refused_before_it_is_queued(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    rows = [f"student,B{i:03},Оқушы,Әлия,,{campus.b.class_id},,,,kk,," for i in range(201)]
    response = post(a.admin, a, roster(*rows))
    assert len(errors(response)) == 201
    assert drain_tasks() == 0
    assert directory_items() == before


def test_an_empty_file_and_a_utf16_file(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    assert errors(post(a.admin, a, b"")) == [("file", "the file is empty")]
    assert errors(post(a.admin, a, ROSTER_HEADER.encode())) == [("file", "the file has no data rows")]
    assert errors(post(a.admin, a, roster("teacher,V1,Бек,Дана,,,,,,kk,,").decode().encode("utf-16"))) == [
        ("file", "the file is UTF-16; save it as \"CSV UTF-8\"")]
    assert directory_items() == before


def test_a_file_with_errors_of_both_kinds_lists_them_all_at_once(campus: Campus) -> None:
    a = campus.a
    before = directory_items()
    response = post(a.admin, a, roster(f"student,D1,Бек,Дана,,{campus.b.class_id},,,,kk,,",
                                       "student,D2,Бек,,,,,,,kk,,",
                                       "parent,D3,Бек,Әлия,,,,,D2,kk,,"))
    assert errors(response) == [("row 2: class_id", "no class with this id in this school"),
                                ("row 3: first_name", "required"), ("row 3: class_id", "required for a student")]
    assert directory_items() == before
