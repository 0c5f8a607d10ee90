"""SageMaker Model Package State Change -> deploy (Approved) or notify (Rejected).

Packages whose CustomerMetadataProperties has `approval-mode` = `auto` are deployed by the
retrain execution that registered them, so their events are skipped here.

Environment: `ApprovalEnvironment` in tasks/handlers/registry.py.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from tasks.handlers import aws_clients
from tasks.handlers.environment import read_environment
from tasks.handlers.event_input import parse_event
from tasks.handlers.event_models import ModelPackageEvent
from tasks.handlers.executions import execution_name, start_once
from tasks.handlers.notify import publish
from tasks.handlers.registry import ApprovalEnvironment
from tasks.handlers.tracing import trace_header, tracer

logger = Logger(service="model-approval")
DETAIL_TYPE = "SageMaker Model Package State Change"


def approval_mode(detail: dict[str, Any], sagemaker: Any) -> str:
    """The package's `approval-mode` metadata, describing the package when the event lacks it."""
    metadata = detail.get("CustomerMetadataProperties")
    if not isinstance(metadata, dict):
        package = sagemaker.describe_model_package(ModelPackageName=detail["ModelPackageArn"])
        metadata = package.get("CustomerMetadataProperties") or {}
    return str(metadata.get("approval-mode", "manual"))


def handle_change(
    event: dict[str, Any], clients: dict[str, Any], env: ApprovalEnvironment
) -> dict[str, Any]:
    envelope = parse_event(event, EventBridgeModel)
    if envelope.source != "aws.sagemaker" or envelope.detail_type != DETAIL_TYPE:
        raise ValueError(
            f"expected aws.sagemaker {DETAIL_TYPE}, got {envelope.source} {envelope.detail_type}"
        )
    # Typed: an ARN that is an object, say, is refused here naming detail.ModelPackageArn.
    detail = parse_event(event, ModelPackageEvent).detail.model_dump(exclude_none=True)
    arn = detail["ModelPackageArn"]
    status = detail.get("ModelApprovalStatus")
    if status not in ("Approved", "Rejected"):
        return {"action": "none", "modelPackageArn": arn, "status": status}
    if approval_mode(detail, clients["sagemaker"]) == "auto":
        return {"action": "skipped", "modelPackageArn": arn, "reason": "approval-mode is auto"}
    if status == "Approved":
        version = str(detail.get("ModelPackageVersion", ""))
        name = execution_name("deploy", arn, envelope.id, f"v{version}")
        started = start_once(
            clients["stepfunctions"],
            env.deploy_state_machine_arn,
            name,
            {"modelPackageArn": arn},
            trace_header(),
        )
        return {"action": "deploy", "modelPackageArn": arn, **started}
    sent = publish(
        {
            "kind": "model_rejected",
            "modelPackageArn": arn,
            "decision": "reject",
            "reasons": [
                f"rejected in the registry group {detail.get('ModelPackageGroupName', '?')}"
            ],
        },
        clients["sns"],
        env.topic_arn,
    )
    return {"action": "notified", "modelPackageArn": arn, **sent}


@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    env = read_environment(ApprovalEnvironment, handler="approval")
    clients = {name: aws_clients.client(name) for name in ("sagemaker", "stepfunctions", "sns")}
    result = handle_change(event, clients, env)
    logger.info("model package state change handled", extra={"outcome": result})
    return result
