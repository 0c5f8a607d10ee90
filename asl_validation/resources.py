"""The Task Resource forms Step Functions accepts (an ARN, checked before the machine exists).

* a Lambda function: ``arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]``;
* an activity: ``arn:<partition>:states:<region>:<account>:activity:<name>``;
* an optimized integration: ``arn:<partition>:states:::<service>:<action>`` with the integration
  patterns that service supports (``.sync``, ``.sync:2``, ``.waitForTaskToken``);
* an AWS SDK integration: ``arn:<partition>:states:::aws-sdk:<service>:<action>``, which has no
  ``.sync`` (AWS Step Functions Developer Guide, "Integrating optimized services").

CreateStateMachine rejects any other Resource with INVALID_RESOURCE.
"""

from __future__ import annotations

import re

_PARTITION = r"aws(?:-[a-z]+)*"
_LAMBDA_FUNCTION = re.compile(
    rf"^arn:{_PARTITION}:lambda:[a-z0-9-]*:\d*:function:[A-Za-z0-9_-]{{1,64}}"
    r"(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)
_ACTIVITY = re.compile(rf"^arn:{_PARTITION}:states:[a-z0-9-]*:\d*:activity:[A-Za-z0-9_.-]+$")
# ARNs of other services are left to the generic shape: asl-validator's corpus treats them
# (e.g. legacy SWF task ARNs) as valid, and no AWS record says otherwise.
_OTHER_ARN = re.compile(r"^arn:[a-z0-9-]+:(?!states:|lambda:)[a-z0-9-]+:[a-z0-9-]*:\d*:.+")
_INTEGRATION = re.compile(
    rf"^arn:{_PARTITION}:states:::(?P<service>[a-z0-9-]+):(?:(?P<sdk>[a-z0-9-]+):)?"
    r"(?P<action>[a-zA-Z][a-zA-Z0-9]*)(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?$"
)

SYNC, SYNC2, CALLBACK = ".sync", ".sync:2", ".waitForTaskToken"
# Optimized integrations and the patterns each supports beyond Request Response (the
# Developer Guide's table of supported integrations; .sync:2 is StartExecution's JSON output).
INTEGRATION_PATTERNS: dict[str, frozenset[str]] = {
    "apigateway": frozenset({CALLBACK}),
    "athena": frozenset({SYNC}),
    "batch": frozenset({SYNC}),
    "bedrock": frozenset({SYNC, CALLBACK}),
    "codebuild": frozenset({SYNC}),
    "databrew": frozenset({SYNC}),
    "dynamodb": frozenset(),
    "ecs": frozenset({SYNC, CALLBACK}),
    "eks": frozenset({SYNC, CALLBACK}),
    "elasticmapreduce": frozenset({SYNC}),
    "emr-containers": frozenset({SYNC}),
    "emr-serverless": frozenset({SYNC}),
    "events": frozenset({CALLBACK}),
    "glue": frozenset({SYNC}),
    "http": frozenset(),
    "lambda": frozenset({CALLBACK}),
    "mediaconvert": frozenset({SYNC}),
    "sagemaker": frozenset({SYNC}),
    "sns": frozenset({CALLBACK}),
    "sqs": frozenset({CALLBACK}),
    "states": frozenset({SYNC, SYNC2, CALLBACK}),
}
_SDK_PATTERNS = frozenset({CALLBACK})


def resource_error(resource: str) -> str | None:
    """Why AWS would not accept ``resource`` as a Task's Resource, or None when it would."""
    if not resource.startswith("arn:"):
        return (
            'is not an ARN; use a service integration such as "arn:aws:states:::lambda:invoke" '
            "or an activity or Lambda function ARN"
        )
    if any(shape.match(resource) for shape in (_LAMBDA_FUNCTION, _ACTIVITY, _OTHER_ARN)):
        return None
    if resource.startswith("arn:") and ":lambda:" in resource.split("states:::")[0]:
        return (
            "is not a Lambda function ARN; write arn:aws:lambda:<region>:<account>:function:"
            "<name>, optionally with :<version or alias>, or use arn:aws:states:::lambda:invoke"
        )
    match = _INTEGRATION.match(resource)
    if match is None:
        return (
            "is not a Resource Step Functions knows; use a service integration such as "
            '"arn:aws:states:::lambda:invoke", "arn:aws:states:::aws-sdk:<service>:<action>", '
            "or an activity or Lambda function ARN"
        )
    service, sdk, pattern = match["service"], match["sdk"], match["pattern"]
    if service == "aws-sdk":
        if sdk is None:
            return "names no service; write arn:aws:states:::aws-sdk:<service>:<action>"
        if pattern and pattern not in _SDK_PATTERNS:
            return (
                f"uses {pattern}, which AWS SDK integrations do not support; only "
                ".waitForTaskToken may follow the action (poll the job's Describe call instead)"
            )
        return None
    if sdk is not None:
        return f'has more parts than "arn:aws:states:::{service}:<action>" allows'
    supported = INTEGRATION_PATTERNS.get(service)
    if supported is None:
        return (
            f'names "{service}", which is not an optimized integration; call it through '
            f'"arn:aws:states:::aws-sdk:{service}:<action>" or use one of '
            f"{', '.join(sorted(INTEGRATION_PATTERNS))}"
        )
    if pattern and pattern not in supported:
        allowed = ", ".join(sorted(supported)) or "none"
        return (
            f"uses {pattern}, which the {service} integration does not support (its "
            f"patterns beyond request-response: {allowed})"
        )
    return None
