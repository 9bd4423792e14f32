"""`--data-file PATH`: the local data kept between runs, as JSON: every table's items and the files bucket.

A dump of items rather than a pickle of moto's state: restored into tables freshly created from the store's
current definitions, it survives new indexes, new tables and moto upgrades; tables are named by their store
suffix. Items are kept in DynamoDB's own JSON form, read from and written to the emulator's tables in this process
(moto's HTTP answers cost ~5 ms an item to serialise: a scan of a few thousand items would take seconds).
Written when the runner stops cleanly (Ctrl-C, SIGTERM), to a temporary file first, then renamed; restored at
start, in place of the demo seed, before the stream pollers start (so no consumer sees the restore).
Not kept: queued messages, stream records, e-mails and SMS sent.
"""
from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path

import boto3
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends

from chalicelib.config import settings
from chalicelib.store.base import all_models

__all__ = ["FORMAT", "SnapshotError", "restore", "save"]

log = logging.getLogger(__name__)

FORMAT = "ejournal-local-data/1"


class SnapshotError(RuntimeError):
    """The data file cannot be read as a dump of this service."""


def save(path: Path, account: str) -> None:
    """Write every table's items and every file of the bucket to `path`."""
    backend = _dynamodb(account)
    tables = {suffix: [item.to_json()["Attributes"] for item in backend.get_table(model.Meta.table_name).all_items()]
              for suffix, model in all_models().items()}
    s3, bucket, files = boto3.client("s3"), settings().files_bucket, []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            got = s3.get_object(Bucket=bucket, Key=entry["Key"])
            files.append({"key": entry["Key"], "content_type": got.get("ContentType"),
                          "body": base64.b64encode(got["Body"].read()).decode("ascii")})
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"format": FORMAT, "tables": tables, "files": files}, ensure_ascii=False),
                         encoding="utf-8")
    os.replace(temporary, path)


def restore(path: Path, account: str) -> bool:
    """Load `path` into the (empty) tables and bucket; False when there is no such file yet."""
    if not path.exists():
        return False
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SnapshotError(f"{path} is not a data file of the local runner: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not a data file of the local runner ({FORMAT})")
    backend, models = _dynamodb(account), all_models()
    for suffix, items in document["tables"].items():
        if suffix not in models:
            log.warning("the data file holds a table %s that the store no longer has; skipped", suffix)
            continue
        for item in items:
            backend.put_item(models[suffix].Meta.table_name, item)
    s3 = boto3.client("s3")
    for f in document["files"]:
        s3.put_object(Bucket=settings().files_bucket, Key=f["key"], Body=base64.b64decode(f["body"]),
                      **({"ContentType": f["content_type"]} if f["content_type"] else {}))
    return True


def _dynamodb(account: str) -> DynamoDBBackend:
    """The emulator's DynamoDB, which runs in this process."""
    return dynamodb_backends[account][settings().region]
