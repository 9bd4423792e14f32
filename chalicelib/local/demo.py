"""The demo data of a local run: one school in Almaty, classes 5 "Ә" (kk) and 7 "А" (ru) of 2026-27, six subjects,
their teachers and journals, 50 pupils and their parents. Fixed names and usernames; ids differ every run.

Written through the store and the roster import code, as the API would write it, except that every new login
gets the same password hash, computed once (the import would hash each password: slow, and pointless here).
The 2026-27 periods and holidays are the national calendar, which the school keeps.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from chalicelib.auth import kdf_params
from chalicelib.auth.passwords import hash_password
from chalicelib.domain.roster import COLUMNS, check_against_directory, parse_roster, plan_import
from chalicelib.store import people, roster
from chalicelib.store.directory import SchoolItem
from chalicelib.store.schools import create_class, create_journal, create_school, create_subject

__all__ = ["ADMIN", "LOGINS", "Demo", "Login", "seed", "set_admin_password"]

ADMIN = "admin"
YEAR = 2026
SCHOOL = ("Алматы қаласының № 154 мектеп-гимназиясы", "Школа-гимназия № 154 города Алматы", "almaty", "Алматы")
CLASSES = {"5Ә": (5, "Ә", "kk"), "7А": (7, "А", "ru")}  # grade, letter, language of teaching

# code, name (kk, ru), assessment, hours a week by grade
SUBJECTS = (
    ("kazakh_lang", "Қазақ тілі", "Казахский язык", "criteria", {5: 4, 7: 3}),
    ("russian_lang", "Орыс тілі", "Русский язык", "criteria", {5: 2, 7: 3}),
    ("math", "Математика", "Математика", "criteria", {5: 5, 7: 5}),
    ("history_kz", "Қазақстан тарихы", "История Казахстана", "criteria", {5: 1, 7: 2}),
    ("informatics", "Информатика", "Информатика", "criteria", {5: 1, 7: 1}),
    ("physical_ed", "Дене шынықтыру", "Физическая культура", "pass_fail", {5: 3, 7: 3}),
)

# username, role, last, first and middle name, language, the subject taught in every class, homeroom class
STAFF = (
    ("school.admin", "school_admin", "Құрманова", "Гүлмира", "Төлеуқызы", "kk", None, None),
    ("teacher.kazakh", "teacher", "Жақыпова", "Сәуле", "Қайратқызы", "kk", "kazakh_lang", "5Ә"),
    ("teacher.russian", "teacher", "Иванова", "Ольга", "Петровна", "ru", "russian_lang", "7А"),
    ("teacher.math", "teacher", "Ахметов", "Нұрлан", "Серікұлы", "kk", "math", None),
    ("teacher.history", "teacher", "Бейсенов", "Ерлан", "Бақытжанұлы", "kk", "history_kz", None),
    ("teacher.informatics", "teacher", "Ким", "Виктор", "Александрович", "ru", "informatics", None),
    ("teacher.pe", "teacher", "Серікбаев", "Дәурен", "Асқарұлы", "kk", "physical_ed", None),
)

# "last first"; pupil n of a class logs in as pupil.<grade>.<nn>, their mother (MOTHERS[n]) as parent.<grade>.<nn>
PUPILS = {
    "5Ә": ("Әбенов Әлихан", "Ахметова Айгерім", "Бақытжанова Аружан", "Бекмұханов Нұрсұлтан", "Дүйсенова Іңкәр",
           "Ержанов Ақжол", "Жақсылықова Мөлдір", "Жұмабаев Дәулет", "Ибрагимова Ұлжан", "Қайратов Жәнібек",
           "Қасымова Гүлназ", "Мұқанов Бауыржан", "Нұрланова Сәуле", "Нұрпейісов Ерқанат", "Оспанов Төлеген",
           "Өтебаева Шаһизада", "Сейтқали Нұрислам", "Смағұлов Ерасыл", "Тоқтарова Інжу", "Үсенов Жиһангер",
           "Ғабитова Ғалия", "Ілиясов Бекзат", "Шәріпова Мейірім", "Ысқақов Ғалым", "Әуезова Жансая"),
    "7А": ("Абдрахманов Тимур", "Андреева Полина", "Байжанова Камила", "Васильев Артём", "Гончаренко Дарья",
           "Досмухамедов Арман", "Ермекова Диана", "Жұмабаева Томирис", "Иванов Илья", "Ким Виктория",
           "Ковалёва Софья", "Кузнецов Максим", "Ли Даниил", "Мамедова Амина", "Оспанова Дина",
           "Петренко Анастасия", "Сейтқали Аружан", "Сергеев Никита", "Смағұлова Алина", "Смирнова Мария",
           "Тулегенова Адина", "Федоров Кирилл", "Хасенов Санжар", "Цой Александр", "Шевченко Екатерина"),
}
MOTHERS = {
    "5Ә": ("Гүлнара", "Айнұр", "Сәуле", "Гүлмира", "Жанар", "Динара", "Әсел", "Ләззат", "Назгүл", "Мәдина",
           "Айгүл", "Ақмарал", "Бақыт", "Гаухар", "Жұлдыз", "Қарлығаш", "Меруерт", "Нұргүл", "Райхан", "Салтанат",
           "Таңшолпан", "Ұлбосын", "Фатима", "Шынар", "Эльмира"),
    "7А": ("Ольга", "Наталья", "Елена", "Татьяна", "Ирина", "Светлана", "Юлия", "Марина", "Анна", "Екатерина",
           "Оксана", "Людмила", "Алия", "Жанна", "Виктория", "Галина", "Дана", "Камила", "Лариса", "Мадина",
           "Наиля", "Роза", "Сабина", "Инна", "Вера"),
}
# brothers and sisters: one mother for a pupil of 5 "Ә" and one of 7 "А"
SIBLINGS = (("Сейтқали Нұрислам", "Сейтқали Аружан"), ("Жұмабаев Дәулет", "Жұмабаева Томирис"),
            ("Оспанов Төлеген", "Оспанова Дина"), ("Смағұлов Ерасыл", "Смағұлова Алина"))
DEMO_PARENT = ("5Ә", "Сейтқали Нұрислам")  # their mother, who has a child in each class, logs in as parent.demo
DEMO_STUDENT = ("7А", "Сейтқали Аружан")  # logs in as student.demo


@dataclass(frozen=True, slots=True)
class Login:
    username: str
    role: str
    who: str


LOGINS = (
    Login(ADMIN, "ministry", "the ministry"),
    Login("school.admin", "school_admin", "Құрманова Гүлмира, school administrator"),
    Login("teacher.math", "teacher", "Ахметов Нұрлан, mathematics in 5Ә and 7А"),
    Login("parent.demo", "parent", "Сейтқали Меруерт, mother of Нұрислам (5Ә) and Аружан (7А)"),
    Login("student.demo", "student", "Сейтқали Аружан, 7А"),
)


@dataclass(frozen=True, slots=True)
class Demo:
    """What was seeded: the school, and the logins to show (every other person uses the same password)."""

    school_id: str
    logins: tuple[Login, ...]


def seed(password: str) -> Demo:
    """Write the demo school; every demo person's password is `password` (the admin's is set apart)."""
    password_hash = hash_password(password, kdf_params())
    name_kk, name_ru, region, locality = SCHOOL
    school = create_school(name_kk, name_ru, region, locality)
    subjects = {code: create_subject(school, code, kk, ru, assessment)
                for code, kk, ru, assessment, _ in SUBJECTS}
    staff = _import(school, _staff_rows(password), password_hash)
    classes = {key: create_class(school, YEAR, grade, letter, language, staff[_homeroom_of(key)])
               for key, (grade, letter, language) in CLASSES.items()}
    teachers = {subject: staff[f"S{i:02d}"] for i, (*_, subject, _) in enumerate(STAFF, 1) if subject}
    for klass in classes.values():  # before the families: moto's transactions slow down as the table grows
        for code, *_, hours in SUBJECTS:
            create_journal(klass, subjects[code], [teachers[code]], hours[int(klass.grade)])
    _import(school, _family_rows({key: c.class_id for key, c in classes.items()}, password), password_hash)
    return Demo(school.school_id, LOGINS)


def set_admin_password(password: str) -> None:
    """Create the ministry user `admin` with `password`, or give the existing one that password."""
    password_hash = hash_password(password, kdf_params())
    account = people.get_account(ADMIN)
    if account is None:
        people.create_operator(ADMIN, password_hash, role="ministry", last_name="Әкімші", first_name="Министрлік")
    else:
        account.password_hash = password_hash
        account.save()


def _import(school: SchoolItem, rows: list[dict[str, str]], password_hash: str) -> dict[str, str]:
    """What `roster_import.import_now` writes for these rows, with `password_hash` for every new login."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    parsed = parse_roster(buffer.getvalue().encode("utf-8"))
    held = roster.school_people(school.school_id)
    view = roster.directory_view(school.school_id, parsed, held)
    check_against_directory(parsed, view)
    plan = plan_import(parsed, view.people)
    hashes = {r.external_id: password_hash for r in plan.create if r.username}
    return roster.apply_plan(school.school_id, school.region, plan, held, hashes)


