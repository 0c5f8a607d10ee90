"""Service-integration tasks: every request body is valid for its API and carries what AWS needs."""

from __future__ import annotations

import dataclasses
import hashlib
import re

import jsonata
import pytest

from asl_validation.requests import check_request, operation_for
from asl_validation.walk import iter_states
from environments.arns import Location
from environments.settings import load_settings
from workflows.expressions import QueryLanguage
from workflows.expressions import jsonata as jsonata_expr
from workflows.machines import build_all
from workflows.machines.naming import RUN_ID, job_name

ENVS = ["dev", "prod"]
SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def tasks(env: str) -> list[tuple[str, str, dict]]:
    found = []
    for machine, sm in build_all(load_settings(env)).items():
        for visit in iter_states(sm.to_asl()):
            if visit.state["Type"] == "Task":
                found.append((machine, visit.name, visit.state))
    return found


def task(env: str, machine: str, name: str) -> dict:
    return next(s for m, n, s in tasks(env) if (m, n) == (machine, name))


@pytest.mark.parametrize("env", ENVS)
def test_every_request_body_is_valid_for_its_api(env):
    checked = 0
    for machine, name, state in tasks(env):
        assert check_request(state["Resource"], state["Arguments"]) == [], (machine, name)
        checked += 1
    assert checked >= 30


def test_request_check_catches_what_the_api_would_reject():
    resource = "arn:aws:states:::sagemaker:createEndpoint"
    assert check_request(resource, {"EndpointName": "e"}) == [
        "CreateEndpoint.EndpointConfigName: required by CreateEndpointInput but missing"
    ]
    problems = check_request(
        resource, {"EndpointName": "e", "EndpointConfigName": "c", "Colour": 1}
    )
    assert problems and "Colour: not a member" in problems[0]
    problems = check_request(
        "arn:aws:states:::aws-sdk:sagemaker:listModelPackages",
        {"ModelApprovalStatus": "Maybe"},
    )
    assert problems == [
        "ListModelPackages.ModelApprovalStatus: 'Maybe' is not one of "
        "Approved, Rejected, PendingManualApproval"
    ]


def test_request_check_holds_maps_to_their_entry_and_key_bounds():
    resource = "arn:aws:states:::sagemaker:createTrainingJob.sync"
    too_many = {f"h{i}": "1" for i in range(101)}
    problems = check_request(resource, {"HyperParameters": too_many})
    assert "CreateTrainingJob.HyperParameters: 101 entries is above the maximum 100" in problems
    long_key = "k" * 257
    problems = check_request(resource, {"HyperParameters": {long_key: "1"}})
    assert (
        f"CreateTrainingJob.HyperParameters.{long_key}: 257 characters in the key is above "
        "the maximum 256"
    ) in problems


def test_integration_arns_map_to_api_operations():
    assert operation_for("arn:aws:states:::sagemaker:createTrainingJob.sync") == (
        "sagemaker",
        "CreateTrainingJob",
    )
    assert operation_for("arn:aws:states:::states:startExecution.sync:2") == (
        "stepfunctions",
        "StartExecution",
    )
    assert operation_for("arn:aws:states:::aws-sdk:applicationautoscaling:putScalingPolicy") == (
        "application-autoscaling",
        "PutScalingPolicy",
    )
    assert operation_for("arn:aws:states:::lambda:invoke.waitForTaskToken") == ("lambda", "Invoke")


@pytest.mark.parametrize("name", ["Preprocess", "Evaluate"])
def test_processing_inputs_and_outputs_are_named(name):
    body = task("dev", "retrain", name)["Arguments"]
    assert body["ProcessingInputs"] and all(i["InputName"] for i in body["ProcessingInputs"])
    outputs = body["ProcessingOutputConfig"]["Outputs"]
    assert outputs and all(o["OutputName"] for o in outputs)
    assert task("dev", "retrain", name)["Resource"].endswith("createProcessingJob.sync")


def test_spot_training_has_max_wait_and_checkpoints():
    settings = load_settings("dev")
    body = task("dev", "retrain", "Train")["Arguments"]
    assert body["EnableManagedSpotTraining"] is True
    assert body["StoppingCondition"] == {
        "MaxRuntimeInSeconds": settings.training.max_runtime_seconds,
        "MaxWaitTimeInSeconds": settings.spot.max_wait_seconds,
    }
    assert body["CheckpointConfig"]["S3Uri"].endswith("'checkpoints/' %}")
    assert body["HyperParameters"]["sagemaker_program"] == "train.py"


