"""Roster imports: what a school already holds (for the checks) and the writes of a checked plan.

Writes are batched (25 items a call). Two imports of one school never run at once (a lock item with a
TTL), and new usernames are claimed first with conditional writes, so a username taken by another school
in the meantime is refused before anything else is written. A pupil the file puts in another class is moved
there like a transfer (`chalicelib.store.movement.move`), keeping their earlier classes and dates.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Sequence

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain import dates
from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import new_id
from chalicelib.domain.roster import (
    ExistingPerson, ImportPlan, RosterDirectoryView, RosterRejected, RosterRow, RowError,
)
from chalicelib.store.directory import (
    AccountItem, DirectoryItem, GuardItem, ImportItem, LinkItem, PersonItem, LoginFailuresItem,
)
from chalicelib.store.movement import move
from chalicelib.store.people import account_key, person_key, people_of_school
from chalicelib.store.schools import classes_of_school

__all__ = ["ImportBusy", "school_people", "directory_view", "apply_plan", "import_lock", "save_import",
           "get_import"]

_LOCK_SECONDS = 900
_TX_LIMIT = 100


class ImportBusy(Conflict):
    slug = "import-in-progress"


def _existing(p: PersonItem) -> ExistingPerson:
    return ExistingPerson(person_id=p.person_id, external_id=p.external_id or "", role=p.role,
                          last_name=p.last_name, first_name=p.first_name, middle_name=p.middle_name,
                          class_id=p.class_id, username=p.username, language=p.language, email=p.email,
                          phone=p.phone, guardian_of=frozenset(p.guardian_of or ()),
                          moved_until=max((date.fromisoformat(c[1]) for c in p.classes or []), default=None))


def school_people(school_id: str) -> dict[str, PersonItem]:
    """This school's people by external_id."""
    return {p.external_id: p for p in people_of_school(school_id) if p.external_id}


def directory_view(school_id: str, rows: Sequence[RosterRow],
                   held: dict[str, PersonItem]) -> RosterDirectoryView:
    """What the checks need: classes, people, and the owners of the usernames the file names."""
    own = {p.username for p in held.values() if p.username}
    usernames = sorted({r.username for r in rows if r.username and r.username not in own})
    owners: dict[str, tuple[str, str]] = {p.username: (school_id, ext) for ext, p in held.items() if p.username}
    guard_refs = {g.pk.removeprefix("USR#"): g.ref
                  for g in GuardItem.batch_get([(account_key(u), "#") for u in usernames])}
    if guard_refs:
        persons = {p.person_id: p for p in PersonItem.batch_get([(person_key(pid), "#")
                                                                 for pid in set(guard_refs.values())])}
        for username, pid in guard_refs.items():
            p = persons.get(pid)
            owners[username] = (p.school_id or "", p.external_id or "") if p else ("", "")
    return RosterDirectoryView(
        school_id=school_id,
        class_ids=frozenset(c.class_id for c in classes_of_school(school_id)),
        people={ext: _existing(p) for ext, p in held.items()},
        username_owners=owners,
        student_external_ids=frozenset(ext for ext, p in held.items() if p.role == "student"),
    )


class import_lock:
    """One import per school at a time (the lock expires by itself if a worker dies)."""

    def __init__(self, school_id: str) -> None:
        self._item = LoginFailuresItem(f"SCH#{school_id}", "IMPORTLOCK")

    def __enter__(self) -> None:
        now = datetime.now(timezone.utc)
        self._item.expires = now + timedelta(seconds=_LOCK_SECONDS)
        try:
            self._item.save(condition=(LoginFailuresItem.pk.does_not_exist()
                                       | (LoginFailuresItem.expires < now)))
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise ImportBusy("Another roster import of this school is running; retry when it is done.") \
                    from None
            raise

    def __exit__(self, *exc: object) -> None:
        self._item.delete()


def apply_plan(school_id: str, region: str, plan: ImportPlan, held: dict[str, PersonItem],
               password_hashes: dict[str, str],
               create_logins: Callable[[list[tuple[RosterRow, str]]], None] | None = None,
               on: date | None = None) -> dict[str, str]:
    """Write the plan; returns person_id by external_id for every row. `password_hashes` by external_id (a
    login without one signs in elsewhere). `create_logins` gets the (row, person_id) of every new login once
    its username is claimed, before any other write; if it raises, the claims are released. Pupils put in
    another class move there on `on` (default: today in Kazakhstan)."""
    ids = {ext: p.person_id for ext, p in held.items()}
    ids.update({r.external_id: new_id() for r in plan.create})
    logins = [(r, ids[r.external_id]) for r in plan.create if r.username]
    claims = _claim_usernames(logins)
    if create_logins is not None and logins:
        try:
            create_logins(logins)
        except Exception:
            _batch([], claims)
            raise
    items: list[Model] = []
    for r in plan.create:
        pid = ids[r.external_id]
        items += [_person(r, pid, school_id, region),
                  GuardItem(f"SCH#{school_id}", f"EXT#{r.external_id}", ref=pid),
                  LinkItem(person_key(pid), f"ROLE#{r.role}#{school_id}", kind="role", role=r.role,
                           school_id=school_id, region=region)]
        if r.username:
            items.append(AccountItem(person_key(pid), "ACCOUNT", username=r.username, person_id=pid,
                                     password_hash=password_hashes.get(r.external_id), active=True, token_epoch=0))
    updated = {r.external_id: _person(r, old.person_id, school_id, region, held[r.external_id])
               for r, old in plan.update}
    items += updated.values()
    stale: list[Model] = []
    rows = [r for r in plan.create] + [r for r, _ in plan.update]
    names = _pupil_cards(rows, held, ids)
    for r in rows:
        if r.role != "parent":
            continue
        parent = ids[r.external_id]
        before = held[r.external_id].guardian_of or set() if r.external_id in held else set()
        for child in r.guardian_of:
            student = ids[child]
            items += [LinkItem(person_key(parent), f"CHILD#{student}", kind="child", ref=student,
                               school_id=school_id, display_name=names[child][0], class_id=names[child][1]),
                      LinkItem(person_key(student), f"GUARD#{parent}", kind="guardian", ref=parent,
                               school_id=school_id)]
        for gone in set(before) - r.guardian_of:
            if gone in ids:
                stale += [LinkItem(person_key(parent), f"CHILD#{ids[gone]}"),
                          LinkItem(person_key(ids[gone]), f"GUARD#{parent}")]
    items += _child_cards_of_changed_pupils(plan, ids, names, {r.external_id for r in rows if r.role == "parent"})
    _batch(items, stale)
    moves = plan.moves()
    classes = {c.class_id: c for c in classes_of_school(school_id)} if moves else {}
    for r, _ in moves:  # the checks found each class in this school
        move(updated[r.external_id], classes[r.class_id or ""], on or dates.today_kz())
    return ids


