"""Cold-process time of `make asl` (build, validate and compare all three definitions)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from scripts.benchmarks.checks import at_most

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5
TARGET_S = 1.0


def run() -> dict[str, Any]:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "workflows", "asl", "--check"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    return {
        "make_asl_cold_seconds_median": round(median, 3),
        "make_asl_cold_seconds_max": round(max(timings), 3),
        "target_seconds": TARGET_S,
        "checks": [at_most("make asl, fresh process, median", median, TARGET_S, "s")],
    }
