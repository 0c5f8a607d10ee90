"""EventBridge event -> retrain state machine execution.

Sources: S3 `Object Created` (the object is the training data), the project's `Model Drift
Detected` event, a CloudWatch drift alarm entering ALARM, a Model Monitor processing job that
completed with violations, and scheduled events (EventBridge rule or Scheduler). A direct
invocation with a retrain input whose trigger source is `manual` is passed through.

Environment: `TriggerEnvironment` in tasks/handlers/registry.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser.models import (
    EventBridgeModel,
    S3EventNotificationEventBridgeModel,
)
from aws_lambda_powertools.utilities.validation import validate

from tasks.handlers import aws_clients
from tasks.handlers.environment import read_environment
from tasks.handlers.event_input import parse_event, require_object
from tasks.handlers.event_models import (
    AlarmChangeEvent,
    DriftDetail,
    DriftEvent,
    ProcessingJobDetail,
    ProcessingJobEvent,
)
from tasks.handlers.executions import execution_name, start_once
from tasks.handlers.registry import TriggerEnvironment
from tasks.handlers.tracing import trace_header, tracer

logger = Logger(service="retrain-trigger")
SCHEMA: dict[str, Any] = json.loads(
    (Path(__file__).with_name("retrain_input.schema.json")).read_text(encoding="utf-8")
)
DRIFT_DETAIL_TYPE = "Model Drift Detected"


class UnknownEventError(ValueError):
    """The event is from no source this function handles."""


def retrain_request(
    event: dict[str, Any], env: TriggerEnvironment
) -> tuple[dict[str, Any], str] | None:
    """(retrain input, execution name) for `event`, or None for an event that asks for nothing
    (an alarm leaving ALARM, a monitoring run without violations)."""
    event = require_object(event)
    if _is_manual(event):
        validate(event=event, schema=SCHEMA)
        return event, execution_name("manual", event["trigger"]["eventId"])
    envelope = parse_event(event, EventBridgeModel)
    source, kind = envelope.source, envelope.detail_type
    if source == "aws.s3" and kind == "Object Created":
        s3 = parse_event(event, S3EventNotificationEventBridgeModel).detail
        bucket, key = s3.bucket.name, s3.object.key
        version = s3.object.sequencer or s3.object.etag or envelope.id
        trigger = {
            "source": "s3",
            "eventId": envelope.id,
            "reason": f"new data s3://{bucket}/{key}",
        }
        return _input(f"s3://{bucket}/{key}", trigger, env), execution_name(
            "s3", bucket, version, key
        )
    if kind == DRIFT_DETAIL_TYPE and source == env.drift_event_source:
        reason = _drift_reason(parse_event(event, DriftEvent).detail)
        trigger = {"source": "drift", "eventId": envelope.id, "reason": reason}
        return _input(_data_uri(env), trigger, env), execution_name("drift", envelope.id)
    if source == "aws.cloudwatch" and kind == "CloudWatch Alarm State Change":
        alarm = parse_event(event, AlarmChangeEvent).detail
        if alarm.state.value != "ALARM":
            return None
        reason = f"alarm {alarm.alarmName} in ALARM: {alarm.state.reason}".strip()
        trigger = {"source": "drift", "eventId": envelope.id, "reason": reason[:500]}
        return _input(_data_uri(env), trigger, env), execution_name("alarm", envelope.id)
    if source == "aws.sagemaker" and kind == "SageMaker Processing Job State Change":
        job = parse_event(event, ProcessingJobEvent).detail
        if not _has_violations(job):
            return None
        reason = f"monitoring job {job.ProcessingJobName} completed with violations"
        trigger = {"source": "drift", "eventId": envelope.id, "reason": reason}
        return _input(_data_uri(env), trigger, env), execution_name("monitor", envelope.id)
    if kind == "Scheduled Event" and source in ("aws.events", "aws.scheduler"):
        when = envelope.time.strftime("%Y-%m-%dT%H-%M-%SZ")
        trigger = {"source": "schedule", "eventId": envelope.id, "reason": f"scheduled at {when}"}
        return _input(_data_uri(env), trigger, env), execution_name("schedule", when)
    raise UnknownEventError(
        f"no retrain trigger handles source {source!r} with detail-type {kind!r}; expected "
        f"aws.s3 Object Created, {env.drift_event_source} "
        f"{DRIFT_DETAIL_TYPE}, CloudWatch Alarm State Change, SageMaker Processing Job State "
        "Change, or Scheduled Event"
    )


def _is_manual(event: dict[str, Any]) -> bool:
    return "dataS3Uri" in event and "detail-type" not in event


def _has_violations(job: ProcessingJobDetail) -> bool:
    # No official sample exists: accept the status itself or Model Monitor's exit message.
    status = job.ProcessingJobStatus
    message = job.ExitMessage or ""
    return status == "CompletedWithViolations" or (
        status == "Completed" and message.startswith("CompletedWithViolations")
    )


def _drift_reason(detail: DriftDetail) -> str:
    features = detail.drifted_features or detail.driftedFeatures or []
    psi = detail.max_psi if detail.max_psi is not None else detail.maxPsi
    text = "drift detected"
    if psi is not None:
        text += f", max PSI {psi}"
    if features:
        text += f" in {', '.join(str(f) for f in features)[:300]}"
    return text


def _data_uri(env: TriggerEnvironment) -> str:
    uri = env.training_data_uri
    if not uri.startswith("s3://"):
        raise RuntimeError(
            "environment variable TRAINING_DATA_URI must be the training data prefix "
            f"(s3://bucket/prefix/), got {uri!r}"
        )
    return uri


def _input(uri: str, trigger: dict[str, str], env: TriggerEnvironment) -> dict[str, Any]:
    payload: dict[str, Any] = {"dataS3Uri": uri, "trigger": trigger}
    if env.approval_mode:
        payload["approvalMode"] = env.approval_mode
    validate(event=payload, schema=SCHEMA)
    return payload


@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    env = read_environment(TriggerEnvironment, handler="trigger")
    request = retrain_request(event, env)
    if request is None:
        logger.info("event asks for no retrain", extra={"event_id": event.get("id")})
        return {"executionArn": None, "name": None, "duplicate": False, "skipped": True}
    payload, name = request
    sfn = aws_clients.client("stepfunctions")
    result = start_once(sfn, env.retrain_state_machine_arn, name, payload, trace_header())
    logger.info("retrain requested", extra={"trigger": payload["trigger"], "execution": result})
    return result
