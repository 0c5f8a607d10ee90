"""Quality gate: approve a candidate model only if every gated metric meets its absolute threshold
(at least it for scores such as auc or r2, at most it for errors such as rmse) and none is worse
than the champion's (the newest Approved package in the group) by more than `max_regression`: an
absolute drop for scores, a fraction of the champion's value for errors. A missing or malformed
report raises, for the state machine to catch."""

from __future__ import annotations

import math
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.validation import validate

from tasks.handlers import aws_clients
from tasks.handlers.event_input import require_object
from tasks.handlers.s3_objects import read_json
from tasks.handlers.tracing import tracer
from tasks.metrics import (
    MAX_REGRESSION_KEY,
    METRICS,
    PROBLEMS,
    REPORT_SECTIONS,
    Metric,
    Problem,
    worse_by,
)

logger = Logger(service="quality-gate")

INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["evaluationReportS3Uri", "problem", "thresholds", "modelPackageGroupName"],
    "properties": {
        "evaluationReportS3Uri": {"type": "string", "pattern": "^s3://[^/]+/.+"},
        "modelPackageGroupName": {"type": "string", "minLength": 1},
        "problem": {"enum": list(PROBLEMS)},
        "thresholds": {
            "type": "object",
            "required": [MAX_REGRESSION_KEY],
            "minProperties": 2,
            "properties": {MAX_REGRESSION_KEY: {"type": "number", "minimum": 0, "maximum": 1}},
            "additionalProperties": {"type": "number"},
        },
    },
}


def gated(problem: Problem, thresholds: dict[str, float]) -> list[str]:
    """The metric names the thresholds gate on; an unknown name is an error naming the known."""
    names = [name for name in thresholds if name != MAX_REGRESSION_KEY]
    unknown = [name for name in names if name not in METRICS[problem]]
    if unknown:
        raise ValueError(
            f"thresholds {unknown} are not {problem} metrics; use {', '.join(METRICS[problem])}"
        )
    return names


def finite_number(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (not a bool), else None. JSON parsers
    read NaN, Infinity and 1e999 as floats, and an integer of 400 digits has no float: none of
    them may reach a comparison, where NaN and infinity make any decision come out."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def out_of_range(rule: Metric, value: float) -> str | None:
    """Why ``value`` cannot be a value of the metric ``rule`` (a score from 0 to 1, an error of
    at least 0, an r2 of at most 1); None when it can."""
    if rule.ratio and not 0 <= value <= 1:
        return "from 0 to 1"
    if not rule.higher_is_better and value < 0:
        return "at least 0"
    if rule.higher_is_better and value > 1:
        return "at most 1"
    return None


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and finite_number(value) is None:
        return "an integer beyond the float range"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}..."


def check_thresholds(problem: Problem, thresholds: dict[str, Any]) -> None:
    """Every threshold a finite number in its metric's range; ValueError naming the first
    that is not."""
    for name, value in thresholds.items():
        number = finite_number(value)
        if number is None:
            raise ValueError(f"thresholds.{name} must be a finite number, got {_shown(value)}")
        rule = METRICS[problem].get(name)
        allowed = out_of_range(rule, number) if rule else None
        if allowed:
            raise ValueError(f"thresholds.{name} must be {allowed}, got {number}")


def report_metrics(report: Any, uri: str, problem: Problem, names: list[str]) -> dict[str, float]:
    """The values of `names` in the report's section for `problem`."""
    section_name = REPORT_SECTIONS[problem]
    section = report.get(section_name) if isinstance(report, dict) else None
    if not isinstance(section, dict):
        raise ValueError(f"evaluation report {uri} has no {section_name} object")
    metrics: dict[str, float] = {}
    for name in names:
        entry = section.get(name)
        value = entry.get("value") if isinstance(entry, dict) else None
        number = finite_number(value)
        where = f"evaluation report {uri}: {section_name}.{name}.value"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where} must be a number, got {_shown(value)}")
        if number is None:
            raise ValueError(f"{where} must be a finite number, got {_shown(value)}")
        allowed = out_of_range(METRICS[problem][name], number)
        if allowed:
            raise ValueError(f"{where} must be {allowed} for {name}, got {number}")
        metrics[name] = number
    return metrics


def find_champion(
    sagemaker: Any, s3: Any, group: str, problem: Problem, names: list[str]
) -> dict[str, Any] | None:
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
        "metrics": report_metrics(read_json(s3, uri, "champion report"), uri, problem, names),
    }


def decide(
    problem: Problem,
    metrics: dict[str, float],
    thresholds: dict[str, float],
    champion: dict[str, Any] | None,
) -> tuple[str, list[str]]:
    reasons: list[str] = []
    names = gated(problem, thresholds)
    for name in names:
        rule = METRICS[problem][name]
        value, limit = metrics[name], thresholds[name]
        if (value < limit) if rule.higher_is_better else (value > limit):
            side = "below" if rule.higher_is_better else "above"
            reasons.append(f"{name} {value:.4f} is {side} the threshold {limit:.4f}")
    if champion is not None:
        allowed = thresholds[MAX_REGRESSION_KEY]
        for name in names:
            rule = METRICS[problem][name]
            best = champion["metrics"][name]
            worse = worse_by(rule, metrics[name], best)
            if worse > allowed + 1e-12:
                how = f"{worse:.4f} below" if rule.higher_is_better else f"{worse:.1%} above"
                reasons.append(
                    f"{name} {metrics[name]:.4f} is {how} the champion's {best:.4f} "
                    f"(allowed regression {allowed:.4f})"
                )
    return ("reject" if reasons else "approve"), reasons


def evaluate_gate(request: Any, s3: Any, sagemaker: Any) -> dict[str, Any]:
    validate(event=require_object(request, "quality gate input"), schema=INPUT_SCHEMA)
    problem: Problem = request["problem"]
    thresholds = request["thresholds"]
    names = gated(problem, thresholds)
    check_thresholds(problem, thresholds)
    uri = request["evaluationReportS3Uri"]
    metrics = report_metrics(read_json(s3, uri, "evaluation report"), uri, problem, names)
    group = request["modelPackageGroupName"]
    champion = find_champion(sagemaker, s3, group, problem, names)
    decision, reasons = decide(problem, metrics, thresholds, champion)
    return {"decision": decision, "reasons": reasons, "metrics": metrics, "champion": champion}


@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    result = evaluate_gate(event, aws_clients.client("s3"), aws_clients.client("sagemaker"))
    logger.info("quality gate decided", extra={"gate": result})
    return result
