"""Parent notifications: the inbox through the API, e-mail (SES), SMS and push (SNS) as moto received them.

Events are built by hand here, as the journal stream's consumer will build them; time is given explicitly.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterator

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.channels import notify_guardians
from chalicelib.config import reset_settings, settings
from chalicelib.domain.dates import KZ_TZ
from chalicelib.domain.notices import Names, NoticeEvent
from chalicelib.jobs.digests import run_digest
from tests.integration.conftest import PASSWORD, Api, Campus, School, body, roster

MONDAY = date(2026, 10, 5)


def at(hh: int, mm: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 10, day, hh, mm, tzinfo=KZ_TZ)


@dataclass
class Family:
    """Pupil `student` (Ерлан) of school a with three guardians: `parent` (kk, no address), `mama` (ru, e-mail,
    phone; also guardian of `pupil2`, Іңкәр) and `papa` (kk, e-mail); a subject named differently in kk and ru."""

    school: School
    mama: Api
    papa: Api
    subject_id: str

    def event(self, version: int = 1, *, pupil: str = "student", entry: str = "L1", kind: str = "formative",
              when: datetime | None = None, **values: Any) -> NoticeEvent:
        student = self.school.people[pupil]
        defaults: dict[str, Any] = {"formative": {"points": 7, "max_points": 10, "lesson_date": MONDAY},
                                    "attendance": {"status": "absent", "lesson_date": MONDAY}}.get(kind, {})
        return NoticeEvent(kind=kind, student_id=student, journal_id=self.school.journal_id,
                           subject_id=self.subject_id, source_key=f"J#{self.school.journal_id}|T1#F#{entry}#{student}",
                           source_version=version, occurred_at=when or at(10), **{**defaults, **values})


@pytest.fixture()
def family(campus: Campus) -> Family:
    a = campus.a
    n = a.number
    subject_id = a.admin.ok("POST", f"/v1/schools/{a.school_id}/subjects",
                            {"code": "selfknow", "name": {"kk": "Өзін-өзі тану", "ru": "Самопознание"},
                             "assessment": "criteria"}, status=201)["subject_id"]
    rows = roster(f"parent,M{n},Смирнова,Ольга,,,mama{n},{PASSWORD},S{n};S{n}b,ru,olga@example.kz,+77011234567",
                  f"parent,F{n},Сәрсенов,Бауыржан,,,papa{n},{PASSWORD},S{n},kk,baurzhan@example.kz,")
    a.admin.ok("POST", f"/v1/schools/{a.school_id}/roster", raw=rows, content_type="text/csv")
    boto3.client("ses").verify_domain_identity(Domain="ejournal.kz")
    return Family(a, campus.ministry.as_user(f"mama{n}", PASSWORD), campus.ministry.as_user(f"papa{n}", PASSWORD),
                  subject_id)


@pytest.fixture()
def push_app(family: Family, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    arn = boto3.client("sns").create_platform_application(Name="ejournal", Platform="GCM",
                                                          Attributes={})["PlatformApplicationArn"]
    monkeypatch.setenv("PUSH_APPLICATION_ARN", arn)
    reset_settings()
    yield arn
    monkeypatch.delenv("PUSH_APPLICATION_ARN")
    reset_settings()


def emails() -> list[Any]:
    return ses_backends[DEFAULT_ACCOUNT_ID][settings().region].sent_messages


def sms() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][settings().region].sms_messages.values())


def pushes() -> list[dict[str, Any]]:
    backend = sns_backends[DEFAULT_ACCOUNT_ID][settings().region]
    return [json.loads(m) for e in backend.platform_endpoints.values() for m in e.messages.values()]


def inbox(api: Api, query: str = "") -> list[dict[str, Any]]:
    return api.ok("GET", f"/v1/me/notifications{query}")


# The inbox --------------------------------------------------------------------------------------------------

def test_each_guardian_gets_one_inbox_item_in_their_own_language(family: Family) -> None:
    assert notify_guardians(family.event(feedback="Жарайсың!"), now=at(10)) == 3
    (kk,) = inbox(family.school.parent)
    (ru,) = inbox(family.mama)
    assert kk["title"] == "Қалыптастырушы бағалау: Өзін-өзі тану" and kk["language"] == "kk"
    assert kk["body"] == (f"Ерлан {family.school.names[2]}, 05.10.2026, Өзін-өзі тану: 10 балдан 7 балл.\n"
                          "Мұғалімнің кері байланысы: Жарайсың!")
    assert ru["title"] == "Формативное оценивание: Самопознание" and ru["language"] == "ru"
    assert ru["body"].startswith(f"Ерлан {family.school.names[2]}, 05.10.2026, Самопознание: 7 из 10 баллов.")
    assert (kk["student_id"], kk["kind"], kk["read"], kk["created_at"]) == \
        (family.school.people["student"], "formative", False, "2026-10-05T10:00:00.000+05:00")
    assert len(inbox(family.papa)) == 1
    assert inbox(family.school.student) == []  # the pupil is not their own guardian


def test_the_same_event_twice_writes_one_item_and_queues_one_message(family: Family) -> None:
    assert notify_guardians(family.event(), now=at(10)) == 3
    assert notify_guardians(family.event(), now=at(10, 1)) == 0
    assert len(inbox(family.papa)) == 1
    run_digest(at(19))
    assert sorted(m.destinations["ToAddresses"][0] for m in emails()) == ["baurzhan@example.kz", "olga@example.kz"]


def test_versions_in_any_order_leave_the_newest_text(family: Family) -> None:
    newest, older = family.event(2, points=9), family.event(1, points=3)
    assert notify_guardians(newest, now=at(10)) == 3
    assert notify_guardians(older, now=at(10, 1)) == 0
    (item,) = inbox(family.papa)
    assert "10 балдан 9 балл" in item["body"]
    run_digest(at(19))
    (mail,) = [m for m in emails() if m.destinations["ToAddresses"] == ["baurzhan@example.kz"]]
    assert "10 балдан 9 балл" in mail.body and "10 балдан 3 балл" not in mail.body


def test_a_correction_replaces_the_item_in_place_and_is_unread_again(family: Family) -> None:
    notify_guardians(family.event(1, points=4), now=at(10))
    (first,) = inbox(family.papa)
    family.papa.ok("POST", f"/v1/me/notifications/{first['notification_id']}/read")
    assert inbox(family.papa, "?unread=true") == []
    notify_guardians(family.event(2, points=8, when=at(10, 5)), now=at(10, 5))
    (second,) = inbox(family.papa)
    assert second["notification_id"] != first["notification_id"] and not second["read"]
    assert "10 балдан 8 балл" in second["body"]
    assert [i["notification_id"] for i in inbox(family.papa, "?unread=true")] == [second["notification_id"]]
    stale = family.papa.call("POST", f"/v1/me/notifications/{first['notification_id']}/read")
    assert stale.status_code == 404  # that version is gone: reading it does not mark the correction read


def test_a_withdrawn_absence_disappears_and_sends_nothing(family: Family) -> None:
    family.mama.ok("PUT", "/v1/me/preferences", {"channels": {"sms": "immediate", "email": "immediate"}})
    notify_guardians(family.event(1, kind="attendance", status="absent"), now=at(10))
    assert len(inbox(family.mama)) == 1
    assert notify_guardians(family.event(2, kind="attendance", status="present"), now=at(10, 2)) == 3
    assert inbox(family.mama) == []
    assert notify_guardians(family.event(1, kind="attendance", status="absent"), now=at(10, 3)) == 0  # late replay
    run_digest(at(19, 30))
    assert inbox(family.mama) == [] and emails() == [] and sms() == []


def test_a_pupil_without_guardians_is_nobodys_news(family: Family) -> None:
    assert notify_guardians(family.event(pupil="pupil2"), now=at(10)) == 1  # mama only
    assert notify_guardians(NoticeEvent(kind="formative", student_id="12345", journal_id="1", source_key="k",
                                        source_version=1, occurred_at=at(10), subject=Names("А", "А"),
                                        points=1, max_points=10), now=at(10)) == 0


# Reading and security ---------------------------------------------------------------------------------------

def test_a_guardian_reads_and_marks_only_their_own_notifications(family: Family) -> None:
    notify_guardians(family.event(), now=at(10))
    (theirs,) = inbox(family.school.parent)
    for path in (f"/v1/me/notifications/{theirs['notification_id']}/read", "/v1/me/notifications/123/read",
                 "/v1/me/notifications/not-an-id/read"):
        response = family.mama.call("POST", path)
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("application/problem+json")
    assert inbox(family.school.parent)[0]["read"] is False
    assert family.school.parent.ok("POST", f"/v1/me/notifications/{theirs['notification_id']}/read")["read"] is True
    assert inbox(family.school.parent, "?unread=true") == []
    assert family.school.parent.call("GET", "/v1/me/notifications", headers={"Authorization": ""}).status_code == 401


def _next(response: Any) -> str | None:
    link = response.headers.get("Link") or response.headers.get("link")
    return re.fullmatch(r'<(.+)>; rel="next"', link)[1] if link else None


def test_the_inbox_is_paged_newest_first_with_a_cursor(family: Family) -> None:
    for minute in range(5):
        notify_guardians(family.event(entry=f"L{minute}", points=minute + 1, when=at(10, minute)), now=at(10, minute))
    seen, path = [], "/v1/me/notifications?limit=2"
    while path:
        response = family.papa.call("GET", path)
        assert response.status_code == 200
        seen.append([item["created_at"][11:16] for item in body(response)])
        path = _next(response)
    assert seen == [["10:04", "10:03"], ["10:02", "10:01"], ["10:00"]]
    items = inbox(family.papa)
    for item in items[:3]:
        family.papa.ok("POST", f"/v1/me/notifications/{item['notification_id']}/read")
    first = family.papa.call("GET", "/v1/me/notifications?unread=true&limit=1")
    assert [i["created_at"][11:16] for i in body(first)] == ["10:01"]
    second = family.papa.call("GET", _next(first))
    assert [i["created_at"][11:16] for i in body(second)] == ["10:00"] and _next(second) is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "unread=yes", "cursor=%25%25",
                                   "cursor=eyJzIjoiTyNlbWFpbCIsIm8iOiIxIn0"])
def test_bad_paging_parameters(family: Family, query: str) -> None:
    response = family.papa.call("GET", f"/v1/me/notifications?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")


# Preferences ------------------------------------------------------------------------------------------------

def test_preferences_show_the_defaults_then_what_was_chosen(family: Family) -> None:
    assert family.mama.ok("GET", "/v1/me/preferences") == {
        "language": "ru", "channels": {"inbox": "immediate", "email": "daily", "sms": "off", "push": "immediate"},
        "quiet_hours": {"from": "22:00", "to": "07:00"}}
    assert family.school.parent.ok("GET", "/v1/me/preferences")["channels"]["email"] == "off"  # no address
    changed = family.mama.ok("PUT", "/v1/me/preferences", {"language": "kk", "channels": {"sms": "immediate"},
                                                            "quiet_hours": {"from": "21:00", "to": "08:30"}})
    assert changed == {"language": "kk",
                       "channels": {"inbox": "immediate", "email": "daily", "sms": "immediate", "push": "immediate"},
                       "quiet_hours": {"from": "21:00", "to": "08:30"}}
    assert family.mama.ok("GET", "/v1/me")["language"] == "kk"
    assert family.mama.ok("PUT", "/v1/me/preferences", {"quiet_hours": None})["quiet_hours"] is None
    notify_guardians(family.event(), now=at(10))
    assert inbox(family.mama)[0]["language"] == "kk"


@pytest.mark.parametrize(("payload", "status", "fields"), [
    ({"channels": {"email": "hourly"}}, 422, ["channels.email"]),
    ({"channels": {"inbox": "off"}}, 422, ["channels.inbox"]),
    ({"language": "en"}, 422, ["language"]),
    ({"quiet_hours": {"from": "22:00", "to": "22:00"}}, 422, ["quiet_hours"]),
    ({"quiet_hours": {"from": "10 pm", "to": "07:00"}}, 422, ["quiet_hours"]),
    ({"channels": {"fax": "immediate"}}, 400, ["channels.fax"]),
    ({"channels": "all"}, 400, ["channels"]),
    ({"quiet_hours": {"from": "22:00"}}, 400, ["quiet_hours.to"]),
    ({"theme": "dark"}, 400, ["theme"]),
])
def test_preferences_that_are_refused(family: Family, payload: dict, status: int, fields: list[str]) -> None:
    response = family.mama.call("PUT", "/v1/me/preferences", payload)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in body(response)["errors"]] == fields
    assert family.mama.ok("GET", "/v1/me/preferences")["channels"]["email"] == "daily"  # nothing changed


# E-mail, SMS and push ---------------------------------------------------------------------------------------

def test_the_daily_digest_covers_every_child_and_skips_what_was_read(family: Family) -> None:
    notify_guardians(family.event(entry="L1", points=6), now=at(9))
    notify_guardians(family.event(entry="L2", pupil="pupil2", points=9, feedback="Молодец"), now=at(11))
    notify_guardians(family.event(entry="L3", kind="attendance", status="late"), now=at(12))
    read = next(i for i in inbox(family.mama) if i["kind"] == "attendance")
    family.mama.ok("POST", f"/v1/me/notifications/{read['notification_id']}/read")
    assert run_digest(at(18, 59)) == {} and emails() == []
    assert run_digest(at(19)) == {"email": 2}  # mama's digest and papa's
    (mail,) = [m for m in emails() if m.destinations["ToAddresses"] == ["olga@example.kz"]]
    names = family.school.names
    assert mail.subject == "Ежедневная сводка, 05.10.2026"
    assert mail.body == (f"Ерлан {names[2]}:\n• 05.10.2026, Самопознание: 6 из 10 баллов\n\n"
                         f"Іңкәр {names[3]}:\n• 05.10.2026, Самопознание: 9 из 10 баллов\n  Отзыв учителя: Молодец")
    assert mail.source == "noreply@ejournal.kz"
    (papa,) = [m for m in emails() if m.destinations["ToAddresses"] == ["baurzhan@example.kz"]]
    assert papa.subject == "Күнделікті хабарлама, 05.10.2026" and "сабаққа кешікті" in papa.body
    assert run_digest(at(19, 1)) == {}  # nothing twice


def test_sms_coalesces_a_pupils_marks_within_the_window(family: Family) -> None:
    family.mama.ok("PUT", "/v1/me/preferences", {"channels": {"sms": "immediate", "email": "off"}})
    for minute, entry in ((0, "L1"), (4, "L2"), (8, "L3")):
        notify_guardians(family.event(entry=entry, points=minute + 2), now=at(10, minute))
    assert run_digest(at(10, 9)) == {} and sms() == []
    assert run_digest(at(10, 10)) == {"sms": 1}
    ((phone, text),) = sms()
    assert phone == "+77011234567"
    assert text.startswith(f"Ерлан {family.school.names[2]}: новых сообщений — 3: ")
    assert run_digest(at(10, 30)) == {}


def test_quiet_hours_hold_messages_until_morning_but_not_the_inbox(family: Family) -> None:
    family.mama.ok("PUT", "/v1/me/preferences", {"channels": {"sms": "immediate"}})
    notify_guardians(family.event(), now=at(21, 55))
    assert len(inbox(family.mama)) == 1
    assert run_digest(at(22, 10)) == {} and run_digest(at(6, 59, 6)) == {}
    assert run_digest(at(7, 0, 6)) == {"sms": 1}


def test_quiet_hours_chosen_after_queueing_still_hold_the_message(family: Family) -> None:
    family.mama.ok("PUT", "/v1/me/preferences", {"channels": {"sms": "immediate"}})
    notify_guardians(family.event(), now=at(12))
    family.mama.ok("PUT", "/v1/me/preferences", {"quiet_hours": {"from": "12:00", "to": "13:00"}})
    assert run_digest(at(12, 10)) == {}
    assert run_digest(at(13)) == {"sms": 1}


def test_a_correction_in_the_window_replaces_and_a_change_back_sends_nothing(family: Family) -> None:
    family.mama.ok("PUT", "/v1/me/preferences", {"channels": {"sms": "immediate", "email": "off"}})
    notify_guardians(family.event(1, points=4), now=at(10))
    notify_guardians(family.event(2, points=8), now=at(10, 5))
    assert run_digest(at(10, 10)) == {"sms": 1}
    assert "8 из 10 баллов" in sms()[0][1] and "4 из 10" not in sms()[0][1]
    notify_guardians(family.event(3, points=5), now=at(11))
    notify_guardians(family.event(4, points=8), now=at(11, 3))  # back to what was sent
    assert run_digest(at(11, 30)) == {} and len(sms()) == 1


def test_a_channel_turned_off_cancels_what_waits(family: Family) -> None:
    notify_guardians(family.event(), now=at(10))
    family.mama.ok("PUT", "/v1/me/preferences", {"channels": {"email": "off"}})
    assert run_digest(at(19)) == {"email": 1}  # papa's only
    assert [m.destinations["ToAddresses"] for m in emails()] == [["baurzhan@example.kz"]]


def test_push_reaches_registered_devices_in_the_guardians_language(family: Family, push_app: str) -> None:
    device = family.papa.ok("POST", "/v1/me/devices", {"token": "papa-phone-token"}, status=201)
    again = family.papa.ok("POST", "/v1/me/devices", {"token": "papa-phone-token"}, status=200)
    assert again["device_id"] == device["device_id"]
    notify_guardians(family.event(), now=at(10))
    assert run_digest(at(10, 10)) == {"push": 1}
    (push,) = pushes()
    note = json.loads(push["GCM"])["notification"]
    assert note["title"] == "Қалыптастырушы бағалау: Өзін-өзі тану"
    assert note["body"].startswith(f"Ерлан {family.school.names[2]}, 05.10.2026, Өзін-өзі тану: 10 балдан 7 балл")
    assert family.papa.call("DELETE", f"/v1/me/devices/{device['device_id']}").status_code == 204
    assert family.papa.call("DELETE", f"/v1/me/devices/{device['device_id']}").status_code == 404
    notify_guardians(family.event(entry="L2"), now=at(11))
    assert run_digest(at(11, 10)) == {} and len(pushes()) == 1


def test_a_device_handed_to_another_person_stops_the_first_ones_pushes(family: Family, push_app: str) -> None:
    family.papa.ok("POST", "/v1/me/devices", {"token": "shared-tablet"}, status=201)
    family.mama.ok("POST", "/v1/me/devices", {"token": "shared-tablet"}, status=201)
    notify_guardians(family.event(), now=at(10))
    assert run_digest(at(10, 10)) == {"push": 1}
    (push,) = pushes()
    assert json.loads(push["GCM"])["notification"]["title"] == "Формативное оценивание: Самопознание"


def test_devices_cannot_register_without_a_push_application(family: Family) -> None:
    response = family.papa.call("POST", "/v1/me/devices", {"token": "t"})
    assert (response.status_code, body(response)["type"]) == (404, "https://ejournal.kz/problems/push-unavailable")
    assert family.papa.call("POST", "/v1/me/devices", {"token": "  "}).status_code == 422
    assert family.papa.call("POST", "/v1/me/devices", {"token": 5}).status_code == 400


def test_a_refused_message_waits_for_the_next_run_and_nothing_personal_is_logged(
        family: Family, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("MAIL_FROM", "noreply@unverified.example")
    reset_settings()
    notify_guardians(family.event(feedback="Жарайсың"), now=at(10))
    with caplog.at_level(logging.DEBUG, logger="chalicelib"):
        assert run_digest(at(19)) == {}
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("chalicelib"))
    assert "MessageRejected" in ours
    for personal in ("olga@example.kz", "baurzhan@example.kz", "Ерлан", "Жарайсың", *family.school.names):
        assert personal not in ours
    monkeypatch.delenv("MAIL_FROM")
    reset_settings()
    assert run_digest(at(19, 1)) == {"email": 2}
