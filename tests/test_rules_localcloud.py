"""The catalogue's own PutRule/PutTargets requests in the embedded cloud: an S3 upload reaches the
trigger Lambda, which starts the retrain alias; registry events reach the approval Lambda and SNS.
Local runs and the rule tests route with the same pattern engine and the same request dicts."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from environments.settings import Settings, load_settings
from event_rules.catalogue import project_rules
from localcloud import LocalCloud
from localcloud.event_routing import put_event
from tests.localcloud_helpers import placeholder_zip

SAMPLES = Path(__file__).resolve().parents[1] / "event_rules" / "samples"
ECHO = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
INVOCATION_TIMEOUT_SECONDS = 60.0


def _role(cloud: LocalCloud, name: str, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}
        ],
    }
    created = cloud.client("iam").create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(trust)
    )
    return str(created["Role"]["Arn"])


def _alias(cloud: LocalCloud, settings: Settings, machine: str) -> str:
    sfn = cloud.client("stepfunctions")
    created = sfn.create_state_machine(
        name=settings.state_machine_name(machine),
        definition=json.dumps(ECHO),
        roleArn=_role(cloud, settings.state_machine_role_name(machine), "states.amazonaws.com"),
        publish=True,
    )
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}
        ],
    )["stateMachineAliasArn"]
    assert alias == settings.state_machine_alias_arn(machine)
    return str(created["stateMachineArn"])


def _function(cloud: LocalCloud, settings: Settings, handler: str, env: dict[str, str]) -> None:
    cloud.client("lambda").create_function(
        FunctionName=settings.function_name(handler),
        Runtime="python3.11",
        Role=_role(cloud, settings.lambda_role_name(handler), "lambda.amazonaws.com"),
        Handler=f"tasks.handlers.{handler}.handler",
        Code={"ZipFile": placeholder_zip()},
        Environment={"Variables": env},
        Publish=True,
    )
    # Rules target the live alias, as the deploy creates it.
    cloud.client("lambda").create_alias(
        FunctionName=settings.function_name(handler), Name="live", FunctionVersion="1"
    )


def _join_lambda_invocations() -> None:
    """EventBridge invokes Lambda asynchronously; wait (bounded) for those invocations."""
    for thread in threading.enumerate():
        if thread.name.startswith("lambda-"):
            thread.join(INVOCATION_TIMEOUT_SECONDS)
            assert not thread.is_alive(), f"{thread.name} still running"


def _inputs(cloud: LocalCloud, machine_arn: str) -> list[dict[str, Any]]:
    sfn = cloud.client("stepfunctions")
    runs = sfn.list_executions(stateMachineArn=machine_arn)["executions"]
    return [json.loads(cloud.wait_for_execution(r["executionArn"])["input"]) for r in runs]


@pytest.fixture
def deployed(localcloud: LocalCloud) -> dict[str, Any]:
    """The project's rules and the resources they target, put with the catalogue's requests."""
    settings = load_settings("dev")
    topic = localcloud.client("sns").create_topic(Name=settings.topic_name)["TopicArn"]
    localcloud.client("sqs").create_queue(QueueName=settings.dead_letter_queue_name)
    machines = {m: _alias(localcloud, settings, m) for m in ("retrain", "deploy-model")}
    _function(
        localcloud,
        settings,
        "trigger",
        {
            "RETRAIN_STATE_MACHINE_ARN": settings.state_machine_alias_arn("retrain"),
            "TRAINING_DATA_URI": settings.training_data_uri,
            "DRIFT_EVENT_SOURCE": settings.drift_event_source,
        },
    )
    _function(
        localcloud,
        settings,
        "approval",
        {
            "DEPLOY_STATE_MACHINE_ARN": settings.state_machine_alias_arn("deploy-model"),
            "TOPIC_ARN": topic,
        },
    )
    events = localcloud.client("events")
    rules = project_rules(settings)
    for rule in rules:
        events.put_rule(**rule.to_put_rule())
        response = events.put_targets(**rule.to_put_targets())
        assert response["FailedEntryCount"] == 0, response["FailedEntries"]
    return {"settings": settings, "topic": topic, "machines": machines, "rules": rules}


def test_targets_are_stored_as_sent(localcloud: LocalCloud, deployed: dict[str, Any]) -> None:
    events = localcloud.client("events")
    for rule in deployed["rules"]:
        stored = events.describe_rule(Name=rule.name)
        assert json.loads(stored["EventPattern"]) == rule.event_pattern
        listed = events.list_targets_by_rule(Rule=rule.name)["Targets"]
        assert listed == rule.to_put_targets()["Targets"]


def test_s3_upload_reaches_the_trigger_and_starts_one_retrain(
    localcloud: LocalCloud, deployed: dict[str, Any]
) -> None:
    settings: Settings = deployed["settings"]
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket=settings.data_bucket)
    s3.put_bucket_notification_configuration(
        Bucket=settings.data_bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    for key in ("incoming/day1.csv", "incoming/notes.txt", "archive/day0.csv"):
        s3.put_object(Bucket=settings.data_bucket, Key=key, Body=b"tenure_months,churned\n3,1\n")
    _join_lambda_invocations()
    (started,) = _inputs(localcloud, deployed["machines"]["retrain"])
    assert started["dataS3Uri"] == f"s3://{settings.data_bucket}/incoming/day1.csv"
    assert started["trigger"]["source"] == "s3"
    assert _inputs(localcloud, deployed["machines"]["deploy-model"]) == []
    assert localcloud.delivery_failures() == []


def _emit(cloud: LocalCloud, name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    put_event(
        cloud.account_id,
        cloud.region,
        event["source"],
        event["detail-type"],
        event["detail"],
        event["resources"],
    )
    return event


def test_registry_events_reach_the_approval_lambda_and_sns(
    localcloud: LocalCloud, deployed: dict[str, Any]
) -> None:
    approved = _emit(localcloud, "sagemaker-model-package-approved")
    _emit(localcloud, "sagemaker-model-package-rejected")
    _join_lambda_invocations()
    assert _inputs(localcloud, deployed["machines"]["deploy-model"]) == [
        {"modelPackageArn": approved["detail"]["ModelPackageArn"]}
    ]
    messages = [json.loads(m["Message"]) for m in localcloud.sns_messages(deployed["topic"])]
    assert len(messages) == 1
    assert messages[0].startswith("[churn-dev] Model package version 7 in group churn-dev-models")
    assert _inputs(localcloud, deployed["machines"]["retrain"]) == []
