"""End-to-end tests: the local runner (`python -m chalicelib.local`) as a subprocess, spoken to over HTTP."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "e2e-admin-password"
DEMO_PASSWORD = "demo-2026"
_START_SECONDS = 90  # a loaded CI machine; the runner itself prints how long it took
_STOP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refuses(url: str) -> bool:
    """Nothing listens at `url`'s host and port any more."""
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) != 0


def children_of(pid: int) -> list[int]:
    listing = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    return [int(child) for child, parent in (line.split() for line in listing.splitlines()) if int(parent) == pid]


@dataclass
class Runner:
    """A running local runner: its process, API URL, emulator endpoint and console output."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    endpoint: str = ""

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Signal the runner and wait for it; returns its exit code (kills it if it hangs, and fails)."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the runner did not stop within {_STOP_SECONDS} s:\n{self.output()}")


def start_runner(workdir: Path, *, data_file: Path | None = None) -> Runner:
    """Start the runner on a free port and wait until `/v1/health` answers."""
    port, log = free_port(), workdir / f"runner-{time.monotonic_ns()}.log"
    env = {k: v for k, v in os.environ.items() if k != "DEMO_PASSWORD"}
    env.update(LOCAL_ADMIN_PASSWORD=ADMIN_PASSWORD, PYTHONUNBUFFERED="1")
    arguments = [sys.executable, "-m", "chalicelib.local", "--port", str(port)]
    if data_file is not None:
        arguments += ["--data-file", str(data_file)]
    with log.open("wb") as sink:
        process = subprocess.Popen(arguments, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    runner = Runner(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the runner exited with {process.returncode}:\n{runner.output()}")
        try:
            if requests.get(f"{runner.url}/v1/health", timeout=2).status_code == 200:
                found = re.search(r"AWS\s+(http://[0-9.:]+)", runner.output())
                runner.endpoint = found[1] if found else ""
                return runner
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or listening but seeding
            pass
        time.sleep(0.2)
    runner.stop(signal.SIGKILL)
    pytest.fail(f"the runner was not ready within {_START_SECONDS} s:\n{runner.output()}")


@dataclass
class Client:
    """JSON over HTTP, as one user."""

    url: str
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, body: Any = None, *, data: bytes | None = None,
             content_type: str = "application/json", headers: dict[str, str] | None = None) -> requests.Response:
        h = {"Content-Type": content_type, **(headers or {})}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return self.session.request(method, self.url + path, json=body if data is None else None, data=data,
                                    headers=h, timeout=30)

    def as_user(self, username: str, password: str = DEMO_PASSWORD) -> Client:
        response = self.call("POST", "/v1/auth/token", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return Client(self.url, response.json()["access_token"], self.session)


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """One runner for the session, stopped with Ctrl-C at the end: it exits 0 and started no process."""
    started = start_runner(tmp_path_factory.mktemp("e2e"))
    yield started
    assert children_of(started.process.pid) == []
    assert started.stop() == 0, started.output()
    assert "Traceback" not in started.output()


@pytest.fixture(scope="session")
def anonymous(runner: Runner) -> Client:
    return Client(runner.url)


@pytest.fixture(scope="session")
def school_admin(anonymous: Client) -> Client:
    return anonymous.as_user("school.admin")


@pytest.fixture(scope="session")
def school_id(school_admin: Client) -> str:
    roles = school_admin.call("GET", "/v1/me").json()["roles"]
    return next(r["school_id"] for r in roles if r["role"] == "school_admin")


@pytest.fixture(scope="session")
def classes(school_admin: Client, school_id: str) -> dict[str, dict[str, Any]]:
    """The demo school's classes by name ("5Ә", "7А")."""
    return {c["name"]: c for c in school_admin.call("GET", f"/v1/schools/{school_id}/classes").json()}


def is_problem(response: requests.Response, status: int) -> bool:
    return (response.status_code == status
            and response.headers["Content-Type"].startswith("application/problem+json")
            and response.json()["status"] == status)
