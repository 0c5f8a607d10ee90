"""Embedded Step Functions speed: a ~15-state JSONata machine with Lambda and SageMaker tasks
mocked through a MockConfigFile. Figures: median wall time StartExecution -> SUCCEEDED, and
state transitions per second."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

RUNS = 15
ROLE = "arn:aws:iam::123456789012:role/sfn"


def _task(resource: str, next_state: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": resource,
        "Arguments": {"Name": "{% $states.input.run %}"},
        "Retry": [
            {
                "ErrorEquals": ["States.ALL"],
                "IntervalSeconds": 5,
                "BackoffRate": 2,
                "MaxAttempts": 2,
                "MaxDelaySeconds": 30,
                "JitterStrategy": "FULL",
            }
        ],
        "Assign": {"last": "{% $states.result %}"},
        "Output": "{% $merge([$states.input, {'step': $count($keys($states.result))}]) %}",
    }
    if next_state:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


def _definition() -> dict[str, Any]:
    steps = [
        ("Preprocess", "arn:aws:states:::sagemaker:createProcessingJob.sync"),
        ("Train", "arn:aws:states:::sagemaker:createTrainingJob.sync"),
        ("Evaluate", "arn:aws:states:::sagemaker:createProcessingJob.sync"),
        ("Gate", "arn:aws:states:::lambda:invoke"),
        ("Register", "arn:aws:states:::aws-sdk:sagemaker:createModelPackage"),
        ("Notify", "arn:aws:states:::sns:publish"),
    ]
    states: dict[str, Any] = {
        "Name": {
            "Type": "Pass",
            "Assign": {"job": "{% 'job-' & $substring($hash($states.input.run), 0, 8) %}"},
            "Next": "Prep",
        },
        "Prep": {
            "Type": "Pass",
            "Output": "{% $merge([$states.input, {'job': $job}]) %}",
            "Next": steps[0][0] + "Wait",
        },
    }
    for index, (name, resource) in enumerate(steps):
        following = steps[index + 1][0] + "Wait" if index + 1 < len(steps) else "Decide"
        states[name + "Wait"] = {"Type": "Wait", "Seconds": 30, "Next": name}
        states[name] = _task(resource, following)
    states["Decide"] = {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.step > 0 %}", "Next": "Done"}],
        "Default": "Done",
    }
    states["Done"] = {"Type": "Succeed"}
    return {"QueryLanguage": "JSONata", "StartAt": "Name", "States": states}


def _mock_config(definition: dict[str, Any]) -> dict[str, Any]:
    task_states = [n for n, s in definition["States"].items() if s["Type"] == "Task"]
    return {
        "StateMachines": {"bench": {"TestCases": {"Mocked": {n: "Ok" for n in task_states}}}},
        "MockedResponses": {
            "Ok": {"0": {"Return": {"Status": "Completed", "Payload": {"ok": True}}}}
        },
    }


def run() -> dict[str, Any]:
    from localcloud import LocalCloud

    definition = _definition()
    with LocalCloud(mock_config_file=_mock_config(definition)) as cloud:
        arn = cloud.client("stepfunctions").create_state_machine(
            name="bench", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        durations: list[float] = []
        transitions = 0
        for i in range(RUNS):
            started = time.perf_counter()
            result = cloud.start_and_wait(f"{arn}#Mocked", {"run": f"r{i}"})
            durations.append(time.perf_counter() - started)
            if result["status"] != "SUCCEEDED":
                raise RuntimeError(f"benchmark execution ended {result['status']}: {result}")
            transitions = len(cloud.states_entered(result["executionArn"]))
    median = statistics.median(durations)
    return {
        "states": len(definition["States"]),
        "runs": RUNS,
        "median_ms_start_to_succeeded": round(median * 1000, 1),
        "state_transitions_per_second": round(transitions / median, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run()))
