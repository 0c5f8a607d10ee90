"""Quality gate: approve a candidate model only if every metric meets its absolute threshold
and none is worse than the champion's (the newest Approved package in the group) by more than
`max_regression`. A missing or malformed report raises, for the state machine to catch."""

from __future__ import annotations

import math
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.validation import validate

from tasks.handlers import aws_clients
from tasks.handlers.s3_objects import read_json

logger = Logger(service="quality-gate")
GATED_METRICS = ("auc", "accuracy", "f1")

INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["evaluationReportS3Uri", "thresholds", "modelPackageGroupName"],
    "properties": {
        "evaluationReportS3Uri": {"type": "string", "pattern": "^s3://[^/]+/.+"},
        "modelPackageGroupName": {"type": "string", "minLength": 1},
        "thresholds": {
            "type": "object",
            "required": [*GATED_METRICS, "max_regression"],
            "properties": {
                name: {"type": "number", "minimum": 0, "maximum": 1}
                for name in (*GATED_METRICS, "max_regression")
            },
        },
    },
}


def report_metrics(report: Any, uri: str) -> dict[str, float]:
    """auc, accuracy and f1 values of a `binary_classification_metrics` report."""
    section = report.get("binary_classification_metrics") if isinstance(report, dict) else None
    if not isinstance(section, dict):
        raise ValueError(f"evaluation report {uri} has no binary_classification_metrics object")
    metrics: dict[str, float] = {}
    for name in GATED_METRICS:
        entry = section.get(name)
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ValueError(
                f"evaluation report {uri}: binary_classification_metrics.{name}.value "
                f"must be a number, got {value!r}"
            )
        metrics[name] = float(value)
    return metrics


def find_champion(sagemaker: Any, s3: Any, group: str) -> dict[str, Any] | None:
    """The newest Approved package in `group` with its metrics, or None when there is none."""
    listing = sagemaker.list_model_packages(
        ModelPackageGroupName=group,
        ModelApprovalStatus="Approved",
        SortBy="CreationTime",
        SortOrder="Descending",
        MaxResults=1,
    )
    summaries = listing.get("ModelPackageSummaryList", [])
    if not summaries:
        return None
    arn = summaries[0]["ModelPackageArn"]
    package = sagemaker.describe_model_package(ModelPackageName=arn)
    uri = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {}).get("S3Uri")
    if not uri:
        raise ValueError(
            f"champion {arn} has no ModelMetrics.ModelQuality.Statistics.S3Uri; register "
            "packages with their evaluation report"
        )
    return {
        "modelPackageArn": arn,
        "metrics": report_metrics(read_json(s3, uri, "champion report"), uri),
    }


def decide(
    metrics: dict[str, float], thresholds: dict[str, float], champion: dict[str, Any] | None
) -> tuple[str, list[str]]:
    reasons: list[str] = []
    for name in GATED_METRICS:
        if metrics[name] < thresholds[name]:
            reasons.append(
                f"{name} {metrics[name]:.4f} is below the threshold {thresholds[name]:.4f}"
            )
    if champion is not None:
        allowed = thresholds["max_regression"]
        for name in GATED_METRICS:
            drop = champion["metrics"][name] - metrics[name]
            if drop > allowed + 1e-12:
                reasons.append(
                    f"{name} {metrics[name]:.4f} is {drop:.4f} below the champion's "
                    f"{champion['metrics'][name]:.4f} (allowed regression {allowed:.4f})"
                )
    return ("reject" if reasons else "approve"), reasons


def evaluate_gate(request: dict[str, Any], s3: Any, sagemaker: Any) -> dict[str, Any]:
    validate(event=request, schema=INPUT_SCHEMA)
    uri = request["evaluationReportS3Uri"]
    metrics = report_metrics(read_json(s3, uri, "evaluation report"), uri)
    champion = find_champion(sagemaker, s3, request["modelPackageGroupName"])
    decision, reasons = decide(metrics, request["thresholds"], champion)
    return {"decision": decision, "reasons": reasons, "metrics": metrics, "champion": champion}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    result = evaluate_gate(event, aws_clients.client("s3"), aws_clients.client("sagemaker"))
    logger.info("quality gate decided", extra={"gate": result})
    return result
