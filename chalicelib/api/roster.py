"""Roster import (api-contract.md, Directory): CSV in, people out; checked whole before any write."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.api.schools import visible_school
from chalicelib.domain.errors import NotFound
from chalicelib.domain.policy import Action
from chalicelib.domain.roster import RosterRejected, parse_roster
from chalicelib.jobs import roster_import
from chalicelib.store import roster as store

__all__ = ["bp"]

bp = Blueprint(__name__)

_CSV = ("text/csv", "application/csv", "text/plain")


@endpoint(bp, "/v1/schools/{school_id}/roster", "POST", creates=True, content_types=_CSV,
          summary="Import people from CSV (school_admin; ministry, region_admin)",
          statuses=(200, 202, 400, 403, 404, 409, 415, 422))
def import_roster(call: Call, school_id: str) -> Reply:
    school = visible_school(call.caller, school_id, Action.IMPORT_ROSTER)
    data = call.raw_body
    try:
        rows = parse_roster(data)
    except RosterRejected:
        roster_import.check_file(school, data)  # raises with every problem, the directory's included
        raise
    if len(rows) <= roster_import.SYNC_LIMIT:
        return Reply(roster_import.import_now(school, data))  # checks the whole file before it writes
    roster_import.check_file(school, data)
    item = roster_import.import_later(school, data)
    return Reply({"import_id": item.import_id, "status": item.status}, 202)


@endpoint(bp, "/v1/schools/{school_id}/roster/imports/{import_id}", summary="A roster import's status",
          statuses=(200, 403, 404))
def get_import(call: Call, school_id: str, import_id: str) -> dict[str, Any]:
    visible_school(call.caller, school_id, Action.IMPORT_ROSTER)
    item = store.get_import(import_id)
    if item is None or item.school_id != school_id:
        raise NotFound("No such import.")
    return {"import_id": item.import_id, "status": item.status, **(item.summary or {})}
