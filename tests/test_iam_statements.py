"""Each state machine's role, statement by statement, against what AWS documents; and calls
outside its definition (another prefix's job, another topic, PassRole to another service, the
unqualified state machine) are denied.

Pages (AWS Step Functions Developer Guide unless named): sagemaker-iam.html, lambda-iam.html,
sns-iam.html, stepfunctions-iam.html, eventbridge-iam.html, auth-version-alias.html,
cw-logs.html, xray-iam.html, procedure-create-iam-role.html (confused deputy); SageMaker
"Auto scaling prerequisites"; Service Authorization Reference for resource types and keys.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.iam_helpers import MACHINES, SAGEMAKER, Call, arn, role

DENIED = {
    "retrain": [
        Call("sagemaker:CreateTrainingJob", arn("sagemaker", "training-job/other-dev-train-x-0")),
        Call(
            "sagemaker:CreateProcessingJob", arn("sagemaker", "processing-job/churn-prod-prep-x-0")
        ),
        Call("sagemaker:CreateTransformJob", arn("sagemaker", "transform-job/churn-dev-train-x")),
        Call(
            "iam:PassRole",
            arn("iam", "role/churn-dev-sagemaker-execution").replace(":us-east-1:", "::"),
            (("iam:PassedToService", "lambda.amazonaws.com"),),
        ),
        Call(
            "iam:PassRole",
            "arn:aws:iam::123456789012:role/admin",
            (("iam:PassedToService", SAGEMAKER),),
        ),
        Call("sns:Publish", arn("sns", "churn-prod-notifications")),
        Call("lambda:InvokeFunction", arn("lambda", "function:churn-dev-trigger")),
        Call("states:StartExecution", arn("states", "stateMachine:churn-dev-deploy-model")),
        Call(
            "states:StartExecution",
            arn("states", "stateMachine:churn-dev-deploy-model"),
            (("states:StateMachineQualifier", "2"),),
        ),
        Call(
            "states:StartExecution",
            arn("states", "stateMachine:churn-dev-retrain"),
            (("states:StateMachineQualifier", "live"),),
        ),
        Call("sagemaker:CreateModelPackage", arn("sagemaker", "model-package/other-models/1")),
        Call("events:PutRule", arn("events", "rule/churn-dev-s3-upload")),
    ],
    "deploy-model": [
        Call("sagemaker:UpdateEndpoint", arn("sagemaker", "endpoint/churn-prod")),
        Call("sagemaker:CreateModel", arn("sagemaker", "model/other-model-x")),
        Call("sagemaker:DescribeModelPackage", arn("sagemaker", "model-package/other-models/3")),
        Call("sagemaker:DeleteEndpoint", arn("sagemaker", "endpoint/churn-dev")),
        Call(
            "application-autoscaling:RegisterScalableTarget",
            arn("application-autoscaling", "scalable-target/x"),
            (
                ("application-autoscaling:service-namespace", "ecs"),
                ("application-autoscaling:scalable-dimension", "ecs:service:DesiredCount"),
            ),
        ),
        Call(
            "iam:CreateServiceLinkedRole",
            "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            (("iam:AWSServiceName", "ecs.application-autoscaling.amazonaws.com"),),
        ),
        Call("cloudwatch:DeleteAlarms", arn("cloudwatch", "alarm:churn-dev-endpoint-5xx")),
    ],
    "drift-check": [
        Call("s3:GetObject", "arn:aws:s3:::churn-dev-artifacts-123456789012/code/jobs/train.py"),
        Call("s3:GetObject", "arn:aws:s3:::churn-dev-data-123456789012/runs/x/drift/drift.json"),
        Call(
            "s3:PutObject", "arn:aws:s3:::churn-dev-artifacts-123456789012/runs/x/drift/drift.json"
        ),
        Call("cloudwatch:PutMetricData", "*", (("cloudwatch:namespace", "AWS/SageMaker"),)),
        Call(
            "events:PutEvents",
            arn("events", "event-bus/default"),
            (("events:source", "aws.sagemaker"),),
        ),
        Call(
            "events:PutEvents",
            arn("events", "event-bus/other"),
            (("events:source", "churn.drift"),),
        ),
        Call("sagemaker:ListModelPackages", arn("sagemaker", "model-package/other-models/*")),
    ],
}


@pytest.mark.parametrize(("machine", "call"), [(m, c) for m, cs in DENIED.items() for c in cs])
def test_calls_outside_the_definition_are_denied(machine: str, call: Call) -> None:
    assert not call.allowed_by(role(machine).policy)


def statements(machine: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in role(machine).policy["Statement"]}


def test_retrain_training_statements_follow_the_documented_sync_policy() -> None:
    """sagemaker-iam.html, CreateTrainingJob, Run a Job (.sync): Create/Describe/Stop on
    ``training-job/<name>*``, ``sagemaker:ListTags`` on ``*``, ``iam:PassRole`` with
    ``iam:PassedToService``, and the events actions on the managed rule."""
    found = statements("retrain")
    assert found["SageMakerTrainingJobs"]["Action"] == [
        "sagemaker:CreateTrainingJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:StopTrainingJob",
    ]
    assert found["SageMakerTrainingJobs"]["Resource"] == [
        arn("sagemaker", "training-job/churn-dev-train-*")
    ]
    assert found["SageMakerListTags"]["Resource"] == ["*"]
    assert found["PassSageMakerExecutionRole"] == {
        "Sid": "PassSageMakerExecutionRole",
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": ["arn:aws:iam::123456789012:role/churn-dev-sagemaker-execution"],
        "Condition": {"StringEquals": {"iam:PassedToService": SAGEMAKER}},
    }
    assert found["StepFunctionsManagedRules"]["Action"] == [
        "events:DescribeRule",
        "events:PutRule",
        "events:PutTargets",
    ]
    assert found["StepFunctionsManagedRules"]["Resource"] == sorted(
        arn("events", f"rule/StepFunctionsGetEventsFor{name}Rule")
        for name in ("SageMakerProcessingJobs", "SageMakerTrainingJobs", "StepFunctionsExecution")
    )


def test_retrain_starts_deploy_model_through_its_alias_only() -> None:
    """auth-version-alias.html: a start by alias is authorized on the state machine's ARN and
    scoped with ``states:StateMachineQualifier``; stepfunctions-iam.html (Synchronous):
    Describe/StopExecution on ``execution:<name>:*``."""
    found = statements("retrain")
    assert found["StartChurnDevDeployModel"]["Resource"] == [
        arn("states", "stateMachine:churn-dev-deploy-model")
    ]
    assert found["StartChurnDevDeployModel"]["Condition"] == {
        "StringEquals": {"states:StateMachineQualifier": "live"}
    }
    assert found["TrackStartedExecutions"]["Resource"] == [
        arn("states", "execution:churn-dev-deploy-model:*")
    ]


def test_lambda_and_sns_statements() -> None:
    """lambda-iam.html: InvokeFunction on the ARN invoked, here the functions' live aliases
    (a qualified invocation is authorized on the qualified ARN); sns-iam.html: Publish on the
    topic."""
    found = statements("retrain")
    assert found["InvokeFunctions"]["Resource"] == [
        arn("lambda", "function:churn-dev-notify:live"),
        arn("lambda", "function:churn-dev-quality-gate:live"),
    ]
    assert found["PublishNotifications"]["Resource"] == [arn("sns", "churn-dev-notifications")]


def test_logging_and_tracing_are_the_only_unscoped_needs_besides_documented_ones() -> None:
    """cw-logs.html and xray-iam.html grant their actions on ``*``; every ``*`` has a reason."""
    for machine in MACHINES:
        spec = role(machine)
        star = {s["Sid"] for s in spec.policy["Statement"] if s["Resource"] == ["*"]}
        assert star == set(spec.wildcard_resources)
        assert {"DeliverExecutionLogs", "TraceExecutions"} <= star
        assert all(reason.strip() for reason in spec.wildcard_resources.values())
    assert set(role("retrain").wildcard_resources) == {
        "DeliverExecutionLogs",
        "TraceExecutions",
        "SageMakerListTags",
    }


def test_trust_lets_only_this_state_machine_assume_the_role() -> None:
    """Step Functions "Prevent cross-service confused deputy issue": ``aws:SourceAccount`` and
    ``aws:SourceArn`` on the state machine (its versions and aliases included)."""
    trust = role("retrain").trust_policy["Statement"][0]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {
            "aws:SourceArn": [
                arn("states", "stateMachine:churn-dev-retrain"),
                arn("states", "stateMachine:churn-dev-retrain:*"),
            ]
        },
    }


def test_deploy_model_creates_only_its_named_models_configs_and_endpoint() -> None:
    """sagemaker-iam.html and the Service Authorization Reference: CreateModel on ``model/``,
    CreateEndpointConfig on ``endpoint-config/``, Create/UpdateEndpoint on the endpoint *and*
    the config; ``iam:PassRole`` for the model's execution role; AddTags only on create."""
    found = statements("deploy-model")
    assert found["SageMakerModels"]["Resource"] == [arn("sagemaker", "model/churn-dev-model-*")]
    assert found["SageMakerEndpointConfigs"]["Resource"] == [
        arn("sagemaker", "endpoint-config/churn-dev-epc-*")
    ]
    assert found["SageMakerEndpoints"]["Action"] == [
        "sagemaker:CreateEndpoint",
        "sagemaker:UpdateEndpoint",
    ]
    assert found["SageMakerEndpoints"]["Resource"] == [
        arn("sagemaker", "endpoint-config/churn-dev-epc-*"),
        arn("sagemaker", "endpoint/churn-dev"),
    ]
    assert found["SageMakerTagModels"]["Condition"] == {
        "StringEquals": {"sagemaker:TaggingAction": "CreateModel"}
    }
    assert "PassSageMakerExecutionRole" in found


