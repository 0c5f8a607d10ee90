"""The project's rules against real-shaped events: each fires on what it must, not near misses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from environments.settings import Settings, load_settings
from event_rules.catalogue import project_rules
from event_rules.rule import Rule

SAMPLES = Path(__file__).resolve().parents[1] / "event_rules" / "samples"

# What each sample fires in the dev environment (rule names without the `churn-dev-` prefix).
EXPECTED = {
    "s3-object-created": {"training-data-uploaded"},
    "sagemaker-processing-job-completed-with-violations": {"drift-monitor-violations"},
    # The drift-check run that raises the alarm also sends its event: that starts the retrain.
    # Every alarm of the environment entering ALARM, or back to OK from ALARM, is notified.
    "cloudwatch-alarm-drift-alarm": {"alarm-state-changed"},
    "cloudwatch-alarm-drift-ok": {"alarm-state-changed"},
    # The CPU alarm also adjusts the endpoint's autoscaling maximum, both ways.
    "cloudwatch-alarm-endpoint-cpu-alarm": {"alarm-state-changed", "endpoint-cpu-capacity"},
    "cloudwatch-alarm-endpoint-cpu-ok": {"alarm-state-changed", "endpoint-cpu-capacity"},
    # Its alarm name is none of the project's: no rule of the environment reacts.
    "cloudwatch-alarm-latency-p99-alarm": set(),
    "model-drift-detected": {"drift-detected"},
    "sagemaker-model-package-approved": {"model-approved"},
    "sagemaker-model-package-rejected": {"model-rejected"},
    "sagemaker-training-job-failed": {"training-job-failed"},
    "sagemaker-processing-job-failed": {"processing-job-failed"},
    # Failed has its own rule: the timeline rule leaves it out, so it is announced once.
    "sagemaker-endpoint-failed": {"endpoint-failed"},
    "sagemaker-endpoint-in-service": {"endpoint-timeline"},
    "states-execution-failed": {"execution-failed"},
    # Only a legacy scheduled rule, which matches no event, would see it.
    "scheduled-event": set(),
    # Someone else deleted the endpoint: the audit names them.
    "cloudtrail-sagemaker-delete-endpoint": {"audit-sagemaker"},
    # The project's own deploy-model role updating its endpoint is a deployment, not an audit.
    "cloudtrail-sagemaker-update-endpoint-by-project": set(),
    "cloudtrail-s3-put-bucket-policy": {"audit-buckets"},
    "cloudtrail-states-delete-state-machine": {"audit-state-machines"},
    "cloudtrail-events-disable-rule": {"audit-rules"},
    "cloudtrail-cloudtrail-stop-logging": {"audit-trail"},
    "securityhub-finding-s3-public-access": {"security-finding"},
}


@pytest.fixture(scope="module")
def dev() -> Settings:
    return load_settings("dev")


@pytest.fixture(scope="module")
def dev_rules(dev: Settings) -> list[Rule]:
    return project_rules(dev)


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return event


def fired(rules: list[Rule], event: dict[str, Any], prefix: str = "churn-dev-") -> set[str]:
    return {rule.name.removeprefix(prefix) for rule in rules if rule.matches(event)}


def changed(event: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of `event` with each dotted path set to its value (None deletes the field)."""
    result = copy.deepcopy(event)
    for dotted, new in changes.items():
        *parents, leaf = dotted.split(".")
        node = result
        for key in parents:
            node = node[key]
        if new is None:
            node.pop(leaf, None)
        else:
            node[leaf] = new
    return result


