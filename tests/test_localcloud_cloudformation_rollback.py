"""A stack whose resource cannot be created rolls back, as CloudFormation does: CREATE_FAILED for
the resource with its reason, what was created deleted (what is retained kept), ROLLBACK_COMPLETE;
never CREATE_COMPLETE with the resource missing (`cloudformation_rollback`)."""

from __future__ import annotations

import json

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from localcloud.extensions.cloudformation_services import Alarm
from tests.cloudformation_helpers import ACCOUNT, ROLE_ARN, create_stack, events_of

# A type AWS has and localcloud has no provisioner or moto model for.
UNSUPPORTED = {"Type": "AWS::Pipes::Pipe", "Properties": {"Name": "p"}}
QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "first"}}
KEPT = {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "Properties": {"QueueName": "kept"}}


def _queues(cloud: LocalCloud) -> list[str]:
    urls = cloud.client("sqs").list_queues().get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1] for url in urls)


def test_an_unsupported_type_rolls_the_stack_back(localcloud: LocalCloud) -> None:
    stack = create_stack(
        localcloud,
        {"First": QUEUE, "Kept": KEPT, "Pipe": {**UNSUPPORTED, "DependsOn": ["First", "Kept"]}},
    )
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = events_of(localcloud)
    assert (
        "Pipe",
        "CREATE_FAILED",
        "localcloud cannot create resources of type AWS::Pipes::Pipe",
    ) in events
    assert (
        "stack",
        "ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to create: [Pipe]. Rollback requested by user.",
    ) in events
    assert ("First", "DELETE_COMPLETE", "") in events
    assert ("Kept", "DELETE_SKIPPED", "") in events
    assert events[-1] == ("stack", "ROLLBACK_COMPLETE", "")
    assert _queues(localcloud) == ["kept"]  # Retain keeps it, as on AWS
    resources = localcloud.client("cloudformation").list_stack_resources(StackName="stack")
    assert resources["StackResourceSummaries"] == []


def test_a_resource_whose_creation_fails_rolls_the_stack_back_with_the_api_error(
    localcloud: LocalCloud,
) -> None:
    schedule = {
        "Type": "AWS::Scheduler::Schedule",
        "DependsOn": ["First"],
        "Properties": {
            "Name": "daily",
            "GroupName": "missing",
            "ScheduleExpression": "rate(1 day)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:first", "RoleArn": ROLE_ARN},
        },
    }
    stack = create_stack(localcloud, {"First": QUEUE, "Daily": schedule})
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    (failed,) = [e for e in events_of(localcloud) if e[1] == "CREATE_FAILED"]
    assert failed[0] == "Daily" and "ResourceNotFoundException" in failed[2], failed
    assert _queues(localcloud) == []


def test_a_delete_that_fails_during_rollback_ends_rollback_failed(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Alarm) -> None:
        raise RuntimeError(f"cannot delete {self.physical_id}")

    # An injected delete failure: the rollback must report it, not end ROLLBACK_COMPLETE.
    monkeypatch.setattr(Alarm, "remove", refuse)
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "errors",
            "Namespace": "N",
            "MetricName": "M",
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        },
    }
    stack = create_stack(
        localcloud,
        {"First": QUEUE, "Alarm": alarm, "Pipe": {**UNSUPPORTED, "DependsOn": ["Alarm", "First"]}},
    )
    assert stack["StackStatus"] == "ROLLBACK_FAILED"
    events = events_of(localcloud)
    assert ("Alarm", "DELETE_FAILED", "cannot delete errors") in events
    assert ("First", "DELETE_COMPLETE", "") in events
    assert events[-1] == ("stack", "ROLLBACK_FAILED", "Failed to delete: [Alarm]")


def test_a_create_change_set_that_fails_rolls_back(localcloud: LocalCloud) -> None:
    cfn = localcloud.client("cloudformation")
    template = {"Resources": {"First": QUEUE, "Pipe": {**UNSUPPORTED, "DependsOn": ["First"]}}}
    cfn.create_change_set(
        StackName="changed",
        ChangeSetName="first",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
    )
    cfn.execute_change_set(StackName="changed", ChangeSetName="first")
    stack = cfn.describe_stacks(StackName="changed")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert (
        "Pipe",
        "CREATE_FAILED",
        "localcloud cannot create resources of type AWS::Pipes::Pipe",
    ) in (events_of(localcloud, "changed"))
    change_set = cfn.describe_change_set(StackName="changed", ChangeSetName="first")
    assert change_set["ExecutionStatus"] == "EXECUTE_FAILED"
    assert _queues(localcloud) == []


@pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")  # moto's own skip notice
def test_without_the_extension_the_stack_completes_with_the_resource_missing() -> None:
    with extensions_disabled("cloudformation_rollback"), LocalCloud() as cloud:
        stack = create_stack(cloud, {"First": QUEUE, "Pipe": UNSUPPORTED})
        assert stack["StackStatus"] == "CREATE_COMPLETE"
