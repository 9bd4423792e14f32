"""Learning objectives of the curriculum, per subject and grade, with their texts in Kazakh and Russian.

Kept in the directory table next to the subject: `SUB#<subject>  OBJ#<grade>` holds the grade's whole list
(a few dozen objectives), so a lesson's or work's check is one GetItem and a diary's texts one BatchGetItem.
"""
from __future__ import annotations

from typing import Any, Iterable

from pynamodb.attributes import JSONAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.store.directory import DirectoryItem

__all__ = ["CurriculumItem", "objectives_of", "put_objectives", "codes_of", "texts_of"]


class CurriculumItem(DirectoryItem):
    """A subject's objectives for one grade: `[{"code", "text": {"kk", "ru"}}]`."""

    objectives = JSONAttribute()


def _key(subject_id: str, grade: int) -> tuple[str, str]:
    return f"SUB#{subject_id}", f"OBJ#{grade}"


def objectives_of(subject_id: str, grade: int) -> list[dict[str, Any]]:
    try:
        return list(CurriculumItem.get(*_key(subject_id, grade), consistent_read=True).objectives)
    except DoesNotExist:
        return []


def put_objectives(subject_id: str, grade: int, objectives: list[dict[str, Any]]) -> None:
    CurriculumItem(*_key(subject_id, grade), objectives=objectives).save()


def codes_of(subject_id: str, grade: int) -> frozenset[str]:
    return frozenset(o["code"] for o in objectives_of(subject_id, grade))


def texts_of(pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict[str, dict[str, str]]]:
    """The objective texts of several (subject, grade) pairs: code -> {"kk", "ru"}, one BatchGetItem."""
    keys = sorted(set(pairs))
    found = {(item.pk[4:], int(item.sk[4:])): {o["code"]: o["text"] for o in item.objectives}
             for item in CurriculumItem.batch_get([_key(s, g) for s, g in keys])}
    return {pair: found.get(pair, {}) for pair in keys}
