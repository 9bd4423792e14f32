"""The audit trail: one item per change of a journal entry or lesson, written from the journal table's stream.

    S#<pupil>    <at>#<journal>#<A|F|R>#<lesson or work>#<version>   a change of one of the pupil's entries
    J#<journal>  <at>#<journal>#L#<lesson>#<version>                 a change of a lesson (topic, homework)

The key is made of what the change itself holds (the entry's key, version and write time), so a stream record
delivered twice writes the same item twice: exactly one history item per change. Each item keeps the previous
version's write time (`pa`), so the versions of an entry form a chain that reconciliation can walk.
This table is not streamed, so writing it never triggers a consumer.
"""
from __future__ import annotations

from typing import Iterator

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import TableMeta, register

__all__ = ["AuditRecord", "audit_sk", "history", "records_of"]


class AuditRecord(Model):
    """One change: what, before, after, who (person and role), when, why."""

    class Meta(metaclass=TableMeta):
        table_suffix = "audit"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    what = UnicodeAttribute(attr_name="w")  # attendance | formative | result | lesson
    journal_id = UnicodeAttribute(attr_name="j")
    target_id = UnicodeAttribute(attr_name="t")  # the lesson or work
    day = UnicodeAttribute(attr_name="dt", null=True)
    before = JSONAttribute(attr_name="b", null=True)
    after = JSONAttribute(attr_name="a", null=True)
    at = UnicodeAttribute()
    by = UnicodeAttribute(null=True)
    role = UnicodeAttribute(attr_name="ro", null=True)
    reason = UnicodeAttribute(attr_name="re", null=True)
    version = NumberAttribute(attr_name="v")
    previous_at = UnicodeAttribute(attr_name="pa", null=True)


register(AuditRecord)


def audit_sk(at: str, journal_id: str, kind: str, target_id: str, version: int) -> str:
    return f"{at}#{journal_id}#{kind}#{target_id}#{version}"


def history(owner: str, limit: int, before: str | None = None) -> list[AuditRecord]:
    """The newest `limit` changes of an owner (`S#<pupil>` or `J#<journal>`) made before `before`."""
    condition = AuditRecord.sk < before if before else None
    return list(AuditRecord.query(owner, condition, scan_index_forward=False, limit=limit))


def records_of(owner: str, journal_id: str) -> Iterator[AuditRecord]:
    """Every change of an owner in one journal (reconciliation; all pages)."""
    return AuditRecord.query(owner, filter_condition=AuditRecord.journal_id == journal_id)
