"""What a notification says: subject and message for each kind, from workflow input or from
an operational EventBridge event. Formatting only; publishing lives in `notify`."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

from tasks.handlers import alarm_notices, failure_reasons
from tasks.handlers.arns import endpoint_link, execution_link, model_package_link, parse_arn
from tasks.handlers.event_input import parse_event, require_object
from tasks.handlers.event_models import (
    EndpointEvent,
    ExecutionStatusEvent,
    ProcessingJobEvent,
    TrainingJobEvent,
    WorkflowNotice,
)

SUBJECT_LIMIT = 100  # SNS rejects longer subjects
# SNS Publish: "at most 256 KB in size (262,144 bytes, not 262,144 characters)" of UTF-8.
MESSAGE_LIMIT = 262_144
CUT_MARKER = " [... {cut} bytes cut: an SNS message holds at most 262,144 bytes]"
KINDS = {
    "retrain_succeeded": "Retrain succeeded",
    "model_rejected": "Model rejected",
    "approval_requested": "Approval requested",
    "model_deployed": "Model deployed",
    "drift_detected": "Drift detected",
    "workflow_failed": "Workflow failed",
    "job_failed": "SageMaker job failed",
    "endpoint_failed": "Endpoint failed",
    "alarm_state_change": "Alarm",
}
FAILED_EXECUTION = ("FAILED", "TIMED_OUT", "ABORTED")


@dataclass(frozen=True)
class Notification:
    kind: str
    subject: str
    message: str
    details: dict[str, Any]


def from_event(event: Any) -> dict[str, Any]:
    """Workflow-style details for an EventBridge event, or the event itself if it is not one.
    Either is checked at the parse edge: a field of the wrong type is refused, named."""
    event = require_object(event)
    if "detail-type" not in event:
        parse_event(event, WorkflowNotice)
        return event
    if alarm_notices.is_alarm_change(event):
        alarm_notices.alarm_change(event)  # refused here, before anything is published
        return {"kind": "alarm_state_change", "event": event}
    source, kind = event.get("source"), event["detail-type"]
    resources = event.get("resources")
    first = resources[0] if isinstance(resources, list) and resources else None
    if source == "aws.states" and kind == "Step Functions Execution Status Change":
        execution = parse_event(event, ExecutionStatusEvent).detail
        if execution.status not in FAILED_EXECUTION:
            raise ValueError(
                f"execution status {execution.status!r} is not a failure; nothing to notify"
            )
        return {
            "kind": "workflow_failed",
            "executionArn": execution.executionArn,
            "status": execution.status,
            "error": execution.error or execution.status,
            "cause": execution.cause or "",
        }
    if source == "aws.sagemaker" and kind in (
        "SageMaker Training Job State Change",
        "SageMaker Processing Job State Change",
    ):
        job_kind = "Training" if "Training" in kind else "Processing"
        model = TrainingJobEvent if job_kind == "Training" else ProcessingJobEvent
        detail = parse_event(event, model).detail.model_dump()
        status = detail[f"{job_kind}JobStatus"]
        if status != "Failed":
            raise ValueError(f"{job_kind.lower()} job status {status!r} is not Failed")
        return {
            "kind": "job_failed",
            "jobType": job_kind.lower(),
            "jobName": detail[f"{job_kind}JobName"],
            "resourceArn": detail[f"{job_kind}JobArn"] or first,
            "error": f"{job_kind}JobFailed",
            "cause": detail["FailureReason"] or detail["ExitMessage"] or "",
        }
    if source == "aws.sagemaker" and kind == "SageMaker Endpoint State Change":
        endpoint = parse_event(event, EndpointEvent).detail
        status = endpoint.EndpointStatus.upper()
        if status != "FAILED":
            raise ValueError(f"endpoint status {status!r} is not Failed")
        return {
            "kind": "endpoint_failed",
            "endpointName": endpoint.EndpointName,
            "endpointConfigName": endpoint.EndpointConfigName,
            "resourceArn": endpoint.EndpointArn or first,
            "error": "EndpointFailed",
            "cause": endpoint.FailureReason or "",
        }
    raise ValueError(f"no notification for source {source!r} with detail-type {kind!r}")


def build(details: dict[str, Any], tag: str = "mlops") -> Notification:
    """The notice for `details`; `tag` opens the subject (the deploy sets the environment's
    resource prefix, so a reader sees at once which environment speaks)."""
    kind = details.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    if kind == "alarm_state_change":
        return _alarm_notice(details, tag)
    subject = _subject(kind, details, tag)
    lines = [f"{KINDS[kind]}.", ""]
    lines += _facts(details)
    metrics = details.get("metrics")
    if isinstance(metrics, dict) and metrics:
        lines += ["", "Metrics:"] + [f"  {k}: {_number(v)}" for k, v in sorted(metrics.items())]
    reasons = details.get("reasons")
    if isinstance(reasons, list) and reasons:
        lines += ["", "Reasons:"] + [f"  - {r}" for r in reasons]
    links = _links(details)
    kept = ["", "Links:"] + [f"  {label}: {url}" for label, url in links] if links else []
    return Notification(kind, subject, fit_message(lines, kept), details)


def _alarm_notice(details: dict[str, Any], tag: str) -> Notification:
    change = alarm_notices.alarm_change(details["event"])
    subject = _ascii_subject(f"[{tag}] Alarm {change.state}: {change.name}")
    lines = [f"CloudWatch alarm {change.name} is {change.state}.", "", *alarm_notices.lines(change)]
    # The console link (the last line) is kept whatever else must be cut.
    message = fit_message(lines[:-1], lines[-1:])
    return Notification("alarm_state_change", subject, message, details)


def fit_message(lines: list[str], kept: list[str]) -> str:
    """`lines` then `kept`, one a line, within SNS's MESSAGE_LIMIT bytes of UTF-8: while too
    long, the longest of `lines` (a job's whole Describe output as its cause, say) is cut, with a
    marker saying so; `kept` (the console links) is never cut. A message over the limit would be
    refused by SNS, and the notification lost."""
    lines = list(lines)
    while True:
        message = "\n".join(lines + kept) + "\n"
        excess = len(message.encode("utf-8")) - MESSAGE_LIMIT
        if excess <= 0:
            return message
        longest = max(range(len(lines)), key=lambda i: len(lines[i].encode("utf-8")))
        raw = lines[longest].encode("utf-8")
        # The marker's digits can only shrink as `cut` is at most len(raw).
        marker = CUT_MARKER.format(cut=len(raw))
        keep = max(len(raw) - excess - len(marker.encode("utf-8")), 0)
        head = raw[:keep].decode("utf-8", errors="ignore")  # never half a character
        cut = len(raw) - len(head.encode("utf-8"))
        lines[longest] = head + CUT_MARKER.format(cut=cut)


def _facts(details: dict[str, Any]) -> list[str]:
    labels = [
        ("executionArn", "Execution"),
        ("decision", "Decision"),
        ("modelPackageArn", "Model package"),
        ("endpointName", "Endpoint"),
        ("endpointConfigName", "Endpoint config"),
        ("jobName", "Job"),
        ("failedState", "Failed state"),
        ("status", "Status"),
        ("error", "Error"),
        ("reason", "Reason"),
        ("cause", "Cause"),
    ]
    facts = dict(details)
    cause = details.get("cause")
    if isinstance(cause, str) and not facts.get("reason"):
        # A failed job's Cause is its whole Describe output: its reason goes first, on one line.
        reason = failure_reasons.reason_of(cause)
        facts["reason"] = reason if reason != cause.strip() else None
    return [f"{label}: {_text(facts[key])}" for key, label in labels if facts.get(key)]


def _links(details: dict[str, Any]) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    anchor = (
        details.get("executionArn") or details.get("modelPackageArn") or details.get("resourceArn")
    )
    for key, label, make in (
        ("executionArn", "Execution", execution_link),
        ("modelPackageArn", "Model package", model_package_link),
    ):
        value = details.get(key)
        if value:
            # A malformed ARN still gets its message out, without the link.
            with contextlib.suppress(ValueError):
                links.append((label, make(value)))
    if details.get("endpointName") and anchor:
        with contextlib.suppress(ValueError):
            links.append(("Endpoint", endpoint_link(details["endpointName"], anchor)))
    return links


def _subject(kind: str, details: dict[str, Any], tag: str) -> str:
    name = details.get("endpointName") or details.get("jobName") or _execution_name(details)
    subject = f"[{tag}] {KINDS[kind]}"
    if name:
        subject += f": {name}"
    metrics = details.get("metrics")
    if kind in ("retrain_succeeded", "model_rejected") and isinstance(metrics, dict) and metrics:
        # The gate's first metric, as the settings list it (churn: AUC; regression: r2 ...).
        name, value = next(iter(metrics.items()))
        if isinstance(value, int | float) and not isinstance(value, bool):
            label = name.upper() if len(name) <= 3 else name
            subject += f" ({label} {value:.3f})"
    return _ascii_subject(subject)


def _ascii_subject(subject: str) -> str:
    # SNS subjects: ASCII, no line breaks or control characters, at most 100 characters.
    subject = re.sub(r"[^\x20-\x7e]", "?", subject)
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 3] + "..."


def _execution_name(details: dict[str, Any]) -> str | None:
    arn = details.get("executionArn")
    if not isinstance(arn, str):
        return None
    try:
        return parse_arn(arn).resource.split(":")[-1]
    except ValueError:
        return None


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else _text(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
