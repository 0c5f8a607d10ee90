"""Speed and memory figures. Prints progress on stderr, then one JSON object on the last line.

Each module in scripts/benchmarks/ that exposes `run() -> dict` is one benchmark; its figures
appear under its name. `python scripts/bench.py deploy patterns` runs only those. A benchmark's
`"checks"` (scripts/benchmarks/checks.py) are printed as they come, one line each: the figure, its
target, PASS or FAIL, and a last line counts them. The exit status is 0 when every benchmark
ran, whatever it measured: the figures depend on the machine and its load.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Ahead of scripts/ (where Python starts looking, as this file's folder): `deploy` must name the
# deploy package, not scripts/deploy.py.
sys.path.insert(0, str(ROOT))


def main(selected: list[str]) -> int:
    # The handlers' per-invocation INFO logs would bury the figures.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    # The project `make bench` names; run alone from the clone, the churn example as well.
    os.environ.setdefault("SELFHEAL_PROJECT", str(ROOT / "examples" / "churn"))
    from scripts import benchmarks

    names = sorted(info.name for info in pkgutil.iter_modules(benchmarks.__path__))
    modules = {name: importlib.import_module(f"scripts.benchmarks.{name}") for name in names}
    runnable = [name for name, module in modules.items() if hasattr(module, "run")]
    unknown = sorted(set(selected) - set(runnable))
    if unknown:
        print(
            f"bench: no benchmark {', '.join(unknown)}; choose from {', '.join(runnable)}",
            file=sys.stderr,
        )
        return 2
    from scripts.benchmarks.checks import line

    figures: dict[str, object] = {}
    failed = passed = 0
    for name in selected or runnable:
        module = modules[name]
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        figures[name] = result = module.run()
        for check in result.get("checks", []):
            print(line(check), file=sys.stderr, flush=True)
            failed += not check["passed"]
            passed += check["passed"]
    print(f"bench: {passed} PASS, {failed} FAIL", file=sys.stderr)
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    from commandline.interrupts import run_interruptibly
    from commandline.process_exit import exit_with

    exit_with(run_interruptibly(lambda: main(sys.argv[1:]), "bench"))
