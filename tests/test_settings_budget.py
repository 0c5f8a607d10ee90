"""The optional ``budget`` settings: no budget when absent, defaults for the thresholds, and every
bad value names its key and fix."""

from __future__ import annotations

import pytest

from environments.settings import SettingsError, parse_settings
from tests.test_settings import with_value


def test_settings_without_the_section_have_no_budget() -> None:
    assert parse_settings(with_value("approval_mode", "auto"), "dev.yaml").budget is None


def test_the_thresholds_default_to_80_and_100_percent_actual_and_100_forecast() -> None:
    budget = parse_settings(with_value("budget", {"amount": 300}), "dev.yaml").budget
    assert budget is not None
    assert (budget.amount, budget.currency) == (300.0, "USD")
    assert budget.thresholds() == [("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0)]


def test_given_thresholds_replace_the_defaults_each_list_on_its_own() -> None:
    section = {"amount": 50, "currency": "EUR", "thresholds": {"actual_percent": [100, 50]}}
    budget = parse_settings(with_value("budget", section), "dev.yaml").budget
    assert budget is not None and budget.currency == "EUR"
    assert budget.thresholds() == [("ACTUAL", 50.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0)]


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        (
            {"actual_percent": [0.05]},
            "dev.yaml: budget.thresholds.actual_percent: 0.05 is outside what Budgets takes "
            "(0.1 to 1e+09 percent)",
        ),
        (
            {"forecast_percent": [100, 100]},
            "dev.yaml: budget.thresholds.forecast_percent: [100.0, 100.0] repeats a threshold",
        ),
        (
            {"actual_percent": [], "forecast_percent": []},
            "dev.yaml: budget.thresholds: no threshold, so the budget would notify no one",
        ),
    ],
)
def test_a_bad_threshold_names_its_key_and_fix(
    thresholds: dict[str, object], expected: str
) -> None:
    section = {"amount": 100, "thresholds": thresholds}
    with pytest.raises(SettingsError) as refused:
        parse_settings(with_value("budget", section), "dev.yaml")
    assert expected in str(refused.value)


def test_the_schema_refuses_a_budget_without_an_amount() -> None:
    with pytest.raises(SettingsError) as refused:
        parse_settings(with_value("budget", {"currency": "USD"}), "dev.yaml")
    assert "budget" in str(refused.value) and "amount" in str(refused.value)