def test_deploy_model_autoscaling_statements() -> None:
    """SageMaker "Auto scaling prerequisites": the caller needs the Application Auto Scaling
    actions, DescribeEndpoint/DescribeEndpointConfig/UpdateEndpointWeightsAndCapacities, the
    target-tracking alarms, and iam:CreateServiceLinkedRole for the SageMaker endpoint role."""
    found = statements("deploy-model")
    assert found["ScaleEndpointVariants"]["Condition"] == {
        "StringEquals": {
            "application-autoscaling:scalable-dimension": "sagemaker:variant:DesiredInstanceCount",
            "application-autoscaling:service-namespace": "sagemaker",
        }
    }
    assert found["ScaleSageMakerVariants"]["Resource"] == [
        arn("sagemaker", "endpoint-config/churn-dev-epc-*"),
        arn("sagemaker", "endpoint/churn-dev"),
    ]
    assert found["CreateAutoScalingRole"]["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}
    }
    assert found["TargetTrackingAlarms"]["Resource"] == [
        arn("cloudwatch", "alarm:TargetTracking-endpoint/churn-dev/variant/AllTraffic-*")
    ]
    assert set(role("deploy-model").wildcard_resources) == {
        "DeliverExecutionLogs",
        "ListEndpoints",
        "SageMakerListTags",
        "TraceExecutions",
    }


def test_drift_check_statements() -> None:
    """eventbridge-iam.html: PutEvents on the bus (here scoped by ``events:source`` too);
    PutMetricData has no resource type, so the namespace condition scopes it; GetObject on the
    report prefix the definition reads."""
    found = statements("drift-check")
    assert found["PutEvents"]["Resource"] == [arn("events", "event-bus/default")]
    assert found["PutEvents"]["Condition"] == {"StringEquals": {"events:source": "churn.drift"}}
    assert found["PublishMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "churn/ModelDrift"}
    }
    assert found["ReadObjects"]["Resource"] == [
        "arn:aws:s3:::churn-dev-artifacts-123456789012/runs/*"
    ]
    assert found["ReadModelRegistry"]["Action"] == [
        "sagemaker:DescribeModelPackage",
        "sagemaker:ListModelPackages",
    ]
    assert found["ReadModelRegistry"]["Resource"] == [
        arn("sagemaker", "model-package/churn-dev-models/*")
    ]
