"""retrain: validate input → preprocess → train → evaluate → quality gate → register → deploy.

A rejected model is notified and the execution succeeds: rejection is a decision, not a failure.
With approval mode ``manual`` the package waits in the registry (PendingManualApproval) for a
person; its approval event starts deploy-model.
"""

from __future__ import annotations

from environments.settings import LIVE_ALIAS, Settings
from workflows.chain import Chain
from workflows.choice import Choice, Condition
from workflows.expressions import jsonata
from workflows.integrations.messaging import lambda_invoke, sdk_call, start_execution
from workflows.integrations.sagemaker import (
    Channel,
    ProcessingInput,
    ProcessingOutput,
    training_job,
)
from workflows.integrations.sagemaker_serving import MODEL_PACKAGE_FIELDS
from workflows.machine import StateMachine
from workflows.machines.failure import FailurePath
from workflows.machines.naming import RUN_ID, job, run_location
from workflows.machines.steps import notify_task, script_job
from workflows.permissions import Name, Named
from workflows.states import Pass, Succeed

S3_URI = r"/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/"
VALID_INPUT = (
    "$type($states.input.dataS3Uri) = 'string'"
    f" and $contains($states.input.dataS3Uri, {S3_URI})"
    " and ($not($exists($states.input.approvalMode))"
    " or $states.input.approvalMode in ['auto', 'manual'])"
)
# Every container path is passed to the script as an argument: scripts never hard-code where
# SageMaker mounts their data, so the same files run in the container and in a local workspace.
DATA_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "/opt/ml/processing/output"
MODEL_DIR = "/opt/ml/processing/model"
TEST_DIR = "/opt/ml/processing/test"
REPORT_DIR = "/opt/ml/processing/evaluation"


def training_metrics(settings: Settings) -> list[tuple[str, str]]:
    """The metric definitions that pick `validation:<name>=<value>;` out of train.py's log (a
    score such as r2 may be negative)."""
    return [
        (f"validation:{name}", rf"validation:{name}=(-?[0-9.]+)")
        for name in settings.model.training_metrics
    ]


