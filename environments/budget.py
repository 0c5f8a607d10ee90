"""The optional ``budget`` settings: an AWS Budgets monthly cost budget on the project's cost
allocation tags, notifying the project's topic when actual or forecast spend crosses a share of
the amount. Absent section: no budget is deployed.

The schema checks the shape; what it cannot say (a threshold AWS refuses, the same threshold
twice) is checked here, one line per problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# CreateNotification takes a Threshold from 0.1 to 1,000,000,000 (percent, as ThresholdType
# PERCENTAGE here); Budgets keeps one notification per (type, operator, threshold, type).
MIN_THRESHOLD_PERCENT = 0.1
MAX_THRESHOLD_PERCENT = 1_000_000_000.0
DEFAULT_THRESHOLDS: Mapping[str, tuple[float, ...]] = {
    "ACTUAL": (80.0, 100.0),
    "FORECASTED": (100.0,),
}

SpendKind = Literal["ACTUAL", "FORECASTED"]


@dataclass(frozen=True)
class Budget:
    """``amount`` in ``currency`` per calendar month; a notification per threshold (percent of
    the amount) of actual and of forecast spend."""

    amount: float
    currency: str
    actual_percent: tuple[float, ...]
    forecast_percent: tuple[float, ...]

    def thresholds(self) -> list[tuple[SpendKind, float]]:
        return [
            *(("ACTUAL", t) for t in self.actual_percent),
            *(("FORECASTED", t) for t in self.forecast_percent),
        ]


def _thresholds(given: Any, key: str, where: str) -> tuple[tuple[float, ...], list[str]]:
    values = tuple(float(v) for v in given)
    problems = []
    for value in values:
        if not MIN_THRESHOLD_PERCENT <= value <= MAX_THRESHOLD_PERCENT:
            problems.append(
                f"{where}.{key}: {value:g} is outside what Budgets takes "
                f"({MIN_THRESHOLD_PERCENT:g} to {MAX_THRESHOLD_PERCENT:g} percent); use a "
                "percentage of the amount such as 80 or 100"
            )
    if len(set(values)) != len(values):
        problems.append(
            f"{where}.{key}: {list(values)} repeats a threshold; Budgets keeps one "
            "notification per threshold, so list each once"
        )
    return tuple(sorted(values)), problems


def parse_budget(section: Mapping[str, Any] | None, source: str) -> tuple[Budget | None, list[str]]:
    """The section (already checked against the schema) with defaults, and the problems; None
    when the settings have no ``budget`` section."""
    if section is None:
        return None, []
    where = f"{source}: budget"
    amount = float(section["amount"])  # the schema requires it, above 0
    problems = []
    given = section.get("thresholds", {})
    actual, more = _thresholds(
        given.get("actual_percent", DEFAULT_THRESHOLDS["ACTUAL"]),
        "thresholds.actual_percent",
        where,
    )
    problems += more
    forecast, more = _thresholds(
        given.get("forecast_percent", DEFAULT_THRESHOLDS["FORECASTED"]),
        "thresholds.forecast_percent",
        where,
    )
    problems += more
    if not actual and not forecast:
        problems.append(
            f"{where}.thresholds: no threshold, so the budget would notify no one; give "
            "actual_percent or forecast_percent"
        )
    return Budget(amount, str(section.get("currency", "USD")), actual, forecast), problems
