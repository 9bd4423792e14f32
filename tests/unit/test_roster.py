"""Roster import: reading the school's CSV, checking it against the directory, planning the writes."""
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.roster import (
    COLUMNS, ROLES, ExistingPerson, RosterDirectoryView, RosterRejected, RosterRow, check_against_directory,
    parse_roster, plan_import, roster_csv,
)

SCHOOL = "9001"
BOM = b"\xef\xbb\xbf"

STUDENT = dict(role="student", external_id="S1", last_name="Ахметов", first_name="Нұрлан", class_id="101",
               username="nurlan.a", password="secret123")
TEACHER = dict(role="teacher", external_id="T1", last_name="Смирнова", first_name="Ольга",
               username="o.smirnova", password="teacher-pass", language="ru", email="o.smirnova@school.kz")
PARENT = dict(role="parent", external_id="P1", last_name="Ахметова", first_name="Гүлнар", guardian_of="S1",
              phone="+77011234567")


def line(delimiter: str = ",", **cells: str) -> str:
    return delimiter.join(cells.get(column, "") for column in COLUMNS)


def roster(*lines: str, delimiter: str = ",", end: str = "\r\n") -> bytes:
    return end.join([delimiter.join(COLUMNS), *lines, ""]).encode()


def problems(data: bytes, **kwargs) -> list[tuple[int | None, str | None]]:
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(data, **kwargs)
    return [(e.row, e.field) for e in rejected.value.row_errors]


def person(row: dict, person_id: str = "1") -> ExistingPerson:
    return parse_roster(roster(line(**row)))[0].as_person(person_id)


def view(*people: ExistingPerson, classes=("101",), owners=None, students=()) -> RosterDirectoryView:
    return RosterDirectoryView(SCHOOL, frozenset(classes), {p.external_id: p for p in people}, owners or {},
                               frozenset(students))


def directory_problems(rows: list[RosterRow], directory: RosterDirectoryView) -> list[tuple[int, str, str]]:
    with pytest.raises(RosterRejected) as rejected:
        check_against_directory(rows, directory)
    return [(e.row, e.field, e.message) for e in rejected.value.row_errors]


# --- reading a file -------------------------------------------------------------------------------------------

def test_a_plain_comma_file_gives_one_row_per_person_in_stored_form():
    rows = parse_roster(roster(line(**STUDENT), line(**TEACHER, phone="8 (701) 123-45-67"),
                               line(**{**PARENT, "guardian_of": "S1; S2", "email": " Gulnar@Mail.KZ "})))
    student, teacher, parent = rows
    assert [r.row for r in rows] == [2, 3, 4]
    assert (student.role, student.class_id, student.username) == ("student", "101", "nurlan.a")
    assert student.language == "kk"
    assert student.middle_name is None and student.email is None and student.guardian_of == frozenset()
    assert teacher.phone == "+77011234567" and teacher.language == "ru"
    assert parent.guardian_of == {"S1", "S2"} and parent.email == "gulnar@mail.kz" and parent.username is None


def test_an_excel_file_in_russian_with_bom_semicolons_and_crlf():
    data = BOM + roster(
        "student;S-001;Иванов;Пётр;Сергеевич;101;Petr.Ivanov;Пароль2026;;ru;;+7 701 123 45 67",
        "student;S-002;\"Римский-Корсаков; мл.\";Николай;;101;;;;ru;;",
        "parent;P-001;Иванова;Мария;Ивановна;;;;S-001|S-002;ru;maria@mail.ru;87019876543",
        delimiter=";")
    petr, nikolai, maria = parse_roster(data)
    assert (petr.last_name, petr.first_name, petr.middle_name) == ("Иванов", "Пётр", "Сергеевич")
    assert petr.username == "petr.ivanov" and petr.password == "Пароль2026" and petr.phone == "+77011234567"
    assert nikolai.last_name == "Римский-Корсаков; мл." and nikolai.username is None
    assert maria.guardian_of == {"S-001", "S-002"} and maria.phone == "+77019876543"


