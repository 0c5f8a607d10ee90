"""Lambda handlers against moto's AWS: trigger, quality gate, notify, approval."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import pytest
from moto import mock_aws

from tasks.handlers import approval, notify, quality_gate, trigger
from tasks.handlers.executions import execution_name

REGION = "eu-west-1"
ACCOUNT = "123456789012"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})


def envelope(
    source: str, detail_type: str, detail: dict[str, Any], event_id: str = "e-1"
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "source": source,
        "account": ACCOUNT,
        "time": "2024-05-01T06:00:00Z",
        "region": REGION,
        "resources": [],
        "detail-type": detail_type,
        "detail": detail,
    }


def s3_event(
    key: str = "incoming/2024-05.csv", sequencer: str = "0065A1B2C3", event_id: str = "s3-1"
) -> dict[str, Any]:
    detail = {
        "version": "0",
        "bucket": {"name": "churn-data"},
        "object": {"key": key, "size": 1024, "etag": "abc123", "sequencer": sequencer},
        "request-id": "R1",
        "requester": ACCOUNT,
        "source-ip-address": "203.0.113.9",
        "reason": "PutObject",
    }
    event = envelope("aws.s3", "Object Created", detail, event_id)
    event["resources"] = ["arn:aws:s3:::churn-data"]
    return event


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for module in (trigger, quality_gate, notify, approval):
        for name in ("_sfn", "_s3", "_sagemaker", "_sns", "_secrets", "_client"):
            cached = getattr(module, name, None)
            if cached is not None:
                cached.cache_clear()
    with mock_aws():
        sfn = boto3.client("stepfunctions", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        machines = {}
        for name in ("retrain", "deploy-model"):
            created = sfn.create_state_machine(
                name=name, definition=DEFINITION, roleArn=role, publish=True
            )
            arn = created["stateMachineArn"]
            alias = sfn.create_state_machine_alias(
                name="live",
                routingConfiguration=[
                    {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}
                ],
            )["stateMachineAliasArn"]
            machines[name] = {"arn": arn, "alias": alias}
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="mlops")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "false"},
        )
        # moto 5.2.5 answers StartExecution on an alias ARN with StateMachineDoesNotExist, so
        # these tests start the state machine itself; aliases are covered in localcloud.
        monkeypatch.setenv("RETRAIN_STATE_MACHINE_ARN", machines["retrain"]["arn"])
        monkeypatch.setenv("DEPLOY_STATE_MACHINE_ARN", machines["deploy-model"]["arn"])
        monkeypatch.setenv("TRAINING_DATA_URI", "s3://churn-data/training/")
        monkeypatch.setenv("DRIFT_EVENT_SOURCE", "mlops.retrain")
        monkeypatch.setenv("TOPIC_ARN", topic)
        yield {
            "sfn": sfn,
            "machines": machines,
            "sns": sns,
            "sqs": sqs,
            "queue": queue,
            "topic": topic,
        }


def received(aws: dict[str, Any]) -> list[dict[str, Any]]:
    messages = aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def executions(aws: dict[str, Any], machine: str) -> list[dict[str, Any]]:
    arn = aws["machines"][machine]["arn"]
    return aws["sfn"].list_executions(stateMachineArn=arn)["executions"]


# trigger ---------------------------------------------------------------------------------


def test_s3_upload_starts_one_retrain_with_the_object_as_data(aws: dict[str, Any]) -> None:
    first = trigger.handler(s3_event(), None)
    again = trigger.handler(s3_event(), None)  # EventBridge redelivery
    assert first["duplicate"] is False and again["duplicate"] is True
    assert again["name"] == first["name"] and again["executionArn"] == first["executionArn"]
    runs = executions(aws, "retrain")
    assert len(runs) == 1
    payload = json.loads(
        aws["sfn"].describe_execution(executionArn=runs[0]["executionArn"])["input"]
    )
    assert payload["dataS3Uri"] == "s3://churn-data/incoming/2024-05.csv"
    assert payload["trigger"] == {
        "source": "s3",
        "eventId": "s3-1",
        "reason": "new data s3://churn-data/incoming/2024-05.csv",
    }


def test_a_new_version_of_the_same_key_is_a_new_retrain(aws: dict[str, Any]) -> None:
    trigger.handler(s3_event(sequencer="0065A1B2C3"), None)
    second = trigger.handler(s3_event(sequencer="0065A1B2FF", event_id="s3-2"), None)
    assert second["duplicate"] is False
    assert len(executions(aws, "retrain")) == 2


@pytest.mark.parametrize(
    ("event", "source", "reason_part"),
    [
        (
            envelope(
                "mlops.retrain",
                "Model Drift Detected",
                {"max_psi": 0.41, "drifted_features": ["tenure_months"]},
                "d-1",
            ),
            "drift",
            "max PSI 0.41 in tenure_months",
        ),
        (
            envelope(
                "aws.cloudwatch",
                "CloudWatch Alarm State Change",
                {
                    "alarmName": "churn-drift",
                    "state": {"value": "ALARM", "reason": "PSI above 0.2"},
                },
                "a-1",
            ),
            "drift",
            "alarm churn-drift in ALARM",
        ),
        (
            envelope(
                "aws.sagemaker",
                "SageMaker Processing Job State Change",
                {
                    "ProcessingJobName": "monitor-1",
                    "ProcessingJobStatus": "Completed",
                    "ExitMessage": "CompletedWithViolations: Job completed with 3 violations.",
                },
                "m-1",
            ),
            "drift",
            "monitor-1 completed with violations",
        ),
        (
            envelope("aws.events", "Scheduled Event", {}, "sched-1"),
            "schedule",
            "scheduled at 2024-05-01T06-00-00Z",
        ),
    ],
)
def test_non_s3_sources_retrain_on_the_training_prefix(
    aws: dict[str, Any], event: dict[str, Any], source: str, reason_part: str
) -> None:
    result = trigger.handler(event, None)
    assert result["duplicate"] is False
    payload = json.loads(
        aws["sfn"].describe_execution(executionArn=result["executionArn"])["input"]
    )
    assert payload["dataS3Uri"] == "s3://churn-data/training/"
    assert payload["trigger"]["source"] == source and payload["trigger"]["eventId"] == event["id"]
    assert reason_part in payload["trigger"]["reason"]
    assert trigger.handler(event, None)["duplicate"] is True


def test_schedule_name_comes_from_the_scheduled_time() -> None:
    env = {"TRAINING_DATA_URI": "s3://bkt/p/"}
    one = trigger.retrain_request(envelope("aws.events", "Scheduled Event", {}, "x"), env)
    other = trigger.retrain_request(envelope("aws.scheduler", "Scheduled Event", {}, "y"), env)
    assert one is not None and other is not None and one[1] == other[1]


def test_events_that_ask_for_nothing_are_skipped(aws: dict[str, Any]) -> None:
    ok = envelope(
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        {"alarmName": "a", "state": {"value": "OK"}},
    )
    assert trigger.handler(ok, None)["skipped"] is True
    assert executions(aws, "retrain") == []


def test_unknown_event_raises_a_clear_error(aws: dict[str, Any]) -> None:
    with pytest.raises(
        trigger.UnknownEventError, match=r"no retrain trigger handles source 'aws\.ec2'"
    ):
        trigger.handler(envelope("aws.ec2", "EC2 Instance State-change Notification", {}), None)
    with pytest.raises(trigger.UnknownEventError):
        trigger.handler(envelope("someone.else", "Model Drift Detected", {}), None)


def test_manual_input_is_validated_against_the_schema(aws: dict[str, Any]) -> None:
    good = {
        "dataS3Uri": "s3://churn-data/x.csv",
        "trigger": {"source": "manual", "eventId": "op-1", "reason": "by hand"},
    }
    assert trigger.handler(good, None)["duplicate"] is False
    bad = {
        "dataS3Uri": "https://example.com/x.csv",
        "trigger": {"source": "manual", "eventId": "op-2", "reason": "x"},
    }
    with pytest.raises(Exception, match="dataS3Uri"):
        trigger.handler(bad, None)


def test_execution_names_fit_step_functions_rules() -> None:
    name = execution_name(
        "s3", "bucket", "seq", "a/very/long key with spaces/" + "x" * 200 + ".csv"
    )
    assert 1 <= len(name) <= 80
    assert all(c.isalnum() or c in "-_" for c in name)
    assert name == execution_name(
        "s3", "bucket", "seq", "a/very/long key with spaces/" + "x" * 200 + ".csv"
    )
    assert name != execution_name(
        "s3", "bucket", "seq2", "a/very/long key with spaces/" + "x" * 200 + ".csv"
    )


# quality gate ----------------------------------------------------------------------------


def report(auc: float, accuracy: float, f1: float) -> dict[str, Any]:
    metric = lambda v: {"value": v, "standard_deviation": 0.01}  # noqa: E731
    return {
        "binary_classification_metrics": {
            "auc": metric(auc),
            "accuracy": metric(accuracy),
            "f1": metric(f1),
        }
    }


THRESHOLDS = {"auc": 0.75, "accuracy": 0.70, "f1": 0.55, "max_regression": 0.02}


def register_champion(sagemaker: Any, s3: Any, metrics: dict[str, Any]) -> str:
    s3.put_object(Bucket="reports", Key="champion.json", Body=json.dumps(metrics))
    return sagemaker.create_model_package(
        ModelPackageGroupName="churn",
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/sklearn:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelMetrics={
            "ModelQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": "s3://reports/champion.json",
                }
            }
        },
    )["ModelPackageArn"]


@pytest.fixture
def gate(aws: dict[str, Any]) -> dict[str, Any]:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="reports", CreateBucketConfiguration={"LocationConstraint": REGION})
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")
    return {"s3": s3, "sagemaker": sagemaker}


def run_gate(gate: dict[str, Any], metrics: dict[str, Any] | bytes) -> dict[str, Any]:
    body = metrics if isinstance(metrics, bytes) else json.dumps(metrics)
    gate["s3"].put_object(Bucket="reports", Key="candidate.json", Body=body)
    request = {
        "evaluationReportS3Uri": "s3://reports/candidate.json",
        "thresholds": THRESHOLDS,
        "modelPackageGroupName": "churn",
    }
    return quality_gate.handler(request, None)


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
    request = {
        "evaluationReportS3Uri": "s3://reports/absent.json",
        "thresholds": THRESHOLDS,
        "modelPackageGroupName": "churn",
    }
    with pytest.raises(ValueError, match="could not be read"):
        quality_gate.handler(request, None)


# notify ----------------------------------------------------------------------------------


EXECUTION = f"arn:aws-cn:states:cn-north-1:{ACCOUNT}:execution:retrain:s3-incoming-0123456789abcdef"


def test_notify_publishes_metrics_and_links_from_the_arns_region(aws: dict[str, Any]) -> None:
    result = notify.handler(
        {
            "kind": "retrain_succeeded",
            "executionArn": EXECUTION,
            "metrics": {"auc": 0.8812, "f1": 0.66},
            "decision": "approve",
            "endpointName": "churn",
        },
        None,
    )
    [message] = received(aws)
    assert message["MessageId"] == result["messageId"] and message["Subject"] == result["subject"]
    assert (
        result["subject"].startswith("[mlops] Retrain succeeded")
        and "(AUC 0.881)" in result["subject"]
    )
    body = message["Message"]
    assert "auc: 0.8812" in body and "Decision: approve" in body
    assert (
        "https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/"
        in body
    )
    assert (
        "https://cn-north-1.console.amazonaws.cn/sagemaker/home?region=cn-north-1#/endpoints/churn"
        in body
    )


def test_subject_stays_within_the_sns_limit(aws: dict[str, Any]) -> None:
    result = notify.handler(
        {"kind": "workflow_failed", "executionArn": EXECUTION, "endpointName": "é" + "n" * 200},
        None,
    )
    assert len(result["subject"]) <= 100 and result["subject"].isascii()


def test_failed_execution_event_becomes_a_workflow_failed_notice(aws: dict[str, Any]) -> None:
    event = envelope(
        "aws.states",
        "Step Functions Execution Status Change",
        {"executionArn": EXECUTION, "status": "TIMED_OUT", "error": None, "cause": None},
    )
    result = notify.handler(event, None)
    [message] = received(aws)
    assert result["subject"].startswith("[mlops] Workflow failed")
    assert "Status: TIMED_OUT" in message["Message"]
    job = envelope(
        "aws.sagemaker",
        "SageMaker Training Job State Change",
        {
            "TrainingJobName": "train-1",
            "TrainingJobStatus": "Failed",
            "FailureReason": "AlgorithmError: bad",
        },
    )
    assert "train-1" in notify.handler(job, None)["subject"]
    with pytest.raises(ValueError, match="not a failure"):
        notify.handler(
            envelope(
                "aws.states", "Step Functions Execution Status Change", {"status": "SUCCEEDED"}
            ),
            None,
        )


def test_unknown_kind_is_rejected(aws: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        notify.handler({"kind": "party", "executionArn": EXECUTION}, None)


class _Hook(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    _Hook.bodies, _Hook.status = [], 200
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_slack_gets_the_notification_from_the_secret_url(
    aws: dict[str, Any], webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="slack", SecretString=json.dumps({"url": webhook}))["ARN"]
    monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ARN", arn)
    result = notify.handler(
        {"kind": "model_deployed", "executionArn": EXECUTION, "endpointName": "churn"}, None
    )
    assert result["slack"] == {"status": 200}
    assert _Hook.bodies[0]["text"].startswith(f"*{result['subject']}*")
    assert len(received(aws)) == 1


def test_slack_failure_does_not_lose_the_sns_message(
    aws: dict[str, Any], webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _Hook.status = 500
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="slack", SecretString=webhook)["ARN"]
    monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ARN", arn)
    result = notify.handler({"kind": "drift_detected", "executionArn": EXECUTION}, None)
    assert result["slack"] == {"error": "HTTPError"}
    assert [m["MessageId"] for m in received(aws)] == [result["messageId"]]


# approval --------------------------------------------------------------------------------


def package_event(
    sagemaker: Any, status: str, mode: str | None, include_metadata: bool, event_id: str = "p-1"
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if mode:
        kwargs["CustomerMetadataProperties"] = {"approval-mode": mode}
    arn = sagemaker.create_model_package(
        ModelPackageGroupName="churn",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/sklearn:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **kwargs,
    )["ModelPackageArn"]
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
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")
    event = package_event(sagemaker, "Approved", "manual", include_metadata=False)
    first, again = approval.handler(event, None), approval.handler(event, None)
    assert (
        first["action"] == "deploy" and first["duplicate"] is False and again["duplicate"] is True
    )
    [run] = executions(aws, "deploy-model")
    payload = json.loads(aws["sfn"].describe_execution(executionArn=run["executionArn"])["input"])
    assert payload == {"modelPackageArn": event["detail"]["ModelPackageArn"]}


@pytest.mark.parametrize("include_metadata", [True, False])
def test_auto_approved_packages_are_left_to_their_retrain(
    aws: dict[str, Any], include_metadata: bool
) -> None:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")
    result = approval.handler(package_event(sagemaker, "Approved", "auto", include_metadata), None)
    assert result["action"] == "skipped"
    assert executions(aws, "deploy-model") == []


def test_rejection_is_notified(aws: dict[str, Any]) -> None:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")
    result = approval.handler(package_event(sagemaker, "Rejected", None, False), None)
    assert result["action"] == "notified"
    [message] = received(aws)
    assert message["Subject"].startswith("[mlops] Model rejected")
    assert result["modelPackageArn"] in message["Message"]


def test_subject_opens_with_the_environment_tag():
    from tasks.handlers import notifications

    note = notifications.build(
        {
            "kind": "model_rejected",
            "executionArn": "arn:aws:states:us-east-1:123456789012:execution:churn-dev-retrain:r1",
        },
        tag="churn-dev",
    )
    assert note.subject.startswith("[churn-dev] ")
    assert notifications.build({"kind": "model_rejected"}).subject.startswith("[mlops] ")
