"""Speed and memory figures. Prints progress on stderr, then one JSON object on the last line.

Each module in scripts/benchmarks/ that exposes `run() -> dict` is one benchmark; its figures
appear under its name.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> int:
    # The handlers' per-invocation INFO logs would bury the figures.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    import benchmarks

    figures: dict[str, object] = {}
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"benchmarks.{info.name}")
        if not hasattr(module, "run"):
            continue
        print(f"bench: {info.name} ...", file=sys.stderr, flush=True)
        figures[info.name] = module.run()
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
