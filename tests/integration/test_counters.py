"""Counters kept from the journal stream: what they say, exactly once whatever the delivery, and no drift.

A school is set up and written through the store (fast); the stream's records are read from moto and fed to
the counters consumer as Lambda would. Every scenario ends with the reconciliation finding no drift. The last
test goes the whole way: API -> stream -> the app's handler (counters and parents' notifications).
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

import boto3
import pytest

from chalicelib.config import settings
from chalicelib.domain.ids import new_id
from chalicelib.jobs.reconcile import reconcile_school
from chalicelib.store import counters, schools
from chalicelib.store import journal as store
from chalicelib.streams import counters as consumer
from chalicelib.streams.batch import handle
from tests.integration.school import (  # noqa: F401
    SmallSchool, StreamPump, dynamodb_calls, lesson, pump, school, today,
)

MONDAY = date(2026, 10, 5)


@dataclass
class Desk:
    """A school with one 7th-grade maths journal (term marks), written straight through the journal store."""

    school_id: str
    class_id: str
    subject_id: str
    journal_id: str
    pump: StreamPump
    entries: dict[str, store.Entry] = field(default_factory=dict)

    def actor(self, by: str = "t1") -> store.Actor:
        return store.Actor(by, "teacher", "2026-10-05T09:00:00.000+05:00")

    def lesson(self, day: date = MONDAY, number: int = 1, topic: str | None = "Бөлшектер", by: str = "t1") -> str:
        lesson_id = new_id()
        store.create_lesson(self.journal_id, self.class_id, self.subject_id, "T1", day, number, lesson_id,
                            self.actor(by), topic=topic, homework=None, objectives=[])
        return lesson_id

    def work(self, kind: str, max_points: int, day: date = MONDAY) -> str:
        work_id = new_id()
        store.create_work(self.journal_id, self.class_id, self.subject_id, "T1", day, work_id, self.actor(),
                          kind=kind, period="T1", title="Бөлім 1", max_points=max_points, criteria=None,
                          objectives=[])
        return work_id

    def write(self, kind: str, target: str, pupil: str, values: dict[str, Any] | None, day: date = MONDAY,
              by: str = "t1") -> None:
        sk = store.entry_sk("T1", kind, target, pupil)
        self.entries[sk] = store.write_entry(self.entries.get(sk), self.journal_id, sk, day.isoformat(), pupil,
                                             values, self.actor(by))

    def deliver(self, records: list[dict[str, Any]], batch_size: int = 100) -> list[dict[str, str]]:
        failures = []
        for start in range(0, len(records), batch_size):
            failures += handle({"Records": records[start:start + batch_size]}, consumer.CONSUMER)["batchItemFailures"]
        return failures

    def flush(self) -> list[dict[str, Any]]:
        """Deliver every record not delivered yet; returns them."""
        records = self.pump.read()
        assert self.deliver(records) == []
        return records

    def sheet(self) -> counters.ClassCounters:
        return counters.class_counters(self.journal_id, "T1")

    def drift(self) -> list[Any]:
        return reconcile_school(self.school_id)


@pytest.fixture()
def desk(aws: None) -> Iterator[Desk]:
    school = schools.create_school("№1 мектеп", "Школа №1", "almaty", None)
    klass = schools.create_class(school, 2026, 7, "Ә", "kk", None)
    subject = schools.create_subject(school, "math", "Математика", "Математика", "criteria")
    journal = schools.create_journal(klass, subject, ["t1"], 5)
    yield Desk(school.school_id, klass.class_id, subject.subject_id, journal.journal_id, StreamPump())


def test_counters_say_what_the_journal_holds(desk: Desk) -> None:
    d = desk
    first, second = d.lesson(), d.lesson(number=2, topic=None)
    for pupil, status in (("p1", "absent"), ("p2", "present"), ("p3", "ill")):
        d.write("A", first, pupil, {"status": status})
    d.write("F", first, "p2", {"points": 6})
    d.write("F", first, "p2", {"points": 9, "feedback": "Жарайсың"})  # a correction: 9 replaces 6
    d.write("F", second, "p2", {"points": 8})
    d.write("F", second, "p3", {"points": 3})
    d.write("F", second, "p3", None)  # removed (a tombstone)
    sor, soch = d.work("SOR", 20), d.work("SOCH", 25)
    d.write("R", sor, "p2", {"points": 17})
    d.write("R", soch, "p2", {"points": 22})
    d.write("R", soch, "p3", {"points": 5})
    d.flush()
    sheet = d.sheet()
    p2, p3 = sheet.pupils["p2"], sheet.pupils["p3"]
    assert (p2.fo_sum, p2.fo_count, p2.sor_points, p2.sor_max, p2.soch_points, p2.soch_max) == (17, 2, 17, 20, 22, 25)
    assert p2.attendance == {"present": 1} and sheet.pupils["p1"].attendance == {"absent": 1}
    assert (p3.fo_count, p3.soch_points, p3.attendance) == (0, 5, {"ill": 1})
    # p2: 0.25*85 + 0.25*85 + 0.5*88 = 86.5 -> "5"; p3: SOCH only, 20 % -> "2"
    assert sheet.marks == {"2": 1, "5": 1} and sheet.as_of is not None
    lessons = {lesson.lesson_id: lesson for lesson in counters.lesson_counters(d.journal_id, "T1")}
    assert lessons[first].attendance == {"absent": 1, "ill": 1, "present": 1} and lessons[first].marks == 1
    assert (lessons[second].topic, lessons[second].marks) == (False, 1)
    day = MONDAY.isoformat()
    assert counters.teacher_days(d.school_id, "t1", day, day) == {
        day: {"lessons": 2, "topics": 1, "attendance": 3, "marks": 5}}
    assert counters.school_days(d.school_id, day, day) == {day: {"entries": 8, "absences": 2}}
    assert d.drift() == []


def test_replayed_duplicated_and_shuffled_records_count_once(desk: Desk) -> None:
    d = desk
    lessons = [d.lesson(number=n) for n in (1, 2, 3)]
    for n, made in enumerate(lessons):
        for pupil in ("p1", "p2", "p3"):
            d.write("F", made, pupil, {"points": 4 + n})
            d.write("A", made, pupil, {"status": "late" if pupil == "p1" else "present"})
    d.write("F", lessons[0], "p1", {"points": 10})
    records = d.flush()
    counted = d.sheet()
    again = [copy.deepcopy(r) for r in records] + [{**copy.deepcopy(r), "eventID": r["eventID"] + "-2"}
                                                   for r in records]
    random.Random(5).shuffle(again)
    with dynamodb_calls() as calls:
        assert d.deliver(again, batch_size=7) == []
    assert d.sheet() == counted
    assert [op for op, _ in calls if op == "TransactWriteItems"] == []  # nothing new: nothing written
    assert counted.pupils["p1"].fo_sum == 10 + 5 + 6 and counted.pupils["p1"].attendance == {"late": 3}
    assert d.drift() == []


def test_records_of_different_items_count_in_any_order(desk: Desk) -> None:
    d = desk
    made = d.lesson()
    sor = d.work("SOR", 10)
    d.write("R", sor, "p1", {"points": 7})
    d.write("F", made, "p1", {"points": 5})
    d.write("F", made, "p1", {"points": 6})
    records = d.pump.read()
    entries_first = sorted(records, key=lambda r: "#L#" in r["dynamodb"]["Keys"]["sk"]["S"] or
                           "#W#" in r["dynamodb"]["Keys"]["sk"]["S"])
    assert d.deliver(entries_first, batch_size=2) == []
    p1 = d.sheet().pupils["p1"]
    assert (p1.fo_sum, p1.fo_count, p1.sor_points, p1.sor_max) == (6, 1, 7, 10)
    assert d.drift() == []


def test_the_emulators_double_insert_is_counted_once(desk: Desk) -> None:
    d = desk
    made = d.lesson()
    d.write("F", made, "p1", {"points": 7})
    records = d.flush()
    inserts = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"].endswith("#p1") and r["eventName"] == "INSERT"]
    assert len(inserts) == 2 and "v" not in inserts[0]["dynamodb"]["NewImage"]
    assert (d.sheet().pupils["p1"].fo_sum, d.sheet().pupils["p1"].fo_count) == (7, 1)
    assert d.drift() == []


def test_a_deletion_subtracts_and_an_expiry_changes_nothing(desk: Desk) -> None:
    d = desk
    made = d.lesson()
    d.write("A", made, "p1", {"status": "absent"})
    d.write("F", made, "p2", {"points": 8})
    d.write("F", made, "p2", None)
    d.flush()
    table = settings().table("journal")
    dynamodb = boto3.client("dynamodb")
    for pupil, kind in (("p1", "A"), ("p2", "F")):
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": f"J#{d.journal_id}"},
                                                   "sk": {"S": store.entry_sk("T1", kind, made, pupil)}})
    removal, expiry = d.pump.read()
    expiry["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}  # p2's tombstone by TTL
    assert d.deliver([removal, expiry]) == []
    assert d.sheet().pupils == {} and d.sheet().marks == {}
    day = MONDAY.isoformat()
    assert counters.school_days(d.school_id, day, day) == {}
    d.entries.clear()
    d.write("F", made, "p2", {"points": 9})  # a new entry where the tombstone was: version 1 again
    d.flush()
    assert d.sheet().pupils["p2"].fo_sum == 9
    assert d.drift() == []


def test_reconciliation_finds_and_repairs_drift(desk: Desk) -> None:
    d = desk
    made = d.lesson()
    d.write("F", made, "p1", {"points": 7})
    d.write("A", made, "p1", {"status": "ill"})
    d.flush()
    d.write("F", made, "p1", {"points": 9})
    d.pump.read()  # lost: the stream let it go before it was counted
    drift = d.drift()
    assert {(x.what, x.stored, x.expected) for x in drift if x.sk == "T1"} == {
        ("p1.fo_sum", 7, 9), ("marks.4", 1, None), ("marks.5", None, 1)}
    assert reconcile_school(d.school_id, repair=True) == drift
    assert d.drift() == [] and d.sheet().pupils["p1"].fo_sum == 9
    d.write("F", made, "p1", {"points": 10})
    d.flush()  # the consumer goes on from the repaired counters
    assert d.sheet().pupils["p1"].fo_sum == 10 and d.drift() == []


def test_a_mark_entered_reaches_the_counters_and_the_parent(school: SmallSchool, pump: StreamPump) -> None:
    from app import journal_counters

    s = school
    made = lesson(s.teacher, s.journals["math"])["lesson_id"]
    s.teacher.ok("PUT", f"/v1/lessons/{made}/formative", {"entries": [{"student_id": s.pupils["p1"], "points": 8}]})
    records = pump.read()
    for _ in range(2):  # delivered twice: one notice, one count
        assert journal_counters({"Records": records}, None)["batchItemFailures"] == []
    assert counters.class_counters(s.journals["math"], "T1").pupils[s.pupils["p1"]].fo_sum == 8
    inbox = s.parent.ok("GET", "/v1/me/notifications")
    assert len(inbox) == 1 and "8" in inbox[0]["body"]
    assert reconcile_school(s.school_id) == []


def test_a_removed_lesson_or_work_counts_nothing_even_with_entries_left(desk: Desk) -> None:
    from chalicelib.store import corrections

    d = desk
    made, sor = d.lesson(), d.work("SOR", 20)
    d.write("A", made, "p1", {"status": "absent"})
    d.write("F", made, "p1", {"points": 7})
    d.write("R", sor, "p1", {"points": 15})
    d.flush()
    for item in (store.get_lesson(d.journal_id, store.lesson_sk("T1", MONDAY, 1)),
                 store.get_work(d.journal_id, store.work_sk("T1", sor))):
        corrections.remove(item, d.actor())  # its entries stay in the table
    d.flush()
    day = MONDAY.isoformat()
    assert d.sheet().pupils == {} and counters.lesson_counters(d.journal_id, "T1") == []
    assert not any(n for amounts in counters.teacher_days(d.school_id, "t1", day, day).values()
                   for n in amounts.values())
    assert counters.school_days(d.school_id, day, day) == {}
    assert d.drift() == []
    table, dynamodb = settings().table("journal"), boto3.client("dynamodb")
    for sk in (store.lesson_sk("T1", MONDAY, 1), store.work_sk("T1", sor)):  # the tombstones expire
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": f"J#{d.journal_id}"}, "sk": {"S": sk}})
    expiries = d.pump.read()
    for record in expiries:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert d.deliver(expiries) == []
    assert d.drift() == []


def test_each_sor_result_is_counted_so_the_mean_of_their_percentages_is_exact(desk: Desk) -> None:
    from chalicelib.store import corrections

    d = desk
    schools.put_settings(d.school_id, {"edit_window_days": None, "sor_method": "mean_of_percentages"})
    tuesday = date(2026, 10, 6)
    sor_1, sor_2, sor_3, soch = d.work("SOR", 10), d.work("SOR", 20), d.work("SOR", 30), d.work("SOCH", 20, tuesday)
    d.write("F", d.lesson(), "p1", {"points": 8})
    for work_id, points in ((sor_1, 5), (sor_2, 14), (sor_2, 20), (sor_3, 3), (soch, 18)):
        d.write("R", work_id, "p1", {"points": points}, day=tuesday if work_id == soch else MONDAY)
    records = d.flush()
    corrections.remove(store.get_work(d.journal_id, store.work_sk("T1", sor_3)), d.actor())  # its result leaves
    records += d.flush()
    again = [copy.deepcopy(r) for r in records]
    random.Random(3).shuffle(again)
    assert d.deliver(again, batch_size=3) == []
    sheet = d.sheet()
    assert sheet.pupils["p1"].sor_results == {sor_1: (5, 10), sor_2: (20, 20)}
    # 0.25*80 + 0.25*(50 + 100)/2 + 0.5*90 = 83.75 -> "4" (by points, 25/30: 85.83 -> "5")
    assert sheet.marks == {"4": 1} and d.drift() == []


def test_a_sheet_kept_before_each_sor_result_was_counted_is_completed(desk: Desk) -> None:
    d = desk
    schools.put_settings(d.school_id, {"edit_window_days": None, "sor_method": "mean_of_percentages"})
    sor_1, sor_2 = d.work("SOR", 10), d.work("SOR", 20)
    d.write("R", sor_1, "p1", {"points": 5})
    d.write("R", sor_2, "p1", {"points": 20})
    d.flush()
    held = counters.SheetItem.get(*counters.sheet_key(d.journal_id, "T1"))
    held.results = {}
    held.save()
    assert {x.what for x in d.drift()} == {f"p1.sor.{sor_1}", f"p1.sor.{sor_2}"}
    d.write("R", sor_2, "p1", {"points": 19})  # the work changes: its results are set from its ledger
    d.flush()
    assert d.sheet().pupils["p1"].sor_results == {sor_2: (19, 20)}
    assert {x.what for x in reconcile_school(d.school_id, repair=True)} == {f"p1.sor.{sor_1}"}
    assert d.sheet().pupils["p1"].sor_results == {sor_1: (5, 10), sor_2: (19, 20)} and d.drift() == []
