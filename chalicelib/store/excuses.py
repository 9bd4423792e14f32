"""Parents' excuses: a pupil will be (or was) away on some dates, for a reason.

    EXC#<pupil>  <from>#<excuse>   an excuse      (by_collection: CLS#<class>#EXC  <to>#<excuse>)

A pupil's excuses are one Query of their partition; a class's excuses covering a day are one Query of the index
(those ending on or after the day, kept if they start on or before it). `excused_on` is what the notifications
ask before telling parents of an unexcused absence.
"""
from __future__ import annotations

from datetime import date

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.ids import new_id
from chalicelib.store.directory import DirectoryItem

__all__ = ["ExcuseItem", "create_excuse", "excuses_of", "excused_on", "class_excuses", "remove_excuse"]


class ExcuseItem(DirectoryItem):
    excuse_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    class_id = UnicodeAttribute(null=True)
    school_id = UnicodeAttribute(null=True)
    start = UnicodeAttribute()  # YYYY-MM-DD, inclusive
    end = UnicodeAttribute()
    reason = UnicodeAttribute()
    by = UnicodeAttribute()
    at = UnicodeAttribute()

    def covers(self, day: date) -> bool:
        return self.start <= day.isoformat() <= self.end


def _pk(student_id: str) -> str:
    return f"EXC#{student_id}"


def create_excuse(student_id: str, class_id: str | None, school_id: str | None, start: date, end: date,
                  reason: str, by: str, at: str) -> ExcuseItem:
    excuse_id = new_id()
    item = ExcuseItem(_pk(student_id), f"{start}#{excuse_id}", excuse_id=excuse_id, student_id=student_id,
                      class_id=class_id, school_id=school_id, start=start.isoformat(), end=end.isoformat(),
                      reason=reason, by=by, at=at,
                      gsi1pk=f"CLS#{class_id}#EXC" if class_id else None,
                      gsi1sk=f"{end}#{excuse_id}" if class_id else None)
    item.save(condition=ExcuseItem.pk.does_not_exist())
    return item


def excuses_of(student_id: str, start: date | None = None, end: date | None = None) -> list[ExcuseItem]:
    """A pupil's excuses (overlapping start..end when given), by start date: one Query."""
    condition = ExcuseItem.sk <= f"{end}$" if end else None
    found = ExcuseItem.query(_pk(student_id), condition, consistent_read=True)
    return [e for e in found if start is None or e.end >= start.isoformat()]


def excused_on(student_id: str, day: date) -> bool:
    """Whether a parent excused the pupil's absence on `day` (one Query)."""
    return any(e.covers(day) for e in excuses_of(student_id, day, day))


def class_excuses(class_id: str, start: date, end: date) -> list[ExcuseItem]:
    """The excuses of a class's pupils overlapping start..end (one Query of the index)."""
    found = ExcuseItem.by_collection.query(f"CLS#{class_id}#EXC", ExcuseItem.gsi1sk >= start.isoformat())
    return [e for e in found if e.start <= end.isoformat()]


def remove_excuse(excuse: ExcuseItem) -> None:
    excuse.delete()
