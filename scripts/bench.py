"""Speed and memory figures. Prints progress on stderr, then one JSON object on the last line.

Each module in scripts/benchmarks/ that exposes `run() -> dict` is one benchmark; its figures
appear under its name. `python scripts/bench.py deploy patterns` runs only those.
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
    figures: dict[str, object] = {}
    for name in selected or runnable:
        module = modules[name]
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        figures[name] = module.run()
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    from commandline.interrupts import run_interruptibly

    sys.exit(run_interruptibly(lambda: main(sys.argv[1:]), "bench"))
