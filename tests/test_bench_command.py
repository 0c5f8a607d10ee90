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
    helpers = {"localstack_engine", "checks"}  # no run(): used by the benchmarks
    assert listed == [name for name in expected if name not in helpers]


def test_each_figure_is_printed_with_its_target_and_verdict():
    from scripts.benchmarks.checks import at_least, at_most, line

    assert line(at_most("50 concurrent mocked retrains, wall", 2.5, 2.0, "s")) == (
        "  FAIL  50 concurrent mocked retrains, wall: 2.5 s (target < 2 s)"
    )
    assert line(at_most("validation, warm call", 1.234, 5.0, "ms")) == (
        "  PASS  validation, warm call: 1.23 ms (target < 5 ms)"
    )
    assert line(at_least("patterns, single matches (floor)", 250_000, 200_000, "/s")) == (
        "  PASS  patterns, single matches (floor): 250,000 /s (target >= 200,000 /s)"
    )
    assert not at_least("routed", 19_999, 20_000, "/s")["passed"]


def test_the_validation_benchmark_clears_the_caches_it_names():
    # The caches move with the validator's modules; a name left behind broke `make bench`.
    from asl_validation import expressions, jsonata_syntax
    from scripts.benchmarks.validation import _clear_expression_caches

    jsonata_syntax.jsonata_error("$x + 1")
    expressions.intrinsic_error("States.Format('{}', $.a)")
    _clear_expression_caches()
    assert jsonata_syntax.jsonata_error.cache_info().currsize == 0
    assert expressions.intrinsic_error.cache_info().currsize == 0
