"""The CDK app synthesized once per stage, the way `make synth` does it (a fresh process per stage).

Needs the infra virtualenv (infra/.venv: root requirements-dev.txt plus infra/requirements.txt); elsewhere these
tests are skipped.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

try:
    from aws_cdk.assertions import Template
except ImportError:  # not the infra virtualenv: nothing here can run
    collect_ignore_glob = ["test_*.py"]

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")


@dataclass(frozen=True)
class Synthesized:
    """One stage's CloudFormation template: as JSON and as a CDK assertions Template."""

    stage: str
    json: dict[str, Any]
    template: Template
    outdir: Path  # the cloud assembly: templates and the assets (the Lambda package) CDK would upload

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == resource_type}

    def functions(self) -> dict[str, dict[str, Any]]:
        return self.resources("AWS::Serverless::Function")


def synthesize(stage: str, outdir: Path) -> dict[str, Any]:
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"stage": stage}), "CDK_OUTDIR": str(outdir)}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    run = subprocess.run([sys.executable, str(REPO_ROOT / "infra" / "main.py")], env=env, capture_output=True,
                         text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"synth of {stage} failed:\n{run.stderr[-4000:]}")
    return json.loads((outdir / f"{stage}.template.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesized]:
    result = {}
    for stage in STAGES:
        outdir = tmp_path_factory.mktemp(f"cdk-{stage}")
        data = synthesize(stage, outdir)
        result[stage] = Synthesized(stage, data, Template.from_json(data), outdir)
    return result


@pytest.fixture(params=STAGES)
def stage(request: pytest.FixtureRequest, synthesized: dict[str, Synthesized]) -> Synthesized:
    """Each stage in turn."""
    return synthesized[request.param]


@pytest.fixture
def dev(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["dev"]


@pytest.fixture
def prod(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["prod"]
