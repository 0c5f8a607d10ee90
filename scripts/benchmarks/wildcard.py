"""Worst-case wildcard matching: one long event field against every accepted wildcard.

The wildcards are those in the EventBridge corpus and in tests/test_pattern_*.py (the accepted
ones). Each is matched against fields built to make a matcher work hard: near misses of its
literal runs repeated, its characters repeated with a wrong last one, its head and tail around
such filler. The figure is the slowest wildcard and field, at 1 KB (S3's longest key) and at
100 KB (an event's size). Target: under 5 ms and under 200 ms.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from event_rules.pattern import InvalidEventPattern, Pattern, compile_pattern
from event_rules.pattern_wildcard import literal_runs, parse_wildcard
from scripts.benchmarks.checks import at_most

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "eventbridge-patterns"
SIZES = {"1kb": 1024, "100kb": 100 * 1024}
TARGET_MS = {"1kb": 5.0, "100kb": 200.0}
REPEATS = 3


def _wildcards_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "wildcard":
                operands = inner if isinstance(inner, list) else [inner]
                yield from (operand for operand in operands if isinstance(operand, str))
            else:
                yield from _wildcards_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _wildcards_in(inner)


def _wildcards_in_tests() -> Iterator[str]:
    """`{"wildcard": ...}` literals in the pattern tests, module-level string names resolved."""
    for path in sorted((ROOT / "tests").glob("test_pattern_*.py")):
        tree = ast.parse(path.read_text())
        names = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "wildcard":
                    items = value.elts if isinstance(value, ast.List) else [value]
                    for item in items:
                        if isinstance(item, ast.Constant) and isinstance(item.value, str):
                            yield item.value
                        elif isinstance(item, ast.Name) and item.id in names:
                            yield names[item.id]


def accepted_wildcards() -> list[str]:
    found: list[str] = []
    for path in sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []:
        found.extend(_wildcards_in(json.loads(path.read_text())["pattern"]))
    found.extend(_wildcards_in_tests())
    accepted = []
    for operand in dict.fromkeys(found):
        try:
            compile_pattern({"k": [{"wildcard": operand}]})
        except InvalidEventPattern:
            continue
        accepted.append(operand)
    return accepted


def _fill(piece: str, length: int) -> str:
    return (piece * (length // max(len(piece), 1) + 1))[:length] if piece else "x" * length


def hard_fields(operand: str, size: int) -> list[str]:
    """Fields of `size` characters that keep a matcher searching as long as possible."""
    runs = literal_runs(parse_wildcard(operand))
    head, tail = runs[0], runs[-1]
    pieces = {run[:-1] or run for run in runs if run} | set("".join(runs)) | {"x"}
    fields = []
    for piece in sorted(pieces):
        fields.append(_fill(piece, size - 1) + "\x00")
        middle = size - len(head) - len(tail)
        fields.append(head + _fill(piece, middle) + tail)
        fields.append(head + _fill(piece, middle - 1) + "\x00" + tail)
    return fields


def _slowest_ms(pattern: Pattern, field: str) -> float:
    event = {"detail": {"k": field}}
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        pattern.matches(event)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def run() -> dict[str, Any]:
    operands = accepted_wildcards()
    figures: dict[str, Any] = {"wildcards": len(operands)}
    meets = True
    checks = []
    for label, size in SIZES.items():
        worst = (0.0, "", "")
        for operand in operands:
            pattern = compile_pattern({"detail": {"k": [{"wildcard": operand}]}})
            for field in hard_fields(operand, size):
                elapsed = _slowest_ms(pattern, field)
                if elapsed > worst[0]:
                    worst = (elapsed, operand, field[:24])
        figures[label] = {
            "slowest_ms": round(worst[0], 3),
            "wildcard": worst[1],
            "field_starts": worst[2],
            "target_ms": TARGET_MS[label],
        }
        meets = meets and worst[0] < TARGET_MS[label]
        checks.append(
            at_most(f"slowest wildcard on a {label} field", worst[0], TARGET_MS[label], "ms")
        )
    figures["meets_target"] = meets
    figures["checks"] = checks
    return figures
