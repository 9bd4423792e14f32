"""Benchmarks of ejournal-kz: scenarios that measure and write bench/results/<scenario>.json (see README.md)."""

from bench.capacity import CapacityRecorder
from bench.results import Metric, write_result

__all__ = ["CapacityRecorder", "Metric", "write_result"]
