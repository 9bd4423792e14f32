"""Schemathesis against `/v1/openapi.json` on a local runner: no 5xx and no answer outside the documented contract.

Each role fuzzes every operation with a real token, so requests get past authentication into body, query and rule
checks. Path ids are the demo school's own (with a probability: the rest are generated), so views run on real
objects. The seed is fixed, so a run is repeatable; each operation gets a bounded number of generated cases.
The runner is this module's own: the fuzzer writes (settings, timetables, accounts) and other tests must not see it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import schemathesis.engine
from schemathesis.engine import events
from schemathesis.config import SchemathesisConfig

from tests.e2e.conftest import ADMIN_PASSWORD, Client, Runner, children_of, start_runner

SEED = 20261129
_JOURNAL_SECONDS = 120  # the demo half-term is written in the background after start-up

# role -> (login, password, the cases fuzzing generates per operation, whether the coverage phase runs too)
ROLES: dict[str, tuple[str, str | None, int, bool]] = {
    "school_admin": ("school.admin", None, 6, False),
    "teacher": ("teacher.math", None, 4, False),
    "parent": ("parent.demo", None, 3, False),
    "ministry": ("admin", ADMIN_PASSWORD, 3, False),
}

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "negative_data_rejection",
          "unsupported_method", "ignored_auth")

# Operations the fuzzer leaves alone, each with the reason. Keep this list short and every entry explained.
EXCLUDED: dict[str, str] = {
    "POST /v1/auth/logout": "revokes the fuzzer's own token, and every later request would be 401",
}


@pytest.fixture(scope="module")
def fuzz_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """A runner of this module's own, with the demo half-term of lessons and works loaded."""
    started = start_runner(tmp_path_factory.mktemp("fuzz"))
    deadline = time.monotonic() + _JOURNAL_SECONDS
    while "Demo journal:" not in started.output():
        if time.monotonic() > deadline:
            started.stop()
            pytest.fail(f"the demo journal was not loaded within {_JOURNAL_SECONDS} s:\n{started.output()}")
        time.sleep(0.5)
    yield started
    assert children_of(started.process.pid) == []
    assert started.stop() == 0, started.output()


@pytest.fixture(scope="module")
def demo_ids(fuzz_runner: Runner) -> dict[str, list[str]]:
    """Real ids of the demo school for every path parameter that names one, read as the school admin."""
    admin = Client(fuzz_runner.url).as_user("school.admin")
    me = admin.call("GET", "/v1/me").json()
    school_id = next(r["school_id"] for r in me["roles"] if r["role"] == "school_admin")
    classes = admin.call("GET", f"/v1/schools/{school_id}/classes").json()
    journals = [j for c in classes for j in admin.call("GET", f"/v1/classes/{c['class_id']}/journals").json()]
    pupils = [p for c in classes for p in admin.call("GET", f"/v1/classes/{c['class_id']}/pupils").json()]
    grid = admin.call("GET", f"/v1/journals/{journals[2]['journal_id']}?period=T1").json()
    return {
        "school_id": [school_id],
        "class_id": [c["class_id"] for c in classes],
        "journal_id": [j["journal_id"] for j in journals[:4]],
        "subject_id": sorted({j["subject_id"] for j in journals})[:3],
        "teacher_id": sorted({t for j in journals for t in j["teacher_ids"]})[:3],
        "student_id": [p["student_id"] for p in pupils[:2] + pupils[-2:]],
        "person_id": [p["student_id"] for p in pupils[2:4]] + [me["person_id"]],
        "lesson_id": [lesson["lesson_id"] for lesson in grid["lessons"][:3]],
        "work_id": [work["work_id"] for work in grid["works"][:2]],
        "period": ["T1", "T2", "H1", "Y"],
    }


def _config(token: str, ids: dict[str, list[str]], max_examples: int, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": max_examples, "database": "none", "no-shrink": True},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": coverage},
                   "stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "dictionaries": {name: {"values": values} for name, values in ids.items()},
        "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.8} for name in ids},
    })


@dataclass
class Finding:
    """One operation that broke a check: what, and the request that shows it."""

    operation: str
    check: str
    message: str
    curl: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.check}\n    {self.message.strip()[:600]}\n    {self.curl}"


def fuzz(url: str, token: str, ids: dict[str, list[str]], max_examples: int, coverage: bool) -> tuple[int, list[Any]]:
    """Run schemathesis over every operation not excluded; the number of cases sent and what broke."""
    config = _config(token, ids, max_examples, coverage)
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


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_keeps_to_its_documented_contract(fuzz_runner: Runner, demo_ids: dict[str, list[str]],
                                                          role: str) -> None:
    username, password, max_examples, coverage = ROLES[role]
    token = Client(fuzz_runner.url).as_user(username, *(password,) if password else ()).token
    assert token
    began = time.monotonic()
    cases, broken = fuzz(fuzz_runner.url, token, demo_ids, max_examples, coverage)
    print(f"fuzzed as {role}: {cases} cases in {time.monotonic() - began:.0f} s")
    assert cases > 0
    assert not broken, f"{len(broken)} findings as {role} in {cases} cases:\n" + "\n".join(map(str, broken))
