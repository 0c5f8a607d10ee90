"""The CloudFormation engine on the embedded cloud's CloudFormation: change sets printed as the
boto3 engine's plan, executed with progress, a no-op without a change set, a failed change rolled
back and named, and a delete that keeps what the template retains."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deploy.stack_engine import (
    StackFailed,
    Waits,
    deploy_stack,
    destroy_stack,
    plan_stack,
)
from localcloud import LocalCloud

STACK = "shop-dev"
CODE_BUCKET = "shop-dev-code"
TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Visibility": {"Type": "String", "Default": "30"}},
    "Resources": {
        "DataBucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"BucketName": "shop-dev-data"},
        },
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": "shop-dev-work",
                "VisibilityTimeout": {"Ref": "Visibility"},
            },
        },
    },
}
DESCRIBED = {"DataBucket": "s3-bucket shop-dev-data", "Queue": "sqs-queue shop-dev-work"}


@pytest.fixture
def cloud(localcloud: LocalCloud) -> LocalCloud:
    localcloud.client("s3").create_bucket(Bucket=CODE_BUCKET)
    return localcloud


def waits(slept: list[float]) -> Waits:
    return Waits(polls=50, seconds=5.0, sleep=slept.append)


def plan(cloud: LocalCloud, template: dict[str, Any], slept: list[float], **params: str) -> Any:
    return plan_stack(cloud.client, STACK, template, params, CODE_BUCKET, DESCRIBED, waits(slept))


def test_a_new_stack_is_planned_created_and_then_unchanged(cloud: LocalCloud) -> None:
    slept: list[float] = []
    first = plan(cloud, TEMPLATE, slept)
    assert first.new_stack and first.change_set is not None
    assert first.render() == [
        "+ create    s3-bucket shop-dev-data",
        "+ create    sqs-queue shop-dev-work",
        f"plan: 2 to create, 0 to update, 0 unchanged (stack {STACK})",
    ]
    lines: list[str] = []
    assert deploy_stack(cloud.client, first, lines.append, waits(slept)) == "CREATE_COMPLETE"
    assert lines[-1] == f"stack {STACK}: CREATE_COMPLETE"
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="shop-dev-work")["QueueUrl"]
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"][
            "VisibilityTimeout"
        ]
        == "30"
    )
    again = plan(cloud, TEMPLATE, slept)
    assert again.change_set is None and again.summary() == "0 to create, 0 to update, 2 unchanged"
    said: list[str] = []
    assert deploy_stack(cloud.client, again, said.append, waits(slept)) == "UNCHANGED"
    assert said == [f"stack {STACK}: nothing to change, no change set executed"]
    names = cloud.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"]
    assert [s["ChangeSetName"] for s in names] == [first.change_set]


def test_a_changed_parameter_is_an_update_of_the_resource_using_it(cloud: LocalCloud) -> None:
    slept: list[float] = []
    deploy_stack(cloud.client, plan(cloud, TEMPLATE, slept), lambda _: None, waits(slept))
    changed = plan(cloud, TEMPLATE, slept, Visibility="60")
    assert [line.split()[0:2] for line in changed.render()[:-1]] == [["~", "update"]]
    assert changed.render()[0].endswith("sqs-queue shop-dev-work")
    deploy_stack(cloud.client, changed, lambda _: None, waits(slept))
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="shop-dev-work")["QueueUrl"]
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"][
            "VisibilityTimeout"
        ]
        == "60"
    )


def test_a_failed_creation_is_rolled_back_and_names_the_resource(cloud: LocalCloud) -> None:
    slept: list[float] = []
    broken = copy.deepcopy(TEMPLATE)
    broken["Resources"]["Mystery"] = {"Type": "AWS::Nowhere::Thing", "Properties": {}}
    lines: list[str] = []
    with pytest.raises(StackFailed, match=r"ended ROLLBACK_COMPLETE.*First failure: Mystery: "):
        deploy_stack(cloud.client, plan(cloud, broken, slept), lines.append, waits(slept))
    assert any(line.startswith("CREATE_FAILED") and "Mystery" in line for line in lines)
    # Rolled back: what it had created is gone but what the template retains.
    queues = cloud.client("sqs").list_queues().get("QueueUrls", [])
    assert not any(url.endswith("/shop-dev-work") for url in queues)
    assert cloud.client("s3").head_bucket(Bucket="shop-dev-data")


def test_a_failed_update_is_rolled_back_and_names_the_resource(cloud: LocalCloud) -> None:
    slept: list[float] = []
    deploy_stack(cloud.client, plan(cloud, TEMPLATE, slept), lambda _: None, waits(slept))
    broken = copy.deepcopy(TEMPLATE)
    broken["Resources"]["Extra"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": "shop-dev-extra"},
    }
    broken["Resources"]["Mystery"] = {"Type": "AWS::Nowhere::Thing", "Properties": {}}
    lines: list[str] = []
    with pytest.raises(
        StackFailed, match=r"ended UPDATE_ROLLBACK_COMPLETE.*First failure: Mystery: "
    ):
        deploy_stack(cloud.client, plan(cloud, broken, slept), lines.append, waits(slept))
    assert any(line.startswith("UPDATE_FAILED") and "Mystery" in line for line in lines)
    # Back to the template before the update: what it added is gone, the rest stays.
    queues = cloud.client("sqs").list_queues().get("QueueUrls", [])
    assert [url.rsplit("/", 1)[1] for url in queues] == ["shop-dev-work"]
    assert plan(cloud, TEMPLATE, slept).change_set is None


def test_destroy_deletes_the_stack_and_keeps_what_it_retains(cloud: LocalCloud) -> None:
    slept: list[float] = []
    deploy_stack(cloud.client, plan(cloud, TEMPLATE, slept), lambda _: None, waits(slept))
    cloud.client("s3").put_object(Bucket="shop-dev-data", Key="incoming/a.csv", Body=b"x\n")
    lines: list[str] = []
    kept = destroy_stack(cloud.client, STACK, TEMPLATE, DESCRIBED, lines.append, waits(slept))
    assert kept == ["s3-bucket shop-dev-data"]
    assert "kept (DeletionPolicy Retain): s3-bucket shop-dev-data" in lines
    assert lines[-1] == f"stack {STACK}: deleted"
    body = cloud.client("s3").get_object(Bucket="shop-dev-data", Key="incoming/a.csv")["Body"]
    assert body.read() == b"x\n"
    queues = cloud.client("sqs").list_queues().get("QueueUrls", [])
    assert not any(url.endswith("/shop-dev-work") for url in queues)
    assert destroy_stack(cloud.client, STACK, TEMPLATE, DESCRIBED, lines.append) == []
