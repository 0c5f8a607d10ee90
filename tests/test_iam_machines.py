"""Each state machine's role allows every call its definition makes, and nothing else.

The calls are enumerated from the generated ASL, independently of the policy code: every Task's
Arguments are evaluated with JSONata for a sample execution, and each integration is mapped to
the IAM requests AWS documents for it (AWS Step Functions Developer Guide: "IAM policies for
Amazon SageMaker AI" sagemaker-iam.html, "IAM policies for AWS Lambda" lambda-iam.html, "Amazon
SNS" sns-iam.html, "IAM policies for nested Step Functions calls" stepfunctions-iam.html,
"Amazon EventBridge" eventbridge-iam.html, "Authorization for versions and aliases"
auth-version-alias.html, "Logging using CloudWatch Logs" cw-logs.html, "X-Ray" xray-iam.html;
SageMaker "Auto scaling prerequisites"; Service Authorization Reference for the resource types
and the ``sagemaker:AddTags`` dependency of Create* calls with Tags).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asl_validation.walk import iter_states
from iam import state_machine_policy
from localcloud.jsonata_functions import JSONataEvaluationError, evaluate
from tests.iam_helpers import MACHINES, SAGEMAKER, Call, arn, definitions, role, settings

ASL_DIR = Path(__file__).resolve().parent.parent / "asl"
LOG_DELIVERY = [
    "CreateLogDelivery",
    "GetLogDelivery",
    "UpdateLogDelivery",
    "DeleteLogDelivery",
    "ListLogDeliveries",
    "PutResourcePolicy",
    "DescribeResourcePolicies",
    "DescribeLogGroups",
]
XRAY = ["PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets"]


def package(version: int) -> str:
    return arn("sagemaker", f"model-package/churn-dev-models/{version}")


def samples(machine: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(execution input, values of variables a task result assigns) for one sample run."""
    artifacts = f"s3://{settings().artifacts_bucket}"
    results = {
        "modelDataUrl": f"{artifacts}/runs/r1/model/churn-dev-train-r1-0/output/model.tar.gz",
        "trainingJobName": "churn-dev-train-r1-0",
        "modelPackageArn": package(7),
        "baselineS3Uri": f"{artifacts}/runs/r1/preprocess/baseline/statistics.json",
        "gate": {"decision": "approve", "reasons": [], "metrics": {}, "champion": None},
        "drift": {"max_psi": 0.3, "drift_detected": True, "drifted_features": ["age"]},
        "previousConfigName": "churn-dev-epc-old",
    }
    inputs = {
        "retrain": {"dataS3Uri": f"s3://{settings().data_bucket}/incoming/2024/churn.csv"},
        "deploy-model": {"modelPackageArn": package(7)},
        "drift-check": {},
    }
    return inputs[machine], results


def _value(value: Any, bindings: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        return evaluate(value[2:-2].strip(), bindings)
    if isinstance(value, dict):
        return {k: _value(v, bindings) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, bindings) for v in value]
    return value


def bindings(machine: str) -> dict[str, Any]:
    """Variables of a sample execution: Pass states' Assign evaluated, task results sampled."""
    execution_input, results = samples(machine)
    name = "s3-incoming-2024-churn-csv-0123456789abcdef"
    context = {
        "Execution": {"Name": name, "Id": arn("states", f"execution:churn-dev-{machine}:{name}")},
        "State": {"RetryCount": 0},
    }
    values: dict[str, Any] = {"states": {"input": execution_input, "context": context}}
    values.update(results)
    for _ in range(3):  # assignments may use variables assigned by later-listed states
        for visit in iter_states(definitions()[machine]):
            if visit.state.get("Type") != "Pass":
                continue
            for variable, expression in (visit.state.get("Assign") or {}).items():
                if variable not in values:
                    try:
                        values[variable] = _value(expression, values)
                    except JSONataEvaluationError:  # depends on a variable not bound yet
                        continue
    return values


