"""Readable SNS messages built by InputTransformers from operational events.

Each template is one JSON string (`"..."`): EventBridge then delivers plain text, and a value
that contains quotes or newlines cannot break a JSON object around it. Every message starts with
`[<project>-<environment>]` so one topic can serve several environments.
"""

from __future__ import annotations

import json

from event_rules.rule import InputTransformer


def text_message(lines: list[str], paths: dict[str, str]) -> InputTransformer:
    """A template that yields `lines` joined by newlines, with `<name>` taken from `paths`."""
    return InputTransformer(paths=paths, template=json.dumps("\n".join(lines)))


def model_rejected(prefix: str) -> InputTransformer:
    return text_message(
        [
            f"[{prefix}] Model package version <version> in group <group> was rejected in the "
            "SageMaker Model Registry.",
            "It will not be deployed; the endpoint keeps serving the current model.",
            "Package: <package>",
            "Time: <time>",
        ],
        {
            "version": "$.detail.ModelPackageVersion",
            "group": "$.detail.ModelPackageGroupName",
            "package": "$.detail.ModelPackageArn",
            "time": "$.time",
        },
    )


def training_job_failed(prefix: str) -> InputTransformer:
    return text_message(
        [
            f"[{prefix}] SageMaker training job <job> failed.",
            "Reason: <reason>",
            "The retrain execution that started it has stopped and reported the failure; the "
            "endpoint is unchanged.",
            "Time: <time>",
        ],
        {
            "job": "$.detail.TrainingJobName",
            "reason": "$.detail.FailureReason",
            "time": "$.time",
        },
    )


def processing_job_failed(prefix: str) -> InputTransformer:
    return text_message(
        [
            f"[{prefix}] SageMaker processing job <job> failed.",
            "Reason: <reason>",
            "Exit message: <exit>",
            "Time: <time>",
        ],
        {
            "job": "$.detail.ProcessingJobName",
            "reason": "$.detail.FailureReason",
            "exit": "$.detail.ExitMessage",
            "time": "$.time",
        },
    )


def endpoint_failed(prefix: str) -> InputTransformer:
    return text_message(
        [
            f"[{prefix}] SageMaker endpoint <endpoint> is Failed.",
            "Reason: <reason>",
            "Endpoint config: <config>",
            "Time: <time>",
        ],
        {
            "endpoint": "$.detail.EndpointName",
            "reason": "$.detail.FailureReason",
            "config": "$.detail.EndpointConfigName",
            "time": "$.time",
        },
    )


def execution_ended(prefix: str, console_execution_url: str) -> InputTransformer:
    """`console_execution_url` is the console address an execution ARN is appended to."""
    return text_message(
        [
            f"[{prefix}] Step Functions execution <name> ended <status>.",
            "State machine: <machine>",
            "Error: <error>",
            "Cause: <cause>",
            f"Console: {console_execution_url}<execution>",
        ],
        {
            "name": "$.detail.name",
            "status": "$.detail.status",
            "machine": "$.detail.stateMachineArn",
            "error": "$.detail.error",
            "cause": "$.detail.cause",
            "execution": "$.detail.executionArn",
        },
    )


def endpoint_transition(prefix: str) -> InputTransformer:
    """One line per transition: the topic reads as the endpoint's timeline."""
    return text_message(
        [f"[{prefix}] <time> endpoint <endpoint> is now <status> (endpoint config <config>)."],
        {
            "endpoint": "$.detail.EndpointName",
            "status": "$.detail.EndpointStatus",
            "config": "$.detail.EndpointConfigName",
            "time": "$.time",
        },
    )


def api_call(prefix: str) -> InputTransformer:
    """Who made a call CloudTrail recorded, from where and when, and what it asked."""
    return text_message(
        [
            f"[{prefix}] <call> on <service> by <principal> (<type>).",
            "Source IP: <ip>",
            "Time: <time>",
            "Request: <request>",
            "User agent: <agent>",
            "Event ID: <id>",
        ],
        {
            "call": "$.detail.eventName",
            "service": "$.detail.eventSource",
            "principal": "$.detail.userIdentity.arn",
            "type": "$.detail.userIdentity.type",
            "ip": "$.detail.sourceIPAddress",
            "time": "$.detail.eventTime",
            "request": "$.detail.requestParameters",
            "agent": "$.detail.userAgent",
            "id": "$.detail.eventID",
        },
    )
