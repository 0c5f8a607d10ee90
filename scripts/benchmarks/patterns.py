"""Event pattern engine speed: single matches per second and routed events per second.

single: every valid corpus pattern (compiled once) against its own event, round after round.
routed: one event routed through a RuleIndex of 1,000 rules (anchored on source/detail-type,
with 5% of rules having no exact value to index on).

routed_10k: the same kind of rules, 10,000 of them: the time to build the index and the events
routed per second.

The same figures are taken in the same run for LocalStack's Python engine, the yardstick, when
it installs (see localstack_engine.py); routing there tests every rule in turn, as LocalStack's
own PutEvents does. Targets, as written: at least twice LocalStack's rate, and never under the
absolute floors (200,000 single matches/s; 20,000 routed events/s, at 1,000 rules and at
10,000); the index of 10,000 rules built in under 1 s (a deploy adds rules far slower).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

from event_rules.pattern import (
    InvalidEventPattern,
    Pattern,
    RuleIndex,
    compile_pattern,
)
from scripts.benchmarks import localstack_engine
from scripts.benchmarks.checks import at_least, at_most

ROOT = Path(__file__).resolve().parents[2]

CORPUS = ROOT.parent / "shared" / "corpus" / "eventbridge-patterns"
FALLBACK: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"source": ["aws.s3"]}, {"source": "aws.s3"}),
    ({"detail": {"state": [{"anything-but": "x"}]}}, {"detail": {"state": "y"}}),
    ({"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"n": 3}}),
    ({"detail": {"k": [{"prefix": "in/"}]}}, {"detail": {"k": "in/a.csv"}}),
    ({"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, {"detail": {"ip": "10.0.0.7"}}),
]


def _cases() -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], str]:
    """(pattern, event) for every pattern this engine and AWS accept."""
    if not CORPUS.is_dir():
        return FALLBACK, "built-in sample"
    cases = []
    for path in sorted(CORPUS.glob("*.json")):
        case = json.loads(path.read_text())
        try:
            compile_pattern(case["pattern"])
        except InvalidEventPattern:
            continue
        cases.append((case["pattern"], case["event"]))
    return cases, "corpus"


def _rate(operation: Any, per_call: int, budget_seconds: float) -> float:
    calls = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < budget_seconds:
        operation()
        calls += 1
        elapsed = time.perf_counter() - start
    return calls * per_call / elapsed


SINGLE_FLOOR = 200_000
ROUTED_FLOOR = 20_000
TIMES_LOCALSTACK = 2
BUILD_10K_TARGET_S = 1.0


def _rule_patterns(rng: random.Random, count: int = 1000) -> list[dict[str, Any]]:
    sources = [f"app.service-{i}" for i in range(100)] + ["aws.s3", "aws.sagemaker"]
    types = [f"Type {i}" for i in range(10)] + ["Object Created"]
    rules = []
    for i in range(count):
        if i % 20 == 0:
            rule: dict[str, Any] = {"source": [{"prefix": rng.choice(sources)[:6]}]}
        else:
            rule = {"source": [rng.choice(sources)], "detail-type": [rng.choice(types)]}
        if i % 3 == 0:
            rule["detail"] = {"bucket": {"name": [f"bucket-{i % 7}"]}}
        rules.append(rule)
    return rules


EVENT = {
    "source": "aws.s3",
    "detail-type": "Object Created",
    "detail": {"bucket": {"name": "bucket-3"}, "object": {"key": "in/a.csv"}},
}


def _ours(
    cases: list[tuple[dict[str, Any], dict[str, Any]]],
    rules: list[dict[str, Any]],
    budget_seconds: float,
) -> dict[str, Any]:
    pairs: list[tuple[Pattern, dict[str, Any]]] = [(compile_pattern(p), e) for p, e in cases]

    def single_round() -> None:
        for pattern, event in pairs:
            pattern.matches(event)

    index = RuleIndex()
    for i, rule in enumerate(rules):
        index.add(f"rule-{i}", rule)
    return {
        "single_matches_per_second": round(_rate(single_round, len(pairs), budget_seconds)),
        "routed_events_per_second": round(_rate(lambda: index.route(EVENT), 1, budget_seconds)),
        "routed_rules": len(index),
        "routed_candidates": len(index.candidates(EVENT)),
        "routed_matches": len(index.route(EVENT)),
    }


def _routed_10k(budget_seconds: float) -> dict[str, Any]:
    rules = _rule_patterns(random.Random(11), 10_000)
    started = time.perf_counter()
    index = RuleIndex()
    for i, rule in enumerate(rules):
        index.add(f"rule-{i}", rule)
    built = time.perf_counter() - started
    return {
        "rules": len(index),
        "index_build_s": round(built, 3),
        "routed_events_per_second": round(_rate(lambda: index.route(EVENT), 1, budget_seconds)),
        "routed_candidates": len(index.candidates(EVENT)),
        "routed_matches": len(index.route(EVENT)),
    }


def _checks(figures: dict[str, Any], theirs: dict[str, Any]) -> list[dict[str, Any]]:
    single, routed = figures["single_matches_per_second"], figures["routed_events_per_second"]
    ten_k = figures["routed_10k"]
    checks = [
        at_least("patterns, single matches (floor)", single, SINGLE_FLOOR, "/s"),
        at_least("patterns, routed at 1,000 rules (floor)", routed, ROUTED_FLOOR, "/s"),
        at_least(
            "patterns, routed at 10,000 rules (floor)",
            ten_k["routed_events_per_second"],
            ROUTED_FLOOR,
            "/s",
        ),
        at_most(
            "patterns, index of 10,000 rules built", ten_k["index_build_s"], BUILD_10K_TARGET_S, "s"
        ),
    ]
    if "single_matches_per_second" in theirs:
        checks += [
            at_least(
                f"patterns, single matches ({TIMES_LOCALSTACK}x LocalStack)",
                single,
                TIMES_LOCALSTACK * theirs["single_matches_per_second"],
                "/s",
            ),
            at_least(
                f"patterns, routed at 1,000 rules ({TIMES_LOCALSTACK}x LocalStack)",
                routed,
                TIMES_LOCALSTACK * theirs["routed_events_per_second"],
                "/s",
            ),
        ]
    return checks


def run(budget_seconds: float = 1.0) -> dict[str, Any]:
    cases, source = _cases()
    rules = _rule_patterns(random.Random(7))
    figures = _ours(cases, rules, budget_seconds)
    figures |= {"single_patterns": len(cases), "single_source": source}
    figures["routed_10k"] = _routed_10k(budget_seconds)
    theirs = localstack_engine.measure(
        cases, rules, EVENT, lambda operation, n: _rate(operation, n, budget_seconds)
    )
    figures["localstack"] = theirs
    figures["target"] = (
        f"at least {TIMES_LOCALSTACK}x LocalStack's Python engine measured in this run (when it "
        f"installs) and {SINGLE_FLOOR:,} single/s, {ROUTED_FLOOR:,} routed/s"
    )
    figures["checks"] = _checks(figures, theirs)
    figures["meets_target"] = all(check["passed"] for check in figures["checks"])
    return figures