def needs(resource: str, body: dict[str, Any], values: dict[str, Any]) -> list[Call]:
    """The IAM requests one Task makes, as AWS documents them for its integration."""
    integration = resource.removeprefix("arn:aws:states:::")
    service, _, api = integration.partition(":")
    if service == "sagemaker" and api.startswith("create") and api.endswith("Job.sync"):
        word = api[len("create") : -len("Job.sync")]
        job = arn("sagemaker", f"{word.lower()}-job/{body[f'{word}JobName']}")
        rule = arn("events", f"rule/StepFunctionsGetEventsForSageMaker{word}JobsRule")
        return [
            Call(f"sagemaker:Create{word}Job", job),
            Call(f"sagemaker:Describe{word}Job", job),
            Call(f"sagemaker:Stop{word}Job", job),
            Call("sagemaker:AddTags", job, (("sagemaker:TaggingAction", f"Create{word}Job"),)),
            Call("sagemaker:ListTags", job),
            Call("iam:PassRole", body["RoleArn"], (("iam:PassedToService", SAGEMAKER),)),
            *(Call(f"events:{a}", rule) for a in ("PutRule", "PutTargets", "DescribeRule")),
        ]
    if integration == "sagemaker:createModel":
        model = arn("sagemaker", f"model/{body['ModelName']}")
        return [
            Call("sagemaker:CreateModel", model),
            Call("sagemaker:AddTags", model, (("sagemaker:TaggingAction", "CreateModel"),)),
            Call("sagemaker:ListTags", model),
            Call("iam:PassRole", body["ExecutionRoleArn"], (("iam:PassedToService", SAGEMAKER),)),
        ]
    if integration == "sagemaker:createEndpointConfig":
        config = arn("sagemaker", f"endpoint-config/{body['EndpointConfigName']}")
        tagging = (("sagemaker:TaggingAction", "CreateEndpointConfig"),)
        return [
            Call("sagemaker:CreateEndpointConfig", config),
            Call("sagemaker:AddTags", config, tagging),
            Call("sagemaker:ListTags", config),
        ]
    if integration in ("sagemaker:createEndpoint", "sagemaker:updateEndpoint"):
        action = "sagemaker:" + api[0].upper() + api[1:]
        endpoint = arn("sagemaker", f"endpoint/{body['EndpointName']}")
        config = arn("sagemaker", f"endpoint-config/{body['EndpointConfigName']}")
        calls = [Call(action, endpoint), Call(action, config), Call("sagemaker:ListTags", endpoint)]
        if "Tags" in body:
            calls.append(
                Call(
                    "sagemaker:AddTags", endpoint, (("sagemaker:TaggingAction", "CreateEndpoint"),)
                )
            )
        return calls
    if integration == "lambda:invoke":
        return [Call("lambda:InvokeFunction", body["FunctionName"])]
    if integration == "sns:publish":
        return [Call("sns:Publish", body["TopicArn"])]
    if integration == "states:startExecution.sync:2":
        machine_arn, _, qualifier = body["StateMachineArn"].rpartition(":")
        machine = machine_arn.rsplit(":", 1)[1]
        execution = arn("states", f"execution:{machine}:{body['Name']}")
        rule = arn("events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule")
        return [
            Call(
                "states:StartExecution", machine_arn, (("states:StateMachineQualifier", qualifier),)
            ),
            Call("states:DescribeExecution", execution),
            Call("states:StopExecution", execution),
            *(Call(f"events:{a}", rule) for a in ("PutRule", "PutTargets", "DescribeRule")),
        ]
    if integration == "events:putEvents":
        return [
            Call("events:PutEvents", entry["EventBusName"], (("events:source", entry["Source"]),))
            for entry in body["Entries"]
        ]
    return _sdk_needs(integration.removeprefix("aws-sdk:"), body, values)


