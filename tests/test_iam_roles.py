"""The roles beside the state machines': which exist, SageMaker execution, Lambda (the EventBridge
and Scheduler roles are in test_iam_service_roles.py)."""

from __future__ import annotations

import ast
from functools import cache
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from environments.settings import Settings, load_settings
from iam import RoleSpec, UnsupportedTaskError, lambda_roles
from iam.lambda_roles import HANDLER_CALLS
from iam.sagemaker_role import sagemaker_role
from iam.simulate import is_allowed
from iam.tasks import task_calls
from tasks.packaging import handler_modules, lambda_files
from tests.iam_helpers import derived_roles

ACCOUNT = "123456789012"
LIVE = {"states:StateMachineQualifier": "live"}


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:us-east-1:{ACCOUNT}:{resource}"


def machine(name: str) -> str:
    return arn("states", f"stateMachine:churn-dev-{name}")


@cache
def roles(environment: str = "dev") -> dict[str, RoleSpec]:
    return {role.name: role for role in derived_roles(load_settings(environment))}


def policy(name: str, environment: str = "dev") -> dict[str, Any]:
    return roles(environment)[name].policy


def test_project_roles_are_the_machines_services_and_handlers() -> None:
    """dev schedules through Scheduler, so no rule targets a state machine: no EventBridge role."""
    settings: Settings = load_settings("dev")
    expected = {
        settings.state_machine_role_name(m) for m in ("retrain", "deploy-model", "drift-check")
    }
    expected |= {settings.scheduler_role_name, settings.sagemaker_role_name}
    expected |= {settings.lambda_role_name(h) for h in handler_modules()}
    assert set(roles()) == expected
    assert all(not role.managed_policy_arns for role in roles().values())


ARTIFACTS = "arn:aws:s3:::churn-dev-artifacts-123456789012"
DATA = "arn:aws:s3:::churn-dev-data-123456789012"
SAGEMAKER_ROLE = "churn-dev-sagemaker-execution"
CODE = f"code/{load_settings('dev').job_code_version}"


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        ("s3:GetObject", f"{DATA}/incoming/2024/churn.csv", {}),
        ("s3:GetObject", f"{DATA}/groundtruth/2024/labelled.csv", {}),
        ("s3:ListBucket", DATA, {"s3:prefix": "groundtruth/"}),
        ("s3:GetObject", f"{ARTIFACTS}/{CODE}/jobs/preprocess.py", {}),
        ("s3:GetObject", f"{ARTIFACTS}/{CODE}/sourcedir.tar.gz", {}),
        # An earlier version of the job code (a rolled-back machine version runs it).
        ("s3:GetObject", f"{ARTIFACTS}/code/0123456789abcdef/sourcedir.tar.gz", {}),
        ("s3:GetObject", f"{ARTIFACTS}/runs/r1/preprocess/train/train.csv", {}),
        ("s3:GetObject", f"{ARTIFACTS}/datacapture/churn-dev/AllTraffic/2024/01/01/00/x.jsonl", {}),
        ("s3:PutObject", f"{ARTIFACTS}/runs/r1/model/output/model.tar.gz", {}),
        ("s3:PutObject", f"{ARTIFACTS}/runs/r1/checkpoints/c.pkl", {}),
        ("s3:PutObject", f"{ARTIFACTS}/datacapture/churn-dev/AllTraffic/2024/01/01/00/x.jsonl", {}),
        ("s3:ListBucket", DATA, {"s3:prefix": "incoming/2024/churn.csv"}),
        ("s3:ListBucket", ARTIFACTS, {"s3:prefix": "runs/r1/preprocess/train/"}),
        ("s3:ListBucket", ARTIFACTS, {"s3:prefix": f"{CODE}/jobs/"}),
        (
            "ecr:BatchGetImage",
            "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
            {},
        ),
        ("ecr:GetAuthorizationToken", "*", {}),
        (
            "logs:PutLogEvents",
            arn("logs", "log-group:/aws/sagemaker/TrainingJobs:log-stream:j/algo-1"),
            {},
        ),
        ("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}),
        ("cloudwatch:DescribeAlarms", arn("cloudwatch", "alarm:churn-dev-endpoint-5xx"), {}),
    ],
)
def test_sagemaker_role_allows_what_the_jobs_and_endpoint_do(
    action: str, resource: str, context: dict[str, str]
) -> None:
    """sagemaker-roles.html (CreateTrainingJob/CreateProcessingJob/CreateModel execution role
    permissions) and "Auto-Rollback Configuration and Monitoring" (DescribeAlarms)."""
    assert is_allowed(policy(SAGEMAKER_ROLE), action, resource, context)


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        ("s3:PutObject", f"{DATA}/incoming/injected.csv", {}),
        ("s3:PutObject", f"{ARTIFACTS}/{CODE}/jobs/preprocess.py", {}),
        ("s3:GetObject", f"{DATA}/private/other.csv", {}),
        ("s3:GetObject", "arn:aws:s3:::other-bucket/runs/x", {}),
        ("s3:ListBucket", ARTIFACTS, {"s3:prefix": ""}),
        ("s3:DeleteObject", f"{ARTIFACTS}/runs/r1/x", {}),
        ("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:683313688378:repository/other", {}),
        (
            "ecr:PutImage",
            "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
            {},
        ),
        ("logs:PutLogEvents", arn("logs", "log-group:/aws/lambda/x:log-stream:y"), {}),
        ("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "churn/ModelDrift"}),
    ],
)
def test_sagemaker_role_denies_everything_else(
    action: str, resource: str, context: dict[str, str]
) -> None:
    assert not is_allowed(policy(SAGEMAKER_ROLE), action, resource, context)


