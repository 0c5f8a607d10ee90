"""What an API request to the embedded cloud is, in CloudTrail's terms: the service (from the
signature's credential scope, as AWS routes it), the operation, its parameters, and whether
CloudTrail counts it a read-only call, a management write, or a data event.

Only management writes reach EventBridge as `AWS API Call via CloudTrail` (read-only calls are
not sent there), and data events (object-level S3 calls, Lambda Invoke, SNS Publish, ...) are
recorded only by trails with data event selectors, which the embedded cloud does not offer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_QUERY_SCOPE = re.compile(
    r"[?&]X-Amz-Credential=([^&/%]+)(?:/|%2F)\d{8}(?:/|%2F)([^&/%]+)(?:/|%2F)([^&/%]+)"
)

# Signing names whose botocore service or EventBridge source differ from the name itself.
_BOTOCORE_NAMES = {"monitoring": "cloudwatch", "states": "stepfunctions"}
_EVENT_SOURCES = {"monitoring": "aws.cloudwatch"}

# CloudTrail's read-only classification follows the operation's verb.
_READ_ONLY_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Head",
    "Lookup",
    "Search",
    "BatchGet",
    "BatchDescribe",
    "Query",
    "Scan",
    "Select",
    "Test",
    "Validate",
    "Simulate",
    "Filter",
)

# Data events: logged only by trails asking for data events, never as management events.
_DATA_EVENTS = {
    "lambda": {"Invoke", "InvokeAsync", "InvokeWithResponseStream"},
    "sns": {"Publish", "PublishBatch"},
    "sqs": {
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    },
    "events": {"PutEvents"},
    "monitoring": {"PutMetricData", "GetMetricData", "GetMetricStatistics"},
    "dynamodb": {
        "PutItem",
        "GetItem",
        "DeleteItem",
        "UpdateItem",
        "BatchWriteItem",
        "BatchGetItem",
        "TransactWriteItems",
        "TransactGetItems",
        "Query",
        "Scan",
    },
}
_S3_DATA = re.compile(r"Object|MultipartUpload|^UploadPart")

# Lambda's CloudTrail event names carry the API version of the operation's path (AWS's docs
# show `DeleteFunction20150331`); these carry the later revision's `v2` suffix.
_LAMBDA_V2 = {
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "AddPermission",
    "RemovePermission",
    "GetFunction",
    "GetPolicy",
}


@dataclass(frozen=True)
class ApiCall:
    signing_name: str  # "sagemaker", "s3", "monitoring", ...
    operation: str  # botocore's operation name
    event_name: str  # CloudTrail's eventName
    access_key: str
    region: str
    parameters: dict[str, Any]
    read_only: bool
    data_event: bool

    @property
    def event_source(self) -> str:
        return f"{self.signing_name}.amazonaws.com"

    @property
    def source(self) -> str:
        return _EVENT_SOURCES.get(self.signing_name, f"aws.{self.signing_name}")


def classify(operation: str, signing_name: str) -> tuple[bool, bool]:
    """(read_only, data_event) as CloudTrail classifies the operation."""
    read_only = operation.startswith(_READ_ONLY_PREFIXES)
    if signing_name == "s3":
        return read_only, bool(_S3_DATA.search(operation))
    if signing_name == "sagemaker" and operation.startswith("InvokeEndpoint"):
        return read_only, True
    return read_only, operation in _DATA_EVENTS.get(signing_name, ())


def _scope(request: Any) -> tuple[str, str, str] | None:
    match = _SCOPE.search(request.headers.get("Authorization", "") or "")
    if match is None:
        match = _QUERY_SCOPE.search(str(getattr(request, "raw_url", "") or request.url))
    if match is None:
        return None
    return match.group(1), match.group(2), match.group(3)


def _operation(
    request: Any, service_model: Any, botocore_name: str
) -> tuple[str | None, dict[str, Any]]:
    protocol = service_model.protocol
    if protocol == "json":
        target = request.headers.get("X-Amz-Target") or ""
        return (target.split(".")[-1] or None), {}
    if protocol in ("query", "ec2"):
        action = request.values.get("Action")
        return (str(action) if action else None), {}
    from moto.core.routing import NotFound, get_service_router

    try:
        operation, uri_params = get_service_router(botocore_name).match(request)
    except (NotFound, NotImplementedError, KeyError):
        return None, {}
    return str(operation.name), dict(uri_params)


def _parameters(
    request: Any, service_model: Any, operation: str, uri_params: dict[str, Any]
) -> dict[str, Any]:
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import determine_request_protocol

    operation_model = service_model.operation_model(operation)
    protocol = determine_request_protocol(service_model, request.content_type)
    parser = PROTOCOL_PARSERS[protocol](operation_model)
    parsed = parser.parse(
        {
            "method": request.method,
            "values": request.values,
            "headers": request.headers,
            "body": request.data,
            "url_path": request.path,
            "url_params": uri_params,
        }
    )
    return {key: value for key, value in dict(parsed).items() if key != "Body"}


def identify(request: Any) -> ApiCall | None:
    """The call `request` (moto's normalized request) makes, or None when it is not a signed
    AWS API call the embedded cloud can name."""
    scope = _scope(request)
    if scope is None:
        return None
    access_key, region, signing_name = scope
    botocore_name = _BOTOCORE_NAMES.get(signing_name, signing_name)
    from moto.core.utils import get_service_model

    try:
        service_model = get_service_model(botocore_name)
    except Exception:
        return None
    operation, uri_params = _operation(request, service_model, botocore_name)
    if not operation or operation not in service_model.operation_names:
        return None
    read_only, data_event = classify(operation, signing_name)
    parameters: dict[str, Any] = {}
    if not read_only and not data_event:
        # Only what is recorded pays for parsing.
        try:
            parameters = _parameters(request, service_model, operation, uri_params)
        except Exception:
            parameters = {}
    event_name = operation
    if signing_name == "lambda":
        version = service_model.operation_model(operation).http.get("requestUri", "").split("/")[1]
        event_name += version.replace("-", "") + ("v2" if operation in _LAMBDA_V2 else "")
    return ApiCall(
        signing_name, operation, event_name, access_key, region, parameters, read_only, data_event
    )


def camel(value: Any) -> Any:
    """CloudTrail writes request parameters and response elements with lower camel case keys."""
    if isinstance(value, dict):
        return {
            (k[:1].lower() + k[1:] if isinstance(k, str) else k): camel(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def response_elements(status: int, body: Any) -> dict[str, Any] | None:
    """A JSON response's members (XML responses and empty ones are recorded as null)."""
    if status >= 300 or not body:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if not text.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return camel(parsed) or None if isinstance(parsed, dict) else None