def test_an_excel_file_in_kazakh_keeps_every_letter_exactly():
    names = ("Әбілқайыров", "Іңкәр", "Ғалымұлы", "Өмірзақ", "Ұлжан", "Үмбетқызы", "Һарун", "Қуаныш")
    data = BOM + roster(
        f"student;1;{names[0]};{names[1]};{names[2]};101;;;;kk;;",
        f"teacher;2;{names[3]};{names[4]};{names[5]};;;;;;;",
        f"school_admin;3;{names[6]};{names[7]};;;;;;;;", delimiter=";")
    rows = parse_roster(data)
    stored = [n for r in rows for n in (r.last_name, r.first_name, r.middle_name) if n]
    assert [n.encode() for n in stored] == [n.encode() for n in names]
    assert {r.language for r in rows} == {"kk"}


def test_names_are_trimmed_and_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Ёрқын")
    (row,) = parse_roster(roster(line(**{**STUDENT, "first_name": f"\u00a0 {decomposed} "})))
    assert row.first_name == "Ёрқын" and row.first_name != decomposed


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks_and_rows_keep_excel_numbers():
    data = roster(
        line(**{**STUDENT, "last_name": '"Smith, Jr"', "middle_name": '"first line\r\nsecond ""line"""'}),
        line(**{**TEACHER, "phone": "12345"}))
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(data)
    assert [(e.row, e.field) for e in rejected.value.row_errors] == [(3, "phone")]
    student, _ = parse_roster(data.replace(b"12345", b""))
    assert student.last_name == "Smith, Jr" and student.middle_name == 'first line\r\nsecond "line"'


def test_blank_rows_are_skipped_but_keep_their_number():
    data = roster(line(**STUDENT), "", "," * 11, line(**{**TEACHER, "role": "janitor"}))
    assert problems(data) == [(5, "role")]


def test_the_default_language_is_a_choice_of_the_caller():
    (row,) = parse_roster(roster(line(**STUDENT)), default_language="ru")
    assert row.language == "ru"
    with pytest.raises(ValueError):
        parse_roster(roster(line(**STUDENT)), default_language="en")


# --- file-level errors -----------------------------------------------------------------------------------------

def test_bytes_that_are_not_utf8_are_reported_on_their_rows_and_fields():
    good = line(**TEACHER)
    cp1251 = line(**{**STUDENT, "external_id": "S2", "first_name": "Пётр", "username": "", "password": ""}
                  ).encode("cp1251")
    data = roster(line(**STUDENT)) + cp1251 + b"\r\n" + good.encode() + b"\r\n" + cp1251.replace(b"S2", b"S3")
    assert problems(data) == [(3, "last_name"), (3, "first_name"), (5, "last_name"), (5, "first_name")]
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(data)
    assert "CSV UTF-8" in rejected.value.row_errors[0].message


@pytest.mark.parametrize("data", [b"", BOM, b"\r\n \r\n", "role,external_id".encode("utf-16")])
def test_an_empty_or_utf16_file_is_one_whole_file_error(data):
    assert problems(data) == [(None, None)]


def test_a_header_without_rows_is_refused():
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(roster())
    assert rejected.value.row_errors[0].message == "the file has no data rows"


def test_header_problems_name_every_missing_unknown_and_repeated_column():
    header = ",".join(c for c in COLUMNS if c not in ("class_id", "phone")) + ",Nickname,EMAIL"
    assert problems(f"{header}\r\n".encode()) == [(1, "nickname"), (1, "class_id"), (1, "email"), (1, "phone")]


def test_header_names_are_matched_ignoring_case_spaces_and_order():
    header = ",".join(f" {c.upper()} " for c in reversed(COLUMNS))
    values = ",".join(reversed([STUDENT.get(c, "") for c in COLUMNS]))
    (row,) = parse_roster(f"{header}\n{values}\n".encode())
    assert row.external_id == "S1" and row.class_id == "101"


def test_rows_with_the_wrong_number_of_fields_and_values_under_blank_headers():
    data = (",".join(COLUMNS) + ",\r\n" + line(**STUDENT) + ",\r\n" + line(**TEACHER) + "\r\n"
            + line(**PARENT) + ",note\r\n").encode()
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(data)
    assert [(e.row, e.field) for e in rejected.value.row_errors] == [(3, None), (4, None)]
    assert rejected.value.row_errors[0].message == "12 fields, but the header has 13"
    assert "column 13" in rejected.value.row_errors[1].message


