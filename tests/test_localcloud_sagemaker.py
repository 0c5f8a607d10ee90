"""SageMaker in the embedded cloud: `.sync` jobs that run, UpdateEndpoint, registry events."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_machine

ROLE = "arn:aws:iam::123456789012:role/sm"

SCRIPT = """
import pathlib, sys
rows = pathlib.Path(sys.argv[1]).read_text().splitlines()
if len(rows) < 2:
    pathlib.Path(sys.argv[3]).write_text(f'need 2 rows, got {len(rows)}')
    sys.exit(1)
pathlib.Path(sys.argv[2], 'count.txt').write_text(str(len(rows)))
"""


def _processing_task(query: str = "JSONata") -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
        "Arguments": {
            "ProcessingJobName": "{% 'count-' & $states.input.run %}",
            "RoleArn": ROLE,
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 5,
                }
            },
            "AppSpecification": {
                "ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2-1",
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/count.py"],
                "ContainerArguments": [
                    "/opt/ml/processing/input/data/rows.csv",
                    "/opt/ml/processing/output/result",
                    "/opt/ml/output/failure",
                ],
            },
            "ProcessingInputs": [
                {
                    "InputName": "code",
                    "S3Input": {
                        "S3Uri": "s3://ml-data/code/",
                        "LocalPath": "/opt/ml/processing/input/code",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                },
                {
                    "InputName": "data",
                    "S3Input": {
                        "S3Uri": "{% $states.input.data %}",
                        "LocalPath": "/opt/ml/processing/input/data",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                },
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "result",
                        "S3Output": {
                            "S3Uri": "s3://ml-data/result",
                            "LocalPath": "/opt/ml/processing/output/result",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
        "Catch": [
            {
                "ErrorEquals": ["States.TaskFailed"],
                "Next": "Failed",
                "Output": "{% $states.errorOutput %}",
            }
        ],
        "Output": "{% $states.result %}",
        "End": True,
    }


def _machine(cloud: LocalCloud) -> str:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Count",
        "States": {"Count": _processing_task(), "Failed": {"Type": "Pass", "End": True}},
    }
    return create_machine(cloud, definition, "count")


def _seed(cloud: LocalCloud) -> Any:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="ml-data")
    s3.put_object(Bucket="ml-data", Key="code/count.py", Body=SCRIPT.encode())
    s3.put_object(Bucket="ml-data", Key="in/good/rows.csv", Body=b"a\nb\nc\n")
    s3.put_object(Bucket="ml-data", Key="in/bad/rows.csv", Body=b"a\n")
    return s3


def test_processing_sync_runs_the_job_and_returns_describe(localcloud: LocalCloud) -> None:
    s3 = _seed(localcloud)
    result = localcloud.start_and_wait(
        _machine(localcloud), {"run": "r1", "data": "s3://ml-data/in/good/"}
    )
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["ProcessingJobName"] == "count-r1"
    assert output["ProcessingJobStatus"] == "Completed"
    assert output["ProcessingJobArn"].endswith(":processing-job/count-r1")
    assert output["AppSpecification"]["ContainerEntrypoint"][0] == "python3"
    assert s3.get_object(Bucket="ml-data", Key="result/count.txt")["Body"].read() == b"3"


def test_failed_job_is_states_task_failed_with_describe_cause(localcloud: LocalCloud) -> None:
    _seed(localcloud)
    result = localcloud.start_and_wait(
        _machine(localcloud), {"run": "r2", "data": "s3://ml-data/in/bad/"}
    )
    assert result["status"] == "SUCCEEDED"  # caught
    error = json.loads(result["output"])
    assert error["Error"] == "States.TaskFailed"
    cause = json.loads(error["Cause"])
    assert cause["ProcessingJobStatus"] == "Failed"
    assert cause["FailureReason"] == "AlgorithmError: need 2 rows, got 1"
    described = localcloud.client("sagemaker").describe_processing_job(ProcessingJobName="count-r2")
    assert described["ProcessingJobStatus"] == "Failed"


def test_without_the_extension_sync_is_unsupported() -> None:
    with extensions_disabled("sagemaker_sync"), LocalCloud() as cloud:
        _seed(cloud)
        result = cloud.start_and_wait(
            _machine(cloud), {"run": "r3", "data": "s3://ml-data/in/good/"}
        )
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Runtime"


def _endpoint(cloud: LocalCloud) -> Any:
    sm = cloud.client("sagemaker")
    for name in ("m1", "m2"):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "img", "ModelDataUrl": f"s3://ml-data/{name}.tar.gz"},
        )
        sm.create_endpoint_config(
            EndpointConfigName=f"cfg-{name}",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": name,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "InitialVariantWeight": 1.0,
                }
            ],
        )
    sm.create_endpoint(EndpointName="serve", EndpointConfigName="cfg-m1")
    return sm


def test_update_endpoint_goes_updating_then_in_service_on_new_config(
    localcloud: LocalCloud,
) -> None:
    sm = _endpoint(localcloud)
    arn = sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")["EndpointArn"]
    assert arn.endswith(":endpoint/serve")
    during = sm.describe_endpoint(EndpointName="serve")
    assert during["EndpointStatus"] == "Updating"
    assert during["EndpointConfigName"] == "cfg-m1"
    after = sm.describe_endpoint(EndpointName="serve")
    assert after["EndpointStatus"] == "InService"
    assert after["EndpointConfigName"] == "cfg-m2"
    assert "FailureReason" not in after


def test_failed_update_rolls_back_with_failure_reason(localcloud: LocalCloud) -> None:
    sm = _endpoint(localcloud)
    localcloud.fail_next_endpoint_update("serve", "Alarm model-errors went to ALARM")
    sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    assert sm.describe_endpoint(EndpointName="serve")["EndpointStatus"] == "Updating"
    after = sm.describe_endpoint(EndpointName="serve")
    assert after["EndpointStatus"] == "InService"
    assert after["EndpointConfigName"] == "cfg-m1"
    assert after["FailureReason"] == "Alarm model-errors went to ALARM"


def test_update_that_cannot_complete_ends_failed_on_the_old_config(
    localcloud: LocalCloud,
) -> None:
    sm = _endpoint(localcloud)
    localcloud.fail_next_endpoint_update("serve", "Insufficient capacity", status="Failed")
    sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    assert sm.describe_endpoint(EndpointName="serve")["EndpointStatus"] == "Updating"
    after = sm.describe_endpoint(EndpointName="serve")
    assert after["EndpointStatus"] == "Failed"
    assert after["EndpointConfigName"] == "cfg-m1"
    assert after["FailureReason"] == "Insufficient capacity"


def test_update_of_a_changing_endpoint_is_refused_as_sagemaker_does(
    localcloud: LocalCloud,
) -> None:
    sm = _endpoint(localcloud)
    sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    with pytest.raises(ClientError) as refused:
        sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m1")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["Error"]["Message"] == (
        "Cannot update in-progress endpoint "
        "'arn:aws:sagemaker:us-east-1:123456789012:endpoint/serve'."
    )
    sm.describe_endpoint(EndpointName="serve")
    assert sm.describe_endpoint(EndpointName="serve")["EndpointConfigName"] == "cfg-m2"


def test_of_concurrent_updates_sagemaker_accepts_one(localcloud: LocalCloud) -> None:
    # Guards the check-and-claim under one lock: two accepted updates would overlap.
    sm = _endpoint(localcloud)
    start = threading.Barrier(8)

    def update(_: int) -> bool:
        start.wait(timeout=10)
        try:
            sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
        except ClientError as error:
            assert "Cannot update in-progress endpoint" in str(error)
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        accepted = list(pool.map(update, range(8)))
    assert accepted.count(True) == 1


def test_create_of_an_existing_endpoint_is_refused(localcloud: LocalCloud) -> None:
    # moto replaced the endpoint (and what it served); SageMaker refuses.
    sm = _endpoint(localcloud)
    with pytest.raises(ClientError) as refused:
        sm.create_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    assert refused.value.response["Error"]["Message"] == (
        "Cannot create already existing endpoint "
        '"arn:aws:sagemaker:us-east-1:123456789012:endpoint/serve".'
    )
    assert sm.describe_endpoint(EndpointName="serve")["EndpointConfigName"] == "cfg-m1"


def test_without_the_extension_update_endpoint_is_missing() -> None:
    with extensions_disabled("update_endpoint"), LocalCloud() as cloud:
        sm = _endpoint(cloud)
        # moto has no UpdateEndpoint: in process, its NotImplementedError reaches the caller.
        with pytest.raises(NotImplementedError):
            sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")


def _capture_rule(cloud: LocalCloud) -> str:
    sns = cloud.client("sns")
    topic = sns.create_topic(Name="registry")["TopicArn"]
    events = cloud.client("events")
    events.put_rule(
        Name="approvals",
        EventPattern=json.dumps(
            {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"]}
        ),
    )
    events.put_targets(Rule="approvals", Targets=[{"Id": "t", "Arn": topic}])
    return str(topic)


def test_model_package_events_on_create_and_approval(localcloud: LocalCloud) -> None:
    topic = _capture_rule(localcloud)
    sm = localcloud.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="churn")
    arn = sm.create_model_package(
        ModelPackageGroupName="churn",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": "img"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    events = [json.loads(m["Message"]) for m in localcloud.sns_messages(topic)]
    assert [e["detail"]["ModelApprovalStatus"] for e in events] == [
        "PendingManualApproval",
        "Approved",
    ]
    assert events[1]["source"] == "aws.sagemaker"
    assert events[1]["resources"] == [arn]
    assert events[1]["detail"]["ModelPackageGroupName"] == "churn"
    assert events[1]["detail"]["ModelPackageVersion"] == 1


def test_without_the_extension_no_model_package_event() -> None:
    with extensions_disabled("model_package_events"), LocalCloud() as cloud:
        topic = _capture_rule(cloud)
        sm = cloud.client("sagemaker")
        sm.create_model_package_group(ModelPackageGroupName="churn")
        sm.create_model_package(
            ModelPackageGroupName="churn", ModelApprovalStatus="PendingManualApproval"
        )
        assert cloud.sns_messages(topic) == []


def _package_with_metadata(cloud: LocalCloud) -> str:
    sm = cloud.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="churn")
    return str(
        sm.create_model_package(
            ModelPackageGroupName="churn",
            ModelApprovalStatus="PendingManualApproval",
            CustomerMetadataProperties={"auc": "0.91", "execution": "run-1"},
        )["ModelPackageArn"]
    )


def test_an_approval_keeps_the_metadata_it_does_not_send(localcloud: LocalCloud) -> None:
    sm = localcloud.client("sagemaker")
    arn = _package_with_metadata(localcloud)
    sm.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="by alice"
    )
    sm.update_model_package(ModelPackageArn=arn, CustomerMetadataProperties={"note": "ok"})
    sm.update_model_package(ModelPackageArn=arn, CustomerMetadataPropertiesToRemove=["execution"])
    package = sm.describe_model_package(ModelPackageName=arn)
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["ApprovalDescription"] == "by alice"
    assert package["CustomerMetadataProperties"] == {"auc": "0.91", "note": "ok"}


def test_without_the_extension_an_approval_wipes_the_metadata() -> None:
    with extensions_disabled("model_package_updates"), LocalCloud() as cloud:
        arn = _package_with_metadata(cloud)
        sm = cloud.client("sagemaker")
        sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
        assert "CustomerMetadataProperties" not in sm.describe_model_package(ModelPackageName=arn)
