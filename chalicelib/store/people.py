"""People, their login accounts and their links (roles, children, guardians, journals taught)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.ids import is_id
from chalicelib.store.directory import (
    AccountItem, DirectoryItem, GuardItem, LinkItem, LoginFailuresItem, PersonItem,
)

__all__ = [
    "PersonPartition", "person_key", "account_key", "load_person", "get_account", "get_person", "get_people",
    "login_failures", "record_login_failure", "clear_login_failures", "pupils_of_class", "people_of_school",
    "display_name",
]


def person_key(person_id: str) -> str:
    return f"PER#{person_id}"


def account_key(username: str) -> str:
    return f"USR#{username}"


def display_name(person: PersonItem) -> str:
    return f"{person.last_name} {person.first_name}"


@dataclass(frozen=True, slots=True)
class PersonPartition:
    """A person, their account and every link in their partition, read by one Query."""

    person: PersonItem
    account: AccountItem | None
    links: tuple[LinkItem, ...]

    def of_kind(self, kind: str) -> list[LinkItem]:
        return [link for link in self.links if link.kind == kind]


def load_person(person_id: str) -> PersonPartition | None:
    """The person and their links (one Query, strongly consistent: a role change applies at once)."""
    person, account, links = None, None, []
    for raw in DirectoryItem._get_connection().query(person_key(person_id), consistent_read=True)["Items"]:
        sk = raw["sk"]["S"]
        if sk == "#":
            person = PersonItem.from_raw_data(raw)
        elif sk == "ACCOUNT":
            account = AccountItem.from_raw_data(raw)
        else:
            links.append(LinkItem.from_raw_data(raw))
    return PersonPartition(person, account, tuple(links)) if person else None


def get_people(person_ids: Iterable[str]) -> list[PersonItem]:
    """The people of these ids that exist (one BatchGetItem per 100; made-up ids name nobody)."""
    keys = sorted({(person_key(p), "#") for p in person_ids if is_id(p)})
    return list(PersonItem.batch_get(keys)) if keys else []


def get_person(person_id: str) -> PersonItem | None:
    if not is_id(person_id):  # an id a client made up names nobody (and may be too long for a key)
        return None
    try:
        return PersonItem.get(person_key(person_id), "#")
    except DoesNotExist:
        return None


def get_account(username: str) -> AccountItem | None:
    """The account of a username (two reads: the username guard, then the account in the person's partition)."""
    try:
        guard = GuardItem.get(account_key(username), "#", consistent_read=True)
        return AccountItem.get(person_key(guard.ref), "ACCOUNT", consistent_read=True)
    except DoesNotExist:
        return None


def login_failures(username: str) -> LoginFailuresItem | None:
    try:
        return LoginFailuresItem.get(account_key(username), "LOGIN", consistent_read=True)
    except DoesNotExist:
        return None


def record_login_failure(username: str, now: int, max_failures: int, lockout_seconds: int) -> int:
    """Count a failed login; returns the epoch second until which the username is locked (0: not locked)."""
    item = LoginFailuresItem(account_key(username), "LOGIN")
    expires = datetime.fromtimestamp(now + lockout_seconds, timezone.utc)
    item.update(actions=[LoginFailuresItem.failures.add(1), LoginFailuresItem.expires.set(expires)])
    if item.failures >= max_failures:
        locked_until = now + lockout_seconds
        item.update(actions=[LoginFailuresItem.locked_until.set(locked_until),
                             LoginFailuresItem.failures.set(0)])
        return locked_until
    return 0


def clear_login_failures(username: str) -> None:
    LoginFailuresItem(account_key(username), "LOGIN").delete()


def _page(items: Iterable[PersonItem]) -> list[PersonItem]:
    return list(items)


def pupils_of_class(class_id: str) -> list[PersonItem]:
    """The pupils of a class (one Query of the by_class index)."""
    return _page(PersonItem.by_class.query(f"CLS#{class_id}"))


def people_of_school(school_id: str) -> list[PersonItem]:
    """Every person of a school (the by_collection index, all pages)."""
    return _page(PersonItem.by_collection.query(f"SCH#{school_id}#PER"))


def create_operator(username: str, password_hash: str | None, *, role: str, last_name: str, first_name: str,
                    language: str = "kk", region: str | None = None) -> str:
    """A ministry or region_admin account with no school (the local admin, tests, the first users)."""
    from chalicelib.domain.ids import new_id
    from chalicelib.store.schools import create_all
    from chalicelib.domain.errors import FieldError

    pid = new_id()
    create_all([
        GuardItem(account_key(username), "#", ref=pid),
        PersonItem(person_key(pid), "#", person_id=pid, role=role, last_name=last_name, first_name=first_name,
                   username=username, language=language, region=region),
        AccountItem(person_key(pid), "ACCOUNT", username=username, person_id=pid, password_hash=password_hash,
                    active=True, token_epoch=0),
        LinkItem(person_key(pid), f"ROLE#{role}#{region or 'KZ'}", kind="role", role=role, region=region),
    ], {0: FieldError("username", "taken")})
    return pid
