"""What each Step Functions integration needs in the state machine's role.

Sources (AWS Step Functions Developer Guide): "IAM policies for Amazon SageMaker AI"
(sagemaker-iam.html: Create*Job with ``.sync`` adds Describe*/Stop* and the managed
``StepFunctionsGetEventsFor...Rule``; ``sagemaker:ListTags`` on ``*``; ``iam:PassRole`` with
``iam:PassedToService``), "IAM policies for AWS Lambda" (lambda-iam.html), "Amazon SNS"
(sns-iam.html), "IAM policies for nested Step Functions calls" (stepfunctions-iam.html),
"Amazon EventBridge" (eventbridge-iam.html), "Authorization for versions and aliases"
(auth-version-alias.html: an alias start is authorized on the state machine's own ARN, scoped
with ``states:StateMachineQualifier``), "Logging using CloudWatch Logs" (cw-logs.html) and
"X-Ray" (xray-iam.html). Create* calls that carry Tags also need ``sagemaker:AddTags``
(Service Authorization Reference, dependent actions), scoped with ``sagemaker:TaggingAction``.
"""

from __future__ import annotations

from collections.abc import Callable

from iam.scoping import (
    SAGEMAKER_PRINCIPAL,
    Context,
    arns_of,
    camel_words,
    exact_values,
    name_patterns,
)
from iam.sdk_actions import sdk_grants
from iam.statements import WILDCARD, Grant
from iam.tasks import TaskCall, UnsupportedTaskError

MANAGED_RULES_SID = "StepFunctionsManagedRules"
LIST_TAGS_WHY = (
    "Step Functions' documented policy for optimized SageMaker tasks grants sagemaker:ListTags "
    "on every resource (sagemaker-iam.html)"
)
LOGS_WHY = (
    "CloudWatch Logs delivery APIs (CreateLogDelivery, PutResourcePolicy, ...) have no resource "
    "type; Step Functions needs them to log executions (cw-logs.html)"
)
XRAY_WHY = "X-Ray trace and sampling APIs have no resource type (xray-iam.html)"
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)
XRAY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
# createXJob: (ARN kind, name field, word used in IAM actions and the managed rule)
SAGEMAKER_JOBS = {
    "createTrainingJob": ("training-job", "TrainingJobName", "Training"),
    "createProcessingJob": ("processing-job", "ProcessingJobName", "Processing"),
    "createTransformJob": ("transform-job", "TransformJobName", "Transform"),
}


def observability_grants() -> list[Grant]:
    """Execution logging and tracing, which every deployed state machine turns on."""
    return [
        Grant("DeliverExecutionLogs", LOG_DELIVERY_ACTIONS, (WILDCARD,), why_wildcard=LOGS_WHY),
        Grant("TraceExecutions", XRAY_ACTIONS, (WILDCARD,), why_wildcard=XRAY_WHY),
    ]


def grants_for(call: TaskCall, context: Context) -> list[Grant]:
    """The grants one Task state needs."""
    if call.sdk:
        if call.pattern == "sync":
            raise UnsupportedTaskError(
                f"{call.pointer}: aws-sdk integrations have no .sync pattern; use the "
                "optimized integration or poll with a Wait/Choice loop"
            )
        return sdk_grants(call, context)
    handler = _OPTIMIZED.get((call.service, call.api))
    if handler is None:
        supported = ", ".join(f"{s}:{a}" for s, a in sorted(_OPTIMIZED))
        raise UnsupportedTaskError(
            f"{call.pointer}: no IAM derivation for arn:aws:states:::{call.service}:{call.api}; "
            f"supported optimized integrations: {supported}, and aws-sdk:<service>:<api>"
        )
    return handler(call, context)


def managed_rule(context: Context, name: str) -> Grant:
    """The EventBridge rule Step Functions manages to learn that a ``.sync`` job finished."""
    rule = context.settings.location.rule(f"StepFunctionsGetEventsFor{name}Rule")
    actions = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
    return Grant(MANAGED_RULES_SID, actions, (rule,))


def pass_sagemaker_role(call: TaskCall, *path: str) -> Grant:
    roles = exact_values(call, *path, why="iam:PassRole must name the exact role")
    condition = {"StringEquals": {"iam:PassedToService": SAGEMAKER_PRINCIPAL}}
    return Grant("PassSageMakerExecutionRole", ("iam:PassRole",), tuple(roles), condition)


def sagemaker_tagging(call: TaskCall, sid: str, action: str, resources: list[str]) -> list[Grant]:
    if not call.present("Tags"):
        return []
    condition = {"StringEquals": {"sagemaker:TaggingAction": action}}
    return [Grant(sid, ("sagemaker:AddTags",), tuple(resources), condition)]


def list_tags() -> Grant:
    return Grant(
        "SageMakerListTags", ("sagemaker:ListTags",), (WILDCARD,), why_wildcard=LIST_TAGS_WHY
    )


def _sagemaker_job(call: TaskCall, context: Context) -> list[Grant]:
    kind, name_field, word = SAGEMAKER_JOBS[call.api]
    if call.pattern == "callback":
        raise UnsupportedTaskError(
            f"{call.pointer}: SageMaker tasks do not support .waitForTaskToken; use .sync"
        )
    jobs = [context.sagemaker(kind, name) for name in name_patterns(call, context, name_field)]
    actions = [f"sagemaker:Create{word}Job"]
    grants: list[Grant] = []
    if call.pattern == "sync":
        actions += [f"sagemaker:Describe{word}Job", f"sagemaker:Stop{word}Job"]
        grants.append(managed_rule(context, f"SageMaker{word}Jobs"))
    grants.append(Grant(f"SageMaker{word}Jobs", tuple(actions), tuple(jobs)))
    grants += sagemaker_tagging(call, f"SageMakerTag{word}Jobs", f"Create{word}Job", jobs)
    if call.present("RoleArn"):
        grants.append(pass_sagemaker_role(call, "RoleArn"))
    return [*grants, list_tags()]


