"""The nightly reconciliation fans out one task per school on the tasks queue; by hand it runs one school or all."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.ids import new_id
from chalicelib.jobs import reconcile
from chalicelib.store import schools
from chalicelib.store import journal as store
from tests.integration.conftest import drain_tasks

MONDAY = date(2026, 10, 5)
NIGHT = {"version": "0", "account": "000000000000", "region": "eu-central-1", "detail": {},
         "detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-10-05T21:00:00Z", "id": "1",
         "resources": []}  # EventBridge's event at 02:00 UTC+5


def _school(name: str, region: str) -> str:
    """A school whose journal holds one formative mark the counters never saw (drift: the stream lost it)."""
    school = schools.create_school(name, name, region, None)
    klass = schools.create_class(school, 2026, 7, "Ә", "kk", None)
    subject = schools.create_subject(school, "math", "Математика", "Математика", "criteria")
    journal = schools.create_journal(klass, subject, ["t1"], 5)
    actor = store.Actor("t1", "teacher", "2026-10-05T09:00:00.000+05:00")
    lesson_id = new_id()
    store.create_lesson(journal.journal_id, klass.class_id, subject.subject_id, "T1", MONDAY, 1, lesson_id, actor,
                        topic="Бөлшектер", homework=None, objectives=[])
    sk = store.entry_sk("T1", "F", lesson_id, "p1")
    store.write_entry(None, journal.journal_id, sk, MONDAY.isoformat(), "p1", {"points": 7}, actor)
    return school.school_id


@pytest.fixture()
def drifted(aws: None) -> list[str]:
    return sorted([_school("№1 мектеп", "almaty"), _school("№2 мектеп", "astana")])


def test_the_nightly_schedule_queues_one_task_per_school_and_each_repairs_its_own(drifted: list[str]) -> None:
    from app import counters_reconciliation

    assert all(reconcile.reconcile_school(school) for school in drifted)
    assert counters_reconciliation(NIGHT, None) == 2
    assert all(reconcile.reconcile_school(school) for school in drifted)  # nothing ran in the schedule itself
    assert drain_tasks() == 2
    assert [reconcile.reconcile_school(school) for school in drifted] == [[], []]
    assert drain_tasks() == 0


def test_by_hand_one_school_or_every_school_here_or_queued(drifted: list[str],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    first, second = drifted
    assert reconcile.main([first, "--queue", "--repair"]) == 0 and drain_tasks() == 1
    assert reconcile.reconcile_school(first) == [] and reconcile.reconcile_school(second)
    assert reconcile.main([]) == 1  # every school, here, reported and not repaired
    assert f"{second}: " in capsys.readouterr().out
    assert reconcile.main(["--repair"]) == 0 and drain_tasks() == 0
    assert reconcile.reconcile_all(repair=False) == {}
