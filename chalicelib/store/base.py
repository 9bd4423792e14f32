"""What every table of the store shares: lazily resolved table names and table creation.

Table names come from the settings on first use, never at import, so a model module can be imported by
infra/, tests and the Lambda handler alike. Endpoints come from botocore's own resolution
(`AWS_ENDPOINT_URL_DYNAMODB` locally), so models carry no host.
"""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from chalicelib.config import settings

__all__ = ["TableMeta", "all_models", "create_tables", "register", "table_definition"]

_MODELS: dict[str, type[Model]] = {}


class TableMeta(type):
    """Metaclass of a model's `Meta`: `table_name` is `<prefix>-<table_suffix>`, read when first used."""

    @property
    def table_name(cls) -> str:
        return settings().table(cls.table_suffix)  # type: ignore[attr-defined]


def register(model: type[Model]) -> type[Model]:
    """Name `model` as the one that creates its table (one per table)."""
    _MODELS[model.Meta.table_suffix] = model  # type: ignore[attr-defined]
    return model


def all_models() -> dict[str, type[Model]]:
    """The table-creating model of every table, by table suffix."""
    from chalicelib.store import directory, idempotency  # noqa: F401  (registers the models)
    from chalicelib.store import audit, curriculum, journal  # noqa: F401
    from chalicelib.store import notifications  # noqa: F401
    from chalicelib.store import counters, parked  # noqa: F401
    from chalicelib.store import reports  # noqa: F401

    return dict(_MODELS)


def create_tables(*, wait: bool = False) -> list[str]:
    """Create every table that does not exist yet (local runner, tests). Returns the names created."""
    created = []
    for model in all_models().values():
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=wait)
            created.append(model.Meta.table_name)
    return created


def table_definition(model: type[Model]) -> dict[str, Any]:
    """Key schema, indexes, stream and TTL of a model's table, for infra/ (one source of truth)."""
    schema = model._get_schema()
    ttl = next((name for name, attr in model.get_attributes().items()
                if type(attr).__name__ == "TTLAttribute"), None)
    ttl_name = model.get_attributes()[ttl].attr_name if ttl else None
    return {
        "suffix": model.Meta.table_suffix,  # type: ignore[attr-defined]
        "key_schema": schema["key_schema"],
        "attribute_definitions": schema["attribute_definitions"],
        "global_secondary_indexes": [
            {"index_name": i["index_name"], "key_schema": i["key_schema"], "projection": i["projection"]}
            for i in schema["global_secondary_indexes"]
        ],
        "stream_view_type": getattr(model.Meta, "stream_view_type", None),
        "ttl_attribute": ttl_name,
    }
