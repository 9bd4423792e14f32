"""The idempotency table, in the shape Powertools' DynamoDB persistence layer writes (24 h TTL)."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, TTLAttribute
from pynamodb.models import Model

from chalicelib.store.base import TableMeta, register

__all__ = ["IdempotencyRecord"]


class IdempotencyRecord(Model):
    """One request remembered by its Idempotency-Key (written by Powertools, declared here for the schema)."""

    class Meta(metaclass=TableMeta):
        table_suffix = "idempotency"

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)
    in_progress_expiration = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    data = UnicodeAttribute(null=True)
    validation = UnicodeAttribute(null=True)


register(IdempotencyRecord)
