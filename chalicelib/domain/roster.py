"""Roster import: read a school's CSV of people, check it, and plan the writes.

Pure functions behind `POST /v1/schools/{school_id}/roster`, in three steps that all raise `RosterRejected`
(a 422 problem listing every bad row and field) and write nothing:

1. `parse_roster(data)` checks the file on its own and returns one `RosterRow` per data row;
2. `check_against_directory(rows, view, on)` checks it against what the school already holds;
3. `plan_import(rows, people)` sorts the rows into people to create, to update and unchanged.

A stored pupil the file names in another class (or back in a class after leaving the school) moves there on the
import's day `on`, like a transfer: the row is refused when their last move takes effect on or after that day.

Row numbers are the ones Excel shows: the header is row 1 and the first data row is row 2; a quoted field that
spans several lines still makes one row, and blank rows keep their number. Errors about the whole file have
row None. A file is UTF-8 (with or without BOM), delimited by `,` or `;` (whichever the header line uses); in
`guardian_of` the children's external_ids are separated by `;` in a `,` file and by `|` in a `;` file.
Usernames are lower-cased; names are trimmed and NFC-normalised and otherwise kept exactly; phones become
`+7XXXXXXXXXX`. A row without a username makes a person without a login; a password is needed when a login is
created and is ignored afterwards. Error messages never repeat a password.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from chalicelib.domain.errors import FieldError, RuleViolation

__all__ = [
    "COLUMNS", "LANGUAGES", "ROLES", "ExistingPerson", "ImportPlan", "RosterDirectoryView", "RosterRejected",
    "RosterRow", "RowError", "check_against_directory", "check_roster", "parse_roster", "plan_import",
    "roster_csv",
]

COLUMNS = ("role", "external_id", "last_name", "first_name", "middle_name", "class_id", "username", "password",
           "guardian_of", "language", "email", "phone")
ROLES = frozenset({"student", "teacher", "parent", "school_admin"})
LANGUAGES = frozenset({"kk", "ru"})

_CHILD_SEPARATOR = {",": ";", ";": "|"}
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # what `surrogateescape` makes of bytes that are not UTF-8
_EXTERNAL_ID = re.compile(r'[^\s,;|"]{1,64}')
_USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"(?:\+7|8|7)([0-9]{10})")
_PHONE_DECORATION = re.compile(r"[\s()-]")
_PASSWORD_LENGTH = (8, 128)
_NOT_UTF8 = "contains bytes that are not UTF-8; save the file as \"CSV UTF-8\""
_COMPARED = ("role", "last_name", "first_name", "middle_name", "class_id", "username", "language", "email",
             "phone", "guardian_of")


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: `row` as Excel numbers it (None: the whole file), `field` a column name (None: the row)."""

    row: int | None
    field: str | None
    message: str

    def as_field_error(self) -> FieldError:
        """The problem-document form, e.g. `row 7: username`."""
        where = "file" if self.row is None else f"row {self.row}"
        return FieldError(f"{where}: {self.field}" if self.field else where, self.message)


class RosterRejected(RuleViolation):
    """The roster cannot be imported; `row_errors` lists every problem found, in row and column order."""

    slug, title = "roster-rejected", "The roster has errors; nothing was imported"

    def __init__(self, errors: Sequence[RowError], *, rows: Sequence[RosterRow] = (),
                 student_ids: frozenset[str] = frozenset()) -> None:
        self.row_errors = sorted(errors, key=lambda e: (e.row or 0, _column_order(e.field)))
        self.rows = list(rows)  # the rows that were read without error, so the directory checks can run too
        self.student_ids = student_ids  # external ids of every student row, bad ones included
        super().__init__(f"{len(self.row_errors)} problem(s) in the roster",
                         [e.as_field_error() for e in self.row_errors])


@dataclass(frozen=True, slots=True, kw_only=True)
class ExistingPerson:
    """A person the school already holds, as the roster sees them."""

    person_id: str
    external_id: str
    role: str
    last_name: str
    first_name: str
    middle_name: str | None
    class_id: str | None
    username: str | None
    language: str
    email: str | None
    phone: str | None
    guardian_of: frozenset[str]
    moved_until: date | None = None  # a pupil's last day in the class they were in before (None: never moved)


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterRow:
    """One checked data row; empty cells are None (guardian_of: empty set, language: the default)."""

    row: int
    role: str
    external_id: str
    last_name: str
    first_name: str
    middle_name: str | None
    class_id: str | None
    username: str | None
    password: str | None = field(repr=False)
    guardian_of: frozenset[str]
    language: str
    email: str | None
    phone: str | None

    def as_person(self, person_id: str) -> ExistingPerson:
        """The person this row describes once stored under `person_id` (the password is not part of it)."""
        return ExistingPerson(person_id=person_id, **{name: getattr(self, name) for name in _COMPARED},
                              external_id=self.external_id)


