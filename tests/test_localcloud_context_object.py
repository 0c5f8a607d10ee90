"""The context object (`$$`) as Step Functions writes it: times as ISO 8601 text, RedriveCount.

What AWS returns is recorded in the corpus case `base/test_query_context_object_values`:
`$$.Execution` holds Id, Input, Name, RoleArn, StartTime and `RedriveCount: 0`, and a state may
copy StartTime or `$$.State.EnteredTime` into its output."""

from __future__ import annotations

import json
import re

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_machine

AWS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
READS_CONTEXT = {
    "StartAt": "Read",
    "States": {
        "Read": {
            "Type": "Pass",
            "Parameters": {
                "execution.$": "$$.Execution",
                "started.$": "$$.Execution.StartTime",
                "entered.$": "$$.State.EnteredTime",
            },
            "End": True,
        }
    },
}


def test_start_and_entered_times_are_aws_text_and_redrive_count_is_zero(
    localcloud: LocalCloud,
) -> None:
    arn = create_machine(localcloud, READS_CONTEXT)
    result = localcloud.start_and_wait(arn, {"k": 1})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert AWS_TIME.match(output["started"]), output["started"]
    assert AWS_TIME.match(output["entered"]), output["entered"]
    assert output["started"] <= output["entered"]
    execution = output["execution"]
    assert execution["StartTime"] == output["started"]
    assert execution["RedriveCount"] == 0
    assert set(execution) == {"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount"}
    assert execution["Input"] == {"k": 1}


def test_without_the_extension_a_state_reading_the_start_time_breaks_describe() -> None:
    # moto kept StartTime a datetime: the execution's output cannot be written as JSON.
    with extensions_disabled("context_object_times"), LocalCloud() as cloud:
        arn = create_machine(cloud, READS_CONTEXT)
        with pytest.raises(TypeError, match="datetime is not JSON serializable"):
            cloud.start_and_wait(arn, {})
