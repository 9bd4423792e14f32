"""The reports table: every report asked for or scheduled, one report_id per tuple, the schools' rollups the
region and national reports read, and the notes the report jobs send once.

    REP#<report>                  #          a report: its tuple, status, file key, who may fetch it
                                             (by_scope: <scope>  <kind>#<class or ->#<created>#<report>)
    KEY#<tuple digest>            #          guard: the report_id of (kind, scope, year, period, date, format,
                                             language); created with the report, on condition it is new
    FIG#<year>#<period>#<region>  <school>   the school's tally for the period (the school job writes it)
    TML#<region>                  <school>   the school's last journal timeliness check (the daily job)
    NOTE#<person>                 <key>      a note sent (reminder, weekly message): never twice; expires

Scopes: `S#<school>` (class sheets, school and timeliness reports), `R#<region>`, `N` (national),
`P#<pupil>` (weekly reports to the pupil's parents). A region report is one Query of FIG# and one of TML#.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.dates import to_rfc3339
from chalicelib.domain.ids import is_id, new_id
from chalicelib.store.base import TableMeta, register

__all__ = [
    "STATUSES", "NOTE_DAYS", "Spec", "ReportsRecord", "ReportItem", "KeyItem", "RollupItem", "NoteItem",
    "request", "get_report", "reports_in", "finish", "fail", "put_rollup", "rollups", "put_punctuality",
    "punctualities", "claim_note",
]

STATUSES = ("pending", "ready", "failed")
NOTE_DAYS = 30
_ATTEMPTS = 3


class ByScope(GlobalSecondaryIndex):
    """The reports of one scope (a school, a region, the country, a pupil), by kind and class."""

    class Meta:
        index_name = "by_scope"
        projection = AllProjection()

    gpk = UnicodeAttribute(hash_key=True)
    gsk = UnicodeAttribute(range_key=True)


class ReportsRecord(Model):
    """Keys every item of the reports table has."""

    class Meta(metaclass=TableMeta):
        table_suffix = "reports"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gpk = UnicodeAttribute(null=True)
    gsk = UnicodeAttribute(null=True)
    expires = TTLAttribute(attr_name="ex", null=True)
    by_scope = ByScope()


register(ReportsRecord)


@dataclass(frozen=True, slots=True)
class Spec:
    """What a report is of: the tuple that names it (one report_id per tuple; a re-run replaces its file)."""

    kind: str
    year: int
    format: str
    language: str
    school_id: str | None = None
    class_id: str | None = None
    region: str | None = None
    student_id: str | None = None
    period: str | None = None
    date: str | None = None

    @property
    def scope(self) -> str:
        if self.kind == "parent_weekly":
            return f"P#{self.student_id}"
        if self.kind == "region":
            return f"R#{self.region}"
        if self.kind == "national":
            return "N"
        return f"S#{self.school_id}"

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:40]


class ReportItem(ReportsRecord):
    report_id = UnicodeAttribute(attr_name="id")
    kind = UnicodeAttribute(attr_name="k")
    year = NumberAttribute(attr_name="y")
    fmt = UnicodeAttribute(attr_name="f")
    language = UnicodeAttribute(attr_name="la")
    school_id = UnicodeAttribute(attr_name="sc", null=True)
    class_id = UnicodeAttribute(attr_name="cl", null=True)
    region = UnicodeAttribute(attr_name="rg", null=True)
    student_id = UnicodeAttribute(attr_name="st", null=True)
    period = UnicodeAttribute(attr_name="pe", null=True)
    day = UnicodeAttribute(attr_name="d", null=True)
    status = UnicodeAttribute(attr_name="s")
    created_at = UnicodeAttribute(attr_name="c")
    updated_at = UnicodeAttribute(attr_name="u")
    object_key = UnicodeAttribute(attr_name="o", null=True)
    size = NumberAttribute(attr_name="z", null=True)
    error = UnicodeAttribute(attr_name="e", null=True)

    @property
    def spec(self) -> Spec:
        return Spec(self.kind, int(self.year), self.fmt, self.language, self.school_id, self.class_id, self.region,
                    self.student_id, self.period, self.day)


class KeyItem(ReportsRecord):
    ref = UnicodeAttribute(attr_name="r")


class RollupItem(ReportsRecord):
    """A school's figures (a tally, or a timeliness check) with its names, as of `at`."""

    name_kk = UnicodeAttribute(attr_name="nk")
    name_ru = UnicodeAttribute(attr_name="nr")
    figures = JSONAttribute(attr_name="g")
    at = UnicodeAttribute()

    @property
    def school_id(self) -> str:
        return self.sk


