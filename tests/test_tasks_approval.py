"""The approval function on the embedded cloud (localcloud): a manually approved package
starts one deployment, auto-approved ones are left to their retrain, a rejection is notified."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.handlers import approval
from tests.tasks_helpers import (
    churn_group,
    create_package,
    envelope,
    executions,
    received,
    started_input,
)


def package_event(
    sagemaker: Any, status: str, mode: str | None, include_metadata: bool, event_id: str = "p-1"
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if mode:
        kwargs["CustomerMetadataProperties"] = {"approval-mode": mode}
    arn = create_package(sagemaker, "PendingManualApproval", **kwargs)
    detail: dict[str, Any] = {
        "ModelPackageGroupName": "churn",
        "ModelPackageVersion": 1,
        "ModelPackageArn": arn,
        "ModelApprovalStatus": status,
    }
    if include_metadata and mode:
        detail["CustomerMetadataProperties"] = {"approval-mode": mode}
    return envelope("aws.sagemaker", "SageMaker Model Package State Change", detail, event_id)


def test_manual_approval_starts_one_deployment(aws: dict[str, Any]) -> None:
    event = package_event(churn_group(), "Approved", "manual", include_metadata=False)
    first, again = approval.handler(event, None), approval.handler(event, None)
    assert (
        first["action"] == "deploy" and first["duplicate"] is False and again["duplicate"] is True
    )
    [run] = executions(aws, "deploy-model")
    payload = started_input(aws, run["executionArn"])
    assert payload == {"modelPackageArn": event["detail"]["ModelPackageArn"]}


@pytest.mark.parametrize("include_metadata", [True, False])
def test_auto_approved_packages_are_left_to_their_retrain(
    aws: dict[str, Any], include_metadata: bool
) -> None:
    event = package_event(churn_group(), "Approved", "auto", include_metadata)
    result = approval.handler(event, None)
    assert result["action"] == "skipped"
    assert executions(aws, "deploy-model") == []


def test_rejection_is_notified(aws: dict[str, Any]) -> None:
    result = approval.handler(package_event(churn_group(), "Rejected", None, False), None)
    assert result["action"] == "notified"
    [message] = received(aws)
    assert message["Subject"].startswith("[mlops] Model rejected")
    assert result["modelPackageArn"] in message["Message"]