def build_retrain(settings: Settings) -> StateMachine:
    where = settings.location
    tags = settings.all_tags()
    failure = FailurePath(settings, "retrain")
    run = "$runPrefix & "

    def run_uri(path: str) -> str:
        return jsonata(f"{run}'{path}'")

    def in_run(path: str) -> Named:
        return run_location(settings, run_uri(path))

    # The execution input names the training data; the training job's result, the model.
    data = Named(jsonata("$dataS3Uri"), Name.from_origin("input"))
    model_data = Named(jsonata("$modelDataUrl"), Name.from_origin("result"))

    validate = Choice("ValidateInput", comment="Reject input that names no S3 data")
    initialize = Pass(
        "Initialize",
        assign={
            "runId": RUN_ID,
            "dataS3Uri": jsonata("$states.input.dataS3Uri"),
            "trigger": jsonata("$exists($states.input.trigger) ? $states.input.trigger : {}"),
            "approvalMode": jsonata(
                f"$exists($states.input.approvalMode) ? $states.input.approvalMode : "
                f"'{settings.approval_mode}'"
            ),
            "gate": None,
            "modelPackageArn": None,
            "deployment": None,
        },
    )
    set_paths = Pass(
        "SetRunPaths",
        assign={
            "runPrefix": jsonata(
                f"'s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}' & $runId & '/'"
            )
        },
    )
    preprocess = script_job(
        "Preprocess",
        settings,
        stage="prep",
        script="preprocess.py",
        arguments=[
            *("--input-dir", DATA_DIR, "--output-dir", OUTPUT_DIR),
            *("--test-size", "0.2", "--validation-size", "0.1"),
        ],
        inputs=[ProcessingInput("data", data, DATA_DIR)],
        outputs=[
            ProcessingOutput(name, in_run(f"preprocess/{name}/"), f"{OUTPUT_DIR}/{name}")
            for name in ("train", "validation", "test", "baseline", "transformer")
        ],
    )
    train = training_job(
        "Train",
        where,
        job_name=job(settings, "train"),
        role_arn=settings.sagemaker_role_arn,
        image=settings.sklearn_image,
        hyperparameters={
            **settings.hyperparameters,
            "sagemaker_program": "train.py",
            "sagemaker_submit_directory": settings.code_uri + "sourcedir.tar.gz",
        },
        channels=[
            Channel("train", in_run("preprocess/train/")),
            Channel("validation", in_run("preprocess/validation/")),
            Channel("transformer", in_run("preprocess/transformer/"), content_type=None),
        ],
        output_path=in_run("model/"),
        compute=settings.training,
        spot=settings.spot,
        checkpoint_s3_uri=in_run("checkpoints/") if settings.spot else None,
        metric_definitions=training_metrics(settings),
        tags=tags,
        assign={
            "modelDataUrl": jsonata("$states.result.ModelArtifacts.S3ModelArtifacts"),
            "trainingJobName": jsonata("$states.result.TrainingJobName"),
        },
        output=jsonata("$states.input"),
    )
    evaluate = script_job(
        "Evaluate",
        settings,
        stage="eval",
        script="evaluate.py",
        arguments=["--model-dir", MODEL_DIR, "--test-dir", TEST_DIR, "--output-dir", REPORT_DIR],
        inputs=[
            ProcessingInput("model", model_data, MODEL_DIR),
            ProcessingInput("test", in_run("preprocess/test/"), TEST_DIR),
        ],
        outputs=[ProcessingOutput("evaluation", in_run("evaluation/"), REPORT_DIR)],
        assign={"evaluationReportS3Uri": run_uri("evaluation/evaluation.json")},
    )
    gate = lambda_invoke(
        "QualityGate",
        where,
        function_name=settings.function_name("quality_gate"),
        qualifier=LIVE_ALIAS,
        payload={
            "evaluationReportS3Uri": jsonata("$evaluationReportS3Uri"),
            "problem": settings.model.problem,
            "thresholds": dict(settings.thresholds),
            "modelPackageGroupName": settings.model_package_group,
        },
        assign={"gate": jsonata("$states.result.Payload")},
        output=jsonata("$states.result.Payload"),
    )
    register = sdk_call(
        "RegisterModel",
        where,
        service="sagemaker",
        action="createModelPackage",
        arguments={
            "ModelPackageGroupName": settings.model_package_group,
            "ModelPackageDescription": jsonata(
                "'Trained by execution ' & $states.context.Execution.Name"
            ),
            "ClientToken": jsonata("$runId"),
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": settings.sklearn_image,
                        "ModelDataUrl": model_data,
                        "Environment": {
                            "SAGEMAKER_PROGRAM": "inference.py",
                            "SAGEMAKER_SUBMIT_DIRECTORY": settings.code_uri + "sourcedir.tar.gz",
                        },
                    }
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": [settings.endpoint.instance_type],
                "SupportedTransformInstanceTypes": [settings.processing.instance_type],
            },
            "ModelApprovalStatus": jsonata(
                "$approvalMode = 'auto' ? 'Approved' : 'PendingManualApproval'"
            ),
            "ModelMetrics": {
                "ModelQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": jsonata("$evaluationReportS3Uri"),
                    }
                }
            },
            "DriftCheckBaselines": {
                "ModelDataQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": run_uri("preprocess/baseline/statistics.json"),
                    }
                }
            },
            "CustomerMetadataProperties": {
                "run-id": jsonata("$runId"),
                "execution": jsonata("$states.context.Execution.Name"),
                "approval-mode": jsonata("$approvalMode"),
                "training-job": jsonata("$trainingJobName"),
            },
        },
        declare=MODEL_PACKAGE_FIELDS,
        assign={"modelPackageArn": jsonata("$states.result.ModelPackageArn")},
    )
    deploy = start_execution(
        "DeployModel",
        where,
        state_machine_arn=settings.state_machine_alias_arn("deploy-model"),
        execution_input={
            "modelPackageArn": jsonata("$modelPackageArn"),
            "requestedBy": jsonata("$states.context.Execution.Id"),
        },
        execution_name=jsonata("'deploy-' & $runId"),
        assign={"deployment": jsonata("$states.result.Output")},
    )

    def notify(name: str, kind: str) -> Chain:
        task = notify_task(
            name,
            settings,
            machine="retrain",
            kind=kind,
            details={
                "decision": jsonata("$gate.decision"),
                "reasons": jsonata("$gate.reasons"),
                "metrics": jsonata("$gate.metrics"),
                "champion": jsonata("$gate.champion"),
                "approvalMode": jsonata("$approvalMode"),
                "modelPackageArn": jsonata("$modelPackageArn"),
                "deployment": jsonata("$deployment"),
            },
        )
        failure.protect(task)
        return Chain.start(task)

    summary = jsonata(
        "{'runId': $runId, 'dataS3Uri': $dataS3Uri, 'trigger': $trigger, "
        "'decision': $gate.decision, 'reasons': $gate.reasons, 'metrics': $gate.metrics, "
        "'approvalMode': $approvalMode, 'modelPackageArn': $modelPackageArn, "
        "'deployment': $deployment}"
    )
    rejected = notify("NotifyRejected", "model_rejected").next(Succeed("Rejected", output=summary))
    succeeded = notify("NotifySucceeded", "retrain_succeeded").next(
        Succeed("Succeeded", output=summary)
    )
    approval = (
        Choice("ApprovalMode")
        .when(
            Condition.jsonata("$approvalMode = 'auto'"),
            Chain.start(deploy).next(succeeded),
            label="auto",
        )
        .otherwise(notify("RequestApproval", "approval_requested").next(succeeded), label="manual")
    )
    decision = (
        Choice("GateDecision")
        .when(
            Condition.jsonata("$gate.decision = 'approve'"),
            Chain.start(register).next(approval),
            label="approve",
        )
        .otherwise(rejected, label="reject")
    )
    failure.protect(preprocess, train, evaluate, gate, register, deploy)

    validate.when(
        Condition.jsonata(VALID_INPUT),
        Chain.sequence(initialize, set_paths, preprocess, train, evaluate, gate, decision),
        label="valid input",
    ).otherwise(
        failure.reject_input(
            "InvalidInput",
            'expected input {"dataS3Uri": "s3://<bucket>/<key or prefix>", '
            '"approvalMode": "auto" | "manual" (optional)}',
        ),
        label="invalid input",
    )
    return StateMachine(
        name=settings.state_machine_name("retrain"),
        definition=validate,
        comment="Retrain, evaluate, gate, register and deploy the model on new data or drift",
        timeout_seconds=6 * 3600 + 2 * settings.training.max_runtime_seconds,
    )
