"""`users/me` and `users/me/context`: who the token belongs to, their schools, classes and children."""
from __future__ import annotations

from typing import Any

from chalicelib.api.kundelik.access import Call, Family, family_of
from chalicelib.api.kundelik.facts import group_of, person_of, subjects
from chalicelib.domain import kundelik as v2
from chalicelib.domain.policy import Caller, Role
from chalicelib.store import schools
from chalicelib.store.directory import ClassItem, PersonItem, SchoolItem

__all__ = ["user", "context"]


def _roles(caller: Caller) -> list[str]:
    return sorted({v2.ROLES[str(g.role)] for g in caller.grants})


def user(call: Call) -> dict[str, Any]:
    caller = call.caller
    person = family_of(caller).person
    names = [person.last_name, person.first_name, person.middle_name]
    return {**v2.twin("id", person.person_id), **v2.twin("personId", person.person_id),
            "name": " ".join(n for n in names if n), "login": caller.user_id, "firstName": person.first_name,
            "lastName": person.last_name, "middleName": person.middle_name,
            "shortName": v2.short_name(person.last_name, person.first_name, person.middle_name),
            "locale": v2.locale_of(person.language), "timezone": "05:00", "sex": None, "roles": _roles(caller)}


def _classes(caller: Caller, family: Family) -> list[ClassItem]:
    """The caller's classes: their own, their children's, those they teach, their school's (an admin)."""
    found = {c.class_id: c for s in sorted(caller.schools()) if caller.has(Role.SCHOOL_ADMIN, s)
             for c in schools.classes_of_school(s)}
    wanted = {family.own_class(), *(klass for _, klass in family.children.values()),
              *caller.taught_classes, *caller.homeroom_classes} - {None} - set(found)
    keys = [(f"CLS#{c}", "#") for c in sorted(wanted)]
    found |= {c.class_id: c for c in ClassItem.batch_get(keys)} if keys else {}
    return sorted(found.values(), key=lambda c: (int(c.grade), c.letter, c.class_id))


def _group(klass: ClassItem) -> dict[str, Any]:
    subject_ids = {j.subject_id for j in schools.journals_of_class(klass.class_id)}
    named = subjects(subject_ids, klass.language)
    return v2.group_shape(group_of(klass), sorted(named.values(), key=lambda s: s.name))


def _child(person: PersonItem, school_id: str | None, class_id: str | None) -> dict[str, Any]:
    shape = v2.person_shape(person_of(person))
    del shape["id"], shape["id_str"]  # a child is named by personId
    return {**v2.twin("personId", person.person_id), **shape, "schoolIds": [int(school_id)] if school_id else [],
            "groupIds": [int(class_id)] if class_id else []}


def context(call: Call) -> dict[str, Any]:
    caller = call.caller
    family = family_of(caller)
    person = family.person
    classes = _classes(caller, family)
    school_ids = sorted(caller.schools() | {s for s, _ in family.children.values() if s})
    keys = [(f"SCH#{s}", "#") for s in school_ids]
    found = {s.school_id: s for s in SchoolItem.batch_get(keys)} if keys else {}
    children = {c.person_id: c for c in PersonItem.batch_get([(f"PER#{c}", "#") for c in sorted(family.children)])
                } if family.children else {}
    return {
        **v2.twin("userId", person.person_id), **v2.twin("personId", person.person_id),
        "shortName": v2.short_name(person.last_name, person.first_name, person.middle_name),
        "roles": _roles(caller), "schoolIds": [int(s) for s in school_ids],
        "groupIds": [int(c.class_id) for c in classes],
        "schools": [{**v2.twin("id", s), "name": _school_name(found.get(s), person.language), "type": "Regular",
                     "groupIds": [int(c.class_id) for c in classes if c.school_id == s]} for s in school_ids],
        "eduGroups": [_group(c) for c in classes],
        "children": [_child(children[c], *family.children[c]) for c in sorted(children)],
    }


def _school_name(school: SchoolItem | None, language: str) -> str | None:
    if school is None:
        return None
    return school.name_kk if language == "kk" else school.name_ru
