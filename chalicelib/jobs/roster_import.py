"""Importing a school's roster: check the whole file, then write it (at once, or as a task above 200 rows)."""
from __future__ import annotations

from typing import Any

from chalicelib.auth.cognito_users import NewLogin, user_pool
from chalicelib.auth.passwords import hash_password
from chalicelib.domain import dates
from chalicelib.domain.dates import now_kz, to_rfc3339
from chalicelib.domain.roster import RosterRejected, RosterRow, check_roster, plan_import
from chalicelib.jobs.tasks import TASKS, enqueue
from chalicelib.store import files, roster as store
from chalicelib.store.directory import ImportItem, SchoolItem
from chalicelib.store.schools import get_school

__all__ = ["SYNC_LIMIT", "check_file", "import_now", "import_later", "run_import_task"]

SYNC_LIMIT = 200


def check_file(school: SchoolItem, data: bytes) -> list[RosterRow]:
    """Every check that needs no write; raises RosterRejected (422) listing every bad row and field."""
    held = store.school_people(school.school_id)
    rows, _ = check_roster(data, lambda parsed: store.directory_view(school.school_id, parsed, held),
                           on=dates.today_kz())
    return rows


def import_now(school: SchoolItem, data: bytes) -> dict[str, Any]:
    """Check and write under the school's import lock; the summary of api-contract.md. A pupil the file puts
    in another class moves there today."""
    from chalicelib.auth import kdf_params

    pool, on = user_pool(), dates.today_kz()
    with store.import_lock(school.school_id):
        held = store.school_people(school.school_id)
        rows, view = check_roster(data, lambda parsed: store.directory_view(school.school_id, parsed, held),
                                  on=on)
        plan = plan_import(rows, view.people)
        if pool is None:  # the built-in provider checks passwords against the directory's hashes
            params = kdf_params()
            hashes = {r.external_id: hash_password(r.password, params) for r in plan.create
                      if r.username and r.password}
            ids = store.apply_plan(school.school_id, school.region, plan, held, hashes, on=on)
        else:  # the user pool holds the passwords
            ids = store.apply_plan(school.school_id, school.region, plan, held, {}, on=on,
                                   create_logins=lambda logins: pool.create(
                                       [NewLogin(r.username, pid, r.password) for r, pid in logins]))
    return {"created": len(plan.create), "updated": len(plan.update), "unchanged": len(plan.unchanged),
            "people": [{"external_id": r.external_id, "person_id": ids[r.external_id]} for r in rows]}


def import_later(school: SchoolItem, data: bytes) -> ImportItem:
    """Keep the file and queue its import; the caller polls the import's status."""
    key = f"rosters/{school.school_id}/{to_rfc3339(now_kz())}.csv"
    files.put_file(key, data, "text/csv; charset=utf-8")
    item = store.new_import(school.school_id, key)
    enqueue("roster_import", import_id=item.import_id)
    return item


def run_import_task(message: dict[str, Any]) -> None:
    """The queued import: runs once per message (a finished import is not run again)."""
    item = store.get_import(message["import_id"])
    if item is None or item.status != "pending":
        return
    school = get_school(item.school_id)
    try:
        if school is None:
            raise RosterRejected([])
        item.summary = import_now(school, files.get_file(item.object_key))
        item.status = "done"
    except RosterRejected as rejected:
        item.status = "failed"
        item.summary = {"errors": [e.as_dict() for e in rejected.errors]}
    except store.ImportBusy:
        raise  # another import of the school is running: the message comes back later
    store.save_import(item)


TASKS["roster_import"] = run_import_task
