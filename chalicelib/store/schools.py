"""Schools and what a school_admin sets up in them: classes, subjects, journals, periods, holidays, settings."""
from __future__ import annotations

from typing import Any, Sequence

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.domain.errors import FieldError, RuleViolation
from chalicelib.domain.ids import is_id, new_id
from chalicelib.store.directory import (
    ClassItem, DirectoryItem, GuardItem, JournalItem, LinkItem, OverrideItem, SchoolItem, SettingsItem,
    SubjectItem,
)

__all__ = [
    "AlreadyTaken", "create_all", "get_school", "create_school", "schools_of_region", "get_class",
    "create_class", "classes_of_school", "get_subject", "create_subject", "subjects_of_school", "get_journal",
    "create_journal", "journals_of_class", "get_settings", "put_settings", "get_override", "put_override",
]


class AlreadyTaken(RuleViolation):
    """A unique name (class letter, subject code, class x subject journal, username) is already used."""

    slug = "already-exists"


def create_all(items: Sequence[Model], taken: dict[int, FieldError]) -> None:
    """Write `items` in one transaction, each on condition that it does not exist yet.

    `taken` maps an item's position to the error to report when that item already exists (a guard).
    """
    try:
        with TransactWrite(connection=DirectoryItem._get_connection().connection) as tx:
            for item in items:
                tx.save(item, condition=type(item).pk.does_not_exist())
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        errors = [taken[i] for i, r in enumerate(reasons) if r and r.code == "ConditionalCheckFailed" and i in taken]
        if errors:
            raise AlreadyTaken("Something with this name already exists.", errors) from None
        raise


def _created() -> str:
    return to_rfc3339(now_kz())


def get_school(school_id: str) -> SchoolItem | None:
    if not is_id(school_id):  # an id a client made up names nothing (and may be too long for a key)
        return None
    try:
        return SchoolItem.get(f"SCH#{school_id}", "#")
    except DoesNotExist:
        return None


def create_school(name_kk: str, name_ru: str, region: str, locality: str | None) -> SchoolItem:
    school_id = new_id()
    school = SchoolItem(f"SCH#{school_id}", "#", school_id=school_id, name_kk=name_kk, name_ru=name_ru,
                        region=region, locality=locality, created_at=_created(),
                        gsi1pk=f"REG#{region}", gsi1sk=f"SCH#{school_id}")
    create_all([school], {})
    return school


def schools_of_region(region: str) -> list[SchoolItem]:
    return list(SchoolItem.by_collection.query(f"REG#{region}"))


def get_class(class_id: str) -> ClassItem | None:
    if not is_id(class_id):  # an id a client made up names nothing (and may be too long for a key)
        return None
    try:
        return ClassItem.get(f"CLS#{class_id}", "#")
    except DoesNotExist:
        return None


def create_class(school: SchoolItem, year: int, grade: int, letter: str, language: str,
                 homeroom_teacher_id: str | None) -> ClassItem:
    class_id = new_id()
    item = ClassItem(f"CLS#{class_id}", "#", class_id=class_id, school_id=school.school_id, region=school.region,
                     year=year, grade=grade, letter=letter, language=language,
                     homeroom_teacher_id=homeroom_teacher_id,
                     gsi1pk=f"SCH#{school.school_id}#CLS", gsi1sk=f"{year}#{grade:02d}#{letter}#{class_id}")
    guard = GuardItem(f"SCH#{school.school_id}", f"CLASSNAME#{year}#{grade}#{letter}", ref=class_id)
    items: list[Model] = [item, guard]
    if homeroom_teacher_id:
        items.append(LinkItem(f"PER#{homeroom_teacher_id}", f"HOME#{class_id}", kind="homeroom",
                              school_id=school.school_id, class_id=class_id))
    create_all(items, {1: FieldError("letter", f"class {grade}{letter} of {year} already exists")})
    return item


def classes_of_school(school_id: str) -> list[ClassItem]:
    return list(ClassItem.by_collection.query(f"SCH#{school_id}#CLS"))


def get_subject(subject_id: str) -> SubjectItem | None:
    if not is_id(subject_id):  # an id a client made up names nothing (and may be too long for a key)
        return None
    try:
        return SubjectItem.get(f"SUB#{subject_id}", "#")
    except DoesNotExist:
        return None


