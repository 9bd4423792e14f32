"""The environment every in-process (moto) scenario runs in: test stage, fake credentials, no endpoint override,
and moto's transactions made as fast as the local runner makes them."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["use_emulated_aws", "emulated_app"]


def use_emulated_aws() -> None:
    """Point the app at moto's in-process AWS (call before the app or its settings are first read)."""
    os.environ.update({"STAGE": "test", "AWS_DEFAULT_REGION": "eu-central-1", "AWS_REGION": "eu-central-1",
                       "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "POWERTOOLS_METRICS_DISABLED": "true"})
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
        os.environ.pop(name, None)
    from chalicelib.local.emulator import copy_tables_once_per_transaction

    copy_tables_once_per_transaction()  # moto copies a table per transaction item otherwise: times would be moto's


@contextmanager
def emulated_app(today: date) -> Iterator[Any]:
    """moto on with the service's tables, the app behind Chalice's test client, and `today` as the journal's
    today (`chalicelib.domain.dates.today_kz`) until the block ends."""
    use_emulated_aws()
    from moto import mock_aws

    with mock_aws():
        from chalicelib.config import reset_settings

        reset_settings()
        from chalice.test import Client

        from app import app
        from chalicelib.domain import dates
        from chalicelib.store.base import create_tables

        create_tables()
        real_today, dates.today_kz = dates.today_kz, lambda: today
        try:
            yield Client(app, stage_name="test", project_dir=str(Path(__file__).resolve().parents[1]))
        finally:
            dates.today_kz = real_today
