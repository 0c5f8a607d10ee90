"""The `schedules` settings choose Scheduler or legacy rules, and a scheduled retrain."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from environments.project import current_project
from environments.settings import parse_settings
from event_rules.catalogue import project_rules, project_schedules


def _dev(schedules: dict[str, object] | None):
    document = yaml.safe_load((current_project().settings_dir / "dev.yaml").read_text())
    document = copy.deepcopy(document)
    if schedules is not None:
        document["schedules"] = schedules
    return parse_settings(document, str(Path("dev.yaml")))


def test_default_is_scheduler_with_drift_check_only():
    settings = _dev(None)
    assert [s.name for s in project_schedules(settings)] == ["churn-dev-drift-check"]
    assert not [r for r in project_rules(settings) if r.to_put_rule().get("ScheduleExpression")]


def test_legacy_rules_replace_schedules():
    settings = _dev({"mechanism": "rule"})
    assert project_schedules(settings) == []
    scheduled = {
        r.name: r.to_put_rule()["ScheduleExpression"]
        for r in project_rules(settings)
        if r.to_put_rule().get("ScheduleExpression")
    }
    assert scheduled == {"churn-dev-drift-check-schedule": settings.drift.schedule}


def test_scheduled_retrain_from_settings():
    settings = _dev({"retrain": "cron(0 3 ? * MON *)", "retrain_timezone": "Europe/Berlin"})
    by_name = {s.name: s.to_create_schedule() for s in project_schedules(settings)}
    assert by_name["churn-dev-retrain"]["ScheduleExpression"] == "cron(0 3 ? * MON *)"
    assert by_name["churn-dev-retrain"]["ScheduleExpressionTimezone"] == "Europe/Berlin"