def _homeroom_of(key: str) -> str:
    return next(f"S{i:02d}" for i, (*_, homeroom) in enumerate(STAFF, 1) if homeroom == key)


def _staff_rows(password: str) -> list[dict[str, str]]:
    return [{"role": role, "external_id": f"S{i:02d}", "last_name": last, "first_name": first, "middle_name": middle,
             "username": username, "password": password, "language": language,
             "email": f"{username}@example.com"}
            for i, (username, role, last, first, middle, language, _, _) in enumerate(STAFF, 1)]


def _family_rows(class_ids: dict[str, str], password: str) -> list[dict[str, str]]:
    """Every pupil and one parent per family (a parent of two is listed with the 5 "Ә" child)."""
    pupil_id = {(key, name): f"P{CLASSES[key][0]}-{n:02d}" for key in PUPILS for n, name in enumerate(PUPILS[key], 1)}
    second_child = {older: younger for older, younger in SIBLINGS}
    listed_with_sibling = {("7А", younger) for _, younger in SIBLINGS}  # their parent is on the 5 "Ә" row
    rows = []
    for key, names in PUPILS.items():
        grade, _, language = CLASSES[key]
        for n, name in enumerate(names, 1):
            last, first = name.split(" ")
            rows.append({"role": "student", "external_id": pupil_id[key, name], "last_name": last,
                         "first_name": first, "class_id": class_ids[key], "password": password, "language": language,
                         "username": "student.demo" if (key, name) == DEMO_STUDENT else f"pupil.{grade}.{n:02d}"})
            if (key, name) in listed_with_sibling:
                continue
            children = [pupil_id[key, name]] + ([pupil_id["7А", second_child[name]]] if name in second_child else [])
            username = "parent.demo" if (key, name) == DEMO_PARENT else f"parent.{grade}.{n:02d}"
            rows.append({"role": "parent", "external_id": f"G{grade}-{n:02d}", "last_name": _mother_surname(last),
                         "first_name": MOTHERS[key][n - 1], "username": username, "password": password,
                         "guardian_of": ";".join(children), "language": language,
                         "email": f"{username}@example.com", "phone": f"+7701{grade}{n:06d}"})
    return rows


def _mother_surname(last: str) -> str:
    """Ахметов -> Ахметова; Сейтқали, Ким, Шевченко stay as they are."""
    return last + "а" if last.endswith(("ов", "ев", "ёв", "ин")) else last
