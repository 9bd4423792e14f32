"""Who asks and what they may see: the token (`Access-Token` header or `access_token` query), the request's
ids and dates, and the v1 authorisation policy applied to pupils, classes and lessons.

Every denial is `NotVisible` (parameterInvalid, 404): an object the caller may not see looks like no object.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote

from chalicelib.api.kundelik.envelope import InvalidToken, NotVisible, ParameterInvalid
from chalicelib.api.views import target_of
from chalicelib.auth import authorize
from chalicelib.domain import kundelik as v2
from chalicelib.domain.ids import is_id
from chalicelib.domain.policy import Action, Caller, Target, Verdict, decide
from chalicelib.store import journal as store
from chalicelib.store import people, schools
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem

__all__ = ["Call", "Family", "caller_of_request", "family_of", "visible_pupil", "visible_class",
           "visible_lesson", "visible_school"]


def caller_of_request(request: Any) -> Caller:
    """The caller behind the request's `Access-Token` header or `access_token` query parameter."""
    token = (request.headers.get("access-token") or (request.query_params or {}).get("access_token") or "").strip()
    if not token:
        raise InvalidToken("Send the token as the Access-Token header or the access_token query parameter.")
    from chalicelib.auth.identity import authenticate_token  # PyJWT and cryptography: only once a token comes

    return authenticate_token(token)


@dataclass(frozen=True, slots=True)
class Call:
    """One v2 request: the caller, the path parameters (URL-decoded) and the query."""

    caller: Caller
    params: dict[str, str]
    query: dict[str, str]

    def id(self, name: str) -> str:
        """The path parameter `name` as an id (parameterInvalid 400 if it cannot be one)."""
        value = self.params[name]
        if not is_id(value):
            raise ParameterInvalid(f"{name} must be a positive 64-bit integer id.")
        return value

    def days(self, max_days: int) -> tuple[date, date]:
        """The range of the path parameters `start` and `end`, both days included."""
        try:
            return v2.day_range(self.params["start"], self.params["end"], max_days)
        except v2.BadDate as exc:
            raise ParameterInvalid(str(exc)) from None

    def query_days(self, max_days: int) -> tuple[date, date]:
        """`startDate`/`endDate` (or `from`/`to`) query parameters as a range, both days included."""
        start = self.query.get("startDate") or self.query.get("from")
        end = self.query.get("endDate") or self.query.get("to")
        if not start or not end:
            raise ParameterInvalid("startDate and endDate are required.")
        try:
            return v2.day_range(start, end, max_days)
        except v2.BadDate as exc:
            raise ParameterInvalid(str(exc)) from None

    @classmethod
    def of(cls, caller: Caller, params: dict[str, str], query: dict[str, str] | None) -> Call:
        return cls(caller, {k: unquote(v) for k, v in params.items()}, dict(query or {}))


@dataclass(frozen=True, slots=True)
class Family:
    """The caller as a pupil or a parent: their own directory entry and their children's school and class."""

    person: PersonItem
    children: dict[str, tuple[str | None, str | None]]  # child -> (school_id, class_id)

    def own_class(self) -> str | None:
        return self.person.class_id if self.person.role == "student" else None

    def pupils_in(self, class_id: str) -> frozenset[str]:
        """The pupils of `class_id` that are the caller or the caller's children."""
        mine = {c for c, (_, klass) in self.children.items() if klass == class_id}
        if self.own_class() == class_id:
            mine.add(self.person.person_id)
        return frozenset(mine)


def family_of(caller: Caller) -> Family:
    """One Query of the caller's directory partition."""
    partition = people.load_person(caller.person_id)
    if partition is None:
        raise InvalidToken("The account is unknown, inactive or signed out.")
    children = {link.ref: (link.school_id, link.class_id) for link in partition.of_kind("child") if link.ref}
    return Family(partition.person, children)


def visible_pupil(caller: Caller, person_id: str) -> PersonItem:
    """A pupil the caller may read (their child, themselves, a pupil they teach, their school's)."""
    pupil = people.get_person(person_id)
    if pupil is None or pupil.role != "student":
        raise NotVisible("No such pupil.")
    authorize(caller, Action.READ_PUPIL, Target(pupil.school_id, pupil.region, class_id=pupil.class_id,
                                                student_id=pupil.person_id), what="pupil")
    return pupil


def visible_class(caller: Caller, class_id: str) -> tuple[ClassItem, frozenset[str] | None]:
    """The class and whose rows the caller sees in it: None for every pupil (its teachers, the school's admin),
    else the caller and their children in it; NotVisible when neither."""
    klass = schools.get_class(class_id)
    if klass is None:
        raise NotVisible("No such class.")
    if decide(caller, Action.READ_JOURNAL, target_of(klass)) is Verdict.ALLOW:
        return klass, None
    mine = family_of(caller).pupils_in(class_id)
    if not mine:
        raise NotVisible("No such class.")
    return klass, mine


def visible_lesson(caller: Caller, lesson_id: str) -> tuple[ClassItem, JournalItem, store.Lesson]:
    """A lesson of a class whose journal or pupils (themselves, their children) the caller may read."""
    ref = store.get_ref(lesson_id)
    if ref is None or "#L#" not in ref.target_sk:
        raise NotVisible("No such lesson.")
    journal = schools.get_journal(ref.journal_id)
    lesson = store.get_lesson(ref.journal_id, ref.target_sk)
    if journal is None or lesson is None:
        raise NotVisible("No such lesson.")
    klass, _ = visible_class(caller, journal.class_id)
    return klass, journal, lesson


def visible_school(caller: Caller, family: Family, school_id: str) -> None:
    """A school the caller belongs to, or where their children learn."""
    if school_id not in caller.schools() and all(s != school_id for s, _ in family.children.values()):
        raise NotVisible("No such school.")