def test_sagemaker_trust_is_limited_to_this_account() -> None:
    """SageMaker "Cross-service confused deputy prevention": aws:SourceAccount/SourceArn."""
    statement = roles()[SAGEMAKER_ROLE].trust_policy["Statement"][0]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": arn("sagemaker", "*")},
    }


def boto3_calls(handler: str) -> set[str]:
    """IAM actions of the AWS API calls a handler's code makes.

    The services are the client names its module mentions; the calls are attribute calls named
    like one of those services' operations, in every project file the handler ships with.
    Receivers named like constants (``_QUOTED_ARN.search``) are regexes, not clients.
    """
    session = botocore.session.get_session()
    module = next(p for p in lambda_files(handler) if p.parts[-2:] == ("handlers", f"{handler}.py"))
    source = module.read_text(encoding="utf-8")
    names = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)}
    services = sorted(names & set(session.get_available_services()))
    operations: dict[str, list[str]] = {}
    prefixes = {"stepfunctions": "states"}
    for service in services:
        for operation in session.get_service_model(service).operation_names:
            operations.setdefault(xform_name(operation), []).append(
                f"{prefixes.get(service, service)}:{operation}"
            )
    found: set[str] = set()
    for path in lambda_files(handler):
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id.lstrip("_").isupper():
                continue
            found.update(operations.get(node.func.attr, []))
    return found


def test_every_handler_has_a_role() -> None:
    assert set(HANDLER_CALLS) == set(handler_modules())


@pytest.mark.parametrize("handler", handler_modules())
def test_a_handler_role_grants_exactly_the_calls_its_code_makes(handler: str) -> None:
    role = roles("prod")[f"churn-prod-lambda-{handler.replace('_', '-')}"]
    own = ("logs:", "xray:")  # its log group and its traces, checked separately
    granted = {a for s in role.policy["Statement"] for a in s["Action"] if not a.startswith(own)}
    calls = boto3_calls(handler)
    assert granted == calls | lambda_roles.implied_actions(calls)


def test_trigger_starts_retrain_through_live_and_looks_up_its_executions() -> None:
    """tasks/README.md: StartExecution on the alias, DescribeExecution on the executions."""
    document = policy("churn-dev-lambda-trigger")
    assert is_allowed(document, "states:StartExecution", machine("retrain"), LIVE)
    assert is_allowed(
        document, "states:DescribeExecution", arn("states", "execution:churn-dev-retrain:s3-x-1")
    )
    assert not is_allowed(document, "states:StartExecution", machine("deploy-model"), LIVE)
    assert not is_allowed(
        document, "states:DescribeExecution", arn("states", "execution:churn-dev-deploy-model:x")
    )


def test_approval_deploys_approved_packages_of_the_group_and_notifies() -> None:
    document = policy("churn-dev-lambda-approval")
    package = arn("sagemaker", "model-package/churn-dev-models/4")
    assert is_allowed(document, "sagemaker:DescribeModelPackage", package)
    assert not is_allowed(
        document, "sagemaker:DescribeModelPackage", arn("sagemaker", "model-package/other/4")
    )
    assert is_allowed(document, "states:StartExecution", machine("deploy-model"), LIVE)
    assert not is_allowed(document, "states:StartExecution", machine("retrain"), LIVE)
    assert is_allowed(document, "sns:Publish", arn("sns", "churn-dev-notifications"))


