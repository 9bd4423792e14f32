"""Schemathesis against `/v1/openapi.json` on a local runner: no 5xx, no answer outside the documented contract.

Each demo role fuzzes every operation with a real token, so requests get past authentication into the body and
rule checks. Path ids are mostly the demo school's own (the rest generated), so views run on real objects. The
seed is fixed, so a run is repeatable; each operation gets a bounded number of generated cases.
The fuzzing takes minutes: `make fuzz` runs it (FUZZ=1), `make test` skips it. Its runner is its own: the fuzzer
writes (settings, timetables, accounts) and other tests must not see that.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
import schemathesis
import schemathesis.engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

from tests.e2e.conftest import (
    ADMIN_PASSWORD, DEMO_PASSWORD, Client, Runner, children_of, is_problem, start_runner,
)

slow = pytest.mark.skipif(os.environ.get("FUZZ") != "1", reason="slow: `make fuzz` runs it (FUZZ=1)")

SEED = 20261129
_JOURNAL_SECONDS = 180  # the demo half-term is written in the background after start-up


class Role(NamedTuple):
    username: str
    password: str
    examples: int  # generated cases per operation, times FUZZ_SCALE (`make fuzz SCALE=10` for a deeper run)
    checks: tuple[str, ...] = ()  # beyond CHECKS


CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "negative_data_rejection")

ROLES = {
    "school_admin": Role("school.admin", DEMO_PASSWORD, 1, ("ignored_auth",)),  # same requests for every role
    "teacher": Role("teacher.math", DEMO_PASSWORD, 1),
    "parent": Role("parent.demo", DEMO_PASSWORD, 1),
    "ministry": Role("admin", ADMIN_PASSWORD, 1),
}

# Operations the fuzzer leaves alone, each with its reason. Keep this short and every entry explained.
EXCLUDED = {
    "POST /v1/auth/logout": "revokes the fuzzer's own token: every later request would be 401",
    "POST /v1/classes/{class_id}/rollover": "ends a demo class's year (pupils moved, journals read-only): every "
                                            "later journal write would only meet a closed year",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A check an operation broke, and the request that shows it."""

    operation: str
    check: str
    message: str
    curl: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.check}\n    {self.message.strip()[:600]}\n    {self.curl}"


@pytest.fixture(scope="module")
def fuzz_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """A runner of this module's own, once the demo half-term of lessons and works is loaded."""
    started = start_runner(tmp_path_factory.mktemp("fuzz"))
    deadline = time.monotonic() + _JOURNAL_SECONDS
    while "Demo journal:" not in started.output():
        if time.monotonic() > deadline:
            started.stop(signal.SIGKILL)
            pytest.fail(f"the demo journal was not loaded within {_JOURNAL_SECONDS} s:\n{started.output()}")
        time.sleep(0.5)
    yield started
    assert "Traceback" not in started.output()  # a 500 the checks missed, or an error in the background
    assert children_of(started.process.pid) == []
    started.stop(signal.SIGKILL)  # a graceful stop would wait for the pollers to work through all that was written


@pytest.fixture(scope="module")
def demo_ids(fuzz_runner: Runner) -> dict[str, list[str]]:
    """Real ids of the demo school for the path parameters that name one, read as the school admin."""
    admin = Client(fuzz_runner.url).as_user("school.admin")
    school_id = next(r["school_id"] for r in admin.call("GET", "/v1/me").json()["roles"]
                     if r["role"] == "school_admin")
    classes = admin.call("GET", f"/v1/schools/{school_id}/classes").json()
    journals = [j for c in classes for j in admin.call("GET", f"/v1/classes/{c['class_id']}/journals").json()]
    pupils = [p for c in classes for p in admin.call("GET", f"/v1/classes/{c['class_id']}/pupils").json()]
    math = next(s["subject_id"] for s in admin.call("GET", f"/v1/schools/{school_id}/subjects").json()
                if s["code"] == "math")
    maths = next(j for j in journals if j["subject_id"] == math)  # the math teacher's, in 5 "Ә"
    grid = admin.call("GET", f"/v1/journals/{maths['journal_id']}?period=T1").json()
    return {
        "school_id": [school_id],
        "class_id": [c["class_id"] for c in classes],
        "journal_id": [maths["journal_id"], journals[0]["journal_id"], journals[-1]["journal_id"]],
        "subject_id": sorted({j["subject_id"] for j in journals})[:3],
        "teacher_id": sorted({t for j in journals for t in j["teacher_ids"]})[:3],
        "student_id": [p["student_id"] for p in pupils[:2] + pupils[-2:]],
        "person_id": [p["student_id"] for p in pupils[2:4]],  # never the admin: a reset would end its session
        "lesson_id": [lesson["lesson_id"] for lesson in grid["lessons"][:3]],
        "work_id": [work["work_id"] for work in grid["works"][:2]],
        "period": ["T1", "T2", "H1", "Y"],
    }


def fuzz(url: str, token: str, ids: dict[str, list[str]], role: Role) -> tuple[int, list[Any]]:
    """Every operation not excluded, fuzzed with `token`: how many cases were sent, and what broke."""
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "request-timeout": 60,  # a loaded machine; a timeout is reported like any other finding
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": role.examples * int(os.environ.get("FUZZ_SCALE") or 1),
                       "database": "none", "no-shrink": True},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False},
                   "stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS + role.checks}},
        "dictionaries": {name: {"values": values} for name, values in ids.items()},
        "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.8} for name in ids},
    })
    schema = schemathesis.openapi.from_url(f"{url}/v1/openapi.json", config=config).exclude(name=list(EXCLUDED))
    cases, broken = 0, []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            broken += [Finding(event.recorder.label, check.name, check.failure_info.failure.message,
                               check.failure_info.code_sample)
                       for checks in event.recorder.checks.values() for check in checks
                       if check.failure_info is not None]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            broken.append(event)
    return cases, broken


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
def test_a_method_no_route_takes_is_a_405_problem(anonymous: Client, method: str) -> None:
    """Found by the fuzzer: the local server answered these 501 in HTML."""
    response = anonymous.call(method, "/v1/health")
    assert is_problem(response, 405)
    assert "GET" in response.headers["Allow"]


@slow
@pytest.mark.parametrize("name", list(ROLES))
def test_every_operation_keeps_to_its_documented_contract(fuzz_runner: Runner, demo_ids: dict[str, list[str]],
                                                          name: str) -> None:
    role = ROLES[name]
    token = Client(fuzz_runner.url).as_user(role.username, role.password).token
    assert token is not None
    began = time.monotonic()
    cases, broken = fuzz(fuzz_runner.url, token, demo_ids, role)
    print(f"fuzzed as {name}: {cases} cases in {time.monotonic() - began:.0f} s")
    assert cases > 0
    assert not broken, f"{len(broken)} findings as {name} in {cases} cases:\n" + "\n".join(map(str, broken))
