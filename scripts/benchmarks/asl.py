"""Cold-process time of `make asl` (build, validate and compare all three definitions)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5


def run() -> dict[str, float]:
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
    return {
        "make_asl_cold_seconds_median": round(statistics.median(timings), 3),
        "make_asl_cold_seconds_max": round(max(timings), 3),
        "target_seconds": 1.0,
    }
