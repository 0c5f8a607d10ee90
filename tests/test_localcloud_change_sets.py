"""Change sets of the embedded CloudFormation: one that only passes another parameter value
describes the resources that refer to it, as CloudFormation describes (and executes) it."""

from __future__ import annotations

import json

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

TEMPLATE = json.dumps(
    {
        "Parameters": {"Visibility": {"Type": "String", "Default": "30"}},
        "Resources": {
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": "work", "VisibilityTimeout": {"Ref": "Visibility"}},
            },
            "Other": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "other"}},
        },
    }
)


def _changes_of_a_new_parameter_value() -> list[tuple[str, str]]:
    with LocalCloud() as cloud:
        cfn = cloud.client("cloudformation")
        cfn.create_stack(StackName="s", TemplateBody=TEMPLATE)
        cfn.create_change_set(
            StackName="s",
            ChangeSetName="wider",
            TemplateBody=TEMPLATE,
            Parameters=[{"ParameterKey": "Visibility", "ParameterValue": "60"}],
            ChangeSetType="UPDATE",
        )
        described = cfn.describe_change_set(StackName="s", ChangeSetName="wider")
        return [
            (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
            for c in described["Changes"]
        ]


def test_a_parameter_only_change_set_lists_the_resources_using_it() -> None:
    assert _changes_of_a_new_parameter_value() == [("Modify", "Queue")]


def test_without_the_extension_it_lists_nothing() -> None:
    # The gap change_set_parameters closes: the execution would update Queue all the same.
    with extensions_disabled("change_set_parameters"):
        assert _changes_of_a_new_parameter_value() == []


# A schedule names its group by a literal name and waits for it with DependsOn, listed first.
ORDERED = json.dumps(
    {
        "Resources": {
            "Schedule": {
                "Type": "AWS::Scheduler::Schedule",
                "DependsOn": "Group",
                "Properties": {
                    "Name": "nightly",
                    "GroupName": "team",
                    "ScheduleExpression": "rate(1 day)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {
                        "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                        "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                    },
                },
            },
            "Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": "team"}},
        }
    }
)


def _status_of_an_executed_create_change_set() -> str:
    with LocalCloud() as cloud:
        cfn = cloud.client("cloudformation")
        cfn.create_change_set(
            StackName="s", ChangeSetName="first", TemplateBody=ORDERED, ChangeSetType="CREATE"
        )
        cfn.execute_change_set(StackName="s", ChangeSetName="first")
        return str(cfn.describe_stacks(StackName="s")["Stacks"][0]["StackStatus"])


def test_an_executed_change_set_creates_in_dependency_order() -> None:
    assert _status_of_an_executed_create_change_set() == "CREATE_COMPLETE"


def test_without_the_order_extension_the_schedule_comes_first_and_fails() -> None:
    with extensions_disabled("change_set_order"):
        assert _status_of_an_executed_create_change_set() == "ROLLBACK_COMPLETE"
