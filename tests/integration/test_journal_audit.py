"""The audit trail from the journal table's stream: history, exactly one item per change, reconciliation."""
from __future__ import annotations

import copy
from urllib.parse import quote

from chalicelib.jobs.audit_reconciliation import reconcile_journal
from chalicelib.store.audit import AuditRecord
from tests.integration.school import SmallSchool, StreamPump, lesson, pump, school, today  # noqa: F401


def formative(s: SmallSchool, lesson_id: str, **entry: object) -> None:
    s.teacher.ok("PUT", f"/v1/lessons/{lesson_id}/formative", {"entries": [{"student_id": s.pupils["p1"], **entry}]})


def test_history_shows_every_write_change_and_removal(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"])["lesson_id"]
    formative(s, made, points=6)
    formative(s, made, points=8, feedback="Жақсы")
    s.admin.ok("PUT", f"/v1/lessons/{made}/formative",
               {"entries": [{"student_id": s.pupils["p1"]}], "reason": "wrong pupil"})
    s.teacher.ok("PUT", f"/v1/lessons/{made}/attendance",
                 {"entries": [{"student_id": s.pupils["p2"], "status": "ill"}]})
    pump()
    history = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/history")
    assert [(h["what"], h["before"], h["after"]) for h in history] == [
        ("formative", {"points": 8, "feedback": "Жақсы", "objectives": []}, None),
        ("formative", {"points": 6, "feedback": None, "objectives": []},
         {"points": 8, "feedback": "Жақсы", "objectives": []}),
        ("formative", None, {"points": 6, "feedback": None, "objectives": []}),
    ]
    removal = history[0]
    assert (removal["actor"], removal["role"], removal["reason"]) == (s.people["admin"], "school_admin",
                                                                       "wrong pupil")
    assert history[1]["actor_name"] == "Нұрланова Гүлнар" and history[1]["role"] == "teacher"
    assert history[0]["subject"]["code"] == "math" and history[0]["lesson_id"] == made
    assert s.student.ok("GET", f"/v1/students/{s.pupils['p1']}/history?limit=1") == history[:1]
    older = s.student.ok("GET", f"/v1/students/{s.pupils['p1']}/history?before={quote(history[1]['at'])}")
    assert older == history[2:]
    assert reconcile_journal(s.journals["math"]) == []


def test_replayed_and_duplicated_records_write_nothing_twice(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"])["lesson_id"]
    formative(s, made, points=6)
    formative(s, made, points=7)
    records = pump.read()
    assert pump.deliver(records) == []
    items = AuditRecord.count(f"S#{s.pupils['p1']}")
    duplicated = [copy.deepcopy(r) for r in records]
    for r in duplicated:
        r["eventID"] += "-again"
    assert pump.deliver(records + duplicated, batch_size=3) == []
    assert AuditRecord.count(f"S#{s.pupils['p1']}") == items == 2


def test_a_bad_record_is_reported_and_the_rest_of_the_batch_counts(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"])["lesson_id"]
    formative(s, made, points=6)
    records = pump.read()
    broken = copy.deepcopy(records[-1])
    del broken["dynamodb"]["NewImage"]["pk"]
    broken["dynamodb"]["SequenceNumber"] = "999"
    failures = pump.deliver([broken, *records])
    assert failures == [{"itemIdentifier": "999"}]
    assert AuditRecord.count(f"S#{s.pupils['p1']}") == 1


def test_expiry_of_a_tombstone_is_not_a_change(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"])["lesson_id"]
    formative(s, made, points=6)
    formative(s, made)
    records = pump.read()
    removal = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith("J#")][-1]  # not a write note
    tombstone = removal["dynamodb"]["NewImage"]
    expiry = {**copy.deepcopy(removal), "eventName": "REMOVE", "eventID": "ttl",
              "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}}
    expiry["dynamodb"] = {**expiry["dynamodb"], "OldImage": tombstone, "SequenceNumber": "1000"}
    del expiry["dynamodb"]["NewImage"]
    assert pump.deliver([*records, expiry]) == []
    assert AuditRecord.count(f"S#{s.pupils['p1']}") == 2


def test_reconciliation_finds_a_missing_record(school: SmallSchool, pump: StreamPump) -> None:
    s = school
    made = lesson(s.teacher, s.journals["math"], topic="Бөлшектер")["lesson_id"]
    s.teacher.ok("PATCH", f"/v1/lessons/{made}", {"homework": "№ 7"})
    formative(s, made, points=6)
    formative(s, made, points=7)
    formative(s, made, points=8)
    pump()
    assert reconcile_journal(s.journals["math"]) == []
    lost = s.parent.ok("GET", f"/v1/students/{s.pupils['p1']}/history")[1]  # version 2
    AuditRecord(f"S#{s.pupils['p1']}", next(r.sk for r in AuditRecord.query(f"S#{s.pupils['p1']}")
                                            if r.at == lost["at"])).delete()
    gaps = reconcile_journal(s.journals["math"])
    assert [(g.version, g.sk.split("#")[1]) for g in gaps] == [(2, "F")]
    journal = s.teacher.ok("GET", f"/v1/journals/{s.journals['math']}/history")
    assert [(h["what"], h["before"], h["after"]["homework"]) for h in journal] == [
        ("lesson", {"topic": "Бөлшектер", "homework": None, "objectives": []}, "№ 7"),
        ("lesson", None, None)]
