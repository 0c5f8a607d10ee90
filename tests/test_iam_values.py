"""What the IAM derivation can know about a task argument before an execution runs."""

from __future__ import annotations

from typing import Any

import pytest

from environments.settings import load_settings
from iam import UnsupportedTaskError, state_machine_policy
from iam.tasks import task_calls
from iam.values import Assignments, Known, argument, resolve

JSONATA, JSONPATH = "JSONata", "JSONPath"
NOTIFY = "arn:aws:lambda:us-east-1:123456789012:function:churn-dev-notify"


def machine(states: dict[str, Any], language: str = JSONATA) -> dict[str, Any]:
    return {"QueryLanguage": language, "StartAt": next(iter(states)), "States": states}


def known(value: Any, definition: dict[str, Any] | None = None, **kwargs: Any) -> list[Known]:
    scope = Assignments(definition or machine({"End": {"Type": "Succeed"}}))
    language = (definition or {}).get("QueryLanguage", JSONATA)
    return resolve(value, language, scope, **kwargs)


def test_a_literal_is_exact() -> None:
    assert known("churn-dev-notify") == [Known("churn-dev-notify", True, "literal")]


def test_concatenation_keeps_the_literal_prefix_up_to_the_first_run_time_part() -> None:
    definition = machine({"A": {"Type": "Pass", "Assign": {"runId": "{% $uuid() %}"}, "End": True}})
    value = "{% 'churn-dev-train-' & $runId & '-' & $string($states.context.State.RetryCount) %}"
    assert known(value, definition) == [Known("churn-dev-train-", False, "unknown")]


def test_variables_are_followed_through_every_assign() -> None:
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"run": "{% $uuid() %}"}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Assign": {"prefix": "{% 's3://bucket/runs/' & $run & '/' %}"},
                "End": True,
            },
        }
    )
    assert known("{% $prefix & 'model/' %}", definition) == [
        Known("s3://bucket/runs/", False, "unknown")
    ]


def test_a_variable_assigned_two_literals_has_both_values() -> None:
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"mode": "auto"}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"mode": "manual"}, "End": True},
        }
    )
    assert known("{% 'x-' & $mode %}", definition) == [
        Known("x-auto", True, "literal"),
        Known("x-manual", True, "literal"),
    ]


def test_a_conditional_contributes_both_branches_with_their_origins() -> None:
    value = "{% $exists($states.input.uri) ? $states.input.uri : 's3://bucket/datacapture/' %}"
    assert known(value) == [
        Known("", False, "input"),
        Known("s3://bucket/datacapture/", True, "literal"),
    ]


@pytest.mark.parametrize("operator", ["??", "?:"])
def test_default_operators_contribute_both_operands(operator: str) -> None:
    value = f"{{% $states.input.topic {operator} 'churn-dev-notifications' %}}"
    assert known(value) == [
        Known("", False, "input"),
        Known("churn-dev-notifications", True, "literal"),
    ]


def test_origins_of_run_time_values() -> None:
    assert known("{% $states.result.Payload %}") == [Known("", False, "result")]
    assert known("{% $states.context.Execution.Id %}") == [Known("", False, "context")]
    assert known("{% $undefinedVariable %}") == [Known("", False, "unknown")]


def test_jsonpath_paths_are_input_or_context() -> None:
    definition = machine({"End": {"Type": "Succeed"}}, JSONPATH)
    assert known("$.topic", definition, path=True) == [Known("", False, "input")]
    assert known("$$.Execution.Id", definition, path=True) == [Known("", False, "context")]


def test_a_quoted_ampersand_is_part_of_the_literal() -> None:
    assert known("{% 'a & b' & $x %}")[0].prefix == "a & b"


def test_argument_reads_both_spellings_of_a_jsonpath_field() -> None:
    body = {"Items": [{"Name": "a"}, {"Name.$": "$.name"}]}
    assert argument(body, "Items", "*", "Name") == [("a", False), ("$.name", True)]


def test_tasks_in_parallel_and_map_states_are_found() -> None:
    """Nested scopes call services too (asl_validation/walk.iter_states reaches them)."""
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish",
        "Arguments": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"},
        "End": True,
    }
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "T1", "States": {"T1": task}}],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T2", "States": {"T2": task}},
                "End": True,
            },
        }
    )
    assert [c.state for c in task_calls(definition)] == ["T1", "T2"]


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:states:::lambda:invoke"),
        ("arn:aws:states:us-east-1:123456789012:activity:a", "activity ARN"),
        ("arn:aws:states:::glue:startJobRun.sync", "no IAM derivation"),
        ("arn:aws:states:::aws-sdk:dynamodb:getItem", "no IAM resource rule"),
    ],
)
def test_tasks_the_derivation_cannot_scope_are_refused_with_the_fix(
    resource: str, message: str
) -> None:
    definition = machine({"T": {"Type": "Task", "Resource": resource, "End": True}})
    with pytest.raises(UnsupportedTaskError, match=message) as error:
        state_machine_policy(load_settings("dev"), "retrain", definition)
    assert "/States/T" in str(error.value)


def test_a_role_to_pass_must_be_literal() -> None:
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createModel",
                "Arguments": {
                    "ModelName": "churn-dev-model-x",
                    "ExecutionRoleArn": "{% $states.input.role %}",
                },
                "End": True,
            }
        }
    )
    with pytest.raises(UnsupportedTaskError, match="ExecutionRoleArn must be a literal"):
        state_machine_policy(load_settings("dev"), "deploy-model", definition)


def statements_of(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    spec = state_machine_policy(load_settings("dev"), "retrain", definition)
    return {s["Sid"]: s for s in spec.policy["Statement"]}


def test_a_name_known_only_at_run_time_is_scoped_to_the_projects_names() -> None:
    """Step Functions' own templates fall back to ``*`` for dynamic names
    (service-integration-iam-templates.html); this project falls back to its name prefix."""
    definition = machine(
        {
            "Train": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                "Arguments": {
                    "TrainingJobName": "{% $states.input.jobName %}",
                    "RoleArn": "arn:aws:iam::123456789012:role/churn-dev-sagemaker-execution",
                },
                "End": True,
            }
        }
    )
    found = statements_of(definition)
    assert found["SageMakerTrainingJobs"]["Resource"] == [
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-dev-*"
    ]
    assert "SageMakerTagTrainingJobs" not in found  # no Tags in the request, no AddTags


def test_jsonpath_parameters_are_scoped_like_jsonata_arguments() -> None:
    definition = machine(
        {
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn.$": "$.topic", "Message.$": "$.message"},
                "Next": "Invoke",
            },
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": f"{NOTIFY}:live",
                    "Payload": {"token.$": "$$.Task.Token"},
                },
                "End": True,
            },
        },
        JSONPATH,
    )
    found = statements_of(definition)
    assert found["PublishNotifications"]["Resource"] == [
        "arn:aws:sns:us-east-1:123456789012:churn-dev-*"
    ]
    assert found["InvokeFunctions"]["Resource"] == [f"{NOTIFY}:live"]


def test_sagemaker_tasks_refuse_the_callback_pattern() -> None:
    """connect-sagemaker.html: SageMaker does not support .waitForTaskToken."""
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createProcessingJob.waitForTaskToken",
                "Arguments": {"ProcessingJobName": "churn-dev-prep-x"},
                "End": True,
            }
        }
    )
    with pytest.raises(UnsupportedTaskError, match="waitForTaskToken"):
        statements_of(definition)
