"""EventBridge delivery: rules matched by the project's pattern engine, targets that AWS offers.

Targets: Step Functions state machines (including version and alias ARNs), Lambda functions
(asynchronous invocation), SNS topics and SQS queues, with `Input`, `InputPath` or
`InputTransformer`. Other target types fall through to moto's own delivery. S3 `Object Created`
events get AWS's envelope. A delivery that fails is recorded (the cloud's `delivery_failures`)
and never fails PutEvents, as EventBridge delivers asynchronously.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import json
import logging
import secrets
import string
import uuid
from functools import lru_cache
from typing import Any

from localcloud import recorder

LOG = logging.getLogger(__name__)

# The unpatched `Rule.send_to_targets`, set when the extension is installed.
ORIGINAL_SEND: Any = None

_sequencer = itertools.count(0x617F08299329D189)

_S3_REASONS = {
    "s3:ObjectCreated:Put": "PutObject",
    "s3:ObjectCreated:Post": "POST Object",
    "s3:ObjectCreated:Copy": "CopyObject",
    "s3:ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
    "s3:ObjectRemoved:Delete": "DeleteObject",
    "s3:ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
}


# Targets delivered here; any other kind goes to moto's own delivery.
LOCAL_SERVICES = ("states", "lambda", "sns", "sqs")


@lru_cache(maxsize=256)
def compiled(pattern_json: str) -> Any:
    """The pattern compiled by the project's engine; raises `InvalidEventPattern` as AWS would
    reject it. moto's own matcher disagrees with AWS too often to stand in for the engine."""
    from event_rules.pattern import compile_pattern

    return compile_pattern(pattern_json)


def rule_matches(rule: Any, event: dict[str, Any]) -> bool:
    """A rule without an event pattern (schedule only) matches no event."""
    raw = rule.event_pattern.dump()
    if not raw:
        return False
    return bool(compiled(raw).matches(event))