@dataclass(frozen=True, slots=True)
class RosterDirectoryView:
    """What the school already holds, as far as the file needs it.

    `class_ids` and `student_external_ids` are this school's; `people` maps external_id to this school's
    people; `username_owners` maps each username the file mentions that exists anywhere to its
    (school_id, external_id).
    """

    school_id: str
    class_ids: frozenset[str]
    people: Mapping[str, ExistingPerson]
    username_owners: Mapping[str, tuple[str, str]]
    student_external_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Rows to create, rows that change a stored person, and rows already stored exactly as written."""

    create: list[RosterRow]
    update: list[tuple[RosterRow, ExistingPerson]]
    unchanged: list[tuple[RosterRow, ExistingPerson]]

    def moves(self) -> list[tuple[RosterRow, ExistingPerson]]:
        """The updates that put a stored pupil in another class (or back in the school)."""
        return [(r, old) for r, old in self.update if r.role == "student" and r.class_id != old.class_id]


def parse_roster(data: bytes, *, default_language: str = "kk") -> list[RosterRow]:
    """Read and check a roster file; an empty `language` cell means `default_language`."""
    if default_language not in LANGUAGES:
        raise ValueError(f"default_language must be one of {sorted(LANGUAGES)}")
    text = _text(data)
    header_line = text.partition("\n")[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header, *records = _records(text, delimiter)
    columns = _columns(header)
    errors: list[RowError] = []
    drafts: list[tuple[int, dict[str, object]]] = []
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            errors.append(RowError(number, None, f"{len(record)} fields, but the header has {len(columns)}"))
            continue
        cells = dict(zip(columns, record))
        errors += [RowError(number, None, f"a value in column {i + 1}, which has no header")
                   for i, name in enumerate(columns) if not name and record[i].strip()]
        drafts.append((number, _clean(number, cells, _CHILD_SEPARATOR[delimiter], default_language, errors)))
    if not drafts and not errors:
        errors.append(RowError(None, None, "the file has no data rows"))
    _check_unique(drafts, "external_id", errors)
    _check_unique(drafts, "username", errors)
    _check_children_in_file(drafts, errors)
    if errors:
        bad = {e.row for e in errors}
        raise RosterRejected(errors, rows=[RosterRow(row=n, **v) for n, v in drafts if n not in bad],
                             student_ids=frozenset(v["external_id"] for _, v in drafts
                                                   if v.get("role") == "student" and "external_id" in v))
    return [RosterRow(row=number, **values) for number, values in drafts]


def check_against_directory(rows: Sequence[RosterRow], directory: RosterDirectoryView,
                            on: date | None = None) -> None:
    """Check parsed rows against the school's classes, people and the country's usernames; `on` the import's
    day (None: a pupil's class change is not checked against their last move)."""
    errors: list[RowError] = []
    students_in_file = {r.external_id for r in rows if r.role == "student"}
    for r in rows:
        existing = directory.people.get(r.external_id)
        if existing is not None and existing.role != r.role:
            errors.append(RowError(r.row, "role", f"this person is already a {existing.role} of the school; "
                                                  "a role cannot be changed by import"))
        if r.class_id is not None and r.class_id not in directory.class_ids:
            errors.append(RowError(r.row, "class_id", "no class with this id in this school"))
        elif (effective := _later_move(r, existing, on)) is not None:
            errors.append(RowError(r.row, "class_id", f"this pupil's last move takes effect on {effective}, after "
                                                      "the import's day; move them with a transfer"))
        has_login = existing is not None and existing.username is not None
        owner = (directory.school_id, r.external_id)
        if has_login and r.username != existing.username:
            errors.append(RowError(r.row, "username", f"this person's username is '{existing.username}'; "
                                                      "a username cannot be changed by import"))
        elif r.username is not None and directory.username_owners.get(r.username, owner) != owner:
            errors.append(RowError(r.row, "username", "this username is taken"))
        if r.username is not None and not has_login and r.password is None:
            errors.append(RowError(r.row, "password", "required to create the login"))
        for child in sorted(r.guardian_of - students_in_file - directory.student_external_ids):
            errors.append(RowError(r.row, "guardian_of", f"no student '{child}' in this file or this school"))
    if errors:
        raise RosterRejected(errors)


def _later_move(r: RosterRow, existing: ExistingPerson | None, on: date | None) -> date | None:
    """The day a pupil's last move takes effect, if a class change on `on` would not come after it."""
    if on is None or existing is None or existing.moved_until is None or r.class_id == existing.class_id:
        return None
    return existing.moved_until + timedelta(days=1) if on <= existing.moved_until else None


def check_roster(data: bytes, view_of: Callable[[Sequence[RosterRow]], RosterDirectoryView],
                 *, default_language: str = "kk", on: date | None = None
                 ) -> tuple[list[RosterRow], RosterDirectoryView]:
    """Both steps at once, reporting every problem of the file in one `RosterRejected`; `on` the import's day.

    Rows with a problem of their own are left out of the directory checks, but still count as students of the
    file, so a parent naming them is not blamed twice. `view_of(rows)` reads the directory.
    """
    try:
        rows, errors, students = parse_roster(data, default_language=default_language), [], frozenset()
    except RosterRejected as rejected:
        rows, errors, students = rejected.rows, list(rejected.row_errors), rejected.student_ids
        if not rows:
            raise
    view = view_of(rows)
    try:
        check_against_directory(rows, replace(view, student_external_ids=view.student_external_ids | students), on)
    except RosterRejected as more:
        errors += more.row_errors
    if errors:
        raise RosterRejected(errors)
    return rows, view


def plan_import(rows: Iterable[RosterRow], people: Mapping[str, ExistingPerson]) -> ImportPlan:
    """Sort checked rows into create / update / unchanged; a password never makes a row differ."""
    plan = ImportPlan([], [], [])
    for r in rows:
        existing = people.get(r.external_id)
        if existing is None:
            plan.create.append(r)
        elif all(getattr(r, name) == getattr(existing, name) for name in _COMPARED):
            plan.unchanged.append((r, existing))
        else:
            plan.update.append((r, existing))
    return plan


def roster_csv(rows: Iterable[RosterRow], *, delimiter: str = ",") -> bytes:
    """A roster file (UTF-8, no BOM, CRLF) that `parse_roster` reads back into the same rows."""
    if delimiter not in _CHILD_SEPARATOR:
        raise ValueError("delimiter must be ',' or ';'")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        cells = {name: getattr(r, name) for name in COLUMNS}
        cells["guardian_of"] = _CHILD_SEPARATOR[delimiter].join(sorted(r.guardian_of))
        writer.writerow("" if cells[name] is None else cells[name] for name in COLUMNS)
    return out.getvalue().encode()


def _column_order(name: str | None) -> int:
    return COLUMNS.index(name) if name in COLUMNS else -1


def _text(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):
        raise RosterRejected([RowError(None, None, "the file is UTF-16; save it as \"CSV UTF-8\"")])
    text = data.removeprefix(_UTF8_BOM).decode("utf-8", "surrogateescape")
    if not text.strip():
        raise RosterRejected([RowError(None, None, "the file is empty")])
    return text


def _records(text: str, delimiter: str) -> list[list[str]]:
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as e:
        raise RosterRejected([RowError(len(records) + 1, None, f"not readable as CSV: {e}")]) from None
    return records


def _columns(header: list[str]) -> list[str]:
    """Column names in file order ("" for a column without a header); raises on a header that is not usable."""
    names = [cell.strip().lower() for cell in header]
    errors = [RowError(1, None, f"column {i + 1}: {_NOT_UTF8}") for i, n in enumerate(names) if _BAD_BYTE.search(n)]
    errors += [RowError(1, n, "unknown column") for n in names if n and n not in COLUMNS and not _BAD_BYTE.search(n)]
    errors += [RowError(1, n, "the column appears twice") for n in COLUMNS if names.count(n) > 1]
    errors += [RowError(1, n, "missing column") for n in COLUMNS if n not in names]
    if errors:
        raise RosterRejected(errors)
    return names


def _clean(number: int, cells: dict[str, str], separator: str, default_language: str,
           errors: list[RowError]) -> dict:
    """The row's values in their stored form; each bad cell adds an error and is left out."""
    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    text = {}
    for column in COLUMNS:
        if _BAD_BYTE.search(cells[column]):
            fail(column, _NOT_UTF8)
        else:
            text[column] = cells[column] if column == "password" else cells[column].strip()
    values: dict = {}

    if "role" in text:
        role = text["role"].lower()
        if role in ROLES:
            values["role"] = role
        else:
            fail("role", f"must be one of {', '.join(sorted(ROLES))}" if role else "required")
    role = values.get("role")

    if "external_id" in text:
        external_id = text["external_id"]
        if not external_id:
            fail("external_id", "required")
        elif not (_EXTERNAL_ID.fullmatch(external_id) and external_id.isprintable()):
            fail("external_id", "at most 64 characters, without spaces, commas, semicolons, '|' or quotes")
        else:
            values["external_id"] = external_id

    for column in ("last_name", "first_name", "middle_name"):
        if column in text:
            name = unicodedata.normalize("NFC", text[column])
            if name or column == "middle_name":
                values[column] = name or None
            else:
                fail(column, "required")

    if "class_id" in text:
        class_id = text["class_id"] or None
        if role == "student" and class_id is None:
            fail("class_id", "required for a student")
        elif role not in (None, "student") and class_id is not None:
            fail("class_id", "only a student row names a class")
        else:
            values["class_id"] = class_id

    if "username" in text:
        username = text["username"].lower() or None
        if username is None or _USERNAME.fullmatch(username):
            values["username"] = username
        else:
            fail("username", "3 to 64 characters: latin letters, digits, '.', '_' or '-'")

    if "password" in text:
        password = text["password"] if text["password"].strip() else None
        if password is not None and not _PASSWORD_LENGTH[0] <= len(password) <= _PASSWORD_LENGTH[1]:
            fail("password", f"from {_PASSWORD_LENGTH[0]} to {_PASSWORD_LENGTH[1]} characters")
        elif password is not None and text.get("username") == "":
            fail("password", "a password needs a username")
        else:
            values["password"] = password

    if "guardian_of" in text:
        children = frozenset(c.strip() for c in text["guardian_of"].split(separator) if c.strip())
        if role == "parent" and not children:
            fail("guardian_of", "a parent row names at least one child")
        elif role not in (None, "parent") and children:
            fail("guardian_of", "only a parent row names children")
        elif misfits := sorted(c for c in children if not _EXTERNAL_ID.fullmatch(c)):
            fail("guardian_of", f"not an external_id: '{misfits[0]}' (separate children with '{separator}')")
        else:
            values["guardian_of"] = children

    if "language" in text:
        language = text["language"].lower() or default_language
        if language in LANGUAGES:
            values["language"] = language
        else:
            fail("language", "must be kk or ru")

    if "email" in text:
        email = text["email"].lower() or None
        if email is None or (len(email) <= 254 and _EMAIL.fullmatch(email)):
            values["email"] = email
        else:
            fail("email", "not an email address")

    if "phone" in text:
        phone = _PHONE.fullmatch(_PHONE_DECORATION.sub("", text["phone"]))
        if phone or not text["phone"]:
            values["phone"] = "+7" + phone[1] if phone else None
        else:
            fail("phone", "a Kazakhstan number: +7 and 10 digits")
    return values


def _check_unique(drafts: list[tuple[int, dict]], column: str, errors: list[RowError]) -> None:
    first_row: dict[str, int] = {}
    for number, values in drafts:
        value = values.get(column)
        if value is not None and first_row.setdefault(value, number) != number:
            errors.append(RowError(number, column, f"'{value}' is already on row {first_row[value]}"))


def _check_children_in_file(drafts: list[tuple[int, dict]], errors: list[RowError]) -> None:
    """A child named in guardian_of who has a row in this file must be a student there."""
    roles: dict[str, str | None] = {}
    for _, values in drafts:
        if "external_id" in values:
            roles.setdefault(values["external_id"], values.get("role"))
    for number, values in drafts:
        for child in sorted(values.get("guardian_of", ())):
            if roles.get(child, "student") not in ("student", None):
                errors.append(RowError(number, "guardian_of", f"'{child}' is a {roles[child]} in this file, "
                                                              "not a student"))
