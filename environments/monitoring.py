"""The ``monitoring`` settings: the thresholds of the endpoint's infrastructure alarms, and how far
the CPU alarm's reaction may raise the endpoint's autoscaling maximum.

Every key has a default, so settings without the section deploy the same alarms. The shape is
checked by the schema; what the schema cannot say (a period CloudWatch refuses, a window over a
day, a reaction bound below the endpoint's own maximum) is checked here, one line per problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# CloudWatch takes a period of 10, 30 or a multiple of 60 seconds, and at most a day of
# evaluation (period x evaluation periods) (PutMetricAlarm's API reference).
HIGH_RESOLUTION_PERIODS = (10, 30)
MAX_EVALUATION_SECONDS = 86_400


@dataclass(frozen=True)
class AlarmThreshold:
    """An alarm fires when ``datapoints_to_alarm`` of the last ``evaluation_periods`` periods
    of ``period_seconds`` breach ``threshold`` (its unit is in the setting's name)."""

    threshold: float
    period_seconds: int
    evaluation_periods: int
    datapoints_to_alarm: int


# setting -> (threshold, period, evaluation periods): sensible for a small real-time endpoint.
DEFAULTS: Mapping[str, tuple[float, int, int]] = {
    # CPUUtilization is the sum over the instance's vCPUs (up to 100% per vCPU).
    "cpu_percent": (80.0, 60, 3),
    "memory_percent": (85.0, 60, 3),
    "p99_latency_ms": (1000.0, 60, 3),
    # Invocation5XXErrors and Invocation4XXErrors are 1 or 0 per request: their Average over a
    # period is the share of requests answered with that class of error.
    "error_5xx_rate_percent": (1.0, 60, 5),
    "error_4xx_rate_percent": (5.0, 60, 5),
    # No threshold of its own: it fires when an InService endpoint has no invocation at all.
    "no_invocations": (0.0, 300, 3),
}


@dataclass(frozen=True)
class Monitoring:
    alarms: Mapping[str, AlarmThreshold]
    # The highest autoscaling maximum the CPU reaction may set (never below the endpoint's own).
    reaction_max_capacity_limit: int

    def alarm(self, key: str) -> AlarmThreshold:
        return self.alarms[key]


def _threshold(key: str, given: Mapping[str, Any], where: str) -> tuple[AlarmThreshold, list[str]]:
    threshold, period, evaluations = DEFAULTS[key]
    period = int(given.get("period_seconds", period))
    evaluations = int(given.get("evaluation_periods", evaluations))
    datapoints = int(given.get("datapoints_to_alarm", evaluations))
    problems = []
    if period not in HIGH_RESOLUTION_PERIODS and period % 60:
        problems.append(
            f"{where}.period_seconds: {period} is not a period CloudWatch takes; use 10, 30 "
            "or a multiple of 60"
        )
    if period * evaluations > MAX_EVALUATION_SECONDS:
        problems.append(
            f"{where}.evaluation_periods: {evaluations} periods of {period} s is "
            f"{period * evaluations} s; CloudWatch evaluates at most {MAX_EVALUATION_SECONDS} s "
            "(a day): lower evaluation_periods or period_seconds"
        )
    if datapoints > evaluations:
        problems.append(
            f"{where}.datapoints_to_alarm: {datapoints} is above evaluation_periods "
            f"{evaluations}; make datapoints_to_alarm <= evaluation_periods"
        )
    value = AlarmThreshold(
        float(given.get("threshold", threshold)), period, evaluations, datapoints
    )
    return value, problems


def parse_monitoring(
    section: Mapping[str, Any], endpoint_max_capacity: int, source: str
) -> tuple[Monitoring, list[str]]:
    """The section (already checked against the schema) with defaults, and the problems."""
    problems: list[str] = []
    given = section.get("alarms", {})
    alarms = {}
    for key in DEFAULTS:
        alarms[key], more = _threshold(
            key, given.get(key, {}), f"{source}: monitoring.alarms.{key}"
        )
        problems += more
    reaction = section.get("reaction", {})
    limit = int(reaction.get("max_capacity_limit", endpoint_max_capacity * 2))
    if limit < endpoint_max_capacity:
        problems.append(
            f"{source}: monitoring.reaction.max_capacity_limit: {limit} is below "
            f"endpoint.autoscaling.max_capacity {endpoint_max_capacity}; the reaction only "
            "raises the maximum, so make max_capacity_limit >= max_capacity"
        )
    return Monitoring(alarms, limit), problems


def default_monitoring(endpoint_max_capacity: int) -> Monitoring:
    monitoring, _ = parse_monitoring({}, endpoint_max_capacity, "(defaults)")
    return monitoring