def test_an_unterminated_quote_names_the_row_where_it_starts():
    assert problems(roster(line(**STUDENT), line(**{**TEACHER, "last_name": '"Smirnova'}))) == [(3, None)]


# --- field errors ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field", [
    ({"role": ""}, "role"), ({"role": "director"}, "role"), ({"external_id": ""}, "external_id"),
    ({"external_id": "S 1"}, "external_id"), ({"external_id": "S|1"}, "external_id"),
    ({"last_name": "  "}, "last_name"), ({"first_name": ""}, "first_name"), ({"class_id": ""}, "class_id"),
    ({"username": "ab"}, "username"), ({"username": "nurlan@a"}, "username"),
    ({"username": "нұрлан"}, "username"),
    ({"password": "short"}, "password"), ({"username": "", "password": "secret123"}, "password"),
    ({"guardian_of": "P1"}, "guardian_of"), ({"language": "en"}, "language"),
    ({"email": "nurlan.mail.kz"}, "email"),
    ({"email": "a@b"}, "email"), ({"phone": "+7 701 123 45"}, "phone"), ({"phone": "+1 202 555 0100"}, "phone"),
])
def test_each_bad_student_field_is_reported_on_its_row_and_column(change, field):
    assert problems(roster(line(**TEACHER), line(**{**STUDENT, **change}))) == [(3, field)]


@pytest.mark.parametrize("row, field", [
    ({**TEACHER, "class_id": "101"}, "class_id"),
    ({**TEACHER, "guardian_of": "S1"}, "guardian_of"),
    ({**PARENT, "guardian_of": " ; "}, "guardian_of"),
    ({**PARENT, "guardian_of": "S1|S2"}, "guardian_of"),
])
def test_role_rules_for_class_and_children(row, field):
    assert problems(roster(line(**STUDENT), line(**row))) == [(3, field)]


@pytest.mark.parametrize("raw", ["+77011234567", "87011234567", "77011234567", "8 (701) 123-45-67",
                                 "+7 701 123 45 67"])
def test_kazakhstan_phones_in_any_usual_writing_become_e164(raw):
    assert parse_roster(roster(line(**{**PARENT, "phone": raw})))[0].phone == "+77011234567"


def test_duplicates_in_the_file_are_reported_on_the_later_row_naming_the_first():
    copy = {**TEACHER, "username": "Nurlan.A", "external_id": "S1"}
    data = roster(line(**STUDENT), line(**TEACHER), line(**copy))
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(data)
    assert [(e.row, e.field, e.message) for e in rejected.value.row_errors] == [
        (4, "external_id", "'S1' is already on row 2"), (4, "username", "'nurlan.a' is already on row 2")]


def test_a_child_named_in_the_file_must_be_a_student_there():
    data = roster(line(**STUDENT), line(**TEACHER), line(**{**PARENT, "guardian_of": "S1;T1;P1;S9"}))
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(data)
    assert [(e.row, e.field, e.message) for e in rejected.value.row_errors] == [
        (4, "guardian_of", "'P1' is a parent in this file, not a student"),
        (4, "guardian_of", "'T1' is a teacher in this file, not a student")]


def test_every_problem_of_the_file_is_reported_at_once_in_row_order():
    data = roster(
        line(**{**STUDENT, "phone": "123", "language": "de"}),
        line(**TEACHER),
        line(**{**TEACHER, "external_id": "T2", "username": "o.smirnova", "email": "x"}),
        line(**{**PARENT, "role": "", "guardian_of": ""}),
        line(**{**STUDENT, "external_id": "S2", "username": "", "password": "", "class_id": "", "first_name": ""}))
    assert problems(data) == [(2, "language"), (2, "phone"), (4, "username"), (4, "email"), (5, "role"),
                              (6, "first_name"), (6, "class_id")]


def test_a_password_never_appears_in_errors_or_row_text():
    secret = "Qwerty-ţ-secret"
    (row,) = parse_roster(roster(line(**{**STUDENT, "password": secret})))
    assert secret not in repr(row)
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(roster(line(**{**STUDENT, "password": "short!"})))
    assert "short!" not in str(rejected.value.document())