def _person(r: RosterRow, pid: str, school_id: str, region: str, held: PersonItem | None = None) -> PersonItem:
    """A person as the row describes them; one `held` keeps their class (a move changes it), earlier classes
    and version."""
    class_id = r.class_id if held is None else held.class_id
    item = PersonItem(person_key(pid), "#", person_id=pid, school_id=school_id, region=region,
                      external_id=r.external_id, role=r.role, last_name=r.last_name, first_name=r.first_name,
                      middle_name=r.middle_name, class_id=class_id, username=r.username, language=r.language,
                      email=r.email, phone=r.phone, guardian_of=set(r.guardian_of) or None,
                      gsi1pk=f"SCH#{school_id}#PER", gsi1sk=r.external_id)
    if r.role == "student" and class_id:
        item.gsi2pk, item.gsi2sk = f"CLS#{class_id}", pid
    if held is not None:
        item.classes, item.left_on = held.classes, held.left_on
        if held.version is not None:
            item.version = held.version
    return item


def _pupil_cards(rows: Iterable[RosterRow], held: dict[str, PersonItem],
                 ids: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """(display name, class) of every pupil, the file's rows overriding what is held."""
    cards = {ext: (f"{p.last_name} {p.first_name}", p.class_id) for ext, p in held.items() if p.role == "student"}
    cards.update({r.external_id: (f"{r.last_name} {r.first_name}", r.class_id) for r in rows
                  if r.role == "student"})
    return cards


def _child_cards_of_changed_pupils(plan: ImportPlan, ids: dict[str, str], names: dict[str, tuple[str, str | None]],
                                   parents_in_file: set[str]) -> list[Model]:
    """A pupil renamed or moved: refresh the child card their guardians (outside this file) hold."""
    cards: list[Model] = []
    for r, old in plan.update:
        if r.role != "student" or (r.last_name, r.first_name, r.class_id) == (old.last_name, old.first_name,
                                                                              old.class_id):
            continue
        for link in LinkItem.query(person_key(old.person_id), LinkItem.sk.startswith("GUARD#")):
            cards.append(LinkItem(person_key(link.ref), f"CHILD#{old.person_id}", kind="child",
                                  ref=old.person_id, school_id=link.school_id,
                                  display_name=names[r.external_id][0], class_id=r.class_id))
    return cards


def _claim_usernames(claims: list[tuple[RosterRow, str]]) -> list[GuardItem]:
    """Claim new usernames, 100 a transaction; on a clash undo earlier claims and refuse the file."""
    done: list[GuardItem] = []
    for start in range(0, len(claims), _TX_LIMIT):
        chunk = claims[start:start + _TX_LIMIT]
        guards = [GuardItem(account_key(r.username), "#", ref=pid) for r, pid in chunk]
        try:
            with TransactWrite(connection=DirectoryItem._get_connection().connection) as tx:
                for g in guards:
                    tx.save(g, condition=GuardItem.pk.does_not_exist())
        except TransactWriteError as exc:
            _batch([], done)
            reasons = exc.cancellation_reasons or []
            raise RosterRejected([RowError(r.row, "username", "this username is taken")
                                  for (r, _), reason in zip(chunk, reasons)
                                  if reason and reason.code == "ConditionalCheckFailed"]
                                 or [RowError(None, None, "the usernames could not be claimed; retry")]) from None
        done += guards
    return done


def _batch(puts: list[Model], deletes: list[Model]) -> None:
    with DirectoryItem.batch_write() as batch:
        for item in puts:
            batch.save(item)
        for item in deletes:
            batch.delete(item)


def save_import(item: ImportItem) -> None:
    item.save()


def get_import(import_id: str) -> ImportItem | None:
    try:
        return ImportItem.get(f"IMP#{import_id}", "#", consistent_read=True)
    except ImportItem.DoesNotExist:
        return None


def new_import(school_id: str, object_key: str) -> ImportItem:
    import_id = new_id()
    item = ImportItem(f"IMP#{import_id}", "#", import_id=import_id, school_id=school_id, status="pending",
                      object_key=object_key, created_at=to_rfc3339(now_kz()),
                      expires=timedelta(days=30))
    item.save()
    return item
