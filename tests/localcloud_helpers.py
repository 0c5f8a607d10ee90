"""What the embedded-cloud tests share: a state machine created from a definition, and the
smallest definition for tests about executions rather than what they run."""

from __future__ import annotations

import json
from typing import Any

from localcloud import LocalCloud

SFN_ROLE = "arn:aws:iam::123456789012:role/sfn"
# The trust policy of a role a Lambda function runs as.
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ],
}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def create_machine(cloud: LocalCloud, definition: dict[str, Any], name: str = "m") -> str:
    """CreateStateMachine in `cloud`; the new machine's ARN. A MockConfigFile names the
    machine its test cases are for, so callers that use one pass that name."""
    arn: str = cloud.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=SFN_ROLE
    )["stateMachineArn"]
    return arn
