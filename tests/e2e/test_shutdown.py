"""Stopping the local run: Ctrl-C and SIGTERM stop everything and exit 0; `--data-file` keeps the data."""
from __future__ import annotations

import signal
from pathlib import Path

from tests.e2e.conftest import Client, children_of, refuses, start_runner


def test_stopping_leaves_nothing_behind_and_the_data_file_keeps_the_data(tmp_path: Path) -> None:
    data_file = tmp_path / "local-data.json"
    first = start_runner(tmp_path, data_file=data_file)
    admin = Client(first.url).as_user("school.admin")
    school_id = next(r["school_id"] for r in admin.call("GET", "/v1/me").json()["roles"] if r.get("school_id"))
    assert admin.call("PUT", f"/v1/schools/{school_id}/settings", {"edit_window_days": 3}).status_code == 200

    assert children_of(first.process.pid) == []
    assert first.stop(signal.SIGINT) == 0, first.output()
    assert refuses(first.url) and refuses(first.endpoint)
    assert "Traceback" not in first.output()
    assert data_file.exists()

    second = start_runner(tmp_path, data_file=data_file)
    admin = Client(second.url).as_user("school.admin")
    assert [r["school_id"] for r in admin.call("GET", "/v1/me").json()["roles"] if r.get("school_id")] == [school_id]
    assert admin.call("GET", f"/v1/schools/{school_id}/settings").json()["edit_window_days"] == 3
    assert second.stop(signal.SIGTERM) == 0, second.output()
    assert refuses(second.url) and refuses(second.endpoint)
