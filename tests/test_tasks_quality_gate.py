"""The quality gate function on the embedded cloud (localcloud): absolute thresholds, the
comparison with the newest approved champion in the registry, and reports it refuses to decide
on."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tasks.handlers import quality_gate
from tests.scenarios.cases import metrics_report
from tests.tasks_helpers import REGION, churn_group, create_package


def report(auc: float, accuracy: float, f1: float) -> dict[str, Any]:
    return metrics_report({"auc": auc, "accuracy": accuracy, "f1": f1})


THRESHOLDS = {"auc": 0.75, "accuracy": 0.70, "f1": 0.55, "max_regression": 0.02}


def register_champion(sagemaker: Any, s3: Any, metrics: dict[str, Any]) -> str:
    s3.put_object(Bucket="reports", Key="champion.json", Body=json.dumps(metrics))
    return create_package(
        sagemaker,
        "Approved",
        ModelMetrics={
            "ModelQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": "s3://reports/champion.json",
                }
            }
        },
    )


@pytest.fixture
def gate(aws: dict[str, Any]) -> dict[str, Any]:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="reports", CreateBucketConfiguration={"LocationConstraint": REGION})
    return {"s3": s3, "sagemaker": churn_group()}


def gate_request(
    report_key: str, problem: str = "binary", thresholds: dict[str, float] = THRESHOLDS
) -> dict[str, Any]:
    return {
        "evaluationReportS3Uri": f"s3://reports/{report_key}",
        "problem": problem,
        "thresholds": thresholds,
        "modelPackageGroupName": "churn",
    }


def run_gate(
    gate: dict[str, Any], metrics: dict[str, Any] | bytes, **request: Any
) -> dict[str, Any]:
    body = metrics if isinstance(metrics, bytes) else json.dumps(metrics)
    gate["s3"].put_object(Bucket="reports", Key="candidate.json", Body=body)
    return quality_gate.handler(gate_request("candidate.json", **request), None)


def regression_report(**values: float) -> dict[str, Any]:
    return {
        "regression_metrics": {
            name: {"value": value, "standard_deviation": 0.0} for name, value in values.items()
        }
    }


def test_gate_compares_with_the_newest_approved_champion(gate: dict[str, Any]) -> None:
    arn = register_champion(gate["sagemaker"], gate["s3"], report(0.90, 0.85, 0.70))
    result = run_gate(gate, report(0.87, 0.845, 0.70))
    assert result["decision"] == "reject"
    assert result["champion"] == {
        "modelPackageArn": arn,
        "metrics": {"auc": 0.90, "accuracy": 0.85, "f1": 0.70},
    }
    assert len(result["reasons"]) == 1 and result["reasons"][0].startswith(
        "auc 0.8700 is 0.0300 below the champion"
    )
    assert run_gate(gate, report(0.885, 0.84, 0.69))["decision"] == "approve"


def test_gate_rejects_below_absolute_thresholds_without_champion(gate: dict[str, Any]) -> None:
    result = run_gate(gate, report(0.80, 0.65, 0.50))
    assert result["decision"] == "reject" and result["champion"] is None
    assert [r.split()[0] for r in result["reasons"]] == ["accuracy", "f1"]


def test_gate_raises_on_missing_or_malformed_reports(gate: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        run_gate(gate, b"{not json")
    with pytest.raises(
        ValueError, match=r"binary_classification_metrics\.f1\.value must be a number"
    ):
        run_gate(
            gate,
            {"binary_classification_metrics": {"auc": {"value": 0.9}, "accuracy": {"value": 0.9}}},
        )
    with pytest.raises(ValueError, match="could not be read"):
        quality_gate.handler(gate_request("absent.json"), None)


REGRESSION = {"r2": 0.5, "rmse": 40.0, "max_regression": 0.1}


def test_regression_gates_scores_from_below_and_errors_from_above(gate: dict[str, Any]) -> None:
    request = {"problem": "regression", "thresholds": REGRESSION}
    result = run_gate(gate, regression_report(r2=0.45, rmse=41.0, mae=30.0, mse=1681.0), **request)
    assert result["decision"] == "reject"
    assert result["reasons"] == [
        "r2 0.4500 is below the threshold 0.5000",
        "rmse 41.0000 is above the threshold 40.0000",
    ]
    assert run_gate(gate, regression_report(r2=0.6, rmse=39.0), **request)["decision"] == "approve"


def test_an_error_metric_may_rise_by_a_fraction_of_the_champions(gate: dict[str, Any]) -> None:
    # max_regression 0.1 of an rmse of 30 allows 33: the scale is the data's, not 0..1.
    register_champion(gate["sagemaker"], gate["s3"], regression_report(r2=0.7, rmse=30.0))
    request = {"problem": "regression", "thresholds": REGRESSION}
    assert run_gate(gate, regression_report(r2=0.69, rmse=32.9), **request)["decision"] == (
        "approve"
    )
    result = run_gate(gate, regression_report(r2=0.69, rmse=34.5), **request)
    assert result["decision"] == "reject"
    assert result["reasons"] == [
        "rmse 34.5000 is 15.0% above the champion's 30.0000 (allowed regression 0.1000)"
    ]


def test_multiclass_reads_its_own_section_and_refuses_binary_names(gate: dict[str, Any]) -> None:
    report = {"multiclass_classification_metrics": {"macro_f1": {"value": 0.8}}}
    approved = run_gate(
        gate, report, problem="multiclass", thresholds={"macro_f1": 0.7, "max_regression": 0.02}
    )
    assert approved["decision"] == "approve" and approved["metrics"] == {"macro_f1": 0.8}
    with pytest.raises(
        ValueError, match=r"\['auc', 'f1'\] are not multiclass metrics; use accuracy"
    ):
        run_gate(gate, report, problem="multiclass", thresholds=THRESHOLDS)


@pytest.mark.parametrize(
    ("auc_json", "shown"),
    [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf"), ("1e999", "inf")],
)
def test_gate_refuses_non_finite_metrics_naming_them(
    gate: dict[str, Any], auc_json: str, shown: str
) -> None:
    # Python's JSON parser reads these as floats; Infinity used to pass every "at least" test.
    body = json.dumps(report(0.9, 0.9, 0.9)).replace(
        '"auc": {"value": 0.9', f'"auc": {{"value": {auc_json}'
    )
    assert auc_json in body
    with pytest.raises(
        ValueError,
        match=rf"binary_classification_metrics\.auc\.value must be a finite number, got {shown}$",
    ):
        run_gate(gate, body.encode())


def test_gate_refuses_a_score_outside_zero_to_one(gate: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"auc\.value must be from 0 to 1 for auc, got 7\.0"):
        run_gate(gate, report(7.0, 0.9, 0.9))


def test_gate_refuses_an_integer_beyond_the_float_range(gate: dict[str, Any]) -> None:
    body = json.dumps(report(0.9, 0.9, 0.9)).replace(
        '"auc": {"value": 0.9', '"auc": {"value": 1' + "0" * 400
    )
    with pytest.raises(ValueError, match=r"auc\.value must be a finite number, got an integer"):
        run_gate(gate, body.encode())


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_gate_refuses_non_finite_thresholds(gate: dict[str, Any], bad: float) -> None:
    # A NaN threshold passed the input schema's number type and approved every candidate.
    with pytest.raises(ValueError, match=rf"thresholds\.auc must be a finite number, got {bad}"):
        run_gate(gate, report(0.01, 0.9, 0.9), thresholds={**THRESHOLDS, "auc": bad})
