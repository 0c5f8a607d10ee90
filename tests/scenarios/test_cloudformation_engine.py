"""The environment deployed as one CloudFormation stack (`--engine cloudformation`) into the
embedded cloud: the change set plans every resource, the stack is created, a second plan finds
nothing to change, the loop runs on it as on the boto3-deployed stack (new data -> retrain ->
gate -> register -> deploy), and destroy deletes the stack but keeps the data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from environments.settings import Settings, load_settings
from localcloud import LocalCloud
from selfheal.stack_commands import (
    StackRefused,
    code_bucket,
    stack_deploy,
    stack_destroy,
    stack_plan,
    stack_rollback,
)

DATA = Path(__file__).resolve().parents[2] / "examples" / "churn" / "data" / "churn.csv"
RUN_TIMEOUT = 180.0


@dataclass
class Deployed:
    cloud: LocalCloud
    settings: Settings
    bucket: str
    deploy_lines: list[str]


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployed]:
    settings = load_settings("dev")
    with LocalCloud() as cloud:
        bucket = code_bucket(settings, cloud.client, None, local=True)
        lines: list[str] = []
        stack_deploy(settings, cloud.client, bucket, lines.append)
        yield Deployed(cloud, settings, bucket, lines)


def _stack_size(deployed: Deployed) -> int:
    """The resources the stack holds: what the first plan creates and later plans leave."""
    cfn = deployed.cloud.client("cloudformation")
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName="churn-dev")
    return sum(len(page["StackResourceSummaries"]) for page in pages)


def test_the_first_deploy_creates_the_stack_through_a_change_set(deployed: Deployed) -> None:
    lines = deployed.deploy_lines
    summary = next(line for line in lines if line.startswith("plan: "))
    size = _stack_size(deployed)
    assert size > 60
    assert summary.startswith(f"plan: {size} to create, 0 to update, 0 unchanged")
    assert "+ create    state-machine churn-dev-retrain" in lines
    assert lines.index(summary) < lines.index("stack churn-dev: CREATE_COMPLETE")
    # The job code waits for the artifacts bucket the stack makes, then is published.
    assert lines[-1].startswith("publish: ") and lines[-1].endswith(" 0 pending")


def test_a_second_plan_creates_no_change_set(deployed: Deployed) -> None:
    lines: list[str] = []
    stack_plan(deployed.settings, deployed.cloud.client, deployed.bucket, lines.append)
    assert lines == [
        f"plan: 0 to create, 0 to update, {_stack_size(deployed)} unchanged (stack churn-dev)"
    ]


def test_new_data_retrains_gates_registers_and_deploys_on_the_stack(deployed: Deployed) -> None:
    cloud, settings = deployed.cloud, deployed.settings
    key = settings.prefixes["training_data"] + DATA.name
    cloud.client("s3").put_object(Bucket=settings.data_bucket, Key=key, Body=DATA.read_bytes())
    cloud.wait_until_idle(RUN_TIMEOUT)
    sfn = cloud.client("stepfunctions")
    retrain = settings.location.state_machine(settings.state_machine_name("retrain"))
    [execution] = sfn.list_executions(stateMachineArn=retrain)["executions"]
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    output: dict[str, Any] = json.loads(described["output"])
    assert output["decision"] == "approve"
    packages = cloud.client("sagemaker").list_model_packages(
        ModelPackageGroupName=settings.model_package_group
    )["ModelPackageSummaryList"]
    assert [p["ModelApprovalStatus"] for p in packages] == ["Approved"]
    endpoint = cloud.client("sagemaker").describe_endpoint(EndpointName=settings.endpoint.name)
    assert endpoint["EndpointStatus"] == "InService"


def test_rollback_returns_to_the_template_of_the_deploy_before(deployed: Deployed) -> None:
    cloud, settings, bucket = deployed.cloud, deployed.settings, deployed.bucket
    stricter = replace(settings, thresholds={**settings.thresholds, "auc": 0.8})
    lines: list[str] = []
    stack_deploy(stricter, cloud.client, bucket, lines.append)
    assert "~ update    state-machine churn-dev-retrain" in lines
    assert lines[-1] == "stack churn-dev: UPDATE_COMPLETE" or lines[-1].startswith("publish: ")
    back: list[str] = []
    stack_rollback(settings, cloud.client, bucket, back.append)
    assert "~ update    state-machine churn-dev-retrain" in back
    assert back[-1] == "stack churn-dev: UPDATE_COMPLETE"
    planned: list[str] = []
    stack_plan(settings, cloud.client, bucket, planned.append)
    assert planned == [
        f"plan: 0 to create, 0 to update, {_stack_size(deployed)} unchanged (stack churn-dev)"
    ]
    # The first deploy replaced nothing: a second rollback has nothing to undo (it re-applied
    # the stricter template, the one just rolled away from).
    with pytest.raises(StackRefused, match="no recorded deploy"):
        stack_rollback(settings, cloud.client, bucket, back.append)


def test_destroy_deletes_the_stack_and_keeps_buckets_and_models(deployed: Deployed) -> None:
    cloud, settings = deployed.cloud, deployed.settings
    lines: list[str] = []
    with pytest.raises(Exception, match="not confirmed"):
        stack_destroy(settings, cloud.client, False, lambda _: "no", lines.append)
    kept = stack_destroy(settings, cloud.client, True, None, lines.append)
    assert sorted(kept) == sorted(
        [
            f"s3-bucket {settings.data_bucket}",
            f"s3-bucket {settings.artifacts_bucket}",
            f"model-package-group {settings.model_package_group}",
        ]
    )
    assert lines[-1] == "stack churn-dev: deleted"
    s3 = cloud.client("s3")
    assert s3.head_bucket(Bucket=settings.data_bucket)
    functions = cloud.client("lambda").list_functions()["Functions"]
    assert not [f for f in functions if f["FunctionName"].startswith(settings.prefix + "-")]
