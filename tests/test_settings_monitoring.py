"""The ``monitoring`` settings: defaults when absent, and every bad value names its key and fix."""

from __future__ import annotations

import pytest

from environments.settings import SettingsError, parse_settings
from tests.test_settings import with_value


def _alarms(**alarms: object) -> dict[str, object]:
    return {"alarms": alarms}


def test_settings_without_the_section_get_the_default_thresholds() -> None:
    settings = parse_settings(with_value("approval_mode", "auto"), "dev.yaml")  # no section
    cpu = settings.monitoring.alarm("cpu_percent")
    assert (cpu.threshold, cpu.period_seconds, cpu.evaluation_periods) == (80.0, 60, 3)
    assert cpu.datapoints_to_alarm == 3
    # Twice the endpoint's own maximum (dev: 2).
    assert settings.monitoring.reaction_max_capacity_limit == 4


def test_given_values_replace_the_defaults_key_by_key() -> None:
    section = {
        **_alarms(p99_latency_ms={"threshold": 250, "evaluation_periods": 5}),
        "reaction": {"max_capacity_limit": 6},
    }
    settings = parse_settings(with_value("monitoring", section), "dev.yaml")
    latency = settings.monitoring.alarm("p99_latency_ms")
    assert (latency.threshold, latency.period_seconds, latency.evaluation_periods) == (250, 60, 5)
    assert settings.monitoring.reaction_max_capacity_limit == 6


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            _alarms(cpu_percent={"period_seconds": 90}),
            "dev.yaml: monitoring.alarms.cpu_percent.period_seconds: 90 is not a period "
            "CloudWatch takes; use 10, 30 or a multiple of 60",
        ),
        (
            _alarms(no_invocations={"period_seconds": 3600, "evaluation_periods": 25}),
            "dev.yaml: monitoring.alarms.no_invocations.evaluation_periods: 25 periods of "
            "3600 s is 90000 s; CloudWatch evaluates at most 86400 s",
        ),
        (
            _alarms(memory_percent={"evaluation_periods": 2, "datapoints_to_alarm": 3}),
            "dev.yaml: monitoring.alarms.memory_percent.datapoints_to_alarm: 3 is above "
            "evaluation_periods 2",
        ),
        (
            {"reaction": {"max_capacity_limit": 1}},
            "dev.yaml: monitoring.reaction.max_capacity_limit: 1 is below "
            "endpoint.autoscaling.max_capacity 2",
        ),
        (
            _alarms(memory_percent={"threshold": 120}),
            "dev.yaml: monitoring.alarms.memory_percent.threshold: 120 is greater than the "
            "maximum of 100",
        ),
        (
            _alarms(no_invocations={"threshold": 0}),
            "dev.yaml: monitoring.alarms.no_invocations: Additional properties are not allowed",
        ),
        (
            _alarms(disk_percent={"threshold": 90}),
            "dev.yaml: monitoring.alarms: Additional properties are not allowed "
            "('disk_percent' was unexpected)",
        ),
    ],
)
def test_bad_monitoring_values_name_the_key_and_the_fix(
    section: dict[str, object], expected: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        parse_settings(with_value("monitoring", section), "dev.yaml")
    assert expected in str(raised.value)
