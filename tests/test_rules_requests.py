"""The requests the deploy sends: valid for the EventBridge and Scheduler API models, and wired
to the project's resources (alias targets with the events role, the DLQ, retry policies)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from environments.settings import environments, load_settings
from event_rules.catalogue import CatalogueOptions, project_rules, project_schedules
from event_rules.request_checks import RuleError

RETRAIN_WEEKLY = CatalogueOptions(retrain_schedule="cron(0 3 ? * SUN *)")
LEGACY = CatalogueOptions(use_scheduler=False, retrain_schedule="rate(7 days)")


@cache
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def _validate(service: str, operation: str, params: Any) -> None:
    model = _model(service)
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


@pytest.mark.parametrize("env", environments())
def test_rule_requests_match_the_eventbridge_api_model(env: str) -> None:
    for rule in project_rules(load_settings(env)):
        _validate("events", "PutRule", rule.to_put_rule())
        _validate("events", "PutTargets", rule.to_put_targets())


@pytest.mark.parametrize("env", environments())
def test_schedule_requests_match_the_scheduler_api_model(env: str) -> None:
    schedules = project_schedules(load_settings(env), RETRAIN_WEEKLY)
    assert len(schedules) == 2
    for schedule in schedules:
        _validate("scheduler", "CreateSchedule", schedule.to_create_schedule())


def test_legacy_rule_requests_match_the_api_model() -> None:
    for rule in project_rules(load_settings("dev"), LEGACY):
        _validate("events", "PutRule", rule.to_put_rule())
        _validate("events", "PutTargets", rule.to_put_targets())


@pytest.mark.parametrize(
    ("env", "options"), [*((e, CatalogueOptions()) for e in environments()), ("dev", LEGACY)]
)
def test_every_target_retries_and_dead_letters(env: str, options: CatalogueOptions) -> None:
    settings = load_settings(env)
    for rule in project_rules(settings, options):
        for target in rule.to_put_targets()["Targets"]:
            assert target["DeadLetterConfig"] == {"Arn": settings.dead_letter_queue_arn}
            retry = target["RetryPolicy"]
            assert 60 <= retry["MaximumEventAgeInSeconds"] <= 86400
            assert 0 < retry["MaximumRetryAttempts"] <= 185
            service = target["Arn"].split(":")[2]
            if service == "states":
                assert target["RoleArn"] == settings.location.role(settings.events_role_name)
                assert target["Arn"].rsplit(":", 1)[1] == "live", "an alias, never a version"
            else:
                assert "RoleArn" not in target, f"{rule.name}: {service} needs no role"


def test_event_patterns_are_sent_as_json_of_the_compiled_pattern() -> None:
    for rule in project_rules(load_settings("dev")):
        sent = rule.to_put_rule()
        assert json.loads(sent["EventPattern"]) == rule.event_pattern
        assert "ScheduleExpression" not in sent
        assert {"Key": "environment", "Value": "dev"} in sent["Tags"]


def test_drift_check_runs_in_the_environment_time_zone_with_its_window() -> None:
    prod = load_settings("prod")
    (schedule,) = project_schedules(prod)
    request = schedule.to_create_schedule()
    assert request["Name"] == "churn-prod-drift-check"
    assert request["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert request["ScheduleExpressionTimezone"] == "Europe/London"
    assert request["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30}
    target = request["Target"]
    assert target["Arn"] == prod.state_machine_alias_arn("drift-check")
    assert target["RoleArn"] == prod.location.role(prod.scheduler_role_name)
    assert json.loads(target["Input"]) == {}
    dev_request = project_schedules(load_settings("dev"))[0].to_create_schedule()
    assert dev_request["FlexibleTimeWindow"] == {"Mode": "OFF"}


def test_scheduled_retrain_is_off_by_default_and_targets_the_trigger_when_on() -> None:
    dev = load_settings("dev")
    assert [s.name for s in project_schedules(dev)] == ["churn-dev-drift-check"]
    retrain = next(s for s in project_schedules(dev, RETRAIN_WEEKLY) if s.name.endswith("retrain"))
    assert retrain.target_arn == dev.function_alias_arn("trigger")
    assert json.loads(retrain.input)["detail-type"] == "Scheduled Event"


def test_legacy_option_replaces_schedules_with_scheduled_rules() -> None:
    dev = load_settings("dev")
    assert project_schedules(dev, LEGACY) == []
    scheduled = {r.name: r for r in project_rules(dev, LEGACY) if r.schedule_expression}
    assert set(scheduled) == {"churn-dev-drift-check-schedule", "churn-dev-retrain-schedule"}
    drift = scheduled["churn-dev-drift-check-schedule"].to_put_targets()["Targets"][0]
    assert drift["Arn"] == dev.state_machine_alias_arn("drift-check")
    assert drift["Input"] == "{}"
    retrain = scheduled["churn-dev-retrain-schedule"]
    assert retrain.to_put_rule()["ScheduleExpression"] == "rate(7 days)"
    assert retrain.targets[0].arn == dev.function_alias_arn("trigger")
    assert not retrain.matches({"source": "aws.events", "detail-type": "Scheduled Event"})


def test_legacy_rules_refuse_a_cron_outside_utc() -> None:
    with pytest.raises(RuleError, match=r"drift.timezone: 'Europe/London'.*UTC only"):
        project_rules(load_settings("prod"), CatalogueOptions(use_scheduler=False))
