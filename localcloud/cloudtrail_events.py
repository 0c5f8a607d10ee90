"""CloudTrail in the embedded cloud: every management write is recorded as CloudTrail records
it (its event history answers `LookupEvents`), and reaches the default event bus as
`AWS API Call via CloudTrail` once a trail logs management events, as on AWS.

On AWS, event history holds 90 days of management events whether or not a trail exists, but
EventBridge receives them only through a trail with management events that is logging
(CreateTrail + StartLogging); the embedded cloud does the same. Its history keeps the newest
`recorder.API_EVENT_CAP` writes (the oldest are dropped); read-only calls are not recorded.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from localcloud import api_callers, recorder
from localcloud.account import ACCOUNT_ID
from localcloud.api_calls import ApiCall, camel, response_elements

DETAIL_TYPE = "AWS API Call via CloudTrail"
EVENT_VERSION = "1.09"

# LookupEvents' ResourceType names the service as CloudFormation does.
_TYPE_PREFIXES = {
    "sagemaker": "SageMaker",
    "s3": "S3",
    "states": "StepFunctions",
    "events": "Events",
    "lambda": "Lambda",
    "iam": "IAM",
    "monitoring": "CloudWatch",
    "sns": "SNS",
    "sqs": "SQS",
    "cloudtrail": "CloudTrail",
    "scheduler": "Scheduler",
    "cloudformation": "CloudFormation",
}


@dataclass(frozen=True)
class ApiEvent:
    """One recorded call: its CloudTrail record and what LookupEvents filters on."""

    record: dict[str, Any]
    epoch: float
    username: str
    resources: tuple[tuple[str, str], ...]  # (ResourceType, ResourceName)


def _resources(call: ApiCall, parameters: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The resources a call names: its `...Name`/`...Arn` parameters (a bare `name` or `arn`
    names the resource of the operation, `DeleteRule`'s rule)."""
    service = _TYPE_PREFIXES.get(call.signing_name, call.signing_name.title())
    found: list[tuple[str, str]] = []
    for key, value in parameters.items():
        if not isinstance(value, str) or not re.search(r"(Name|Arn|^name|^arn)$", key):
            continue
        noun = re.sub(r"(Name|Arn)$", "", key[:1].upper() + key[1:])
        if noun in ("", "Name", "Arn"):
            noun = re.sub(r"^[A-Z][a-z]+", "", call.operation) or call.operation
        found.append((f"AWS::{service}::{noun}", value))
    return tuple(found)


def _source_address(request: Any, role: api_callers.ActingRole | None) -> str:
    if role is not None and role.invoked_by:
        return role.invoked_by
    environ = getattr(request, "environ", None) or {}
    return str(environ.get("REMOTE_ADDR") or "127.0.0.1")


def record_call(request: Any, call: ApiCall, status: int, body: Any) -> ApiEvent | None:
    """Record a successful management write and send it to EventBridge when a trail logs."""
    if call.read_only or call.data_event or status >= 300:
        return None
    from localcloud import virtual_clock

    moment = virtual_clock.current_now().astimezone(datetime.UTC)
    event_time = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    account_id = ACCOUNT_ID
    role = api_callers.current_role()
    identity = api_callers.user_identity(call.access_key, call.region, account_id, event_time)
    parameters = camel(call.parameters) or None
    user_agent = (
        role.invoked_by
        if role is not None and role.invoked_by
        else str(request.headers.get("User-Agent", ""))
    )
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": event_time,
        "eventSource": call.event_source,
        "eventName": call.event_name,
        "awsRegion": call.region,
        "sourceIPAddress": _source_address(request, role),
        "userAgent": user_agent,
        "requestParameters": parameters,
        "responseElements": response_elements(status, body),
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }
    event = ApiEvent(
        record,
        moment.timestamp(),
        api_callers.user_name(identity),
        _resources(call, parameters or {}),
    )
    recorder.current().api_events.append(event)
    if trail_logging(account_id, call.region):
        _emit(account_id, call, record, moment.timestamp())
    return event


