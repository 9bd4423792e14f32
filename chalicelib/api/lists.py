"""Lists with pagination, in Kazakh/Russian alphabetical order: a school's people and journals, a class's pupils,
a teacher's journals (and, through `page_reply`, a school's classes and subjects).

Every list answers a JSON array of at most `limit` items (default 100, at most 500). When more follow, the
answer carries `X-Next-Cursor: <cursor>` and `Link: <same path?limit=..&cursor=..>; rel="next"`; the client
asks again with `?cursor=`. The order is alphabetical by name (Ә after А, Ғ after Г, ...; `chalicelib.domain.
collation`), classes by year, grade and letter, subjects by their name in `?language=kk|ru` (default: the
caller's language).

Reads: a class's pupils are one Query (`by_class`); a teacher's journals one Query of the teacher's partition and
two BatchGetItems (classes, subjects); a school's journals one Query of its classes, one of its subjects and one
per class up to the page's end; a school's people one Query of the school's collection (all its pages).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from chalice import Blueprint

from chalicelib.api.http import Call, Query, Reply, endpoint
from chalicelib.api.journal import pupil_view
from chalicelib.api.schools import visible_school
from chalicelib.api.views import journal_view, person_view, target_of
from chalicelib.auth import authorize
from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.errors import BadRequest, FieldError, NotFound
from chalicelib.domain.paging import DEFAULT_LIMIT, MAX_LIMIT, InvalidCursor, cursor_key, paginate, parse_limit
from chalicelib.domain.policy import Action, Target
from chalicelib.store import people, schools
from chalicelib.store.directory import ClassItem, JournalItem, LinkItem, SubjectItem

__all__ = ["bp", "page_reply", "class_key", "subject_key", "language_of", "PAGE_QUERY", "LANGUAGE_QUERY"]

bp = Blueprint(__name__)

_ROLES = ("school_admin", "teacher", "student", "parent")

PAGE_QUERY = {  # what `page_reply` reads
    "limit": Query.integer(f"The page size: 1..{MAX_LIMIT}, default {DEFAULT_LIMIT}", 1, MAX_LIMIT),
    "cursor": Query("The X-Next-Cursor of the page before (opaque); absent: the first page"),
}
LANGUAGE_QUERY = {"language": Query.one_of("The language subjects are ordered by: kk or ru, default the caller's",
                                           ("kk", "ru"))}


def page_reply[T](call: Call, items: Iterable[T], key: Callable[[T], tuple[Any, ...]],
                  view: Callable[[T], dict[str, Any]]) -> Reply:
    """One page of `items` in the order of `key`, as the list routes answer it (400 for a bad limit or cursor)."""
    limit = _limit(call)
    try:
        page = paginate(list(items), key, limit, call.query("cursor"))
    except InvalidCursor as exc:
        raise BadRequest(f"{exc}.", [FieldError("cursor", str(exc))]) from None
    headers = {}
    if page.next_cursor:
        asked = {k: v for k, v in (call.request.query_params or {}).items() if k != "cursor"}
        link = f"{call.request.path.format(**call.params)}?{urlencode({**asked, 'cursor': page.next_cursor})}"
        headers = {"X-Next-Cursor": page.next_cursor, "Link": f"<{link}>; rel=\"next\""}
    return Reply([view(item) for item in page.items], 200, headers)


def language_of(call: Call) -> str:
    asked = call.query("language")
    language = call.caller.language if asked is None else asked
    if language not in ("kk", "ru"):
        raise BadRequest("language is kk or ru.", [FieldError("language", "kk or ru")])
    return language


def class_key(c: ClassItem) -> tuple[Any, ...]:
    return int(c.year), int(c.grade), name_sort_key(c.letter), c.class_id


def subject_key(language: str) -> Callable[[SubjectItem], tuple[Any, ...]]:
    return lambda s: (name_sort_key(s.name_kk if language == "kk" else s.name_ru), s.code, s.subject_id)


def _person_key(p: Any) -> tuple[Any, ...]:
    return name_sort_key(p.last_name, p.first_name, p.middle_name), p.person_id


@endpoint(bp, "/v1/schools/{school_id}/people", summary="A school's people, alphabetically (school_admin)",
          statuses=(200, 400, 403, 404),
          query={**PAGE_QUERY, "role": Query.one_of("Only people of this role: " + ", ".join(_ROLES), _ROLES),
                 "class_id": "Only the people of this class (a class id)"})
def school_people(call: Call, school_id: str) -> Reply:
    visible_school(call.caller, school_id, Action.MANAGE_SCHOOL)
    role, class_id = call.query("role"), call.query("class_id")
    if role is not None and role not in _ROLES:
        raise BadRequest("role is one of " + ", ".join(_ROLES) + ".", [FieldError("role", "unknown role")])
    found = [p for p in people.people_of_school(school_id)
             if (role is None or p.role == role) and (class_id is None or p.class_id == class_id)]
    return page_reply(call, found, _person_key, lambda p: {**person_view(p), "display_name": people.display_name(p)})


@endpoint(bp, "/v1/classes/{class_id}/pupils", summary="A class's pupils, alphabetically (its teachers, "
          "school_admin)", statuses=(200, 400, 403, 404), query=PAGE_QUERY)
def class_pupils(call: Call, class_id: str) -> Reply:
    klass = schools.get_class(class_id)
    if klass is None:
        raise NotFound("No such class.")
    authorize(call.caller, Action.READ_JOURNAL, target_of(klass), what="class")
    return page_reply(call, people.pupils_of_class(class_id), _person_key, pupil_view)


@endpoint(bp, "/v1/schools/{school_id}/journals", summary="A school's journals by class and subject",
          statuses=(200, 400, 403, 404), query={**PAGE_QUERY, **LANGUAGE_QUERY})
def school_journals(call: Call, school_id: str) -> Reply:
    visible_school(call.caller, school_id, Action.READ_SCHOOL)
    classes = sorted(schools.classes_of_school(school_id), key=class_key)
    subjects = {s.subject_id: s for s in schools.subjects_of_school(school_id)}
    by_class = {c.class_id: c for c in classes}
    key = _journal_key(by_class, subjects, language_of(call))
    limit, after = _limit(call), _after(call)
    found: list[JournalItem] = []
    following = 0  # journals read that come after the cursor
    for klass in classes:
        if after is not None and class_key(klass) < after[0]:
            continue  # every journal of this class precedes the cursor
        journals = schools.journals_of_class(klass.class_id)
        found += journals
        following += sum(1 for j in journals if after is None or key(j) > after)
        if following > limit:
            break
    return page_reply(call, found, key, lambda j: _journal_card(j, by_class.get(j.class_id),
                                                                    subjects.get(j.subject_id)))


def _limit(call: Call) -> int:
    try:
        return parse_limit(call.query("limit"))
    except InvalidCursor as exc:
        raise BadRequest(f"{exc}.", [FieldError("limit", str(exc))]) from None


def _after(call: Call) -> tuple[Any, ...] | None:
    cursor = call.query("cursor")
    try:
        return cursor_key(cursor) if cursor else None
    except InvalidCursor as exc:
        raise BadRequest(f"{exc}.", [FieldError("cursor", str(exc))]) from None


def _journal_key(classes: dict[str, ClassItem], subjects: dict[str, SubjectItem],
                 language: str) -> Callable[[JournalItem], tuple[Any, ...]]:
    by_name = subject_key(language)

    def key(j: JournalItem) -> tuple[Any, ...]:
        klass, subject = classes.get(j.class_id), subjects.get(j.subject_id)
        return (class_key(klass) if klass else (0, 0, ((), ()), j.class_id),
                by_name(subject) if subject else (((), ()), "", j.subject_id), name_sort_key(j.group_name or ""),
                j.journal_id)

    return key


def _journal_card(j: JournalItem, klass: ClassItem | None, subject: SubjectItem | None) -> dict[str, Any]:
    return {**journal_view(j), "group_name": j.group_name,
            "class_name": f"{int(klass.grade)}{klass.letter}" if klass else None,
            "subject": {"code": subject.code, "name": {"kk": subject.name_kk, "ru": subject.name_ru}}
            if subject else None}


@endpoint(bp, "/v1/teachers/{teacher_id}/journals", summary="A teacher's journals (the teacher, school_admin)",
          statuses=(200, 400, 403, 404), query={**PAGE_QUERY, **LANGUAGE_QUERY})
def teacher_journals(call: Call, teacher_id: str) -> Reply:
    caller = call.caller
    partition = people.load_person(teacher_id)
    if partition is None or partition.person.role != "teacher":
        raise NotFound("No such teacher.")
    teacher = partition.person
    if teacher_id != caller.person_id:
        authorize(caller, Action.MANAGE_SCHOOL, Target(teacher.school_id, teacher.region), what="teacher")
    links = partition.of_kind("journal")
    classes = _batch(ClassItem, "CLS", {link.class_id for link in links if link.class_id})
    subjects = _batch(SubjectItem, "SUB", {link.subject_id for link in links if link.subject_id})
    language = language_of(call)
    by_name = subject_key(language)

    def key(link: LinkItem) -> tuple[Any, ...]:
        klass, subject = classes.get(link.class_id or ""), subjects.get(link.subject_id or "")
        return (class_key(klass) if klass else (0, 0, ((), ()), link.class_id or ""),
                by_name(subject) if subject else (((), ()), "", link.subject_id or ""), link.ref or "")

    return page_reply(call, links, key, lambda link: _link_card(link, classes, subjects))


def _link_card(link: LinkItem, classes: dict[str, ClassItem], subjects: dict[str, SubjectItem]) -> dict[str, Any]:
    klass, subject = classes.get(link.class_id or ""), subjects.get(link.subject_id or "")
    return {"journal_id": link.ref, "class_id": link.class_id,
            "class_name": f"{int(klass.grade)}{klass.letter}" if klass else None,
            "subject_id": link.subject_id,
            "subject": {"code": subject.code, "name": {"kk": subject.name_kk, "ru": subject.name_ru}}
            if subject else None}


def _batch[M](model: type[M], prefix: str, ids: set[str]) -> dict[str, M]:
    keys = [(f"{prefix}#{i}", "#") for i in sorted(ids)]
    found = model.batch_get(keys) if keys else []  # type: ignore[attr-defined]
    return {getattr(item, "class_id" if prefix == "CLS" else "subject_id"): item for item in found}

