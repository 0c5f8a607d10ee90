"""The ``audit`` settings: no trail unless asked for, and a bad value names its key and fix."""

from __future__ import annotations

import pytest

from environments.audit import parse_audit
from environments.settings import SettingsError, parse_settings
from tests.test_settings import with_value


def test_settings_without_the_section_deploy_no_trail() -> None:
    settings = parse_settings(with_value("approval_mode", "auto"), "dev.yaml")  # no section
    assert (settings.audit.trail, settings.audit.trail_name) == (False, "churn-dev-audit")


def test_trail_true_asks_for_the_environments_trail() -> None:
    settings = parse_settings(with_value("audit", {"trail": True}), "dev.yaml")
    assert (settings.audit.trail, settings.audit.trail_name) == (True, "churn-dev-audit")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"trail": "yes please"}, "audit.trail"),
        ({"trails": True}, "audit"),
    ],
)
def test_a_bad_section_is_refused_naming_the_key(section: dict[str, object], expected: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse_settings(with_value("audit", section), "dev.yaml")
    assert "dev.yaml" in str(refused.value) and expected in str(refused.value)


def test_unchecked_documents_get_the_fix_spelled_out() -> None:
    _, problems = parse_audit({"trail": "on", "bucket": "x"}, "churn-dev", "dev.yaml")
    assert problems == [
        "dev.yaml: audit.trail: 'on' is not true or false; write `trail: true` to deploy the "
        "environment's trail, `trail: false` (the default) to rely on the account's",
        "dev.yaml: audit.bucket: not a setting of the audit section; its only key is `trail`",
    ]