def test_on_demand_training_has_no_spot_fields():
    settings = load_settings("dev")
    on_demand = dataclasses.replace(settings, spot=None)
    state = build_all(on_demand)["retrain"].to_asl()["States"]["Train"]
    assert "EnableManagedSpotTraining" not in state["Arguments"]
    assert "CheckpointConfig" not in state["Arguments"]
    assert state["Arguments"]["StoppingCondition"] == {
        "MaxRuntimeInSeconds": settings.training.max_runtime_seconds
    }


def test_endpoint_config_captures_data():
    settings = load_settings("prod")
    body = task("prod", "deploy-model", "CreateEndpointConfig")["Arguments"]
    assert body["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": settings.endpoint.sampling_percentage,
        "DestinationS3Uri": settings.data_capture_uri,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    }


def test_update_endpoint_is_blue_green_canary_with_rollback_alarms():
    settings = load_settings("prod")
    config = task("prod", "deploy-model", "UpdateEndpoint")["Arguments"]["DeploymentConfig"]
    policy = config["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {
        "Type": "CANARY",
        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
        "WaitIntervalInSeconds": 600,
    }
    assert policy["TerminationWaitInSeconds"] == 600
    assert 600 <= policy["MaximumExecutionTimeoutInSeconds"] <= 28800
    assert config["AutoRollbackConfiguration"] == {
        "Alarms": [{"AlarmName": a} for a in settings.rollback_alarms]
    }


def test_endpoint_wait_loop_polls_describe_endpoint():
    states = build_all(load_settings("dev"))["deploy-model"].to_asl()["States"]
    assert states["DescribeEndpoint"]["Resource"] == (
        "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint"
    )
    assert states["WaitForEndpoint"]["Next"] == "DescribeEndpoint"
    choices = states["EndpointStatus"]["Choices"]
    # Served (InService, or already changing to a later deploy's config), or superseded.
    assert [c["Next"] for c in choices[:3]] == ["RegisterScalableTarget"] * 3
    assert [c["Assign"]["supersededBy"] for c in choices[:3]] == [
        None,
        None,
        "{% $liveConfigName %}",
    ]
    assert states["EndpointStatus"]["Default"] == "WaitForEndpoint"
    assert [c["Assign"]["error"] for c in choices[3:]] == [
        "DeploymentRolledBack",
        "EndpointFailed",
        "EndpointWaitTimedOut",
    ]


def test_a_deploy_waits_its_turn_on_a_changing_endpoint():
    states = build_all(load_settings("dev"))["deploy-model"].to_asl()["States"]
    assert states["CreateOrUpdate"]["Choices"][0]["Next"] == "StartTurnWait"
    assert states["DescribeLiveEndpoint"]["Next"] == "EndpointBusy"
    busy = states["EndpointBusy"]
    assert [c["Next"] for c in busy["Choices"]] == ["NotifyFailure", "WaitForTurn"]
    assert busy["Choices"][0]["Assign"]["error"] == "EndpointBusy"
    assert busy["Default"] == "UpdateEndpoint"
    assert states["WaitForTurn"]["Next"] == "DescribeLiveEndpoint"
    # A refusal because another update came first waits; the catch-all comes after it.
    update_catches = states["UpdateEndpoint"]["Catch"]
    assert [(c["ErrorEquals"], c["Next"]) for c in update_catches] == [
        (["SageMaker.AmazonSageMakerException"], "UpdateRefused"),
        (["States.ALL"], "NotifyFailure"),
    ]
    refused = states["UpdateRefused"]["Choices"][0]
    assert "Cannot update in-progress endpoint" in refused["Condition"]
    assert refused["Next"] == "WaitForTurn"
    assert states["CreateEndpoint"]["Catch"][0]["Next"] == "CreateRefused"
    assert states["CreateRefused"]["Choices"][0]["Next"] == "StartTurnWait"


def test_lambda_tasks_retry_lambda_service_errors():
    for machine, name, state in tasks("dev"):
        if state["Resource"].startswith("arn:aws:states:::lambda:invoke"):
            errors = state["Retry"][0]["ErrorEquals"]
            assert errors == [
                "Lambda.ServiceException",
                "Lambda.AWSLambdaException",
                "Lambda.SdkClientException",
                "Lambda.TooManyRequestsException",
            ], (machine, name)


