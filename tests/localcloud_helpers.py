"""What the embedded-cloud tests share: a state machine created from a definition, and the
smallest definition for tests about executions rather than what they run."""

from __future__ import annotations

import json
from typing import Any

from localcloud import LocalCloud

SFN_ROLE = "arn:aws:iam::123456789012:role/sfn"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def create_machine(cloud: LocalCloud, definition: dict[str, Any], name: str = "m") -> str:
    """CreateStateMachine in `cloud`; the new machine's ARN. A MockConfigFile names the
    machine its test cases are for, so callers that use one pass that name."""
    arn: str = cloud.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=SFN_ROLE
    )["stateMachineArn"]
    return arn
