"""Benchmark results: one JSON file per scenario in bench/results/.

Shape: {"scenario", "at" (RFC 3339, Kazakhstan time +05:00), "python" (version), "metrics":
{"<name>": {"value", "unit", "goal"}}}. A goal is a bound like "<= 3" (a bare number means "<= number"),
or null for a metric that only informs.
"""

from __future__ import annotations

import json
import operator
import os
import platform
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

__all__ = ["KAZAKHSTAN_TIME", "RESULTS", "Metric", "ResultError", "write_result"]

RESULTS = Path(__file__).resolve().parent / "results"
KAZAKHSTAN_TIME = timezone(timedelta(hours=5))

_SCENARIO = re.compile(r"[a-z0-9][a-z0-9_-]*")
_GOAL = re.compile(r"\s*(<=|>=|<|>|==)\s*(-?\d+(?:\.\d+)?)\s*")
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
    "==": operator.eq,
}


class ResultError(Exception):
    """A result that cannot be written: a bad scenario name or goal."""


@dataclass(frozen=True)
class Metric:
    """One measured value, its unit ("ms", "WRU/pupil", ...) and its goal ("<= 3", a number, or None)."""

    value: float
    unit: str
    goal: str | float | None = None

    def __post_init__(self) -> None:
        _bound(self.goal)

    def meets_goal(self) -> bool | None:
        """Whether the value is within the goal; None when there is no goal."""
        bound = _bound(self.goal)
        if bound is None:
            return None
        comparison, limit = bound
        return comparison(self.value, limit)


def _bound(goal: str | float | None) -> tuple[Callable[[float, float], bool], float] | None:
    if goal is None:
        return None
    if not isinstance(goal, str):
        return operator.le, float(goal)
    match = _GOAL.fullmatch(goal)
    if match is None:
        raise ResultError(f"goal {goal!r} is not a bound like '<= 3'")
    return _COMPARISONS[match[1]], float(match[2])


def write_result(
    scenario: str, metrics: Mapping[str, Metric], *, directory: Path = RESULTS, at: datetime | None = None
) -> Path:
    """Write `<directory>/<scenario>.json` (replacing it atomically) and return its path."""
    if not _SCENARIO.fullmatch(scenario):
        raise ResultError(f"scenario name {scenario!r} must be lowercase letters, digits, '_' or '-'")
    moment = (at or datetime.now(KAZAKHSTAN_TIME)).astimezone(KAZAKHSTAN_TIME)
    document = {
        "scenario": scenario,
        "at": moment.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "metrics": {
            name: {"value": metric.value, "unit": metric.unit, "goal": metric.goal} for name, metric in metrics.items()
        },
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{scenario}.json"
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, suffix=".tmp", delete=False) as draft:
        json.dump(document, draft, ensure_ascii=False, indent=2)
        draft.write("\n")
    os.replace(draft.name, path)
    return path
