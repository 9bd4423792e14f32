"""Login accounts in the directory table: creating them, one-time codes, passwords, activity and sign-outs.

    USR#<username>  RESET     a pending one-time code (its scrypt hash; expires by TTL and by `until`)

The account itself is `PER#<person> ACCOUNT` (`chalicelib.store.directory.AccountItem`): `active` and
`token_epoch` are what every request's authentication checks, so a deactivation or a sign-out applies to the
very next request. Every change here that must end sessions moves `token_epoch` on to the current second (epoch
seconds; at least one more than before): a built-in token carries the epoch it was issued under, a Cognito token
only its issue time (`chalicelib.auth.identity` refuses both kinds when older).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist
from pynamodb.expressions.update import SetAction
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import FieldError
from chalicelib.domain.ids import new_id
from chalicelib.store.directory import AccountItem, DirectoryItem, GuardItem, LinkItem, PersonItem
from chalicelib.store.people import account_key, person_key
from chalicelib.store.schools import create_all

__all__ = ["ResetCode", "account_of", "create_staff", "create_login", "remove_login", "reset_code",
           "put_reset_code", "consume_code", "set_password", "set_active", "sign_out"]


class ResetCode(DirectoryItem):
    """A one-time sign-in code given by a password reset."""

    code_hash = UnicodeAttribute()
    until = NumberAttribute()  # epoch seconds; TTL deletion may lag, so readers check this


def _revoked(account: AccountItem) -> SetAction:
    """The update action that ends every token issued so far (conditional on the account's version)."""
    return AccountItem.token_epoch.set(max(int(account.token_epoch) + 1, int(time.time())))


def account_of(person_id: str) -> AccountItem | None:
    try:
        return AccountItem.get(person_key(person_id), "ACCOUNT", consistent_read=True)
    except DoesNotExist:
        return None


def create_staff(school_id: str, region: str, role: str, external_id: str, username: str,
                 password_hash: str | None, *, last_name: str, first_name: str, middle_name: str | None,
                 language: str) -> PersonItem:
    """A school_admin or teacher with a login, as a roster row would make them (one transaction)."""
    pid = new_id()
    person = PersonItem(person_key(pid), "#", person_id=pid, school_id=school_id, region=region,
                        external_id=external_id, role=role, last_name=last_name, first_name=first_name,
                        middle_name=middle_name, username=username, language=language,
                        gsi1pk=f"SCH#{school_id}#PER", gsi1sk=external_id)
    create_all([
        GuardItem(account_key(username), "#", ref=pid),
        GuardItem(f"SCH#{school_id}", f"EXT#{external_id}", ref=pid),
        person,
        AccountItem(person_key(pid), "ACCOUNT", username=username, person_id=pid, password_hash=password_hash,
                    active=True, token_epoch=0),
        LinkItem(person_key(pid), f"ROLE#{role}#{school_id}", kind="role", role=role, school_id=school_id,
                 region=region),
    ], {0: FieldError("username", "this username is taken"),
        1: FieldError("external_id", "this school already has a person with this external_id")})
    return person


def create_login(person: PersonItem, username: str, password_hash: str | None) -> AccountItem:
    """A login for a person who has none: the username claimed, the account made, the person told its name."""
    account = AccountItem(person_key(person.person_id), "ACCOUNT", username=username, person_id=person.person_id,
                          password_hash=password_hash, active=True, token_epoch=0)
    create_all([GuardItem(account_key(username), "#", ref=person.person_id), account],
               {0: FieldError("username", "this username is taken"),
                1: FieldError("person_id", "this person already has a login")})
    person.update(actions=[PersonItem.username.set(username)])
    return account


def remove_login(account: AccountItem) -> None:
    """Undo `create_login` (the user pool refused the login)."""
    with DirectoryItem.batch_write() as batch:
        batch.delete(GuardItem(account_key(account.username), "#"))
        batch.delete(account)
    PersonItem(person_key(account.person_id), "#").update(actions=[PersonItem.username.remove()])


def reset_code(username: str) -> ResetCode | None:
    try:
        return ResetCode.get(account_key(username), "RESET", consistent_read=True)
    except DoesNotExist:
        return None


def put_reset_code(account: AccountItem, code_hash: str | None, until: int) -> None:
    """Start a reset: the password stops working, every token too; `code_hash` (if any) signs in once."""
    with TransactWrite(connection=DirectoryItem._get_connection().connection) as tx:
        tx.update(account, actions=[AccountItem.password_hash.remove(), _revoked(account)])
        if code_hash is not None:
            tx.save(ResetCode(account_key(account.username), "RESET", code_hash=code_hash, until=until,
                              expires=datetime.fromtimestamp(until, timezone.utc)))
    account.refresh(consistent_read=True)


def consume_code(code: ResetCode) -> bool:
    """Use a one-time code up: True for the one caller that deleted it (two logins racing: one wins)."""
    try:
        code.delete(condition=ResetCode.sk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def set_password(account: AccountItem, password_hash: str | None) -> AccountItem:
    """A new password (None where the user pool keeps it); ends every session and any pending reset."""
    account.update(actions=[AccountItem.password_hash.set(password_hash) if password_hash
                            else AccountItem.password_hash.remove(), _revoked(account)])
    ResetCode(account_key(account.username), "RESET").delete()
    return account


def set_active(account: AccountItem, active: bool) -> AccountItem:
    """Deactivate (its tokens stop working at once) or reactivate an account."""
    actions = [AccountItem.active.set(active)]
    if not active:
        actions.append(_revoked(account))
    account.update(actions=actions)
    return account


def sign_out(account: AccountItem) -> AccountItem:
    """Revoke every token the account holds."""
    account.update(actions=[_revoked(account)])
    return account
