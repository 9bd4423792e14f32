"""Scenario: the deployment package as Lambda gets it, its size and the cold start of each of its functions.

The package is built the way `make synth` builds it: `chalice package` (stage dev), then
`infra.package.slim_package` (the runtime's boto3/botocore left out, unchecked-hash .pyc in) and
`report_layer` (the report libraries moved to a layer that only `REPORT_FUNCTIONS` get). Sizes are the arm64
zips': the package every function runs, the layer, and the package as it was with the report libraries in it.
Cold starts are timed, each function on what it gets (the package, and the layer for the report functions), on
zips built the same way for this machine's architecture (an arm64 `.so` cannot load on x86_64), beside a floor
built the same way: a bare Chalice app that creates one boto3 DynamoDB client at import. The API function is
also timed on the package with the report libraries in it (`APIHandler_with_report_libraries`).

Each measurement unpacks the zip (and layer) into a fresh directory and starts a fresh interpreter (no
site-packages, `PYTHONDONTWRITEBYTECODE=1`, a Lambda's environment with the stage's settings) whose path is the
package, then the layer's `python/` as Lambda orders them, then the runtime's boto3 and its dependencies (with
.pyc, as the runtime ships them). For each function of the SAM template it times the Lambda init (import the
handler's module, resolve the handler) and then the first invocation with a small event of the function's kind,
since that is where lazy imports land: the API gets `GET /v1/me` with a malformed token (401), a queue consumer a
message of an unknown task, a stream consumer an empty batch, a scheduled job its event. AWS is unreachable
(endpoints point at a closed local port, no retries), so a first call that needs the network fails fast after its
imports; an ImportError (or a 5xx answer of the API, which answers its own crashes) fails the scenario. The floor
is its import alone. Runs alternate between the functions and the floor, after one unmeasured round. Times are CPU
time of the probe process: on a shared machine wall-clock time measures the neighbours.
"""

from __future__ import annotations

import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cold_import import FLOOR_SOURCE, ColdImportError, copy_distributions, lambda_environment
from bench.results import Metric
from infra.package import (
    LAMBDA_ARCHITECTURE, LAYER_ROOT, REPORT_FUNCTIONS, RUNTIME_PROVIDED, PackageSize, package_runtime, package_size,
    report_layer, slim_package,
)

__all__ = ["SCENARIO", "FunctionTimes", "build_package", "lambda_functions", "run"]

SCENARIO = "package"
PROJECT = Path(__file__).resolve().parent.parent
RUNS = 5
STAGE = "dev"
REGION = "eu-central-1"
MAX_ZIPPED_MB = 8
MAX_OVER_FLOOR = 1.3
_MB = 1024 * 1024
_CLOSED_ENDPOINT = "http://127.0.0.1:9"  # nothing listens: every AWS call is refused at once
_FLOOR_ROUTE = '\n\n@app.route("/")\ndef index():\n    return {}\n'  # without a function nothing is packaged
_MARK = "cold-start="
_TIMEOUT_SECONDS = 300
_PROBE = """
import importlib, json, os, sys, time

class Context:
    function_name, function_version, memory_limit_in_mb = "probe", "$LATEST", 1024
    invoked_function_arn = "arn:aws:lambda:eu-central-1:000000000000:function:probe"
    aws_request_id, log_group_name, log_stream_name = "cold-start", "probe", "probe"
    def get_remaining_time_in_millis(self):
        return 29000

sys.path[:0] = sys.argv[1].split(os.pathsep)
module_name, _, handler_name = sys.argv[2].rpartition(".")
started = time.process_time_ns()
handler = getattr(importlib.import_module(module_name), handler_name)
initialised = time.process_time_ns()
outcome = "not called"
if sys.argv[3]:
    try:
        answer = handler(json.loads(sys.argv[3]), Context())
        outcome = f"status {answer['statusCode']}" if isinstance(answer, dict) and "statusCode" in answer else "ok"
    except ImportError:
        raise
    except Exception as error:
        outcome = type(error).__name__
finished = time.process_time_ns()
print("cold-start=" + json.dumps({"init_ms": (initialised - started) / 1e6, "total_ms": (finished - started) / 1e6,
                                  "outcome": outcome}))
"""


@dataclass(frozen=True)
class FunctionTimes:
    """Init (import) and init plus first call, in ms of CPU time, one value per run."""

    init_ms: list[float]
    total_ms: list[float]


