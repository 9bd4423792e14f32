"""The journal grid and what every journal route shares: finding the journal, the rules that apply, the writer.

`GET /v1/journals/{journal_id}?period=T1` is two Queries: the class's pupils (directory, `by_class`) and the
journal partition's items of the period's terms (journal table), plus one GetItem of the journal itself.
Every write runs inside `admit`, which holds the gate of its term (store.journal.writing) while it runs, but
formative entries and results: those read the gate once they are noted (api.entries, store.journal.shut).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalice import Blueprint

from chalicelib.api.http import Call, Query, endpoint
from chalicelib.api.views import target_of
from chalicelib.auth import authorize
from chalicelib.domain import calendar, dates
from chalicelib.domain.collation import sort_people
from chalicelib.domain.errors import BadRequest, FieldError, NotFound
from chalicelib.domain.journal import (
    DEFAULT_EDIT_WINDOW_DAYS, MAX_TEXT, PERIODS, EditWindow, FormativeScale, Marking, RulesBroken, SchoolCalendar,
    Violation, terms_of, writer_role,
)
from chalicelib.domain.policy import Action, Caller, Role
from chalicelib.store import audit, membership, people, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SubjectItem

__all__ = [
    "bp", "Rules", "visible_journal", "rules_of", "school_calendar", "admit", "parse_day", "lesson_view",
    "work_view", "entry_view", "pupil_view", "audit_view", "history_limits", "HISTORY_QUERY",
]

bp = Blueprint(__name__)


@dataclass(frozen=True, slots=True)
class Rules:
    """What applies to writes in one journal: its class, subject, marking, the school's edit window and FO scale."""

    journal: JournalItem
    klass: ClassItem
    subject: SubjectItem
    marking: Marking
    window: EditWindow
    scale: FormativeScale


def visible_journal(caller: Caller, journal_id: str, action: Action) -> JournalItem:
    """The journal if `caller` may do `action` on it: 404 if unknown or hidden, 403 if the role may not."""
    journal = schools.get_journal(journal_id)
    if journal is None:
        raise NotFound("No such journal.")
    authorize(caller, action, target_of(journal), what="journal")
    return journal


def rules_of(journal: JournalItem) -> Rules:
    klass = schools.get_class(journal.class_id)
    subject = schools.get_subject(journal.subject_id)
    if klass is None or subject is None:
        raise NotFound("The journal's class or subject no longer exists.")
    settings = schools.get_settings(journal.school_id)
    days = DEFAULT_EDIT_WINDOW_DAYS if settings is None else (
        None if settings.unlimited else int(settings.edit_window_days))
    scale = FormativeScale() if settings is None or settings.fo_max is None else FormativeScale(
        high=int(settings.fo_max))
    return Rules(journal, klass, subject, Marking(int(klass.grade), subject.assessment), EditWindow(days), scale)


def school_calendar(school_id: str, year: int, grade: int) -> SchoolCalendar:
    """The school's periods, holidays and breaks: its own where it set them, the national ones otherwise."""
    own_periods = schools.get_override(school_id, f"PERIODS#{year}#{grade}")
    own_holidays = schools.get_override(school_id, f"HOLIDAYS#{year}")
    try:
        if own_periods is not None:
            periods = {p["period"]: (date.fromisoformat(p["start"]), date.fromisoformat(p["end"]))
                       for p in own_periods}
            breaks: tuple[tuple[date, date], ...] = ()
        else:
            periods = {p.code: (p.start, p.end) for p in calendar.periods(year, grade)}
            breaks = tuple(calendar.breaks(year, grade))
        holidays = (frozenset(date.fromisoformat(h["date"]) for h in own_holidays) if own_holidays is not None
                    else frozenset(h.date for h in calendar.holidays(year)))
    except calendar.CalendarUnknown:
        raise RulesBroken("No calendar is known for this class's school year.",
                          [Violation("date-outside-period", "date", f"no calendar for the school year {year}")]) \
            from None
    return SchoolCalendar(periods, holidays, breaks)


@contextmanager
def admit(rules: Rules, caller: Caller, day: date, term: str, reason: str | None, *,
          gated: bool = True) -> Iterator[store.Actor]:
    """The writer of a change dated `day` in `term`, for the writes made inside the block: 409 if the period is
    closed or the edit window passed. The block runs holding the term's gate, so a close waits for it, unless
    `gated` is False: formative entries and results, which api.entries notes and checks against the gate."""
    if reason is not None and len(reason) > MAX_TEXT:
        raise RulesBroken("The reason is too long.",
                          [Violation("too-long", "reason", f"at most {MAX_TEXT} characters")])
    with store.writing(rules.journal.journal_id, term) if gated else nullcontext():
        role = writer_role(rules.window, day, dates.today_kz(),
                           teacher=rules.journal.journal_id in caller.journals,
                           admin=caller.has(Role.SCHOOL_ADMIN, rules.journal.school_id), reason=reason)
        yield store.Actor(caller.person_id, role, dates.to_rfc3339(dates.now_kz()), (reason or "").strip() or None)


def parse_day(text: str, field: str = "date") -> date:
    try:
        return dates.parse_date(text)
    except dates.InvalidDate as exc:
        raise RulesBroken("The date is not valid.", [Violation("invalid-date", field, str(exc))]) from None


