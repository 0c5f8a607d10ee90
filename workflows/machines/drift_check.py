"""drift-check: captured inference data vs the training baseline → drift metric → event.

The baseline is the one registered with the newest Approved model package (its
DriftCheckBaselines), so the check always compares against the model that is serving. Drift
publishes a ``Model Drift Detected`` event, which the retrain trigger rule listens for.
"""

from __future__ import annotations

from environments.settings import Settings
from workflows.chain import Chain
from workflows.choice import Choice, Condition
from workflows.expressions import jsonata
from workflows.integrations.messaging import put_event, sdk_call
from workflows.integrations.sagemaker import ProcessingInput, ProcessingOutput
from workflows.machine import StateMachine
from workflows.machines.failure import FailurePath
from workflows.machines.naming import RUN_ID, run_location
from workflows.machines.steps import notify_task, script_job
from workflows.permissions import Name, Named
from workflows.states import Pass, Succeed
from workflows.strict_json import finite_argument

DRIFT_DETAIL_TYPE = "Model Drift Detected"
# Container paths go to the script as arguments (see retrain.py).
BASELINE_DIR = "/opt/ml/processing/baseline"
CAPTURE_DIR = "/opt/ml/processing/capture"
REPORT_DIR = "/opt/ml/processing/report"


def build_drift_check(settings: Settings) -> StateMachine:
    where = settings.location
    endpoint = settings.endpoint.name
    failure = FailurePath(settings, "drift-check")
    runs = f"{settings.prefixes['runs']}"
    default_capture = f"{settings.data_capture_uri}{endpoint}/"

    initialize = Pass(
        "Initialize",
        assign={
            "runId": RUN_ID,
            "captureS3Uri": jsonata(
                "$exists($states.input.captureS3Uri) ? $states.input.captureS3Uri : "
                f"'{default_capture}'"
            ),
        },
    )
    set_paths = Pass(
        "SetRunPaths",
        assign={"reportKey": jsonata(f"'{runs}' & $runId & '/drift/drift.json'")},
    )
    find_model = sdk_call(
        "FindServingModel",
        where,
        service="sagemaker",
        action="listModelPackages",
        arguments={
            "ModelPackageGroupName": settings.model_package_group,
            "ModelApprovalStatus": "Approved",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 1,
        },
        assign={
            "modelPackageArn": jsonata(
                "$count($states.result.ModelPackageSummaryList) > 0 ? "
                "$states.result.ModelPackageSummaryList[0].ModelPackageArn : null"
            )
        },
    )
    describe_model = sdk_call(
        "DescribeBaseline",
        where,
        service="sagemaker",
        action="describeModelPackage",
        arguments={"ModelPackageName": jsonata("$modelPackageArn")},
        assign={
            "baselineS3Uri": jsonata(
                "$states.result.DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri"
            )
        },
    )
    baseline = Named(jsonata("$baselineS3Uri"), Name.from_origin("result"))
    capture = Named(
        jsonata("$captureS3Uri"),
        Name.from_origin("input"),
        also=(Name.literal(default_capture),),
    )
    check = script_job(
        "CheckDrift",
        settings,
        stage="drift",
        script="drift_check.py",
        arguments=[
            "--baseline-dir",
            BASELINE_DIR,
            "--capture-dir",
            CAPTURE_DIR,
            "--report-dir",
            REPORT_DIR,
            "--psi-threshold",
            finite_argument(settings.drift.psi_threshold, "drift.psi_threshold"),
            "--ks-pvalue",
            finite_argument(settings.drift.ks_pvalue, "drift.ks_pvalue"),
        ],
        inputs=[
            # Registered with the serving model package: an output of the retrain jobs.
            ProcessingInput("baseline", baseline, BASELINE_DIR),
            ProcessingInput("capture", capture, CAPTURE_DIR),
        ],
        outputs=[
            ProcessingOutput(
                "report",
                run_location(
                    settings,
                    jsonata(f"'s3://{settings.artifacts_bucket}/{runs}' & $runId & '/drift/'"),
                ),
                REPORT_DIR,
            )
        ],
    )
    read_report = sdk_call(
        "ReadDriftReport",
        where,
        service="s3",
        action="getObject",
        arguments={
            "Bucket": settings.artifacts_bucket,
            "Key": Named(jsonata("$reportKey"), Name.prefix(runs)),
        },
        assign={"drift": jsonata("$parse($states.result.Body)")},
        output=jsonata("$parse($states.result.Body)"),
    )
    dimensions = [{"Name": "EndpointName", "Value": endpoint}]
    publish = sdk_call(
        "PublishDriftMetric",
        where,
        service="cloudwatch",
        action="putMetricData",
        arguments={
            "Namespace": settings.drift_metric_namespace,
            "MetricData": [
                {
                    "MetricName": "MaxPSI",
                    "Dimensions": dimensions,
                    "Value": jsonata("$drift.max_psi"),
                    "Unit": "None",
                },
                {
                    "MetricName": "DriftDetected",
                    "Dimensions": dimensions,
                    "Value": jsonata("$drift.drift_detected ? 1 : 0"),
                    "Unit": "Count",
                },
                # One line per feature on the dashboard's drift widget.
                *(
                    {
                        "MetricName": "FeaturePSI",
                        "Dimensions": [*dimensions, {"Name": "Feature", "Value": feature.name}],
                        "Value": jsonata(f"$drift.features.`{feature.name}`.psi"),
                        "Unit": "None",
                    }
                    for feature in settings.model.features
                ),
            ],
        },
    )
    detail = jsonata(
        f"{{'endpointName': '{endpoint}', 'modelPackageArn': $modelPackageArn, "
        "'maxPsi': $drift.max_psi, 'driftedFeatures': $drift.drifted_features, "
        f"'reportS3Uri': 's3://{settings.artifacts_bucket}/' & $reportKey, "
        "'executionArn': $states.context.Execution.Id}"
    )
    put_drift = put_event(
        "PutDriftEvent",
        where,
        source=settings.drift_event_source,
        detail_type=DRIFT_DETAIL_TYPE,
        detail=detail,
    )
    notify = notify_task(
        "NotifyDrift",
        settings,
        machine="drift-check",
        kind="drift_detected",
        details={
            "endpointName": endpoint,
            "modelPackageArn": jsonata("$modelPackageArn"),
            "drift": jsonata("$drift"),
        },
    )
    failure.protect(find_model, describe_model, check, read_report, publish, put_drift, notify)
    summary = jsonata(
        "{'driftDetected': $drift.drift_detected, 'maxPsi': $drift.max_psi, "
        "'driftedFeatures': $drift.drifted_features, 'modelPackageArn': $modelPackageArn}"
    )
    verdict = (
        Choice("DriftFound")
        .when(
            Condition.jsonata("$drift.drift_detected"),
            Chain.sequence(put_drift, notify, Succeed("DriftDetected", output=summary)),
            label="drift",
        )
        .otherwise(Succeed("NoDrift", output=summary), label="no drift")
    )
    serving = (
        Choice("HasServingModel")
        .when(
            Condition.jsonata("$modelPackageArn != null"),
            Chain.sequence(describe_model, check, read_report, publish, verdict),
            label="serving model",
        )
        .otherwise(
            Succeed(
                "NothingToCheck",
                comment="No approved model yet: there is no baseline to compare with",
                output=jsonata("{'driftDetected': false, 'reason': 'no approved model package'}"),
            ),
            label="no model yet",
        )
    )
    return StateMachine(
        name=settings.state_machine_name("drift-check"),
        definition=Chain.sequence(initialize, set_paths, find_model, serving),
        comment="Compare captured inference data with the training baseline; report drift",
        timeout_seconds=2 * 3600 + settings.processing.max_runtime_seconds,
    )
