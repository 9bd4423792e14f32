"""The environment every in-process (moto) scenario runs in: test stage, fake credentials, no endpoint override,
and moto's transactions made as fast as the local runner makes them."""
from __future__ import annotations

import os

__all__ = ["use_emulated_aws"]


def use_emulated_aws() -> None:
    """Point the app at moto's in-process AWS (call before the app or its settings are first read)."""
    os.environ.update({"STAGE": "test", "AWS_DEFAULT_REGION": "eu-central-1", "AWS_REGION": "eu-central-1",
                       "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "POWERTOOLS_METRICS_DISABLED": "true"})
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
        os.environ.pop(name, None)
    from chalicelib.local.emulator import copy_tables_once_per_transaction

    copy_tables_once_per_transaction()  # moto copies a table per transaction item otherwise: times would be moto's