def _includes_management(trail: Any) -> bool:
    basic = getattr(trail, "event_selectors", None) or []
    advanced = getattr(trail, "advanced_event_selectors", None) or []
    if not basic and not advanced:
        return True  # a new trail logs all management events
    for selector in basic:
        if selector.get("IncludeManagementEvents", True) and selector.get(
            "ReadWriteType", "All"
        ) in ("All", "WriteOnly"):
            return True
    for selector in advanced:
        for field in selector.get("FieldSelectors", []):
            if field.get("Field") == "eventCategory" and "Management" in field.get("Equals", []):
                return True
    return False


def trail_logging(account_id: str, region: str) -> bool:
    """Whether a logging trail with management events covers `region`."""
    from moto.cloudtrail.models import cloudtrail_backends

    for trail_region, backend in list(cloudtrail_backends[account_id].items()):
        for trail in list(backend.trails.values()):
            covers = trail_region == region or getattr(trail, "is_multi_region", False)
            if covers and trail.status.is_logging and _includes_management(trail):
                return True
    return False


def _emit(account_id: str, call: ApiCall, record: dict[str, Any], epoch: float) -> None:
    from moto.events.models import events_backends

    events_backends[account_id][call.region].put_events(
        [
            {
                "Source": call.source,
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(record),
                "Resources": [],
                "Time": epoch,
            }
        ]
    )


# -- LookupEvents -----------------------------------------------------------------------------

_ATTRIBUTES = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


class LookupError_(ValueError):
    """A LookupEvents request AWS refuses: (error code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _matches(event: ApiEvent, key: str, value: str) -> bool:
    record = event.record
    if key == "EventId":
        return bool(record["eventID"] == value)
    if key == "EventName":
        return bool(record["eventName"] == value)
    if key == "ReadOnly":
        return value == "false"
    if key == "Username":
        return event.username == value
    if key == "ResourceType":
        return any(kind == value for kind, _ in event.resources)
    if key == "ResourceName":
        return any(name == value for _, name in event.resources)
    if key == "EventSource":
        return bool(record["eventSource"] == value)
    return bool(record["userIdentity"].get("accessKeyId") == value)


def lookup_events(params: dict[str, Any]) -> dict[str, Any]:
    """LookupEvents over the recorded history, newest first."""
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise LookupError_(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        )
    for attribute in attributes:
        if attribute.get("AttributeKey") not in _ATTRIBUTES:
            raise LookupError_(
                "InvalidLookupAttributesException",
                f"AttributeKey {attribute.get('AttributeKey')!r} is not one of "
                f"{list(_ATTRIBUTES)}.",
            )
    start = params.get("StartTime")
    end = params.get("EndTime")
    if start is not None and end is not None and float(start) > float(end):
        raise LookupError_("InvalidTimeRangeException", "Start time must be before end time.")
    max_results = int(params.get("MaxResults") or 50)
    if not 1 <= max_results <= 50:
        raise LookupError_("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    selected = [
        event
        for event in reversed(recorder.current().api_events.items())
        if (start is None or event.epoch >= float(start))
        and (end is None or event.epoch <= float(end))
        and all(_matches(event, a["AttributeKey"], a.get("AttributeValue", "")) for a in attributes)
    ]
    try:
        offset = int(params.get("NextToken") or 0)
    except ValueError:
        raise LookupError_("InvalidNextTokenException", "Invalid NextToken.") from None
    page = selected[offset : offset + max_results]
    result: dict[str, Any] = {"Events": [_summary(event) for event in page]}
    if offset + max_results < len(selected):
        result["NextToken"] = str(offset + max_results)
    return result


def _summary(event: ApiEvent) -> dict[str, Any]:
    record = event.record
    return {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "ReadOnly": "false",
        "AccessKeyId": record["userIdentity"].get("accessKeyId", ""),
        "EventTime": event.epoch,
        "EventSource": record["eventSource"],
        "Username": event.username,
        "Resources": [
            {"ResourceType": kind, "ResourceName": name} for kind, name in event.resources
        ],
        "CloudTrailEvent": json.dumps(record),
    }
