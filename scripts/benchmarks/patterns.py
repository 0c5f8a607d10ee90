"""Event pattern engine speed: single matches per second and routed events per second.

single: every valid corpus pattern (compiled once) against its own event, round after round.
routed: one event routed through a RuleIndex of 1,000 rules (anchored on source/detail-type,
with 5% of rules having no exact value to index on).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from event_rules.pattern import (  # noqa: E402
    InvalidEventPattern,
    Pattern,
    RuleIndex,
    compile_pattern,
)

CORPUS = ROOT.parent / "shared" / "corpus" / "eventbridge-patterns"
FALLBACK: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"source": ["aws.s3"]}, {"source": "aws.s3"}),
    ({"detail": {"state": [{"anything-but": "x"}]}}, {"detail": {"state": "y"}}),
    ({"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"n": 3}}),
    ({"detail": {"k": [{"prefix": "in/"}]}}, {"detail": {"k": "in/a.csv"}}),
    ({"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, {"detail": {"ip": "10.0.0.7"}}),
]


def _pairs() -> tuple[list[tuple[Pattern, dict[str, Any]]], str]:
    if not CORPUS.is_dir():
        return [(compile_pattern(p), e) for p, e in FALLBACK], "built-in sample"
    pairs = []
    for path in sorted(CORPUS.glob("*.json")):
        case = json.loads(path.read_text())
        try:
            pairs.append((compile_pattern(case["pattern"]), case["event"]))
        except InvalidEventPattern:
            continue
    return pairs, "corpus"


def _rate(operation: Any, per_call: int, budget_seconds: float) -> float:
    calls = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < budget_seconds:
        operation()
        calls += 1
        elapsed = time.perf_counter() - start
    return calls * per_call / elapsed


def _rules(rng: random.Random) -> RuleIndex:
    sources = [f"app.service-{i}" for i in range(100)] + ["aws.s3", "aws.sagemaker"]
    types = [f"Type {i}" for i in range(10)] + ["Object Created"]
    index = RuleIndex()
    for i in range(1000):
        if i % 20 == 0:
            rule: dict[str, Any] = {"source": [{"prefix": rng.choice(sources)[:6]}]}
        else:
            rule = {"source": [rng.choice(sources)], "detail-type": [rng.choice(types)]}
        if i % 3 == 0:
            rule["detail"] = {"bucket": {"name": [f"bucket-{i % 7}"]}}
        index.add(f"rule-{i}", rule)
    return index


def run(budget_seconds: float = 1.0) -> dict[str, Any]:
    pairs, source = _pairs()

    def single_round() -> None:
        for pattern, event in pairs:
            pattern.matches(event)

    index = _rules(random.Random(7))
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "bucket-3"}, "object": {"key": "in/a.csv"}},
    }
    routed = index.route(event)
    return {
        "single_matches_per_second": round(_rate(single_round, len(pairs), budget_seconds)),
        "single_patterns": len(pairs),
        "single_source": source,
        "routed_events_per_second": round(_rate(lambda: index.route(event), 1, budget_seconds)),
        "routed_rules": len(index),
        "routed_candidates": len(index.candidates(event)),
        "routed_matches": len(routed),
    }


if __name__ == "__main__":
    print(json.dumps(run(), sort_keys=True))
