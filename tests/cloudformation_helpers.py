"""Stacks in the embedded cloud for the CloudFormation tests: create one from a few resources and
read its status, outputs and events."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud import LocalCloud

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/anything"
PASS_DEFINITION = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def create_stack(
    cloud: LocalCloud,
    resources: dict[str, Any],
    outputs: dict[str, Any] | None = None,
    name: str = "stack",
) -> dict[str, Any]:
    """CreateStack, then DescribeStacks of it (the embedded cloud creates synchronously)."""
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        template["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    cfn = cloud.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack: dict[str, Any] = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return stack


def outputs_of(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def events_of(cloud: LocalCloud, name: str = "stack") -> list[tuple[str, str, str]]:
    """(logical id, status, reason) oldest first."""
    events = cloud.client("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
        for e in reversed(events)
    ]


TAGS = [{"Key": "team", "Value": "ml"}]


@dataclass(frozen=True)
class Case:
    """A stack fragment, the extension it needs, and how to tell it was created right."""

    extension: str
    resources: dict[str, Any]
    outputs: dict[str, Any]
    check: Callable[[LocalCloud, dict[str, str]], None]  # raises when the resource is wrong
    prepare: Callable[[LocalCloud], None] = field(default=lambda cloud: None)


def get_att(logical_id: str, attribute: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}
