"""LocalStack's Python event-pattern engine, installed beside the project for comparison only.

Only ``localstack.services.events.event_rule_engine`` is used. It is installed without
dependencies into ``.bench/localstack`` (ignored by git), with the few modules its package imports
pulled in by hand: the full localstack-core dependency tree is large and does not resolve on every
Python. Nothing from it is imported by the project.

Not a benchmark of its own: it has no ``run``, so ``bench.py`` skips it.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / ".bench" / "localstack"
# localstack-core and what importing its events API package needs; versions pinned so the
# yardstick does not move between runs.
PACKAGES = (
    "localstack-core==2026.3.0",
    "rolo==0.8.9",
    "dnspython==2.9.2",
    "cachetools==8.0.2",
    "asn1crypto==1.5.1",
    "dnslib==0.9.26",
)

Rate = Callable[[Callable[[], object], int], float]


def _install() -> str | None:
    """Install into TARGET once; the reason it could not, or None."""
    marker = TARGET / ".installed"
    if marker.is_file() and marker.read_text() == "\n".join(PACKAGES):
        return None
    print("bench: installing LocalStack's engine for comparison ...", file=sys.stderr, flush=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-deps", "--upgrade", "--target", str(TARGET), *PACKAGES]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        return "pip install timed out after 300 s"
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["pip install failed"])[-1]
    marker.write_text("\n".join(PACKAGES))
    return None


def _engine() -> tuple[Any, Any] | str:
    reason = _install()
    if reason:
        return reason
    sys.path.insert(0, str(TARGET))
    try:
        module = importlib.import_module("localstack.services.events.event_rule_engine")
    except Exception as error:  # any import failure means "not installable here"
        return f"import failed: {error}"
    finally:
        sys.path.remove(str(TARGET))
    return module.EventPatternCompiler(), module.EventRuleEngine()


def measure(
    cases: list[tuple[dict[str, Any], dict[str, Any]]],
    rules: list[dict[str, Any]],
    event: dict[str, Any],
    rate: Rate,
) -> dict[str, Any]:
    engine = _engine()
    if isinstance(engine, str):
        return {"installed": False, "reason": engine}
    compiler, evaluator = engine
    pairs = [(compiler.compile_event_pattern(p), e) for p, e in cases]
    compiled_rules = [compiler.compile_event_pattern(r) for r in rules]

    def single_round() -> None:
        for pattern, payload in pairs:
            evaluator.evaluate_pattern_on_event(pattern, payload)

    def route() -> None:
        for pattern in compiled_rules:
            evaluator.evaluate_pattern_on_event(pattern, event)

    matches = sum(bool(evaluator.evaluate_pattern_on_event(p, event)) for p in compiled_rules)
    return {
        "installed": True,
        "version": PACKAGES[0].split("==")[1],
        "single_matches_per_second": round(rate(single_round, len(pairs))),
        "routed_events_per_second": round(rate(route, 1)),
        "routed_matches": matches,
    }
