"""Time to validate one ASL definition with `asl_validation.validate_definition`.

Figures, in milliseconds:
- `retrain_*`: the retrain definition (built through `workflows.machines`, else read from
  `asl/retrain.asl.json`, else the largest corpus case);
- `corpus_*`: every definition of the external corpus (median of the per-definition medians);
- `*_median_ms` are warm calls. JSONata, JSONPath and intrinsic parses are cached by expression
  text (never by whole definition), so `*_uncached_median_ms` clears those caches before every
  call to show the cost of a definition whose expressions were never seen;
- `first_call_ms` and `import_ms`: a fresh interpreter importing the package and making its first
  call (the schema compiles then), excluding interpreter start;
- `retrain_all_caches_cleared_median_ms`: every cache of the package cleared before each call
  (the schema's compilation and the API models included), a cold call in a warm process.
Checks: each of the warm, uncached, all-caches-cleared and first-call figures against the one
target, 5 ms per definition: a user's first `validate` is a cold call.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scripts.benchmarks.checks import at_most

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "asl"
REPEATS = 50
TARGET_MS = 5.0

_COLD = """
import json, sys, time
start = time.perf_counter()
from asl_validation import validate_definition
imported = time.perf_counter()
problems = validate_definition(json.loads(sys.stdin.read()))
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - start) * 1e3, "first_call_ms": (done - imported) * 1e3,
                  "problems": len(problems)}))
"""


def _retrain_definition() -> tuple[str, Mapping[str, Any]]:
    try:
        from environments.settings import load_settings
        from workflows.machines import build_retrain

        return "workflows.machines", build_retrain(load_settings("dev")).to_asl()
    except Exception:  # the builders may not exist yet in a partial checkout
        pass
    generated = ROOT / "asl" / "retrain.asl.json"
    if generated.exists():
        return "asl/retrain.asl.json", json.loads(generated.read_text(encoding="utf-8"))
    largest = max(CORPUS.glob("*/*.json"), key=lambda path: path.stat().st_size)
    return f"corpus {largest.name}", json.loads(largest.read_text(encoding="utf-8"))


def _clear_expression_caches() -> None:
    from asl_validation import expressions, jsonata_syntax

    for cached in (
        jsonata_syntax.jsonata_error,
        expressions.intrinsic_error,
        expressions._parse_path,
    ):
        cached.cache_clear()


def _clear_every_cache() -> None:
    """Every functools cache of the validator's modules: what a fresh process starts without."""
    import importlib
    import pkgutil

    import asl_validation

    for info in pkgutil.iter_modules(asl_validation.__path__):
        module = importlib.import_module(f"asl_validation.{info.name}")
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _median_ms(
    call: Callable[[], object],
    before: Callable[[], None] | None = None,
    repeats: int = REPEATS,
) -> float:
    timings = []
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1e3)
    return statistics.median(timings)


def _count_expressions(value: Any) -> int:
    if isinstance(value, str):
        return int(value.startswith("{%") or value.startswith("States.") or value.startswith("$"))
    if isinstance(value, Mapping):
        return sum(_count_expressions(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count_expressions(item) for item in value)
    return 0


def run() -> dict[str, Any]:
    from asl_validation import validate_definition
    from asl_validation.walk import iter_states

    source, retrain = _retrain_definition()
    cold = subprocess.run(
        [sys.executable, "-c", _COLD],
        input=json.dumps(retrain),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    cold_figures = json.loads(cold.stdout.strip().splitlines()[-1])
    validate_definition(retrain)
    figures: dict[str, Any] = {
        "retrain_source": source,
        "retrain_states": sum(1 for _ in iter_states(retrain)),
        "retrain_expressions": _count_expressions(retrain),
        "retrain_problems": len(validate_definition(retrain)),
        "retrain_median_ms": round(_median_ms(lambda: validate_definition(retrain)), 3),
        "retrain_uncached_median_ms": round(
            _median_ms(lambda: validate_definition(retrain), _clear_expression_caches), 3
        ),
        "retrain_all_caches_cleared_median_ms": round(
            _median_ms(lambda: validate_definition(retrain), _clear_every_cache, repeats=10), 3
        ),
        "import_ms": round(cold_figures["import_ms"], 1),
        "first_call_ms": round(cold_figures["first_call_ms"], 1),
        "target_ms": TARGET_MS,
        "expression_cache": "JSONata/JSONPath/intrinsic parse results cached by expression text",
    }
    figures["checks"] = [
        at_most("validation, warm call (retrain)", figures["retrain_median_ms"], TARGET_MS, "ms"),
        at_most(
            "validation, expression caches cleared (retrain)",
            figures["retrain_uncached_median_ms"],
            TARGET_MS,
            "ms",
        ),
        at_most(
            "validation, every cache cleared (retrain)",
            figures["retrain_all_caches_cleared_median_ms"],
            TARGET_MS,
            "ms",
        ),
        at_most(
            "validation, first call in a fresh process (retrain)",
            figures["first_call_ms"],
            TARGET_MS,
            "ms",
        ),
    ]
    corpus = [json.loads(path.read_text("utf-8")) for path in sorted(CORPUS.glob("*/*.json"))]
    if corpus:
        medians = [_median_ms(lambda d=d: validate_definition(d)) for d in corpus]
        figures["corpus_definitions"] = len(corpus)
        figures["corpus_median_ms"] = round(statistics.median(medians), 3)
        figures["corpus_max_median_ms"] = round(max(medians), 3)
    return figures
