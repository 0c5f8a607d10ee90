"""`make bench` imports every benchmark the way it runs them: from scripts/, where Python puts
the script's own folder first on the path (so `deploy` could mean scripts/deploy.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_imports_every_benchmark_and_refuses_an_unknown_name():
    done = subprocess.run(
        [sys.executable, "scripts/bench.py", "no-such-benchmark"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    listed = done.stderr.strip().rsplit("choose from ", 1)[1].split(", ")
    expected = sorted(p.stem for p in (ROOT / "scripts" / "benchmarks").glob("[!_]*.py"))
    assert listed == [name for name in expected if name != "localstack_engine"]
