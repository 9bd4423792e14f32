"""Which attendance changes guardians hear of: absences (and their corrections), never a plain "present"."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.streams.notifications import notice_of
from chalicelib.streams.records import change_of, read_record
from tests.unit.test_stream_records import image, record

ENTRY = {"pk": "J#7", "sk": "T1#A#55#901"}


def mark(version: int, status: str) -> dict[str, Any]:
    return {"v": version, "s": status, "by": "t1", "at": "2026-10-03T08:45:00.000+05:00", "gsk": "2026-10-01"}


def told(name: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> Any:
    change = change_of(read_record(record(name, ENTRY, old, new)))
    assert change is not None
    return notice_of(change)


@pytest.mark.parametrize("old, new", [(None, mark(1, "present")), (mark(1, "present"), mark(2, "present"))])
def test_present_is_nobodys_news(old: Any, new: Any) -> None:
    assert told("MODIFY" if old else "INSERT", old, new) is None


def test_a_removed_present_takes_nothing_back() -> None:
    assert told("REMOVE", mark(1, "present"), None) is None


def test_an_absence_is_told_with_its_status() -> None:
    event = told("INSERT", None, mark(1, "ill"))
    assert event is not None and event.status == "ill" and not event.withdrawn


@pytest.mark.parametrize("name, new", [("MODIFY", mark(2, "present")), ("REMOVE", None)])
def test_an_absence_corrected_to_present_or_removed_is_taken_back(name: str, new: Any) -> None:
    event = told(name, mark(1, "late"), new)
    assert event is not None and event.withdrawn and event.source_version == (2 if new else 1)


def test_a_write_stamped_days_before_the_stream_carried_it_is_not_news() -> None:
    migrated = {**mark(1, "ill"), "at": "2026-09-01T09:00:00.000+05:00"}  # the record's stream time is later
    assert told("INSERT", None, migrated) is None
    fresh = {**mark(1, "ill"), "at": "2026-10-02T11:00:00.000+05:00"}
    assert told("INSERT", None, fresh) is not None
