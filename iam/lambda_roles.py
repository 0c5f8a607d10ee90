"""One execution role per registered Lambda handler (tasks/handlers/registry.py), from what
each handler calls.

The registry declares each handler's calls (a test reads them off the handlers' code);
``HANDLER_CALLS`` scopes them to the project's resources, and a role may grant no action its
handler does not declare. A handler that declares no calls needs no entry here.
Every function also writes its own log group ``/aws/lambda/<function>`` and,
since the deploy turns on active tracing, sends its traces to X-Ray (Lambda "Visualize Lambda
function invocations using AWS X-Ray": the execution role needs ``xray:PutTraceSegments`` and
``xray:PutTelemetryRecords``, which have no resource type).
Lambda sets no ``aws:SourceArn``/``aws:SourceAccount`` when it assumes an execution role, so the
trust policy names the service principal alone.
"""

from __future__ import annotations

from collections.abc import Callable

from environments.settings import LIVE_ALIAS, Settings
from iam.scoping import camel_words
from iam.spec import RoleSpec, role_spec
from iam.statements import WILDCARD, Grant, trust_policy
from tasks.handlers.registry import HANDLERS, handler_spec

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
TRACING_WHY = "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource type"


def _start(settings: Settings, machine: str) -> list[Grant]:
    """StartExecution through the live alias, and DescribeExecution to spot redeliveries."""
    location = settings.location
    name = settings.state_machine_name(machine)
    condition = {"StringEquals": {"states:StateMachineQualifier": LIVE_ALIAS}}
    word = camel_words(machine)
    return [
        Grant(
            f"Start{word}", ("states:StartExecution",), (location.state_machine(name),), condition
        ),
        Grant(
            f"Describe{word}Executions", ("states:DescribeExecution",), (location.executions(name),)
        ),
    ]


def _registry(settings: Settings, *actions: str) -> Grant:
    packages = settings.location.sagemaker("model-package", f"{settings.model_package_group}/*")
    return Grant("ReadModelRegistry", tuple(f"sagemaker:{a}" for a in actions), (packages,))


def _publish(settings: Settings) -> Grant:
    topic = settings.location.topic(settings.topic_name)
    return Grant("PublishNotifications", ("sns:Publish",), (topic,))


def _trigger(settings: Settings) -> list[Grant]:
    return _start(settings, "retrain")


def _approval(settings: Settings) -> list[Grant]:
    return [
        _registry(settings, "DescribeModelPackage"),
        *_start(settings, "deploy-model"),
        _publish(settings),
    ]


def _quality_gate(settings: Settings) -> list[Grant]:
    # Evaluation reports, the candidate's and the champion's, are written under the runs prefix.
    reports = settings.location.objects(settings.artifacts_bucket, settings.prefixes["runs"])
    return [
        Grant("ReadEvaluationReports", ("s3:GetObject",), (reports,)),
        _registry(settings, "DescribeModelPackage", "ListModelPackages"),
    ]


def _notify(settings: Settings) -> list[Grant]:
    grants = [_publish(settings)]
    if settings.slack_webhook_secret:
        # Secrets Manager appends six random characters to a secret's ARN.
        secret = settings.location.secret(f"{settings.slack_webhook_secret}-??????")
        grants.append(Grant("ReadSlackWebhook", ("secretsmanager:GetSecretValue",), (secret,)))
    return grants


# What AWS checks on the caller beyond the call itself (Application Auto Scaling's "Permissions
# required for API actions on target resources": registering a SageMaker variant describes the
# endpoint and its config and may set the variant's capacity under the caller's identity).
CALLER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "application-autoscaling:RegisterScalableTarget": (
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:UpdateEndpointWeightsAndCapacities",
    ),
}


def implied_actions(calls: tuple[str, ...] | set[str]) -> set[str]:
    """The actions AWS also checks on whoever makes `calls`."""
    return {action for call in calls for action in CALLER_PERMISSIONS.get(call, ())}


def _capacity_reaction(settings: Settings) -> list[Grant]:
    location = settings.location
    # Scalable target ARNs end in a generated id: the namespace and dimension conditions narrow
    # every target of the account and region to SageMaker variants.
    scaling = {
        "StringEquals": {
            "application-autoscaling:service-namespace": "sagemaker",
            "application-autoscaling:scalable-dimension": "sagemaker:variant:DesiredInstanceCount",
        }
    }
    endpoint = location.sagemaker("endpoint", settings.endpoint.name)
    configs = location.sagemaker("endpoint-config", f"{settings.name('epc')}-*")
    return [
        Grant(
            "ReadScalableTargets",
            ("application-autoscaling:DescribeScalableTargets",),
            (WILDCARD,),
            why_wildcard="DescribeScalableTargets has no resource type",
        ),
        Grant(
            "SetEndpointMaximum",
            ("application-autoscaling:RegisterScalableTarget",),
            (location.arn("application-autoscaling", "scalable-target/*"),),
            scaling,
        ),
        Grant(
            "ScaleEndpointVariant",
            CALLER_PERMISSIONS["application-autoscaling:RegisterScalableTarget"],
            (endpoint, configs),
        ),
        _publish(settings),
    ]


HANDLER_CALLS: dict[str, Callable[[Settings], list[Grant]]] = {
    "approval": _approval,
    "capacity_reaction": _capacity_reaction,
    "notify": _notify,
    "quality_gate": _quality_gate,
    "trigger": _trigger,
}


def lambda_role(settings: Settings, handler: str) -> RoleSpec:
    declared = set(handler_spec(handler).calls)
    needs = HANDLER_CALLS.get(handler)
    if needs is None and declared:
        raise ValueError(
            f"tasks.handlers.{handler} calls {', '.join(sorted(declared))}, and no grants scope "
            f"them: add it to HANDLER_CALLS in iam/lambda_roles.py "
            f"(known: {', '.join(sorted(HANDLER_CALLS))})"
        )
    grants = needs(settings) if needs is not None else []
    undeclared = {a for g in grants for a in g.actions} - declared - implied_actions(declared)
    if undeclared:
        raise ValueError(
            f"HANDLER_CALLS grants tasks.handlers.{handler} {', '.join(sorted(undeclared))}, "
            "which its registry entry does not declare: add them to its calls in "
            "tasks/handlers/registry.py, or drop the grant"
        )
    function = settings.function_name(handler)
    group = settings.location.arn("logs", f"log-group:/aws/lambda/{function}")
    logs = [
        Grant("CreateOwnLogGroup", ("logs:CreateLogGroup",), (group, f"{group}:*")),
        Grant("WriteOwnLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), (f"{group}:*",)),
        Grant(
            "TraceInvocations",
            ("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
            (WILDCARD,),
            why_wildcard=TRACING_WHY,
        ),
    ]
    return role_spec(
        settings.lambda_role_name(handler),
        f"Execution role of the {function} function (tasks.handlers.{handler})",
        trust_policy(LAMBDA_PRINCIPAL),
        [*grants, *logs],
    )


def lambda_roles(settings: Settings) -> list[RoleSpec]:
    return [lambda_role(settings, handler) for handler in sorted(HANDLERS)]
