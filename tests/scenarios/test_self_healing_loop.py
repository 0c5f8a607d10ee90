"""The whole loop with the real SageMaker job scripts, decided by the metrics they compute.

New clean data lands in S3 and EventBridge delivers its event twice (at-least-once delivery):
one retrain runs, learns a model that passes the quality gate, and deploys it. Then drifted,
poorly labelled data reaches the endpoint: the scheduled drift-check runs the real drift job on
the captured requests, finds drift and publishes it; the drift rule starts a retrain on the
newest labelled data, and the quality gate rejects what it learns. The endpoint keeps serving
the first model throughout.

The loop runs once for the module (the jobs take seconds); each test checks one part of it.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from environments.settings import load_settings
from examples.churn import churn_data as churn
from examples.churn.churn_data import generate
from localcloud import LocalCloud
from tasks.data.capture import write_capture
from tests.scenarios.cases import DEPLOY_MODEL_CREATES, DEPLOYED, TO_GATE, states_entered
from tests.scenarios.stack import Stack, deploy_stack

# Small enough that each job runs in about its interpreter's start-up time, large enough that
# the model learns (AUC ~0.88 on clean data) and the drift test has power.
CLEAN_ROWS = 1500
DRIFTED_ROWS = 800
NEW_DATA_KEY = "churn-2026-11.csv"
RUN_TIMEOUT = 120.0


@dataclass
class Loop:
    cloud: LocalCloud
    stack: Stack
    first: dict[str, Any]  # the retrain started by the upload
    retrains: list[dict[str, Any]]  # every retrain execution after the upload, described
    drift_check: dict[str, Any]
    second: dict[str, Any]  # the retrain started by drift


def _csv(frame: pd.DataFrame) -> bytes:
    body = io.StringIO()
    frame.to_csv(body, index=False, lineterminator="\n")
    return body.getvalue().encode()


def _executions(cloud: LocalCloud, state_machine_arn: str) -> list[dict[str, Any]]:
    sfn = cloud.client("stepfunctions")
    listed = sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]
    return [sfn.describe_execution(executionArn=e["executionArn"]) for e in reversed(listed)]


def _upload_capture(cloud: LocalCloud, stack: Stack, frame: pd.DataFrame) -> None:
    settings = stack.settings
    bucket, _, prefix = settings.data_capture_uri.removeprefix("s3://").partition("/")
    s3 = cloud.client("s3")
    with tempfile.TemporaryDirectory() as tmp:
        for path in write_capture(
            frame, tmp, features=churn.FEATURES, endpoint_name=settings.endpoint.name
        ):
            key = prefix + path.relative_to(tmp).as_posix()
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())


@pytest.fixture(scope="module")
def loop() -> Iterator[Loop]:
    with LocalCloud() as cloud:
        settings = load_settings("dev")
        stack = deploy_stack(cloud.client, settings)
        s3 = cloud.client("s3")
        retrain = stack.state_machines["retrain"]

        key = settings.prefixes["training_data"] + NEW_DATA_KEY
        with cloud.duplicate_deliveries(2):
            s3.put_object(
                Bucket=settings.data_bucket, Key=key, Body=_csv(generate(seed=7, rows=CLEAN_ROWS))
            )
        cloud.wait_until_idle(RUN_TIMEOUT)
        retrains = _executions(cloud, retrain)

        # The world changes: requests drift, and their labelled outcomes are noisy.
        drifted = generate(seed=11, rows=DRIFTED_ROWS, drift=0.9, label_noise=0.45)
        _upload_capture(cloud, stack, drifted)
        s3.put_object(
            Bucket=settings.data_bucket,
            Key=settings.prefixes["ground_truth"] + "labelled-2026-12.csv",
            Body=_csv(drifted),
        )
        check = cloud.fire_schedule(settings.name("drift-check"), settings.schedule_group)
        cloud.wait_until_idle(RUN_TIMEOUT)
        drift_check = cloud.wait_for_execution(check)
        later = _executions(cloud, retrain)[len(retrains) :]
        # One drift found is one retrain: the drift event and alarm must not both start one.
        assert len(later) <= 1, [e["name"] for e in later]
        yield Loop(cloud, stack, retrains[0], retrains, drift_check, later[0] if later else {})


def _output(execution: dict[str, Any]) -> dict[str, Any]:
    output: dict[str, Any] = json.loads(execution.get("output") or "{}")
    return output


def _report_metrics(loop: Loop, output: dict[str, Any]) -> dict[str, float]:
    """The gate's metrics are the evaluation job's report, read back from S3."""
    settings = loop.stack.settings
    key = f"{settings.prefixes['runs']}{output['runId']}/evaluation/evaluation.json"
    body = loop.cloud.client("s3").get_object(Bucket=settings.artifacts_bucket, Key=key)["Body"]
    report = json.loads(body.read())["binary_classification_metrics"]
    return {name: report[name]["value"] for name in ("auc", "accuracy", "f1")}


def test_a_redelivered_upload_event_starts_one_retrain(loop: Loop) -> None:
    settings = loop.stack.settings
    deliveries = loop.cloud.deliveries(settings.name("training-data-uploaded"))
    assert [d["target"] for d in deliveries] == [loop.stack.functions["trigger"]] * 2
    assert deliveries[0]["event"] == deliveries[1]["event"]
    assert len(loop.retrains) == 1
    assert loop.first["name"].startswith("s3-incoming-churn-2026-11-csv-")
    trigger = json.loads(loop.first["input"])["trigger"]
    assert trigger["source"] == "s3"
    assert trigger["eventId"] == deliveries[0]["event"]


def test_a_retrain_on_clean_data_passes_the_gate_and_deploys(loop: Loop) -> None:
    settings = loop.stack.settings
    assert loop.first["status"] == "SUCCEEDED", loop.first
    assert states_entered(loop.cloud, loop.first["executionArn"]) == list(DEPLOYED)
    output = _output(loop.first)
    assert output["decision"] == "approve"
    for metric, threshold in (("auc", 0.75), ("accuracy", 0.70), ("f1", 0.55)):
        assert output["metrics"][metric] >= threshold
    assert output["metrics"] == _report_metrics(loop, output)
    jobs = [(j.kind, j.status) for j in loop.cloud.job_times()[:3]]
    assert jobs == [
        ("processing", "Completed"),
        ("training", "Completed"),
        ("processing", "Completed"),
    ]
    [deploy] = _executions(loop.cloud, loop.stack.state_machines["deploy-model"])
    assert deploy["status"] == "SUCCEEDED"
    assert states_entered(loop.cloud, deploy["executionArn"]) == list(DEPLOY_MODEL_CREATES)
    endpoint = loop.cloud.client("sagemaker").describe_endpoint(EndpointName=settings.endpoint.name)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == output["deployment"]["endpointConfigName"]


DRIFT_FOUND = [
    "Initialize",
    "SetRunPaths",
    "FindServingModel",
    "HasServingModel",
    "DescribeBaseline",
    "CheckDrift",
    "ReadDriftReport",
    "PublishDriftMetric",
    "DriftFound",
    "PutDriftEvent",
    "NotifyDrift",
    "DriftDetected",
]


def test_drift_check_finds_drift_in_the_captured_requests_and_a_retrain_starts(
    loop: Loop,
) -> None:
    settings = loop.stack.settings
    assert loop.drift_check["status"] == "SUCCEEDED", loop.drift_check
    assert states_entered(loop.cloud, loop.drift_check["executionArn"]) == DRIFT_FOUND
    report = _output(loop.drift_check)
    assert report["driftDetected"] is True
    assert report["maxPsi"] > settings.drift.psi_threshold
    assert {"age", "contract_type", "internet_service"} <= set(report["driftedFeatures"])
    assert report["modelPackageArn"] == _output(loop.first)["modelPackageArn"]
    metrics = loop.cloud.client("cloudwatch").list_metrics(
        Namespace=settings.drift_metric_namespace
    )["Metrics"]
    assert {m["MetricName"] for m in metrics} == {"MaxPSI", "DriftDetected", "FeaturePSI"}
    # One PSI per feature, for the dashboard's drift widget: the report's own values.
    per_feature = {
        dimension["Value"]
        for m in metrics
        if m["MetricName"] == "FeaturePSI"
        for dimension in m["Dimensions"]
        if dimension["Name"] == "Feature"
    }
    assert per_feature == {f.name for f in settings.model.features}
    # Step Functions times each job it waited for: the dashboard's job-duration lines.
    timed = loop.cloud.client("cloudwatch").list_metrics(
        Namespace="AWS/States", MetricName="ServiceIntegrationTime"
    )["Metrics"]
    assert {d["Value"] for m in timed for d in m["Dimensions"]} >= {
        settings.location.integration("sagemaker:createTrainingJob.sync"),
        settings.location.integration("sagemaker:createProcessingJob.sync"),
    }
    assert loop.second, "the drift event started no retrain"
    assert loop.second["name"].startswith("drift-")
    started_with = json.loads(loop.second["input"])
    assert started_with["dataS3Uri"] == settings.ground_truth_uri
    assert started_with["trigger"]["source"] == "drift"


def test_a_retrain_on_drifted_noisy_data_is_rejected_by_the_gate(loop: Loop) -> None:
    settings = loop.stack.settings
    assert loop.second["status"] == "SUCCEEDED", loop.second
    assert states_entered(loop.cloud, loop.second["executionArn"]) == [
        *TO_GATE,
        "QualityGate",
        "GateDecision",
        "NotifyRejected",
        "Rejected",
    ]
    output = _output(loop.second)
    assert output["decision"] == "reject"
    assert output["metrics"]["auc"] < 0.75
    assert any("below the threshold" in reason for reason in output["reasons"])
    assert output["metrics"] == _report_metrics(loop, output)
    # Only the first model was ever registered and it still serves.
    packages = loop.cloud.client("sagemaker").list_model_packages(
        ModelPackageGroupName=settings.model_package_group
    )["ModelPackageSummaryList"]
    assert [p["ModelPackageArn"] for p in packages] == [_output(loop.first)["modelPackageArn"]]
    endpoint = loop.cloud.client("sagemaker").describe_endpoint(EndpointName=settings.endpoint.name)
    assert endpoint["EndpointConfigName"] == _output(loop.first)["deployment"]["endpointConfigName"]
    # The notify Lambda's notices (the endpoint's timeline lines come without a subject).
    messages = loop.cloud.sns_messages(settings.topic_name)
    subjects = [m["Subject"] for m in messages if m.get("Subject") is not None]
    assert subjects[2:] == [
        "[churn-dev] Drift detected: churn-dev",
        f"[churn-dev] Model rejected: {loop.second['name']} (AUC {output['metrics']['auc']:.3f})",
    ]
