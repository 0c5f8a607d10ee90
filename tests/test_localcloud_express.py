"""StartSyncExecution runs an EXPRESS state machine and answers with its end.

What AWS answers is recorded in the corpus (groups express and api_express): SUCCEEDED with the
output, or FAILED with the error and cause and no output; a STANDARD machine is refused."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import SFN_ROLE, create_machine

RESULT = {"StartAt": "S", "States": {"S": {"Type": "Pass", "Result": {"Arg1": "a"}, "End": True}}}
RAISES = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Err", "Cause": "why"}}}


def _express(cloud: LocalCloud, definition: dict[str, Any]) -> str:
    arn: str = cloud.client("stepfunctions").create_state_machine(
        name="fast", definition=json.dumps(definition), roleArn=SFN_ROLE, type="EXPRESS"
    )["stateMachineArn"]
    return arn


def test_a_sync_execution_answers_with_its_output(localcloud: LocalCloud) -> None:
    arn = _express(localcloud, RESULT)
    sfn = localcloud.client("stepfunctions")
    answer = sfn.start_sync_execution(stateMachineArn=arn, input='{"x": 1}', name="run1")
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"Arg1": "a"}
    assert json.loads(answer["input"]) == {"x": 1}
    assert answer["stateMachineArn"] == arn
    assert answer["executionArn"].startswith(arn.replace(":stateMachine:", ":express:") + ":run1:")
    assert answer["stopDate"] >= answer["startDate"]
    assert answer["billingDetails"]["billedDurationInMilliseconds"] >= 100
    # AWS keeps no history of express executions.
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []


def test_a_failed_sync_execution_has_error_and_cause_and_no_output(
    localcloud: LocalCloud,
) -> None:
    answer = localcloud.client("stepfunctions").start_sync_execution(
        stateMachineArn=_express(localcloud, RAISES)
    )
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "Err", "why")
    assert "output" not in answer


def test_a_standard_machine_is_refused(localcloud: LocalCloud) -> None:
    arn = create_machine(localcloud, RESULT)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        localcloud.client("stepfunctions").start_sync_execution(stateMachineArn=arn)
    assert raised.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_without_the_extension_start_sync_execution_is_not_implemented() -> None:
    with extensions_disabled("start_sync_execution"), LocalCloud() as cloud:
        arn = _express(cloud, RESULT)
        with pytest.raises(botocore.exceptions.ClientError, match="Not yet implemented"):
            cloud.client("stepfunctions").start_sync_execution(stateMachineArn=arn)
