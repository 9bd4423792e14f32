"""The data endpoint is configuration (docs/DATA-RESIDENCY.md): the same app, unchanged, keeps its data in a
DynamoDB-compatible store at another address, here a moto server on 127.0.0.1 standing in for one hosted in
Kazakhstan. No in-process mock is on: a call that went to AWS's own endpoint would fail (no network)."""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import boto3
import pytest
from chalice.test import Client
from moto.server import ThreadedMotoServer

from chalicelib.auth import kdf_params
from chalicelib.auth.passwords import hash_password
from chalicelib.config import reset_settings, settings
from chalicelib.store.base import create_tables
from chalicelib.store.people import create_operator
from tests.integration.conftest import ROOT, Api

PASSWORD = "hosted-in-kz-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hosted_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A DynamoDB-compatible server at a non-default endpoint, with the service's tables under their own prefix."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
    monkeypatch.setenv("TABLE_PREFIX", "kz-hosted")  # new table names: the models connect afresh, to `endpoint`
    reset_settings()
    try:
        create_tables(wait=True)
        yield endpoint
    finally:
        server.stop()
        monkeypatch.undo()
        reset_settings()


def test_a_school_is_written_and_read_through_the_api_at_a_non_default_endpoint(hosted_store: str) -> None:
    from app import app

    create_operator("kz.minister", hash_password(PASSWORD, kdf_params()), role="ministry", last_name="Әкімші",
                    first_name="Министрлік")
    with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
        ministry = Api(client).as_user("kz.minister", PASSWORD)
        created = ministry.ok("POST", "/v1/schools", {"name": {"kk": "№7 мектеп", "ru": "Школа №7"},
                                                      "region": "ulytau"}, status=201)
        read = ministry.ok("GET", f"/v1/schools/{created['school_id']}")
    assert read["name"] == {"kk": "№7 мектеп", "ru": "Школа №7"} and read["region"] == "ulytau"

    hosted = boto3.client("dynamodb", endpoint_url=hosted_store)  # what the store at that address now holds
    table = settings().table("directory")
    assert table == "kz-hosted-directory"
    items = hosted.scan(TableName=table)["Items"]
    assert any(json.dumps(item, ensure_ascii=False).count("№7 мектеп") for item in items)