def _sagemaker_model(call: TaskCall, context: Context) -> list[Grant]:
    models = [context.sagemaker("model", n) for n in name_patterns(call, context, "ModelName")]
    grants = [
        Grant("SageMakerModels", ("sagemaker:CreateModel",), tuple(models)),
        pass_sagemaker_role(call, "ExecutionRoleArn"),
        *sagemaker_tagging(call, "SageMakerTagModels", "CreateModel", models),
    ]
    return [*grants, list_tags()]


def _sagemaker_endpoint_config(call: TaskCall, context: Context) -> list[Grant]:
    names = name_patterns(call, context, "EndpointConfigName")
    configs = [context.sagemaker("endpoint-config", n) for n in names]
    grants = [
        Grant("SageMakerEndpointConfigs", ("sagemaker:CreateEndpointConfig",), tuple(configs)),
        *sagemaker_tagging(call, "SageMakerTagEndpointConfigs", "CreateEndpointConfig", configs),
    ]
    if call.present("ExecutionRoleArn"):
        grants.append(pass_sagemaker_role(call, "ExecutionRoleArn"))
    return [*grants, list_tags()]


def _sagemaker_endpoint(call: TaskCall, context: Context) -> list[Grant]:
    """CreateEndpoint and UpdateEndpoint are authorized on the endpoint and on the config."""
    action = (
        "sagemaker:CreateEndpoint" if call.api == "createEndpoint" else "sagemaker:UpdateEndpoint"
    )
    endpoints = [
        context.sagemaker("endpoint", n) for n in name_patterns(call, context, "EndpointName")
    ]
    configs = [
        context.sagemaker("endpoint-config", n)
        for n in name_patterns(call, context, "EndpointConfigName")
    ]
    grants = [Grant("SageMakerEndpoints", (action,), (*endpoints, *configs))]
    if call.api == "createEndpoint":
        grants += sagemaker_tagging(call, "SageMakerTagEndpoints", "CreateEndpoint", endpoints)
    return [*grants, list_tags()]


def _lambda_invoke(call: TaskCall, context: Context) -> list[Grant]:
    location = context.settings.location
    functions = arns_of(call, context, ("FunctionName",), location.function)
    # Invoke is authorized on the ARN as invoked: a qualified one (the live alias) on exactly
    # that alias, which leaves $LATEST and the other versions out of reach.
    return [Grant("InvokeFunctions", ("lambda:InvokeFunction",), tuple(sorted(set(functions))))]


def _sns_publish(call: TaskCall, context: Context) -> list[Grant]:
    location = context.settings.location
    field = "TopicArn" if call.present("TopicArn") or not call.present("TargetArn") else "TargetArn"
    topics = arns_of(call, context, (field,), location.topic)
    return [Grant("PublishNotifications", ("sns:Publish",), tuple(topics))]


def _start_execution(call: TaskCall, context: Context) -> list[Grant]:
    location = context.settings.location
    grants: list[Grant] = []
    for arn in arns_of(call, context, ("StateMachineArn",), location.state_machine):
        parts = arn.split(":")
        machine, qualifier = parts[6], parts[7] if len(parts) > 7 else ""
        unqualified = ":".join(parts[:7])
        # Step Functions authorizes a version or alias start on the state machine's ARN; the
        # qualifier condition keeps the grant to the alias the definition names.
        condition = (
            {"StringEquals": {"states:StateMachineQualifier": qualifier}} if qualifier else {}
        )
        sid = "Start" + camel_words(machine.rstrip("*") or "Executions")
        grants.append(Grant(sid, ("states:StartExecution",), (unqualified,), condition))
        if call.pattern == "sync":
            executions = location.executions(machine)
            actions = ("states:DescribeExecution", "states:StopExecution")
            grants.append(Grant("TrackStartedExecutions", actions, (executions,)))
    if call.pattern == "sync":
        grants.append(managed_rule(context, "StepFunctionsExecution"))
    return grants


def _put_events(call: TaskCall, context: Context) -> list[Grant]:
    location = context.settings.location
    buses: set[str] = set()
    if call.values("Entries", "*", "EventBusName"):
        field = ("Entries", "*", "EventBusName")
        buses.update(arns_of(call, context, field, location.event_bus))
    if not call.every_item_has("EventBusName", "Entries"):
        buses.add(location.event_bus())  # an entry without EventBusName goes to the default bus
    sources = call.values("Entries", "*", "Source")
    condition: dict[str, dict[str, str | list[str]]] = {}
    if sources and all(s.exact for s in sources):
        condition = {"StringEquals": {"events:source": sorted({s.prefix for s in sources})}}
    return [Grant("PutEvents", ("events:PutEvents",), tuple(sorted(buses)), condition)]


_OPTIMIZED: dict[tuple[str, str], Callable[[TaskCall, Context], list[Grant]]] = {
    **{("sagemaker", api): _sagemaker_job for api in SAGEMAKER_JOBS},
    ("sagemaker", "createModel"): _sagemaker_model,
    ("sagemaker", "createEndpointConfig"): _sagemaker_endpoint_config,
    ("sagemaker", "createEndpoint"): _sagemaker_endpoint,
    ("sagemaker", "updateEndpoint"): _sagemaker_endpoint,
    ("lambda", "invoke"): _lambda_invoke,
    ("sns", "publish"): _sns_publish,
    ("states", "startExecution"): _start_execution,
    ("events", "putEvents"): _put_events,
}