def lesson_view(lesson: store.Lesson) -> dict[str, Any]:
    return {"lesson_id": lesson.lesson_id, "journal_id": lesson.pk[2:], "date": store.date_of(lesson),
            "number": int(lesson.number), "topic": lesson.topic, "homework": lesson.homework,
            "objectives": list(lesson.objectives or []), "room": lesson.room, "substitute_id": lesson.substitute,
            "cancelled": lesson.cancelled, "version": int(lesson.version)}


def work_view(work: store.Work) -> dict[str, Any]:
    return {"work_id": work.work_id, "journal_id": work.pk[2:], "kind": work.kind, "period": work.period,
            "date": store.date_of(work), "title": work.title, "max_points": int(work.max_points),
            "criteria": work.criteria or [], "objectives": list(work.objectives or []),
            "version": int(work.version)}


def entry_view(entry: store.Entry) -> dict[str, Any]:
    _, kind, target, pupil = store.parse_entry_sk(entry.sk)
    target_field = "work_id" if kind == "R" else "lesson_id"
    return {"kind": store.KINDS[kind], target_field: target, "student_id": pupil,
            **(store.entry_values(entry) or {}), "version": int(entry.version), "at": entry.at}


def pupil_view(p: PersonItem) -> dict[str, Any]:
    return {"student_id": p.person_id, "last_name": p.last_name, "first_name": p.first_name,
            "middle_name": p.middle_name, "display_name": people.display_name(p)}


def audit_view(record: audit.AuditRecord, names: dict[str, str]) -> dict[str, Any]:
    target_field = "work_id" if record.what in ("result", "work") else "lesson_id"
    return {"at": record.at, "actor": record.by, "actor_name": names.get(record.by or ""), "role": record.role,
            "what": record.what, "journal_id": record.journal_id, target_field: record.target_id,
            "date": record.day, "before": record.before, "after": record.after, "reason": record.reason,
            "version": int(record.version)}


HISTORY_QUERY = {  # what `history_limits` reads
    "limit": Query.integer("How many changes: 1..500, default 100", 1, 500),
    "before": Query("Only changes before this RFC 3339 timestamp, e.g. 2026-09-01T08:30:00+05:00 (the next page)"),
}


def history_limits(call: Call) -> tuple[int, str | None]:
    """`limit` (1..500, default 100) and `before` (an RFC 3339 timestamp) of a history route."""
    raw, before = call.query("limit", "100"), call.query("before")
    if not (raw or "").isdigit() or not 1 <= int(raw) <= 500:
        raise BadRequest("limit is an integer 1..500.", [FieldError("limit", "an integer 1..500")])
    if before is None:
        return int(raw), None
    try:
        return int(raw), dates.to_rfc3339(dates.parse_timestamp(before))
    except dates.InvalidDate as exc:
        raise BadRequest("before is an RFC 3339 timestamp.", [FieldError("before", str(exc))]) from None


def actor_names(ids: set[str | None]) -> dict[str, str]:
    """Display names of the people who wrote (one BatchGetItem)."""
    keys = [(people.person_key(pid), "#") for pid in sorted(i for i in ids if i)]
    return {p.person_id: people.display_name(p) for p in PersonItem.batch_get(keys)} if keys else {}


@endpoint(bp, "/v1/journals/{journal_id}", summary="The journal grid of a period: pupils, lessons, works, entries",
          statuses=(200, 400, 403, 404),
          query={"period": Query.one_of("The period: " + ", ".join(PERIODS), PERIODS, required=True)})
def grid(call: Call, journal_id: str) -> dict[str, Any]:
    period = call.query("period")
    if period not in PERIODS:
        raise BadRequest("period is one of " + ", ".join(PERIODS) + ".",
                         [FieldError("period", "one of " + ", ".join(PERIODS))])
    journal = visible_journal(call.caller, journal_id, Action.READ_JOURNAL)
    pupils = sort_people(membership.pupils_of_journal(journal))
    found = store.read_period(journal_id, *terms_of(period))
    order = {p.person_id: i for i, p in enumerate(pupils)}
    entries = sorted(found.entries, key=lambda e: (order.get(store.parse_entry_sk(e.sk)[3], len(order)), e.sk))
    return {
        "journal_id": journal_id, "class_id": journal.class_id, "subject_id": journal.subject_id,
        "period": period,
        "students": [{**pupil_view(p), **membership.enrolment_view(journal, p.person_id)} for p in pupils],
        "lessons": [lesson_view(lesson) for lesson in sorted(found.lessons, key=lambda x: x.sk.split("#", 1)[1])],
        "works": [work_view(w) for w in sorted(found.works, key=lambda w: (store.date_of(w), w.work_id))],
        "entries": [entry_view(e) for e in entries],
    }


@endpoint(bp, "/v1/journals/{journal_id}/history", summary="Changes of a journal's lessons and works",
          statuses=(200, 400, 403, 404), query=HISTORY_QUERY)
def journal_history(call: Call, journal_id: str) -> list[dict[str, Any]]:
    limit, before = history_limits(call)
    visible_journal(call.caller, journal_id, Action.READ_JOURNAL)
    records = audit.history(f"J#{journal_id}", limit, before)
    names = actor_names({r.by for r in records})
    return [audit_view(r, names) for r in records]