def _sdk_needs(integration: str, body: dict[str, Any], values: dict[str, Any]) -> list[Call]:
    if integration == "sagemaker:describeModelPackage":
        return [Call("sagemaker:DescribeModelPackage", body["ModelPackageName"])]
    if integration == "sagemaker:listModelPackages":
        group = body["ModelPackageGroupName"]
        return [Call("sagemaker:ListModelPackages", arn("sagemaker", f"model-package/{group}/*"))]
    if integration == "sagemaker:createModelPackage":
        group = body["ModelPackageGroupName"]
        return [
            Call("sagemaker:CreateModelPackage", arn("sagemaker", f"model-package/{group}/8")),
            Call("sagemaker:CreateModelPackage", arn("sagemaker", f"model-package-group/{group}")),
        ]
    if integration == "sagemaker:listEndpoints":
        return [Call("sagemaker:ListEndpoints", "*")]
    if integration == "sagemaker:describeEndpoint":
        return [
            Call("sagemaker:DescribeEndpoint", arn("sagemaker", f"endpoint/{body['EndpointName']}"))
        ]
    if integration == "s3:getObject":
        return [Call("s3:GetObject", f"arn:aws:s3:::{body['Bucket']}/{body['Key']}")]
    if integration == "cloudwatch:putMetricData":
        return [
            Call("cloudwatch:PutMetricData", "*", (("cloudwatch:namespace", body["Namespace"]),))
        ]
    if integration.startswith("applicationautoscaling:"):
        api = integration.split(":")[1]
        target = arn("application-autoscaling", "scalable-target/056b21ff3a4f4f5d8d0d5c5e5d5d5d5d")
        scope = (
            ("application-autoscaling:service-namespace", body["ServiceNamespace"]),
            ("application-autoscaling:scalable-dimension", body["ScalableDimension"]),
        )
        endpoint_name = body["ResourceId"].split("/")[1]
        endpoint = arn("sagemaker", f"endpoint/{endpoint_name}")
        # The variant being scaled serves the config this execution just created.
        config = arn("sagemaker", f"endpoint-config/{values['endpointConfigName']}")
        calls = [
            Call(f"application-autoscaling:{api[0].upper()}{api[1:]}", target, scope),
            Call("sagemaker:DescribeEndpoint", endpoint),
            Call("sagemaker:DescribeEndpointConfig", config),
        ]
        if api == "registerScalableTarget":
            service = "sagemaker.application-autoscaling.amazonaws.com"
            linked = (
                f"arn:aws:iam::123456789012:role/aws-service-role/{service}/"
                "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
            )
            calls += [
                Call("sagemaker:UpdateEndpointWeightsAndCapacities", endpoint),
                Call("iam:CreateServiceLinkedRole", linked, (("iam:AWSServiceName", service),)),
            ]
        else:
            alarm = arn("cloudwatch", f"alarm:TargetTracking-{body['ResourceId']}-AlarmHigh-4d3f")
            calls += [
                Call(f"cloudwatch:{a}", alarm)
                for a in ("PutMetricAlarm", "DescribeAlarms", "DeleteAlarms")
            ]
        return calls
    raise AssertionError(f"the test has no documented needs for {integration}; add them")


def calls(machine: str) -> Iterator[tuple[str, Call]]:
    """(state, call) for every Task of the sample execution, then logging and tracing."""
    values = bindings(machine)
    for visit in iter_states(definitions()[machine]):
        if visit.state.get("Type") == "Task":
            body = _value(visit.state.get("Arguments", {}), values)
            for call in needs(visit.state["Resource"], body, values):
                yield visit.name, call
    for action in LOG_DELIVERY:
        yield "(logging)", Call(f"logs:{action}", "*")
    for action in XRAY:
        yield "(tracing)", Call(f"xray:{action}", "*")


@pytest.mark.parametrize("machine", MACHINES)
def test_every_call_the_definition_makes_is_allowed(machine: str) -> None:
    policy = role(machine).policy
    denied = [f"{state}: {call}" for state, call in calls(machine) if not call.allowed_by(policy)]
    assert denied == []


@pytest.mark.parametrize("machine", MACHINES)
def test_every_statement_is_needed_by_some_call(machine: str) -> None:
    enumerated = [call for _, call in calls(machine)]
    unused = []
    for statement in role(machine).policy["Statement"]:
        alone = {"Version": "2012-10-17", "Statement": [statement]}
        if not any(call.allowed_by(alone) for call in enumerated):
            unused.append(statement["Sid"])
        needed = {c.action for c in enumerated}
        unused += [f"{statement['Sid']}: {a}" for a in statement["Action"] if a not in needed]
    assert unused == []


@pytest.mark.parametrize("machine", MACHINES)
def test_the_committed_asl_gives_the_same_role(machine: str) -> None:
    committed = json.loads((ASL_DIR / f"{machine}.asl.json").read_text())
    assert state_machine_policy(settings(), machine, committed) == role(machine)