def run() -> dict[str, Metric]:
    """Build the package for Lambda and for this machine, measure both as described above."""
    with tempfile.TemporaryDirectory(prefix="bench-package-") as scratch:
        root = Path(scratch)
        deployed, before = build_package(PROJECT, root / "lambda", LAMBDA_ARCHITECTURE)
        local = _local_architecture()
        local_zip = (shutil.copyfile(deployed, root / "local.zip") if local == LAMBDA_ARCHITECTURE
                     else build_package(PROJECT, root / "local", local)[0])
        full = package_size(deployed)
        layer = report_layer(deployed, root / "report-layer.zip")
        app = package_size(deployed)
        local_full = shutil.copyfile(local_zip, root / "local-full.zip")
        local_layer = root / "local-report-layer.zip"
        report_layer(local_zip, local_layer)
        floor_zip = build_package(_floor_project(root / "floor-project"), root / "floor", local)[0]
        runtime = _runtime_packages(root / "runtime")
        handlers = lambda_functions(deployed.parent / "sam.json")
        functions = {name: ((local_zip, local_layer) if name in REPORT_FUNCTIONS else (local_zip,), handler, kind)
                     for name, (handler, kind) in handlers.items()}
        functions["APIHandler_with_report_libraries"] = ((local_full,), handlers["APIHandler"][0], None)
        times = _time_functions(functions, floor_zip, runtime, root / "runs")
    metrics = {
        "zipped_mb": Metric(round(app.zipped_bytes / _MB, 2), "MiB", f"<= {MAX_ZIPPED_MB}"),
        "unzipped_mb": Metric(round(app.unzipped_bytes / _MB, 2), "MiB"),
        "files": Metric(app.files, "files"),
        "report_layer_zipped_mb": Metric(round(layer.zipped_bytes / _MB, 2), "MiB"),
        "report_layer_unzipped_mb": Metric(round(layer.unzipped_bytes / _MB, 2), "MiB"),
        "with_report_libraries_zipped_mb": Metric(round(full.zipped_bytes / _MB, 2), "MiB"),
        "with_report_libraries_unzipped_mb": Metric(round(full.unzipped_bytes / _MB, 2), "MiB"),
        "chalice_zipped_mb": Metric(round(before.zipped_bytes / _MB, 2), "MiB"),
        "chalice_unzipped_mb": Metric(round(before.unzipped_bytes / _MB, 2), "MiB"),
    }
    floor = statistics.median(times.pop("floor").init_ms)
    metrics["floor_ms_median"] = Metric(round(floor, 1), "ms")
    for name, measured in times.items():
        init, total = statistics.median(measured.init_ms), statistics.median(measured.total_ms)
        metrics[f"{name}_init_ms_median"] = Metric(round(init, 1), "ms")
        metrics[f"{name}_first_call_ms_median"] = Metric(round(total, 1), "ms")
        metrics[f"{name}_init_over_floor"] = Metric(round(init / floor, 2), "x", f"<= {MAX_OVER_FLOOR}")
        metrics[f"{name}_first_call_over_floor"] = Metric(round(total / floor, 2), "x")
    metrics["runs"] = Metric(RUNS, "runs")
    return metrics


def build_package(project: Path, output: Path, architecture: str) -> tuple[Path, PackageSize]:
    """`chalice package` of `project` (stage dev) into `output`, slimmed; its zip and the size before slimming."""
    from chalice import api

    environment = {"AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", REGION)}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        api.package_app(project_dir=str(project), output_dir=str(output), stage=STAGE,
                        chalice_config={"lambda_architecture": architecture})
    except Exception as error:
        raise ColdImportError(f"chalice package of {project.name} failed: {error}") from error
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    deployment = output / "deployment.zip"
    before = package_size(deployment)
    slim_package(deployment, runtime=package_runtime(output))
    return deployment, before


def lambda_functions(sam_template: Path) -> dict[str, tuple[str, str | None]]:
    """(handler, event kind) of every function of a Chalice SAM template, by logical id; the kind is the first
    event source's type (`SQS`, `DynamoDB`, `Schedule`, ...), None for the API handler."""
    resources = json.loads(sam_template.read_text(encoding="utf-8"))["Resources"]
    functions = {}
    for logical_id, resource in sorted(resources.items()):
        if resource["Type"] == "AWS::Serverless::Function":
            events = list(resource["Properties"].get("Events", {}).values())
            functions[logical_id] = (resource["Properties"]["Handler"], events[0]["Type"] if events else None)
    return functions


def _local_architecture() -> str:
    return "arm64" if platform.machine().lower() in {"arm64", "aarch64"} else "x86_64"


