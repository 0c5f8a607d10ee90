"""What the Lambda handler tests share: an embedded-cloud account (`aws` fixture, registered in
conftest.py), EventBridge envelopes, and reads of what the handlers left in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from localcloud import LocalCloud

REGION = "eu-west-1"
ACCOUNT = "123456789012"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})


def envelope(
    source: str, detail_type: str, detail: dict[str, Any], event_id: str = "e-1"
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "source": source,
        "account": ACCOUNT,
        "time": "2024-05-01T06:00:00Z",
        "region": REGION,
        "resources": [],
        "detail-type": detail_type,
        "detail": detail,
    }


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with LocalCloud(region=REGION):
        sfn = boto3.client("stepfunctions", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        machines = {}
        for name in ("retrain", "deploy-model"):
            created = sfn.create_state_machine(
                name=name, definition=DEFINITION, roleArn=role, publish=True
            )
            arn = created["stateMachineArn"]
            alias = sfn.create_state_machine_alias(
                name="live",
                routingConfiguration=[
                    {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}
                ],
            )["stateMachineAliasArn"]
            machines[name] = {"arn": arn, "alias": alias}
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="mlops")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "false"},
        )
        # As deployed: the handlers start the `live` alias, never the machine itself.
        monkeypatch.setenv("RETRAIN_STATE_MACHINE_ARN", machines["retrain"]["alias"])
        monkeypatch.setenv("DEPLOY_STATE_MACHINE_ARN", machines["deploy-model"]["alias"])
        monkeypatch.setenv("TRAINING_DATA_URI", "s3://churn-data/training/")
        monkeypatch.setenv("DRIFT_EVENT_SOURCE", "mlops.retrain")
        monkeypatch.setenv("TOPIC_ARN", topic)
        yield {
            "sfn": sfn,
            "machines": machines,
            "sns": sns,
            "sqs": sqs,
            "queue": queue,
            "topic": topic,
        }


def received(aws: dict[str, Any]) -> list[dict[str, Any]]:
    messages = aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def executions(aws: dict[str, Any], machine: str) -> list[dict[str, Any]]:
    arn = aws["machines"][machine]["arn"]
    return aws["sfn"].list_executions(stateMachineArn=arn)["executions"]


def started_input(aws: dict[str, Any], execution_arn: str) -> dict[str, Any]:
    """The input an execution was started with, as Step Functions recorded it."""
    return json.loads(aws["sfn"].describe_execution(executionArn=execution_arn)["input"])


def churn_group() -> Any:
    """A SageMaker client, with the `churn` model package group the handlers read created."""
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")
    return sagemaker


def create_package(sagemaker: Any, status: str, **extra: Any) -> str:
    """Register a model package in `churn` with this approval status; its ARN."""
    arn: str = sagemaker.create_model_package(
        ModelPackageGroupName="churn",
        ModelApprovalStatus=status,
        InferenceSpecification={
            "Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/sklearn:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **extra,
    )["ModelPackageArn"]
    return arn