def iso_time(value: Any) -> str:
    if isinstance(value, int | float):
        moment = datetime.datetime.fromtimestamp(float(value), tz=datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


@lru_cache(maxsize=1024)
def _parsed_path(path: str) -> Any:
    # jsonpath_ng builds its parser tables on every parse; a parsed path is only read.
    from jsonpath_ng.ext.parser import parse

    return parse(path)


def _json_path(event: dict[str, Any], path: str) -> tuple[bool, Any]:
    matches = _parsed_path(path).find(event)
    if not matches:
        return False, None
    return True, matches[0].value


def transform_input(
    transformer: dict[str, Any],
    event: dict[str, Any],
    rule_arn: str,
    rule_name: str,
    ingestion_time: str,
) -> str:
    """Apply an InputTransformer: `<name>` in a JSON string gets the raw text, elsewhere JSON."""
    values: dict[str, Any] = {
        "aws.events.event": event,
        "aws.events.event.json": event,
        "aws.events.rule-arn": rule_arn,
        "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": ingestion_time,
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        found, value = _json_path(event, path)
        values[name] = value if found else None
    template = str(transformer.get("InputTemplate") or "<aws.events.event>")
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        char = template[i]
        if char == "\\" and in_string:
            out.append(template[i : i + 2])
            i += 2
            continue
        if char == '"':
            in_string = not in_string
        if char == "<":
            end = template.find(">", i)
            name = template[i + 1 : end] if end > 0 else ""
            if name in values:
                value = values[name]
                if in_string:
                    text = value if isinstance(value, str) else json.dumps(value)
                    out.append(json.dumps("" if value is None else text)[1:-1])
                else:
                    out.append(json.dumps(value))
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def target_input(target: dict[str, Any], event: dict[str, Any], rule: Any) -> str:
    if "Input" in target and target["Input"] is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        found, value = _json_path(event, target["InputPath"])
        return json.dumps(value if found else None)
    if target.get("InputTransformer"):
        return transform_input(
            target["InputTransformer"], event, rule.arn, rule.name, iso_time(event.get("time"))
        )
    return json.dumps(event)


def deliver(
    arn: str,
    payload: str,
    account_id: str,
    region: str,
    role: str = "rule",
    message_group: str | None = None,
) -> str:
    """Deliver one payload to a Step Functions, Lambda, SNS or SQS target ARN; return the id of
    what it started (execution ARN, SNS or SQS message id, or the function ARN).

    `message_group` is the target's `SqsParameters.MessageGroupId` (FIFO queues)."""
    service = arn.split(":")[2]
    if service == "states":
        from moto.stepfunctions.responses import get_backend

        backend: Any = get_backend(account_id, region)
        execution = backend.start_execution(arn, None, payload)
        return str(execution.execution_arn)
    if service == "lambda":
        from moto.awslambda.utils import get_backend as get_lambda_backend

        get_lambda_backend(account_id, region).invoke(
            arn, None, payload, {"X-Amz-Invocation-Type": "Event"}, {}
        )
        return arn
    if service == "sns":
        from moto.sns.models import sns_backends

        return str(sns_backends[account_id][region].publish(message=payload, arn=arn))
    if service == "sqs":
        from moto.sqs import sqs_backends

        _, _, _, queue_region, queue_account, queue_name = arn.split(":", 5)
        # No deduplication id is sent: AWS requires content-based deduplication on a FIFO
        # target queue, and without it the send fails (recorded as a delivery failure).
        message = sqs_backends[queue_account][queue_region].send_message(
            queue_name=queue_name, message_body=payload, group_id=message_group
        )
        return str(message.id)
    raise ValueError(f"{role}: target service {service!r} is not delivered locally")


def set_delivery_copies(records: recorder.CloudRecords, copies: int) -> None:
    if copies < 1:
        raise ValueError(f"copies must be at least 1 (each event is delivered), got {copies}")
    records.delivery_copies = copies


def _record_failure(rule: Any, target: dict[str, Any], error: Exception) -> None:
    LOG.warning("EventBridge delivery to %s failed: %s", target.get("Arn"), error)
    recorder.current().delivery_failures.append(
        {"rule": getattr(rule, "name", ""), "target": target.get("Arn"), "error": repr(error)}
    )


def send_to_targets(
    self: Any, original_event: dict[str, Any], transform_input: bool = True
) -> None:
    """Replacement for moto's `Rule.send_to_targets`."""
    if getattr(self, "state", "ENABLED") != "ENABLED" or not rule_matches(self, original_event):
        return
    event = copy.deepcopy(original_event)
    event.pop("ingestion-time", None)
    event["time"] = iso_time(event.get("time"))
    for target in self.targets:
        if target["Arn"].split(":")[2] not in LOCAL_SERVICES:
            _send_with_moto(self, target, event, original_event, transform_input)
            continue
        payload = target_input(target, event, self)
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        for _ in range(recorder.current().delivery_copies):
            try:
                deliver(target["Arn"], payload, self.account_id, self.region_name, "rule", group)
            except Exception as error:
                _record_failure(self, target, error)
            else:
                _record_delivery(self, target, event)


def _record_delivery(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    recorder.current().deliveries.append(
        {"rule": rule.name, "target": target["Arn"], "event": event.get("id")}
    )


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    try:
        moment = datetime.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return datetime.datetime.now(datetime.UTC).timestamp()
    return moment.replace(tzinfo=datetime.UTC).timestamp()


def _send_with_moto(
    rule: Any,
    target: dict[str, Any],
    event: dict[str, Any],
    original_event: dict[str, Any],
    transform_input: bool,
) -> None:
    """One target moto delivers itself (CloudWatch Logs, event buses, archives, ...)."""
    if ORIGINAL_SEND is None:
        return
    from moto.events.models import EventPattern

    proxy = copy.copy(rule)
    proxy.targets = [target]
    proxy.event_pattern = EventPattern.load(None)  # already matched above
    # moto's default template writes `<time>` unquoted, so it needs epoch seconds: ISO text
    # there makes invalid JSON, which failed the whole PutEvents.
    moto_event = {
        **event,
        "time": _epoch_seconds(original_event.get("time", event["time"])),
        "ingestion-time": original_event.get("ingestion-time", 0),
    }
    for _ in range(recorder.current().delivery_copies):
        try:
            ORIGINAL_SEND(proxy, copy.deepcopy(moto_event), transform_input)
        except Exception as error:
            _record_failure(rule, target, error)
        else:
            _record_delivery(rule, target, event)


def _request_id() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))


def s3_event(account_id: str, bucket: Any, event_name: str, key: Any) -> dict[str, Any]:
    """The event S3 sends to EventBridge for `event_name` on `key`."""
    from moto.s3.notifications import _detail_type

    obj: dict[str, Any] = {"key": key.name, "size": key.size, "etag": key.etag.replace('"', "")}
    if getattr(key, "version_id", None) not in (None, "null"):
        obj["version-id"] = key.version_id
    obj["sequencer"] = f"{next(_sequencer):018X}"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": _detail_type(event_name),
        "source": "aws.s3",
        "account": account_id,
        "time": iso_time(datetime.datetime.now(datetime.UTC)),
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": obj,
            "request-id": _request_id(),
            "requester": account_id,
            "source-ip-address": "127.0.0.1",
            "reason": _S3_REASONS.get(event_name, event_name.split(":")[-1]),
        },
    }


def send_s3_event(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
    """Replacement for moto's `_send_event_bridge_message`: S3 sends to the default bus."""
    from moto.events.models import events_backends

    try:
        event = s3_event(account_id, bucket, event_name, key)
    except ValueError:
        return  # an S3 event type EventBridge does not carry
    backend = events_backends[account_id][bucket.region_name]
    default_bus = backend.event_buses.get("default")
    if default_bus is None:
        return
    rules: list[Any] = list(default_bus.rules.values())
    for rule in rules:
        rule.send_to_targets(event)


def put_event(
    account_id: str,
    region: str,
    source: str,
    detail_type: str,
    detail: dict[str, Any],
    resources: list[str],
    time: float | None = None,
) -> None:
    """Emit an AWS service event on the default bus (as SageMaker or S3 would); `time` (epoch
    seconds) is when the service says it happened, else now.

    The event is the one moto's PutEvents would make, built once: moto rebuilt it (a deep copy
    and a parse of the detail) for every rule on the bus, matching or not. Every rule's
    `send_to_targets` (this module's) copies the event before it changes anything."""
    from moto.core.utils import unix_time
    from moto.events.models import events_backends
    from moto.moto_api._internal import mock_random

    bus = events_backends[account_id][region].describe_event_bus("default")
    event: dict[str, Any] = {
        "version": "0",
        "id": str(mock_random.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account_id,
        "time": unix_time() if time is None else time,
        "region": region,
        "resources": list(resources),
        "detail": json.loads(json.dumps(detail)),
        "ingestion-time": unix_time(),
    }
    for rule in list(bus.rules.values()):
        rule.send_to_targets(event)