def _floor_project(directory: Path) -> Path:
    (directory / ".chalice").mkdir(parents=True)
    (directory / "app.py").write_text(FLOOR_SOURCE + _FLOOR_ROUTE, encoding="utf-8")
    (directory / "requirements.txt").write_text("", encoding="utf-8")
    config = {"version": "2.0", "app_name": "floor", "stages": {STAGE: {}}}
    (directory / ".chalice" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


def _runtime_packages(directory: Path) -> Path:
    """boto3 and its dependencies as the Lambda runtime holds them: installed, with .pyc."""
    copy_distributions(sorted(RUNTIME_PROVIDED), directory)
    compileall.compile_dir(directory, quiet=1)
    return directory


def _first_event(kind: str | None) -> dict[str, Any]:
    if kind is None:  # the API: an authenticated route with a token that cannot verify
        return {"resource": "/v1/me", "path": "/v1/me", "httpMethod": "GET", "body": None, "isBase64Encoded": False,
                "headers": {"Authorization": "Bearer cold.start.probe", "Host": "api.example"},
                "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
                "requestContext": {"resourcePath": "/v1/me", "httpMethod": "GET", "path": "/v1/v1/me",
                                   "stage": "v1", "requestId": "cold-start", "identity": {"sourceIp": "10.0.0.1"}}}
    if kind == "SQS":
        return {"Records": [{"messageId": "cold-start", "receiptHandle": "cold-start", "attributes": {},
                             "body": json.dumps({"kind": "cold-start-probe"}), "messageAttributes": {},
                             "eventSource": "aws:sqs", "awsRegion": REGION,
                             "eventSourceARN": f"arn:aws:sqs:{REGION}:000000000000:ejournal-tasks"}]}
    if kind == "Schedule":
        return {"version": "0", "id": "cold-start", "detail-type": "Scheduled Event", "source": "aws.events",
                "account": "000000000000", "time": "2026-11-30T14:00:00Z", "region": REGION, "resources": [],
                "detail": {}}
    return {"Records": []}


def _environment(scratch: Path) -> dict[str, str]:
    """A Lambda's environment for stage dev, every setting the app reads, AWS unreachable and never retried."""
    settings = scratch / "pynamodb_settings.py"
    settings.write_text("max_retry_attempts = 0\n", encoding="utf-8")
    return {
        **lambda_environment(PROJECT, STAGE),
        "TABLE_PREFIX": f"ejournal-{STAGE}",
        "COGNITO_USER_POOL_ID": f"{REGION}_ColdStart",
        "COGNITO_CLIENT_IDS": "cold-start-client",
        "FILES_BUCKET": f"ejournal-{STAGE}-files",
        "TASKS_QUEUE_URL": f"{_CLOSED_ENDPOINT}/000000000000/ejournal-tasks",
        "AWS_ENDPOINT_URL": _CLOSED_ENDPOINT,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "PYNAMODB_CONFIG": str(settings),
    }


def _time_functions(functions: Mapping[str, tuple[tuple[Path, ...], str, str | None]], floor: Path,
                    runtime: Path, scratch: Path) -> dict[str, FunctionTimes]:
    """`functions`: (package and layers, handler, event kind) by name."""
    scratch.mkdir()
    environment = _environment(scratch)
    subjects = {name: (zips, handler, json.dumps(_first_event(kind))) for name, (zips, handler, kind) in
                functions.items()}
    subjects["floor"] = ((floor,), "app.app", "")
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in subjects}
    for round_ in range(-1, RUNS):
        order = list(subjects) if round_ % 2 == 0 else list(reversed(subjects))
        for name in order:
            zips, handler, event = subjects[name]
            sample = _cold_start(zips, handler, event, runtime, scratch / f"{name}-{round_}", environment)
            if round_ >= 0:
                samples[name].append(sample)
    return {name: FunctionTimes([s["init_ms"] for s in runs], [s["total_ms"] for s in runs])
            for name, runs in samples.items()}


def _cold_start(zips: tuple[Path, ...], handler: str, event: str, runtime: Path, task_root: Path,
                environment: Mapping[str, str]) -> dict[str, Any]:
    """Unpack the package into `task_root` and each layer into `task_root`-layer-<n> (Lambda's /opt), then run."""
    package_zip, *layers = zips
    paths = [task_root] + [task_root.with_name(f"{task_root.name}-layer-{n}") for n in range(len(layers))]
    for path, zip_path in zip(paths, zips):
        with zipfile.ZipFile(zip_path) as package:
            package.extractall(path)
    search = [str(task_root), *(str(path / LAYER_ROOT) for path in paths[1:]), str(runtime)]
    try:
        command = [sys.executable, "-S", "-P", "-c", _PROBE, os.pathsep.join(search), handler, event]
        env = {**environment, "LAMBDA_TASK_ROOT": str(task_root), "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run(command, env=env, cwd=task_root, capture_output=True, text=True,
                                timeout=_TIMEOUT_SECONDS)
    finally:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)
    marks = [line for line in result.stdout.splitlines() if line.startswith(_MARK)]
    if result.returncode != 0 or not marks:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ColdImportError(f"cold start of {handler} from {package_zip.name} failed: {last}")
    sample = json.loads(marks[-1].removeprefix(_MARK))
    if sample["outcome"].startswith("status 5"):  # the API answers its own crashes: a missing module shows so
        raise ColdImportError(f"the first call of {handler} answered {sample['outcome']}")
    return sample
