"""`python -m bench [scenario ...]`: run the scenarios (all by default), write their results, print a table.

A scenario is any module in bench/ with `SCENARIO = "<name>"` and `run() -> dict[str, Metric]`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import bench
from bench.results import RESULTS, Metric, write_result

__all__ = ["main", "scenarios"]


def scenarios() -> dict[str, ModuleType]:
    """Every scenario module in bench/, by scenario name."""
    found = {}
    for module_info in pkgutil.iter_modules(bench.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        name, run = getattr(module, "SCENARIO", None), getattr(module, "run", None)
        if isinstance(name, str) and callable(run):
            found[name] = module
    return dict(sorted(found.items()))


def main(argv: Sequence[str] | None = None, *, print_line: Callable[[str], None] = print) -> int:
    """Run the named scenarios; 0 if all ran, 1 if one failed, 2 for an unknown name. Goals never fail a run."""
    known = scenarios()
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run the benchmark scenarios and write their results."
    )
    parser.add_argument("scenario", nargs="*", help=f"one of: {', '.join(known)} (default: all)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory for <scenario>.json")
    arguments = parser.parse_args(argv)
    unknown = sorted(set(arguments.scenario) - set(known))
    if unknown:
        print_line(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return 2
    rows: list[tuple[str, str, Metric]] = []
    failed = False
    for name in arguments.scenario or list(known):
        try:
            metrics = known[name].run()
        except Exception:  # one broken scenario must not hide the others' results
            failed = True
            print_line(f"{name}: failed\n{traceback.format_exc()}")
            continue
        path = write_result(name, metrics, directory=arguments.results)
        print_line(f"{name}: wrote {path}")
        rows.extend((name, metric_name, metric) for metric_name, metric in metrics.items())
    for line in _table(rows):
        print_line(line)
    return 1 if failed else 0


def _table(rows: list[tuple[str, str, Metric]]) -> list[str]:
    verdicts = {True: "yes", False: "NO", None: "-"}
    cells = [("scenario", "metric", "value", "unit", "goal", "met")] + [
        (
            scenario,
            name,
            f"{metric.value:g}",
            metric.unit,
            "-" if metric.goal is None else str(metric.goal),
            verdicts[metric.meets_goal()],
        )
        for scenario, name, metric in rows
    ]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]


if __name__ == "__main__":
    sys.exit(main())