def test_every_sample_has_an_expectation() -> None:
    assert {p.stem for p in SAMPLES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_fires_exactly_its_rules(name: str, dev_rules: list[Rule]) -> None:
    assert fired(dev_rules, sample(name)) == EXPECTED[name]


def test_every_rule_fires_on_some_sample(dev_rules: list[Rule]) -> None:
    covered = set().union(*EXPECTED.values())
    assert {rule.name.removeprefix("churn-dev-") for rule in dev_rules} == covered


# Account-wide on purpose: a trail stopped anywhere in the account silences every environment's
# audit, so each environment's `audit-trail` rule reports it.
ACCOUNT_WIDE = {"cloudtrail-cloudtrail-stop-logging": {"audit-trail"}}


def test_another_environment_fires_nothing_on_dev_events() -> None:
    prod_rules = project_rules(load_settings("prod"))
    for name in EXPECTED:
        wanted = ACCOUNT_WIDE.get(name, set())
        assert fired(prod_rules, sample(name), "churn-prod-") == wanted, name


HITS = [
    # Subfolders of the training-data prefix are training data too.
    (
        "s3-object-created",
        "detail.object.key",
        "incoming/2024/05/day1.csv",
        "training-data-uploaded",
    ),
    ("s3-object-created", "detail.reason", "CompleteMultipartUpload", "training-data-uploaded"),
    # Model Monitor may report violations as Completed with its exit message.
    (
        "sagemaker-processing-job-completed-with-violations",
        "detail.ProcessingJobStatus",
        "Completed",
        "drift-monitor-violations",
    ),
    # The endpoint status appears as both `Failed` and `FAILED` in AWS's documentation.
    ("sagemaker-endpoint-failed", "detail.EndpointStatus", "Failed", "endpoint-failed"),
    # Any other state is a line of the timeline, never the failure notice.
    ("sagemaker-endpoint-failed", "detail.EndpointStatus", "IN_SERVICE", "endpoint-timeline"),
    ("sagemaker-endpoint-failed", "detail.EndpointStatus", "InService", "endpoint-timeline"),
    ("states-execution-failed", "detail.status", "TIMED_OUT", "execution-failed"),
    ("states-execution-failed", "detail.status", "ABORTED", "execution-failed"),
]


@pytest.mark.parametrize(("name", "path", "value", "rule"), HITS)
def test_variants_that_still_fire(
    name: str, path: str, value: Any, rule: str, dev_rules: list[Rule]
) -> None:
    assert fired(dev_rules, changed(sample(name), {path: value})) == {rule}


MISSES = [
    # A new alarm's first OK has nothing to lower and nothing to tell.
    ("cloudwatch-alarm-endpoint-cpu-ok", "detail.previousState.value", "INSUFFICIENT_DATA"),
    ("s3-object-created", "detail.bucket.name", "churn-prod-data-123456789012"),
    ("s3-object-created", "detail.object.key", "archive/2024-05-01.csv"),
    ("s3-object-created", "detail.object.key", "groundtruth/2024-05-01.csv"),
    ("s3-object-created", "detail.object.key", "incoming/2024-05-01.csv.tmp"),
    ("s3-object-created", "detail.object.key", "incoming/notes.txt"),
    ("s3-object-created", "detail.object.key", "incoming.csv"),
    ("s3-object-created", "detail-type", "Object Deleted"),
    (
        "sagemaker-processing-job-completed-with-violations",
        "detail.MonitoringScheduleArn",
        "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/other-dev-quality",
    ),
    ("sagemaker-processing-job-completed-with-violations", "detail.MonitoringScheduleArn", None),
    ("model-drift-detected", "source", "other.drift"),
    ("model-drift-detected", "detail.endpointName", "churn-prod"),
    ("model-drift-detected", "detail-type", "Model Drift Cleared"),
    ("sagemaker-model-package-approved", "detail.ModelApprovalStatus", "PendingManualApproval"),
    ("sagemaker-model-package-approved", "detail.ModelPackageGroupName", "churn-prod-models"),
    ("sagemaker-model-package-rejected", "detail.ModelPackageGroupName", "other-dev-models"),
    ("sagemaker-training-job-failed", "detail.TrainingJobStatus", "Completed"),
    ("sagemaker-training-job-failed", "detail.TrainingJobStatus", "Stopped"),
    ("sagemaker-training-job-failed", "detail.TrainingJobName", "other-dev-train-x-0"),
    ("sagemaker-training-job-failed", "detail.TrainingJobName", "churn-prod-train-x-0"),
    ("sagemaker-processing-job-failed", "detail.ProcessingJobStatus", "Completed"),
    ("sagemaker-processing-job-failed", "detail.ProcessingJobName", "churn-prod-prep-x-0"),
    ("sagemaker-endpoint-failed", "detail.EndpointName", "churn-prod"),
    ("states-execution-failed", "detail.status", "SUCCEEDED"),
    ("states-execution-failed", "detail.status", "RUNNING"),
    (
        "states-execution-failed",
        "detail.stateMachineArn",
        "arn:aws:states:us-east-1:123456789012:stateMachine:other-dev-retrain",
    ),
    (
        "states-execution-failed",
        "detail.stateMachineArn",
        "arn:aws:states:us-east-1:123456789012:stateMachine:churn-prod-retrain",
    ),
]


@pytest.mark.parametrize(("name", "path", "value"), MISSES)
def test_close_misses_fire_nothing(name: str, path: str, value: Any, dev_rules: list[Rule]) -> None:
    assert fired(dev_rules, changed(sample(name), {path: value})) == set()


def test_monitoring_run_without_violations_fires_nothing(dev_rules: list[Rule]) -> None:
    clean = changed(
        sample("sagemaker-processing-job-completed-with-violations"),
        {
            "detail.ProcessingJobStatus": "Completed",
            "detail.ExitMessage": "Completed: Job completed successfully with no violations.",
        },
    )
    assert fired(dev_rules, clean) == set()


@pytest.mark.parametrize("machine", ["retrain", "deploy-model", "drift-check"])
def test_failures_of_each_project_machine_are_notified(machine: str, dev_rules: list[Rule]) -> None:
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:churn-dev-{machine}"
    event = changed(sample("states-execution-failed"), {"detail.stateMachineArn": arn})
    assert fired(dev_rules, event) == {"execution-failed"}


def test_training_data_prefix_is_literal_in_the_wildcard(dev: Settings) -> None:
    """A `*` in the configured prefix is a character, not a wildcard."""
    starred = Settings(**{**vars(dev), "prefixes": {**dev.prefixes, "training_data": "in*/"}})
    rule = next(r for r in project_rules(starred) if r.name.endswith("training-data-uploaded"))
    literal = changed(sample("s3-object-created"), {"detail.object.key": "in*/a.csv"})
    other = changed(sample("s3-object-created"), {"detail.object.key": "incoming/a.csv"})
    assert rule.matches(literal)
    assert not rule.matches(other)