def test_every_task_retries_with_backoff_and_jitter_and_is_caught():
    for machine, name, state in tasks("dev"):
        assert state["Retry"], (machine, name)
        for retry in state["Retry"]:
            assert "States.ALL" not in retry["ErrorEquals"]
            assert retry["BackoffRate"] >= 1 and retry["JitterStrategy"] == "FULL"
        catch = state["Catch"][-1]
        assert catch["ErrorEquals"] == ["States.ALL"], (machine, name)
        expected = "Failed" if name == "NotifyFailure" else "NotifyFailure"
        assert catch["Next"] == expected, (machine, name)


def test_nested_deploy_runs_synchronously_on_the_live_alias():
    settings = load_settings("dev")
    state = task("dev", "retrain", "DeployModel")
    assert state["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert state["Arguments"]["StateMachineArn"] == (
        "arn:aws:states:us-east-1:123456789012:stateMachine:churn-dev-deploy-model:live"
    )
    assert state["Arguments"]["StateMachineArn"] == settings.state_machine_alias_arn("deploy-model")


def test_location_comes_from_settings_not_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    settings = load_settings("dev")
    china = dataclasses.replace(
        settings, location=Location(partition="aws-cn", region="cn-north-1", account="210987654321")
    )
    text = str(build_all(china)["retrain"].to_asl())
    assert "eu-west-3" not in text
    assert "arn:aws:" not in text
    assert "arn:aws-cn:states:::sagemaker:createTrainingJob.sync" in text
    assert "arn:aws-cn:iam::210987654321:role/churn-dev-sagemaker-execution" in text


def evaluate(expression: str, execution_name: str, retry_count: int, run_id: str = "") -> str:
    expr = jsonata.Jsonata(expression[3:-3])
    # Step Functions' $hash(value, algorithm) returns the hex digest.
    expr.register_lambda("hash", lambda value, _alg: hashlib.sha256(value.encode()).hexdigest())
    expr.assign(
        "states",
        {"context": {"Execution": {"Name": execution_name}, "State": {"RetryCount": retry_count}}},
    )
    expr.assign("runId", run_id)
    return str(expr.evaluate(None))


@pytest.mark.parametrize("stage", ["prep", "train", "eval", "drift"])
def test_job_names_fit_sagemaker_and_differ_per_execution_and_attempt(stage):
    settings = load_settings("prod")
    long_a = "s3-" + "a" * 70 + ":x_y"
    long_b = "s3-" + "a" * 70 + ":x_z"
    names = set()
    for execution in (long_a, long_b, "drift-1f2e"):
        run_id = evaluate(RUN_ID, execution, 0)
        for attempt in (0, 1, 9):
            name = evaluate(job_name(settings, stage), execution, attempt, run_id)
            assert SAGEMAKER_NAME.match(name), name
            assert len(name) <= 63
            names.add(name)
    assert len(names) == 9


def test_a_prefix_too_long_for_sagemaker_names_is_refused():
    settings = dataclasses.replace(load_settings("dev"), project="p" * 22, environment="e" * 8)
    with pytest.raises(ValueError, match="shorten project or environment"):
        job_name(settings, "train")


LOCATION = Location(partition="aws", region="us-east-1", account="123456789012")
JSONATA_LANG = QueryLanguage.JSONATA


def test_transform_job_request():
    from workflows.integrations.sagemaker import transform_job

    state = transform_job(
        "Score",
        LOCATION,
        job_name=jsonata_expr("'churn-dev-score-' & $runId"),
        model_name="churn-dev-model-1",
        input_s3_uri="s3://b/in/",
        output_s3_uri="s3://b/out/",
        instance_type="ml.m5.large",
        tags={"project": "churn"},
    ).to_asl(JSONATA_LANG, JSONATA_LANG)
    assert state["Resource"] == "arn:aws:states:::sagemaker:createTransformJob.sync"
    assert check_request(state["Resource"], state["Arguments"]) == []
    assert state["Arguments"]["TransformInput"]["DataSource"]["S3DataSource"] == {
        "S3DataType": "S3Prefix",
        "S3Uri": "s3://b/in/",
    }