def test_quality_gate_reads_reports_and_the_registry_group_only() -> None:
    document = policy("churn-dev-lambda-quality-gate")
    assert is_allowed(document, "s3:GetObject", f"{ARTIFACTS}/runs/r1/evaluation/evaluation.json")
    assert not is_allowed(document, "s3:GetObject", f"{DATA}/incoming/churn.csv")
    group = arn("sagemaker", "model-package/churn-dev-models/*")
    assert is_allowed(document, "sagemaker:ListModelPackages", group)
    assert not is_allowed(
        document, "sagemaker:ListModelPackages", arn("sagemaker", "model-package/x/*")
    )


def test_notify_reads_the_slack_secret_only_when_one_is_configured() -> None:
    """Secrets Manager ARNs end in ``-`` and six random characters ("Grant read access to
    one secret": ``secret:name-??????``)."""
    prod = policy("churn-prod-lambda-notify", "prod")
    secret = arn("secretsmanager", "secret:churn-prod/slack-webhook-AbC123")
    assert is_allowed(prod, "secretsmanager:GetSecretValue", secret)
    assert not is_allowed(
        prod,
        "secretsmanager:GetSecretValue",
        arn("secretsmanager", "secret:churn-prod/slack-webhook-x-AbC123"),
    )
    dev = policy("churn-dev-lambda-notify")
    assert all(not a.startswith("secretsmanager:") for s in dev["Statement"] for a in s["Action"])


@pytest.mark.parametrize("handler", handler_modules())
def test_a_function_writes_only_its_own_log_group_and_its_traces(handler: str) -> None:
    function = f"churn-dev-{handler.replace('_', '-')}"
    document = policy(f"churn-dev-lambda-{handler.replace('_', '-')}")
    own = arn("logs", f"log-group:/aws/lambda/{function}:log-stream:2024/01/01/[$LATEST]abc")
    assert is_allowed(document, "logs:PutLogEvents", own)
    assert is_allowed(
        document, "logs:CreateLogGroup", arn("logs", f"log-group:/aws/lambda/{function}")
    )
    other = arn("logs", "log-group:/aws/lambda/churn-dev-other:log-stream:x")
    assert not is_allowed(document, "logs:PutLogEvents", other)
    spec = roles()[f"churn-dev-lambda-{handler.replace('_', '-')}"]
    assert spec.trust_policy["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    # Active tracing: the execution role sends traces (Lambda and X-Ray documentation).
    assert is_allowed(document, "xray:PutTraceSegments", "*")
    assert is_allowed(document, "xray:PutTelemetryRecords", "*")
    # DescribeScalableTargets has no resource type: the one other wildcard a handler may hold.
    others = {"capacity_reaction": {"ReadScalableTargets"}}.get(handler, set())
    assert set(spec.wildcard_resources) == {"TraceInvocations"} | others


def processing(inputs: list[dict[str, Any]], image: str) -> dict[str, Any]:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
        "Arguments": {
            "ProcessingJobName": "churn-dev-prep-x",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{SAGEMAKER_ROLE}",
            "AppSpecification": {"ImageUri": image},
            "ProcessingInputs": inputs,
        },
        "End": True,
    }
    return {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": task}}


IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def test_sagemaker_role_scopes_input_supplied_data_to_the_data_prefixes() -> None:
    """Data the execution input names is read only under the training-data and ground-truth
    prefixes, the places the project takes data from."""
    inputs = [{"InputName": "d", "S3Input": {"S3Uri": "{% $states.input.uri %}"}}]
    spec = sagemaker_role(load_settings("dev"), task_calls(processing(inputs, IMAGE)))
    assert is_allowed(spec.policy, "s3:GetObject", f"{DATA}/groundtruth/x.csv")
    assert is_allowed(spec.policy, "s3:GetObject", f"{DATA}/incoming/x.csv")
    assert not is_allowed(spec.policy, "s3:GetObject", f"{DATA}/elsewhere/x.csv")
    assert not is_allowed(spec.policy, "s3:PutObject", f"{DATA}/incoming/x.csv")


def test_sagemaker_role_refuses_locations_and_images_it_cannot_scope() -> None:
    unknown = [{"InputName": "d", "S3Input": {"S3Uri": "{% $uri %}"}}]
    with pytest.raises(UnsupportedTaskError, match="names no bucket"):
        sagemaker_role(load_settings("dev"), task_calls(processing(unknown, IMAGE)))
    with pytest.raises(UnsupportedTaskError, match="ImageUri must be a literal"):
        sagemaker_role(
            load_settings("dev"), task_calls(processing([], "{% $states.input.image %}"))
        )
    with pytest.raises(UnsupportedTaskError, match="not an ECR image URI"):
        sagemaker_role(
            load_settings("dev"), task_calls(processing([], "docker.io/library/python:3"))
        )
