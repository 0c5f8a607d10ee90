"""`response_attribute_keys`: the serializer finds a member's attribute once per class and shape.

The answers are the same with the extension as without it; with it, reading the same kinds of
objects again asks moto's alias providers nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from localcloud_helpers import counting_calls, create_machine

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

_MACHINE = {
    "StartAt": "P",
    "States": {
        "P": {"Type": "Pass", "Result": {"n": 1}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "End": True},
    },
}


def _reads(cloud: LocalCloud, machine: str, execution: str) -> dict[str, Any]:
    sfn = cloud.client("stepfunctions")
    cloudwatch = cloud.client("cloudwatch")
    answers = {
        "history": sfn.get_execution_history(executionArn=execution),
        "execution": sfn.describe_execution(executionArn=execution),
        "machine": sfn.describe_state_machine(stateMachineArn=machine),
        "executions": sfn.list_executions(stateMachineArn=machine),
        "alarms": cloudwatch.describe_alarms(),
        "groups": cloud.client("sagemaker").list_model_package_groups(),
    }
    for answer in answers.values():
        answer.pop("ResponseMetadata")
    return answers


def _cloud_with_an_execution(cloud: LocalCloud) -> tuple[str, str]:
    machine = create_machine(cloud, _MACHINE, "keys")
    execution = cloud.start_and_wait(machine, {"in": [1, 2]})["executionArn"]
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName="keys-alarm",
        Namespace="Keys",
        MetricName="Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloud.client("sagemaker").create_model_package_group(ModelPackageGroupName="keys-group")
    return machine, execution


def test_answers_are_moto_s_and_a_second_read_asks_no_alias_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.core.serialize import AttributePicker

    with LocalCloud() as cloud:
        machine, execution = _cloud_with_an_execution(cloud)
        first = _reads(cloud, machine, execution)
        with counting_calls(monkeypatch, AttributePicker, "get_possible_keys") as asked:
            again = _reads(cloud, machine, execution)
        with extensions_disabled("response_attribute_keys"):
            shipped = _reads(cloud, machine, execution)
    assert len(first["history"]["events"]) == 6
    assert first == again == shipped
    assert asked == []


def test_without_the_extension_every_value_asks_the_providers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.core.serialize import AttributePicker

    with extensions_disabled("response_attribute_keys"), LocalCloud() as cloud:
        machine, execution = _cloud_with_an_execution(cloud)
        _reads(cloud, machine, execution)
        with counting_calls(monkeypatch, AttributePicker, "get_possible_keys") as asked:
            _reads(cloud, machine, execution)
    assert len(asked) > 6 * 50  # every member of every history event, at least
