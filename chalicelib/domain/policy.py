"""The one authorisation policy: may this caller do this action on this object?

Every route asks `decide(caller, action, target)`. The answer hides objects of schools the caller cannot see
(404, never revealing that they exist), forbids what the caller's role may not do inside a school they can see
(403), or allows. Region and ministry users see aggregates only, never a pupil's name, mark or attendance.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Role", "Grant", "Caller", "Action", "Target", "Verdict", "decide", "REGIONS"]

REGIONS = frozenset({
    "abai", "akmola", "aktobe", "almaty_region", "atyrau", "east_kazakhstan", "jambyl", "jetisu",
    "west_kazakhstan", "karaganda", "kostanay", "kyzylorda", "mangystau", "pavlodar", "north_kazakhstan",
    "turkistan", "ulytau", "astana", "almaty", "shymkent",
})


class Role(enum.StrEnum):
    MINISTRY = "ministry"
    REGION_ADMIN = "region_admin"
    SCHOOL_ADMIN = "school_admin"
    TEACHER = "teacher"
    PARENT = "parent"
    STUDENT = "student"


@dataclass(frozen=True, slots=True)
class Grant:
    """A role held in a scope: a school (school roles) or a region (region_admin); the ministry has none."""

    role: Role
    school_id: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as the directory knows them (the token only proves the identity)."""

    user_id: str
    person_id: str
    display_name: str
    language: str
    grants: tuple[Grant, ...] = ()
    children: frozenset[str] = frozenset()
    journals: frozenset[str] = frozenset()          # journals the caller teaches
    taught_classes: frozenset[str] = frozenset()    # classes of those journals
    homeroom_classes: frozenset[str] = frozenset()

    def has(self, role: Role, school_id: str | None = None) -> bool:
        return any(g.role == role and (school_id is None or g.school_id == school_id) for g in self.grants)

    def regions(self) -> frozenset[str]:
        return frozenset(g.region for g in self.grants if g.role == Role.REGION_ADMIN and g.region)

    def schools(self) -> frozenset[str]:
        return frozenset(g.school_id for g in self.grants if g.school_id)


class Action(enum.StrEnum):
    CREATE_SCHOOL = "school:create"
    READ_SCHOOL = "school:read"          # the school card, periods, holidays
    MANAGE_SCHOOL = "school:manage"      # classes, subjects, journals, periods, holidays, settings
    IMPORT_ROSTER = "roster:import"
    READ_PEOPLE = "people:read"          # names and lists of a school's people
    READ_PUPIL = "pupil:read"            # one pupil: diary, standing, history
    READ_JOURNAL = "journal:read"
    WRITE_JOURNAL = "journal:write"
    READ_AGGREGATES = "aggregates:read"  # statistics and reports without names


@dataclass(frozen=True, slots=True)
class Target:
    """The object acted on, located in its school (and region) so the policy needs no lookups."""

    school_id: str | None
    region: str | None
    class_id: str | None = None
    journal_id: str | None = None
    student_id: str | None = None


class Verdict(enum.Enum):
    ALLOW = "allow"
    FORBID = "forbid"   # 403: inside a school the caller sees, but not allowed
    HIDE = "hide"       # 404: the caller may not know the object exists


def _oversees(caller: Caller, target: Target) -> bool:
    """Ministry everywhere; a region_admin in their region's schools."""
    if caller.has(Role.MINISTRY):
        return True
    return target.region is not None and target.region in caller.regions()


def _member(caller: Caller, target: Target) -> bool:
    return target.school_id is not None and target.school_id in caller.schools()


def decide(caller: Caller, action: Action, target: Target) -> Verdict:
    """The verdict for `caller` doing `action` on `target`."""
    if action == Action.CREATE_SCHOOL:
        return Verdict.ALLOW if _oversees(caller, target) else Verdict.FORBID
    oversees, member = _oversees(caller, target), _member(caller, target)
    if not (oversees or member):
        return Verdict.HIDE
    school = target.school_id
    admin = caller.has(Role.SCHOOL_ADMIN, school)
    teacher = caller.has(Role.TEACHER, school)
    match action:
        case Action.READ_SCHOOL:
            return Verdict.ALLOW
        case Action.READ_AGGREGATES:
            return Verdict.ALLOW if oversees or admin or teacher else Verdict.FORBID
        case Action.MANAGE_SCHOOL:
            return Verdict.ALLOW if admin else Verdict.FORBID
        case Action.IMPORT_ROSTER:
            return Verdict.ALLOW if admin or oversees else Verdict.FORBID
        case Action.READ_PEOPLE:
            return Verdict.ALLOW if admin or teacher else Verdict.FORBID
        case Action.READ_PUPIL:
            return _read_pupil(caller, target, admin, teacher, oversees)
        case Action.READ_JOURNAL:
            if admin or target.journal_id in caller.journals:
                return Verdict.ALLOW
            if teacher and target.class_id in (caller.taught_classes | caller.homeroom_classes):
                return Verdict.ALLOW
            return Verdict.FORBID
        case Action.WRITE_JOURNAL:
            return Verdict.ALLOW if admin or target.journal_id in caller.journals else Verdict.FORBID
    return Verdict.FORBID


def _read_pupil(caller: Caller, target: Target, admin: bool, teacher: bool, oversees: bool) -> Verdict:
    pupil = target.student_id
    if admin or pupil in caller.children or pupil == caller.person_id:
        return Verdict.ALLOW
    if teacher and target.class_id in (caller.taught_classes | caller.homeroom_classes):
        return Verdict.ALLOW
    if oversees and not caller.schools():
        return Verdict.FORBID  # aggregates only: the pupil's school is visible, the pupil is not
    return Verdict.HIDE
