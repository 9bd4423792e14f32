"""How directory objects look in answers (one place, so every route shows them the same way)."""
from __future__ import annotations

from typing import Any

from chalicelib.domain.policy import Target
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SchoolItem, SubjectItem

__all__ = ["school_view", "class_view", "subject_view", "journal_view", "person_view", "target_of"]


def school_view(s: SchoolItem) -> dict[str, Any]:
    return {"school_id": s.school_id, "name": {"kk": s.name_kk, "ru": s.name_ru}, "region": s.region,
            "locality": s.locality, "created_at": s.created_at}


def class_view(c: ClassItem) -> dict[str, Any]:
    return {"class_id": c.class_id, "school_id": c.school_id, "year": int(c.year), "grade": int(c.grade),
            "letter": c.letter, "language": c.language, "homeroom_teacher_id": c.homeroom_teacher_id,
            "name": f"{int(c.grade)}{c.letter}"}


def subject_view(s: SubjectItem) -> dict[str, Any]:
    return {"subject_id": s.subject_id, "school_id": s.school_id, "code": s.code,
            "name": {"kk": s.name_kk, "ru": s.name_ru}, "assessment": s.assessment}


def journal_view(j: JournalItem) -> dict[str, Any]:
    return {"journal_id": j.journal_id, "class_id": j.class_id, "subject_id": j.subject_id,
            "teacher_ids": list(j.teacher_ids), "hours_per_week": int(j.hours_per_week)}


def person_view(p: PersonItem) -> dict[str, Any]:
    return {"person_id": p.person_id, "role": p.role, "external_id": p.external_id,
            "last_name": p.last_name, "first_name": p.first_name, "middle_name": p.middle_name,
            "class_id": p.class_id, "language": p.language}


def target_of(item: SchoolItem | ClassItem | SubjectItem | JournalItem) -> Target:
    """Where an object sits, for the policy."""
    return Target(school_id=item.school_id, region=item.region,
                  class_id=getattr(item, "class_id", None) if not isinstance(item, SchoolItem) else None,
                  journal_id=getattr(item, "journal_id", None))
