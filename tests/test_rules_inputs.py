"""What each target receives: the trigger Lambda accepts every event its rules send it, Scheduler's
retrain input is a `Scheduled Event` it accepts, and SNS messages are readable text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from environments.settings import Settings, load_settings
from event_rules.catalogue import CatalogueOptions, project_rules, project_schedules
from event_rules.rule import Rule, Target
from localcloud.event_routing import transform_input
from tasks.handlers.environment import read_environment
from tasks.handlers.registry import TriggerEnvironment
from tasks.handlers.trigger import retrain_request

SAMPLES = Path(__file__).resolve().parents[1] / "event_rules" / "samples"


@pytest.fixture(scope="module")
def dev() -> Settings:
    return load_settings("dev")


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return event


def trigger_env(settings: Settings) -> TriggerEnvironment:
    """The trigger function's environment from the same settings (training data prefix)."""
    return read_environment(
        TriggerEnvironment,
        {
            "RETRAIN_STATE_MACHINE_ARN": settings.state_machine_alias_arn("retrain"),
            "TRAINING_DATA_URI": settings.training_data_uri,
            "DRIFT_EVENT_SOURCE": settings.drift_event_source,
        },
    )


def only_target(rules: list[Rule], event: dict[str, Any]) -> Target:
    (rule,) = [r for r in rules if r.matches(event)]
    (target,) = rule.targets
    return target


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("s3-object-created", "s3"),
        ("model-drift-detected", "drift"),
        ("sagemaker-processing-job-completed-with-violations", "drift"),
    ],
)
def test_trigger_accepts_every_event_its_rules_deliver(
    dev: Settings, name: str, source: str
) -> None:
    event = sample(name)
    target = only_target(project_rules(dev), event)
    assert target.arn == dev.function_alias_arn("trigger")
    assert (target.input, target.input_path, target.input_transformer) == (None, None, None)
    request = retrain_request(event, trigger_env(dev))
    assert request is not None
    payload, name_ = request
    assert payload["trigger"]["source"] == source
    assert payload["trigger"]["eventId"] == event["id"]
    assert payload["dataS3Uri"].startswith(f"s3://{dev.data_bucket}/")
    assert retrain_request(json.loads(json.dumps(event)), trigger_env(dev)) == (payload, name_)


def test_s3_upload_retrains_on_the_uploaded_object(dev: Settings) -> None:
    request = retrain_request(sample("s3-object-created"), trigger_env(dev))
    assert request is not None
    assert request[0]["dataS3Uri"] == f"s3://{dev.data_bucket}/incoming/2024-05-01.csv"


def substitute(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(f"<aws.scheduler.{name}>", value)
    return text


def test_scheduler_retrain_input_is_a_scheduled_event_the_trigger_accepts(dev: Settings) -> None:
    options = CatalogueOptions(retrain_schedule="cron(0 3 ? * SUN *)")
    schedule = next(s for s in project_schedules(dev, options) if s.name == "churn-dev-retrain")
    arn = dev.location.schedule(schedule.name, dev.schedule_group)
    attempts = [
        substitute(
            schedule.input,
            {
                "schedule-arn": arn,
                "scheduled-time": "2024-05-05T03:00:00Z",
                "execution-id": execution_id,
                "attempt-number": attempt,
            },
        )
        for execution_id, attempt in (("d32c5kddcf5bb8c3", "1"), ("a81b2c3d4e5f6a7b", "2"))
    ]
    requests = [retrain_request(json.loads(text), trigger_env(dev)) for text in attempts]
    assert all(request is not None for request in requests)
    first, second = (r for r in requests if r is not None)
    assert first[0]["trigger"]["source"] == "schedule"
    assert first[0]["dataS3Uri"] == dev.training_data_uri
    assert first[1] == second[1], "retries of one scheduled run are one execution"


def test_legacy_scheduled_rule_sends_the_trigger_a_scheduled_event(dev: Settings) -> None:
    options = CatalogueOptions(use_scheduler=False, retrain_schedule="rate(7 days)")
    rule = next(r for r in project_rules(dev, options) if r.name == "churn-dev-retrain-schedule")
    assert rule.targets[0].input is None
    request = retrain_request(sample("scheduled-event"), trigger_env(dev))
    assert request is not None
    assert request[0]["trigger"]["source"] == "schedule"


def sns_text(settings: Settings, name: str) -> str:
    event = sample(name)
    (rule,) = [r for r in project_rules(settings) if r.matches(event)]
    (target,) = rule.targets
    assert target.service == "sns"
    assert target.input_transformer is not None
    rendered = transform_input(
        dict(target.input_transformer.to_request()),
        event,
        settings.location.rule(rule.name),
        rule.name,
        event["time"],
    )
    text = json.loads(rendered)
    assert isinstance(text, str), "SNS gets plain text, not a JSON document"
    return text


def test_rejected_model_message(dev: Settings) -> None:
    text = sns_text(dev, "sagemaker-model-package-rejected")
    assert text.splitlines()[0] == (
        "[churn-dev] Model package version 7 in group churn-dev-models was rejected in the "
        "SageMaker Model Registry."
    )
    assert (
        "Package: arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-dev-models/7" in text
    )


def test_training_failure_message_says_which_job_and_why(dev: Settings) -> None:
    text = sns_text(dev, "sagemaker-training-job-failed")
    assert "training job churn-dev-train-s3-2024-05-01-csv-4f1c2a9b7e-0 failed" in text
    assert 'Reason: AlgorithmError: ExecuteUserScriptError: Command "/miniconda3' in text


def test_processing_failure_message_keeps_quotes_of_the_exit_message(dev: Settings) -> None:
    text = sns_text(dev, "sagemaker-processing-job-failed")
    assert 'Exit message: ValueError: column "tenure_months" is missing' in text


def test_endpoint_failure_message(dev: Settings) -> None:
    text = sns_text(dev, "sagemaker-endpoint-failed")
    assert text.startswith("[churn-dev] SageMaker endpoint churn-dev is Failed.")
    assert "did not pass the ping health check" in text


def test_execution_failure_message_links_the_execution(dev: Settings) -> None:
    text = sns_text(dev, "states-execution-failed")
    lines = text.splitlines()
    assert lines[0] == (
        "[churn-dev] Step Functions execution s3-2024-05-01-csv-9c1f6e2b0a4d8e7f ended FAILED."
    )
    assert "Error: States.TaskFailed" in lines
    execution = sample("states-execution-failed")["detail"]["executionArn"]
    assert lines[-1].endswith(f"#/v2/executions/details/{execution}")
    assert lines[-1].startswith("Console: https://us-east-1.console.aws.amazon.com/states/")