def create_subject(school: SchoolItem, code: str, name_kk: str, name_ru: str, assessment: str) -> SubjectItem:
    subject_id = new_id()
    item = SubjectItem(f"SUB#{subject_id}", "#", subject_id=subject_id, school_id=school.school_id,
                       region=school.region, code=code, name_kk=name_kk, name_ru=name_ru, assessment=assessment,
                       gsi1pk=f"SCH#{school.school_id}#SUB", gsi1sk=code)
    guard = GuardItem(f"SCH#{school.school_id}", f"SUBCODE#{code}", ref=subject_id)
    create_all([item, guard], {1: FieldError("code", f"subject code {code} is already used in this school")})
    return item


def subjects_of_school(school_id: str) -> list[SubjectItem]:
    return list(SubjectItem.by_collection.query(f"SCH#{school_id}#SUB"))


def get_journal(journal_id: str) -> JournalItem | None:
    if not is_id(journal_id):  # an id a client made up names nothing (and may be too long for a key)
        return None
    try:
        return JournalItem.get(f"JRN#{journal_id}", "#")
    except DoesNotExist:
        return None


def create_journal(klass: ClassItem, subject: SubjectItem, teacher_ids: list[str], hours_per_week: int, *,
                   group: tuple[str, set[str]] | None = None) -> JournalItem:
    """A journal of the class's subject with its teachers' links (one transaction): the whole class's, or with
    `group` (name, pupils) a subgroup's; one journal per subject, or per subject and group name."""
    journal_id = new_id()
    item = JournalItem(f"JRN#{journal_id}", "#", journal_id=journal_id, school_id=klass.school_id,
                       region=klass.region, class_id=klass.class_id, subject_id=subject.subject_id,
                       teacher_ids=teacher_ids, hours_per_week=hours_per_week,
                       gsi1pk=f"CLS#{klass.class_id}#JRN", gsi1sk=f"{subject.subject_id}#{journal_id}")
    if group is None:
        guard_sk, taken = f"JSUB#{subject.subject_id}", FieldError("subject_id", "this class already has a "
                                                                   "journal for this subject")
    else:
        item.group_name, item.student_ids = group
        guard_sk = f"JGRP#{subject.subject_id}#{' '.join(group[0].casefold().split())}"  # case, spacing alike
        taken = FieldError("name", "this class already has a group of this name in this subject")
    links = [LinkItem(f"PER#{t}", f"JRN#{journal_id}", kind="journal", school_id=klass.school_id,
                      ref=journal_id, class_id=klass.class_id, subject_id=subject.subject_id)
             for t in teacher_ids]
    create_all([item, GuardItem(f"CLS#{klass.class_id}", guard_sk, ref=journal_id), *links], {1: taken})
    return item


def journals_of_class(class_id: str) -> list[JournalItem]:
    return list(JournalItem.by_collection.query(f"CLS#{class_id}#JRN"))


def get_settings(school_id: str) -> SettingsItem | None:
    try:
        return SettingsItem.get(f"SCH#{school_id}", "SETTINGS", consistent_read=True)
    except DoesNotExist:
        return None


def put_settings(school_id: str, changes: dict[str, Any]) -> SettingsItem:
    """Set the edit window (None: unlimited) and the assessment settings named in `changes`; the others stay."""
    item = get_settings(school_id) or SettingsItem(f"SCH#{school_id}", "SETTINGS")
    item.edit_window_days = changes["edit_window_days"]
    item.unlimited = changes["edit_window_days"] is None
    for name in ("sor_method", "pool_fo_with_sor", "fo_max"):
        if name in changes:
            setattr(item, name, changes[name])
    item.save()
    return item


def get_override(school_id: str, sk: str) -> list[dict[str, Any]] | None:
    """A school's own periods (`PERIODS#<year>#<grade>`) or holidays (`HOLIDAYS#<year>`), if it set them."""
    try:
        item = OverrideItem.get(f"SCH#{school_id}", sk, consistent_read=True)
    except DoesNotExist:
        return None
    return list(item.entries)


def put_override(school_id: str, sk: str, entries: list[dict[str, Any]]) -> None:
    OverrideItem(f"SCH#{school_id}", sk, entries=entries).save()