def test_the_rejection_is_a_422_problem_listing_rows_and_fields():
    with pytest.raises(RosterRejected) as rejected:
        parse_roster(roster(line(**{**STUDENT, "email": "x"}), "a,b"))
    document = rejected.value.document()
    assert document["status"] == 422 and document["type"].endswith("/roster-rejected")
    assert [e["field"] for e in document["errors"]] == ["row 2: email", "row 3"]


# --- checks against the directory ------------------------------------------------------------------------------

def test_a_file_that_fits_the_directory_passes():
    rows = parse_roster(roster(line(**STUDENT), line(**TEACHER), line(**{**PARENT, "guardian_of": "S1;S7"})))
    check_against_directory(rows, view(classes=("101", "102"), students=("S7",)))


def test_a_class_of_another_school_reads_the_same_as_no_class_at_all():
    other = {**STUDENT, "external_id": "S2", "username": "", "password": "", "class_id": "555"}
    rows = parse_roster(roster(line(**STUDENT), line(**other)))
    no_class = "no class with this id in this school"
    assert directory_problems(rows, view(classes=("777",))) == [(2, "class_id", no_class), (3, "class_id", no_class)]


@pytest.mark.parametrize("owner", [("42", "S1"), (SCHOOL, "S2")])
def test_a_username_owned_by_someone_else_is_taken(owner):
    rows = parse_roster(roster(line(**STUDENT)))
    assert directory_problems(rows, view(owners={"nurlan.a": owner})) == [
        (2, "username", "this username is taken")]


def test_an_existing_login_cannot_be_renamed_or_dropped():
    stored = person(STUDENT)
    for username in ("nurlan.b", ""):
        rows = parse_roster(roster(line(**{**STUDENT, "username": username, "password": ""})))
        assert directory_problems(rows, view(stored, owners={"nurlan.a": (SCHOOL, "S1")})) == [
            (2, "username", "this person's username is 'nurlan.a'; a username cannot be changed by import")]


def test_a_password_is_needed_only_when_a_login_is_created():
    without_password = parse_roster(roster(line(**{**STUDENT, "password": ""})))
    assert directory_problems(without_password, view()) == [(2, "password", "required to create the login")]
    no_login_yet = person({**STUDENT, "username": "", "password": ""})
    assert directory_problems(without_password, view(no_login_yet))[0][1] == "password"
    check_against_directory(without_password, view(person(STUDENT), owners={"nurlan.a": (SCHOOL, "S1")}))


def test_a_role_change_is_refused():
    rows = parse_roster(roster(line(**{**STUDENT, "role": "teacher", "class_id": ""})))
    assert directory_problems(rows, view(person(STUDENT), owners={"nurlan.a": (SCHOOL, "S1")})) == [
        (2, "role", "this person is already a student of the school; a role cannot be changed by import")]


def test_a_child_must_be_a_student_of_the_file_or_of_the_school():
    rows = parse_roster(roster(line(**{**PARENT, "guardian_of": "S1;S8;S9"})))
    assert directory_problems(rows, view(students=("S1",))) == [
        (2, "guardian_of", "no student 'S8' in this file or this school"),
        (2, "guardian_of", "no student 'S9' in this file or this school")]


# --- planning --------------------------------------------------------------------------------------------------

def test_the_plan_sorts_rows_into_create_update_and_unchanged_ignoring_passwords():
    stored_student = person(STUDENT, "11")
    stored_teacher = person(TEACHER, "12")
    rows = parse_roster(roster(line(**{**STUDENT, "password": "another-one"}),
                               line(**{**TEACHER, "phone": "87011112233"}), line(**PARENT)))
    plan = plan_import(rows, {"S1": stored_student, "T1": stored_teacher})
    assert [r.external_id for r in plan.create] == ["P1"]
    assert [(r.external_id, p.person_id) for r, p in plan.update] == [("T1", "12")]
    assert [(r.external_id, p.person_id) for r, p in plan.unchanged] == [("S1", "11")]


