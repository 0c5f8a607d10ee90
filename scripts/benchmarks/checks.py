"""A figure beside its target, judged PASS or FAIL, so `make bench` says what a user gets.

A benchmark's `run()` puts them under `"checks"` in its figures; `bench.py` prints one line per
check (and keeps them in the JSON).
"""

from __future__ import annotations

from typing import Any


def at_most(what: str, value: float, limit: float, unit: str) -> dict[str, Any]:
    return _check(what, value, f"< {limit:g} {unit}", value < limit, unit)


def at_least(what: str, value: float, floor: float, unit: str) -> dict[str, Any]:
    return _check(what, value, f">= {floor:,.0f} {unit}", value >= floor, unit)


def exactly(what: str, value: float, expected: float, unit: str) -> dict[str, Any]:
    return _check(what, value, f"= {expected:g} {unit}", value == expected, unit)


def _check(what: str, value: float, target: str, passed: bool, unit: str) -> dict[str, Any]:
    return {"what": what, "value": value, "unit": unit, "target": target, "passed": passed}


def line(check: dict[str, Any]) -> str:
    verdict = "PASS" if check["passed"] else "FAIL"
    value = check["value"]
    shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return f"  {verdict}  {check['what']}: {shown} {check['unit']} (target {check['target']})"
