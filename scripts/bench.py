"""Speed and memory figures. Prints progress, then one JSON object on the last line.

Each module in scripts/benchmarks/ exposes `run() -> dict`; its figures appear under its name.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> int:
    import benchmarks

    figures: dict[str, object] = {}
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        print(f"bench: {info.name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.{info.name}")
        figures[info.name] = module.run()
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