def test_a_pupil_in_another_class_is_a_move_only_after_their_last_one():
    moved = replace(person(STUDENT), moved_until=date(2026, 10, 11))  # last day in 101: their move is on the 12th
    back = parse_roster(roster(line(**{**STUDENT, "class_id": "102"})))
    owners = {"nurlan.a": (SCHOOL, "S1")}
    directory = view(moved, classes=("101", "102"), owners=owners)
    check_against_directory(back, directory)  # no import day: not checked
    with pytest.raises(RosterRejected) as rejected:
        check_against_directory(back, directory, date(2026, 10, 11))
    assert [(e.row, e.field, e.message) for e in rejected.value.row_errors] == [
        (2, "class_id", "this pupil's last move takes effect on 2026-10-12, after the import's day; move them with "
                        "a transfer")]
    check_against_directory(back, directory, date(2026, 10, 12))
    same_class = parse_roster(roster(line(**STUDENT)))
    check_against_directory(same_class, view(moved, owners=owners), date(2026, 10, 1))  # no move: a rename is fine
    plan = plan_import([*back, *parse_roster(roster(line(**TEACHER)))], {"S1": moved})
    assert [(r.external_id, old.class_id, r.class_id) for r, old in plan.moves()] == [("S1", "101", "102")]


def test_planning_a_file_again_after_importing_it_changes_nothing():
    rows = parse_roster(BOM + roster(line(";", **STUDENT), line(";", **TEACHER),
                                     line(";", **{**PARENT, "guardian_of": "S1|S7"}), delimiter=";"))
    first = plan_import(rows, {})
    people = {r.external_id: r.as_person(str(i)) for i, r in enumerate(first.create, start=1)}
    same_file = roster(line(**STUDENT), line(**TEACHER), line(**{**PARENT, "guardian_of": "S7;S1"}))
    again = plan_import(parse_roster(same_file), people)
    assert (again.create, again.update, len(again.unchanged)) == ([], [], 3)


# --- writing and reading back ----------------------------------------------------------------------------------

LETTERS = "АаӘәБбҒғЁёЙйҚқҢңӨөҰұҮүҺһІіЫыAzQ"
NAME = st.text(LETTERS + " ,;|\"'-\n", min_size=1, max_size=12).filter(lambda s: s == s.strip())
EXTERNAL_ID = st.text(LETTERS + "0123456789-_.", min_size=1, max_size=8)
USERNAME = st.text("abcxyz0189._-", min_size=3, max_size=12)
PASSWORD = st.text(LETTERS + "0123456789 ,;|\"!\n", min_size=8, max_size=20).filter(str.strip)
PHONE = st.integers(0, 10**10 - 1).map(lambda n: f"+7{n:010d}")
CLASS_ID = st.integers(1, 2**63 - 1).map(str)
EMAIL = st.sampled_from(["a@b.kz", "gulnar.a@mail.ru", "x_y@school.edu.kz"])


@st.composite
def valid_rows(draw) -> list[RosterRow]:
    ids = draw(st.lists(EXTERNAL_ID, min_size=1, max_size=6, unique=True))
    usernames = draw(st.lists(USERNAME, min_size=len(ids), max_size=len(ids), unique=True))
    roles = [draw(st.sampled_from(sorted(ROLES))) for _ in ids]
    children = [i for i, role in zip(ids, roles) if role == "student"] + ["Z-outside"]
    rows = []
    for number, (external_id, role, username) in enumerate(zip(ids, roles, usernames), start=2):
        login = draw(st.booleans())
        guardian_of = draw(st.lists(st.sampled_from(children), min_size=1)) if role == "parent" else []
        rows.append(RosterRow(
            row=number, role=role, external_id=external_id, last_name=draw(NAME), first_name=draw(NAME),
            middle_name=draw(st.none() | NAME), class_id=draw(CLASS_ID) if role == "student" else None,
            username=username if login else None, password=draw(st.none() | PASSWORD) if login else None,
            guardian_of=frozenset(guardian_of), language=draw(st.sampled_from(["kk", "ru"])),
            email=draw(st.none() | EMAIL), phone=draw(st.none() | PHONE)))
    return rows


@settings(max_examples=40, deadline=None)
@given(valid_rows())
def test_written_rosters_read_back_into_the_same_rows_with_either_delimiter(rows):
    for delimiter in (",", ";"):
        data = roster_csv(rows, delimiter=delimiter)
        assert parse_roster(data) == rows
        assert parse_roster(BOM + data) == rows
