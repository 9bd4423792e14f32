"""Scenario: the Lambda-like cold import of the project's app.py, beside a floor measured the same way.

The floor is a bare Chalice app that creates one boto3 DynamoDB client: what any Chalice app on DynamoDB
pays. Both are imported in fresh interpreters from a package laid out like a Chalice deployment zip
(app.py, chalicelib/ and the requirements' files, without any .pyc), with `PYTHONDONTWRITEBYTECODE=1`, no
site-packages and a Lambda's environment (plus `environment_variables` from .chalice/config.json). Runs
alternate floor/app to cancel drift, after one unmeasured warm-up round; then everything is compiled
(compileall) and measured again, as a package shipped with .pyc would import.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from bench.results import Metric

__all__ = ["FLOOR_REQUIREMENTS", "FLOOR_SOURCE", "SCENARIO", "ColdImportError", "copy_distributions",
           "lambda_environment", "measure", "run"]

SCENARIO = "cold_import"
PROJECT = Path(__file__).resolve().parent.parent
RUNS = 7
REGION = "eu-central-1"
FLOOR_REQUIREMENTS = ("chalice", "boto3")
FLOOR_SOURCE = '''"""The floor: a bare Chalice app with one DynamoDB client."""
import boto3
from chalice import Chalice

app = Chalice(app_name="floor")
dynamodb = boto3.client("dynamodb")
'''
_PROBE = """
import importlib, sys, time
sys.path[:0] = sys.argv[1:3]
started = time.perf_counter_ns()
importlib.import_module(sys.argv[3])
print(f"cold-import-ms={(time.perf_counter_ns() - started) / 1e6}")
"""
_MARK = "cold-import-ms="
_TIMEOUT_SECONDS = 300


class ColdImportError(Exception):
    """The app (or the floor) cannot be packaged or imported."""


@dataclass(frozen=True)
class _Bundle:
    directory: Path
    module: str


def run() -> dict[str, Metric]:
    """Measure the project's app.py with the default number of runs."""
    return measure(PROJECT / "app.py")


def measure(
    app: Path,
    *,
    runs: int = RUNS,
    floor: str = FLOOR_SOURCE,
    requirements: Iterable[str] | None = None,
    stage: str = "dev",
) -> dict[str, Metric]:
    """Cold import times of `app` (with chalicelib/ beside it) and of `floor`, without and with .pyc.

    `requirements` are what the package holds; by default the requirements.txt beside `app`, plus the floor's.
    """
    if not app.is_file():
        raise ColdImportError(f"no app module at {app}")
    if runs < 1:
        raise ColdImportError("runs must be at least 1")
    if requirements is None:
        requirements = [*_requirements_file(app.parent / "requirements.txt"), *FLOOR_REQUIREMENTS]
    environment = lambda_environment(app.parent, stage)
    with tempfile.TemporaryDirectory(prefix="cold-import-") as scratch:
        root = Path(scratch)
        packages = root / "packages"
        copy_distributions(requirements, packages)
        bundles = {"app": _bundle_app(app, root / "app"), "floor": _bundle_floor(floor, root / "floor")}
        source = _time_imports(bundles, packages, environment, runs, compiled=False)
        _compile(packages, *(bundle.directory for bundle in bundles.values()))
        compiled = _time_imports(bundles, packages, environment, runs, compiled=True)
    return {**_metrics(source, ""), **_metrics(compiled, "_pyc"), "runs": Metric(runs, "runs")}


def _metrics(times: Mapping[str, list[float]], mode: str) -> dict[str, Metric]:
    medians = {name: statistics.median(values) for name, values in times.items()}
    metrics = {}
    for name in ("app", "floor"):
        metrics[f"{name}_import{mode}_ms_median"] = Metric(round(medians[name], 1), "ms")
        metrics[f"{name}_import{mode}_ms_p90"] = Metric(round(_p90(times[name]), 1), "ms")
    metrics[f"app_over_floor{mode}_ms"] = Metric(round(medians["app"] - medians["floor"], 1), "ms")
    return metrics


def _p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _time_imports(
    bundles: Mapping[str, _Bundle], packages: Path, environment: Mapping[str, str], runs: int, *, compiled: bool
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in bundles}
    for round_ in range(-1, runs):
        order = ("floor", "app") if round_ % 2 == 0 else ("app", "floor")
        for name in order:
            elapsed = _time_import(bundles[name], packages, environment, compiled=compiled)
            if round_ >= 0:
                times[name].append(elapsed)
    return times


def _time_import(bundle: _Bundle, packages: Path, environment: Mapping[str, str], *, compiled: bool) -> float:
    command = [sys.executable, "-S", "-P", "-c", _PROBE, str(bundle.directory), str(packages), bundle.module]
    env = {**environment, "LAMBDA_TASK_ROOT": str(bundle.directory)}
    if not compiled:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        command, env=env, cwd=bundle.directory, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS
    )
    marks = [line for line in result.stdout.splitlines() if line.startswith(_MARK)]
    if result.returncode != 0 or not marks:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ColdImportError(f"importing {bundle.module} from {bundle.directory.name} failed: {last}")
    return float(marks[-1].removeprefix(_MARK))


def _compile(*directories: Path) -> None:
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", *map(str, directories)]
    subprocess.run(command, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False)


def _bundle_app(app: Path, directory: Path) -> _Bundle:
    directory.mkdir()
    shutil.copy2(app, directory / app.name)
    library = app.parent / "chalicelib"
    if library.is_dir():
        shutil.copytree(library, directory / "chalicelib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return _Bundle(directory, app.stem)


def _bundle_floor(source: str, directory: Path) -> _Bundle:
    directory.mkdir()
    (directory / "app.py").write_text(source, encoding="utf-8")
    return _Bundle(directory, "app")


def lambda_environment(project: Path, stage: str) -> dict[str, str]:
    """A Lambda's variables (fake credentials, no config files) and the app's own from .chalice/config.json."""
    config_file = project / ".chalice" / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    stage_config = config.get("stages", {}).get(stage, {})
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return {
        "PATH": os.defpath,
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "cold-import",
        "AWS_SECRET_ACCESS_KEY": "cold-import",
        "AWS_SESSION_TOKEN": "cold-import",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{version}",
        "AWS_LAMBDA_FUNCTION_NAME": f"{config.get('app_name', 'app')}-{stage}",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(stage_config.get("lambda_memory_size", 128)),
        **config.get("environment_variables", {}),
        **stage_config.get("environment_variables", {}),
    }


def _requirements_file(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def copy_distributions(requirements: Iterable[str], target: Path) -> None:
    """Copy the installed files of `requirements` and their dependencies to `target`, without .pyc."""
    target.mkdir()
    done: dict[str, set[str]] = {}
    pending = [_requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = ({""} | requirement.extras) - done.get(name, set())
        if not extras:
            continue
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError as error:
            raise ColdImportError(f"{requirement.name} is required but not installed") from error
        if name not in done:
            _copy_distribution(distribution, target)
        done.setdefault(name, set()).update(extras)
        for text in distribution.requires or ():
            dependency = _requirement(text)
            if dependency.marker is None or any(dependency.marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(dependency)


def _requirement(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        raise ColdImportError(f"unreadable requirement {text!r}") from error


def _copy_distribution(distribution: metadata.Distribution, target: Path) -> None:
    for file in distribution.files or ():
        if file.parts[0] == ".." or "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        source = Path(distribution.locate_file(file))
        if source.is_file():
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