def test_callback_and_fire_and_forget_variants():
    from workflows.integrations.messaging import lambda_invoke, sns_publish, start_execution

    token = jsonata_expr("$states.context.Task.Token")
    invoke = lambda_invoke(
        "Ask",
        LOCATION,
        function_name="f",
        payload={"token": token},
        wait_for_task_token=True,
        heartbeat_seconds=3600,
    ).to_asl(JSONATA_LANG, JSONATA_LANG)
    assert invoke["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert invoke["HeartbeatSeconds"] == 3600
    assert invoke["Arguments"]["FunctionName"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:f"
    )
    publish = sns_publish(
        "AskByMail",
        LOCATION,
        topic="t",
        message={"token": token},
        subject="approve?",
        wait_for_task_token=True,
    ).to_asl(JSONATA_LANG, JSONATA_LANG)
    assert publish["Resource"] == "arn:aws:states:::sns:publish.waitForTaskToken"
    assert publish["Arguments"]["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:t"
    start = start_execution(
        "Kick",
        LOCATION,
        state_machine_arn=LOCATION.state_machine("other"),
        execution_input={"a": 1},
        wait=False,
    ).to_asl(JSONATA_LANG, JSONATA_LANG)
    assert start["Resource"] == "arn:aws:states:::states:startExecution"
    for state in (invoke, publish, start):
        assert check_request(state["Resource"], state["Arguments"]) == []


def test_sdk_call_needs_camel_case_actions():
    from workflows.integrations.messaging import sdk_call

    with pytest.raises(ValueError, match="camelCase"):
        sdk_call("X", LOCATION, service="sagemaker", action="DescribeEndpoint", arguments={})


def test_spot_training_without_checkpoint_is_refused():
    from environments.settings import Spot
    from workflows.integrations.sagemaker import Channel, training_job

    settings = load_settings("dev")
    with pytest.raises(ValueError, match="checkpoint_s3_uri"):
        training_job(
            "Train",
            LOCATION,
            job_name="j",
            role_arn="r",
            image="i",
            hyperparameters={},
            channels=[Channel("train", "s3://b/t/")],
            output_path="s3://b/o/",
            compute=settings.training,
            spot=Spot(True, 7200),
            tags={},
        )


@pytest.mark.parametrize("machine", ["retrain", "deploy-model", "drift-check"])
def test_the_failure_notice_names_the_execution_within_sns_subject_limit(machine):
    # A reader (and the demo) must tell which run failed from the subject alone.
    subject = task("prod", machine, "NotifyFailure")["Arguments"]["Subject"]

    def render(execution_name: str) -> str:
        expr = jsonata.Jsonata(subject[3:-3])
        expr.assign("states", {"context": {"Execution": {"Name": execution_name}}})
        expr.assign("failedState", "Train")
        return str(expr.evaluate(None))

    short = render("s3-incoming-churn-2026-11-csv-4b588b732de9f094")
    assert short == (
        f"[churn-prod] {machine} failed at Train: s3-incoming-churn-2026-11-csv-4b588b732de9f094"
    )
    longest = "x" * 80  # StartExecution's limit
    cut = render(longest)
    assert len(cut) == 100
    assert cut.startswith(f"[churn-prod] {machine} failed at Train: xxx")


@pytest.mark.parametrize("cause_length", [10, 32_768, 300_000])
def test_the_failure_notice_stays_under_the_sns_limit(cause_length: int) -> None:
    # SNS refuses messages over 256 KB: a long cause must be cut, not lose the notice.
    definition = build_all(load_settings("dev"))["retrain"].to_asl()
    message = definition["States"]["NotifyFailure"]["Arguments"]["Message"]
    expr = jsonata.Jsonata(message[3:-3])
    expr.assign("states", {"context": {"Execution": {"Name": "run-1", "Id": "arn:run-1"}}})
    for name, value in {"failedState": "Train", "error": "E", "cause": "é" * cause_length}.items():
        expr.assign(name, value)
    text = str(expr.evaluate(None))
    assert len(text.encode()) < 262_144
    assert text.endswith("arn:run-1")
    cut = cause_length - 32_768
    assert (f"[... {cut} more characters cut]" in text) == (cut > 0)
    assert "é" * min(cause_length, 32_768) in text
