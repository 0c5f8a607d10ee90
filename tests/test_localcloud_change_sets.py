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