class NoteItem(ReportsRecord):
    at = UnicodeAttribute()


def _key(report_id: str) -> tuple[str, str]:
    return f"REP#{report_id}", "#"


def get_report(report_id: str) -> ReportItem | None:
    if not is_id(report_id):
        return None
    try:
        return ReportItem.get(*_key(report_id), consistent_read=True)
    except DoesNotExist:
        return None


def request(spec: Spec, now: datetime) -> ReportItem:
    """The report of `spec`, made pending: the existing one (its file to be replaced) or a new one."""
    stamp = to_rfc3339(now)
    for _ in range(_ATTEMPTS):
        try:
            guard = KeyItem.get(f"KEY#{spec.digest}", "#", consistent_read=True)
        except DoesNotExist:
            guard = None
        if guard is not None:
            item = ReportItem(*_key(guard.ref))
            item.update(actions=[ReportItem.status.set("pending"), ReportItem.updated_at.set(stamp),
                                 ReportItem.error.remove()], condition=ReportItem.pk.exists())
            return item
        report_id = new_id()
        item = ReportItem(*_key(report_id), report_id=report_id, kind=spec.kind, year=spec.year, fmt=spec.format,
                          language=spec.language, school_id=spec.school_id, class_id=spec.class_id,
                          region=spec.region, student_id=spec.student_id, period=spec.period, day=spec.date,
                          status="pending", created_at=stamp, updated_at=stamp, gpk=spec.scope,
                          gsk=f"{spec.kind}#{spec.class_id or '-'}#{stamp}#{report_id}")
        try:
            with TransactWrite(connection=ReportsRecord._get_connection().connection) as tx:
                tx.save(KeyItem(f"KEY#{spec.digest}", "#", ref=report_id), condition=KeyItem.pk.does_not_exist())
                tx.save(item, condition=ReportItem.pk.does_not_exist())
            return item
        except TransactWriteError:
            continue  # someone asked for the same report at the same moment: take theirs
    raise RuntimeError("the report's guard kept changing")


def reports_in(scope: str, prefix: str | None = None) -> list[ReportItem]:
    """The reports of a scope (whose `<kind>#<class>#` starts with `prefix`), newest first."""
    condition = ReportItem.gsk.startswith(prefix) if prefix else None
    found = list(ReportItem.by_scope.query(scope, condition))
    return sorted(found, key=lambda r: r.created_at, reverse=True)


def finish(report_id: str, object_key: str, size: int, now: datetime) -> None:
    """The report's new file is in place: it is ready."""
    ReportItem(*_key(report_id)).update(actions=[
        ReportItem.status.set("ready"), ReportItem.object_key.set(object_key), ReportItem.size.set(size),
        ReportItem.updated_at.set(to_rfc3339(now)), ReportItem.error.remove()], condition=ReportItem.pk.exists())


def fail(report_id: str, error: str, now: datetime) -> None:
    """The run failed: no file is offered (the last one stays in the bucket, unlinked)."""
    ReportItem(*_key(report_id)).update(actions=[
        ReportItem.status.set("failed"), ReportItem.error.set(error[:500]),
        ReportItem.updated_at.set(to_rfc3339(now))], condition=ReportItem.pk.exists())


def put_rollup(year: int, period: str, region: str, school_id: str, names: tuple[str, str],
               figures: Mapping[str, Any], at: str) -> None:
    RollupItem(f"FIG#{year}#{period}#{region}", school_id, name_kk=names[0], name_ru=names[1], figures=dict(figures),
               at=at).save()


def rollups(year: int, period: str, region: str) -> list[RollupItem]:
    """Every school's tally of the region for the period (one Query)."""
    return list(RollupItem.query(f"FIG#{year}#{period}#{region}"))


def put_punctuality(region: str, school_id: str, names: tuple[str, str], figures: Mapping[str, Any],
                    at: str) -> None:
    RollupItem(f"TML#{region}", school_id, name_kk=names[0], name_ru=names[1], figures=dict(figures), at=at).save()


def punctualities(region: str) -> list[RollupItem]:
    """Every school's last timeliness check in the region (one Query)."""
    return list(RollupItem.query(f"TML#{region}"))


def claim_note(person_id: str, key: str, now: datetime) -> bool:
    """Take the right to send the note `key` to a person: True once, False ever after (until it expires)."""
    try:
        NoteItem(f"NOTE#{person_id}", key, at=to_rfc3339(now), expires=now + timedelta(days=NOTE_DAYS)).save(
            condition=NoteItem.pk.does_not_exist())
        return True
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
