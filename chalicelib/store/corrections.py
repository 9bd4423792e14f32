"""Correcting a journal: changing a work, removing a lesson or a work (their entries first, as removals).

A removed lesson or work stays as a tombstone like a removed entry: out of the class's index (diary, schedule),
out of the grid, its reference gone (its id names nothing any more), its remover and reason recorded, and it
expires after a few days. The journal table's stream turns each step into the audit trail: one removal per
entry (in the pupil's history) and one for the lesson or work (in the journal's history).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.store import journal as store

__all__ = ["remove", "update_work"]


def _stamped(model: type[store.Lesson] | type[store.Work], actor: store.Actor) -> list[Any]:
    return [model.by.set(actor.person_id), model.role.set(actor.role), model.at.set(actor.at),
            model.reason.set(actor.reason) if actor.reason else model.reason.remove()]


def _update(item: store.Lesson | store.Work, actions: list[Any]) -> None:
    try:
        item.update(actions=actions)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            current = (store.get_lesson if isinstance(item, store.Lesson) else store.get_work)(item.pk[2:], item.sk)
            raise store.VersionConflict(current) from None
        raise


def remove(item: store.Lesson | store.Work, actor: store.Actor) -> None:
    """Make a lesson or work a tombstone (on condition it is as read) and drop its reference."""
    model = type(item)
    _update(item, [model.gpk.remove(), model.gsk.remove(),
                   model.expires.set(timedelta(days=store.TOMBSTONE_DAYS)), *_stamped(model, actor)])
    target_id = item.lesson_id if isinstance(item, store.Lesson) else item.work_id
    store.Ref(f"R#{target_id}", "#").delete()


def update_work(work: store.Work, changes: Mapping[str, Any], actor: store.Actor) -> store.Work:
    """Set a work's title, maximum or date (`day`), on condition it is as read."""
    actions = [getattr(store.Work, name).set(value) for name, value in changes.items() if name != "day"]
    if isinstance(changes.get("day"), date):
        actions.append(store.Work.gsk.set(f"{changes['day']}#W#{work.work_id}"))
    _update(work, [*actions, *_stamped(store.Work, actor)])
    return work
