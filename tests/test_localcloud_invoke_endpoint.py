"""InvokeEndpoint on a local endpoint runs the served model's own inference code (the churn job
scripts' inference.py on a model train.py fitted), and leaves what SageMaker leaves: the
endpoint's CloudWatch metrics and, when the config enables it, data capture in the format the
drift check reads. Without the `invoke_endpoint` extension moto answers the literal "body"."""

from __future__ import annotations

import base64
import json
import tarfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import joblib
import pytest
from botocore.exceptions import ClientError

from environments.settings import load_settings
from examples.churn.churn_data import FEATURES, generate, write_csv
from localcloud import LocalCloud, endpoint_servers
from localcloud.extensions import extensions_disabled
from tests.jobs_helpers import (
    churn_jobs,  # noqa: F401  (the fixture `trained` needs)
    job_modules,
    pack_model,
    preprocess_args,
    run_in_process,
    train_env,
)
from tests.localcloud_helpers import tar_gz

ROLE = "arn:aws:iam::123456789012:role/sm"
BUCKET = "serving"
ENDPOINT = "churn-dev"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, churn_jobs: Path) -> Path:  # noqa: F811
    """A model.tar.gz from the job scripts: preprocess and train.py on churn data, in this
    process (the scripts' imports are paid once)."""
    work = tmp_path_factory.mktemp("trained")
    write_csv(generate(seed=11, rows=600), work / "data" / "churn.csv")
    pre = run_in_process(preprocess_args(churn_jobs, work / "data", work / "pre"), {})
    assert pre.returncode == 0, pre.stderr
    train = run_in_process(
        [str(churn_jobs / "train.py"), "--n_estimators", "20", "--max_depth", "2"],
        train_env(work / "pre", work),
    )
    assert train.returncode == 0, train.stderr
    return pack_model(work)


def _deploy(cloud: LocalCloud, archive: Path, sampling: int = 100) -> None:
    s3, sagemaker = cloud.client("s3"), cloud.client("sagemaker")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="model/model.tar.gz", Body=archive.read_bytes())
    sources = tar_gz(load_settings("dev").job_sources())
    s3.put_object(Bucket=BUCKET, Key="code/sourcedir.tar.gz", Body=sources)
    sagemaker.create_model(
        ModelName="churn-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": IMAGE,
            "ModelDataUrl": f"s3://{BUCKET}/model/model.tar.gz",
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": f"s3://{BUCKET}/code/sourcedir.tar.gz",
            },
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="churn-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "churn-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 2,
                "InitialVariantWeight": 1,
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": sampling,
            "DestinationS3Uri": f"s3://{BUCKET}/datacapture",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        },
    )
    sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="churn-config")


def _rows(count: int, seed: int) -> list[str]:
    frame = generate(seed=seed, rows=count)[list(FEATURES)]
    return [frame.iloc[[i]].to_csv(header=False, index=False).strip() for i in range(count)]


# Before the module's cloud starts: one cloud at most runs in a process.
def test_an_unknown_endpoint_is_a_validation_error() -> None:
    with LocalCloud() as cloud:
        with pytest.raises(ClientError) as error:
            cloud.client("sagemaker-runtime").invoke_endpoint(
                EndpointName="nowhere", Body="1", ContentType="text/csv"
            )
        assert error.value.response["Error"]["Code"] == "ValidationError"
        assert "Endpoint nowhere of account 123456789012 not found" in str(error.value)
        # moto answers any name with a canned result.
        with extensions_disabled("invoke_endpoint"):
            answer = cloud.client("sagemaker-runtime").invoke_endpoint(
                EndpointName="nowhere", Body="1", ContentType="text/csv"
            )
            assert answer["Body"].read() == b"body"


@pytest.fixture(scope="module")
def invoked(trained: Path, churn_jobs: Path) -> Iterator[dict[str, Any]]:  # noqa: F811
    """Two good requests (CSV and JSON out), one the model rejects; then the cloud's metrics
    and capture objects, read before it stops."""
    rows = _rows(3, seed=5)
    with LocalCloud() as cloud:
        _deploy(cloud, trained)
        runtime = cloud.client("sagemaker-runtime")
        csv_out = runtime.invoke_endpoint(
            EndpointName=ENDPOINT,
            Body="\n".join(rows[:2]),
            ContentType="text/csv",
            Accept="text/csv",
        )
        json_out = runtime.invoke_endpoint(
            EndpointName=ENDPOINT,
            Body=rows[2],
            ContentType="text/csv",
            Accept="application/json",
            InferenceId="req-3",
        )
        with pytest.raises(ClientError) as rejected:
            runtime.invoke_endpoint(EndpointName=ENDPOINT, Body="1,2,3", ContentType="text/csv")
        s3 = cloud.client("s3")
        keys = [
            o["Key"]
            for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="datacapture/").get("Contents", [])
        ]
        captures = {key: s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}
        yield {
            "cloud": cloud,
            "rows": rows,
            "csv": csv_out,
            "json": json_out,
            "csv_body": csv_out["Body"].read().decode(),
            "json_body": json_out["Body"].read().decode(),
            "rejected": rejected.value.response,
            "captures": captures,
            "model": trained,
            "jobs": churn_jobs,
        }
    # Stopping the cloud ends the endpoint's serving process.
    assert endpoint_servers.running_servers() == []


def _expected(archive: Path, jobs: Path, rows: list[str], tmp: Path) -> list[float]:
    """What the model's own inference code predicts for `rows`, computed in this process."""
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
    with job_modules(jobs):
        import inference

        model = joblib.load(tmp / "model.joblib")
        frame = inference.input_fn("\n".join(rows), "text/csv")
        return [round(float(p), 6) for p in inference.predict_fn(frame, model)]


def test_the_models_inference_code_answers(invoked: dict[str, Any], tmp_path: Path) -> None:
    expected = _expected(invoked["model"], invoked["jobs"], invoked["rows"], tmp_path)
    assert invoked["csv"]["ContentType"] == "text/csv"
    assert invoked["csv"]["InvokedProductionVariant"] == "AllTraffic"
    assert [float(v) for v in invoked["csv_body"].split()] == expected[:2]
    assert invoked["json"]["ContentType"] == "application/json"
    assert json.loads(invoked["json_body"]) == {"predictions": expected[2:]}


def test_a_model_error_is_a_model_error_with_the_containers_status(
    invoked: dict[str, Any],
) -> None:
    response = invoked["rejected"]
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    # inference.py raises ValueError: the scikit-learn container answers 500 with it.
    assert response["OriginalStatusCode"] == 500
    assert "each CSV row needs" in response["OriginalMessage"]
    assert response["Error"]["Message"].startswith("Received server error (500) from primary")
    assert response["LogStreamArn"].endswith(f"log-group:/aws/sagemaker/Endpoints/{ENDPOINT}")


def _statistic(cloud: LocalCloud, namespace: str, name: str, statistic: str) -> float:
    from moto.core.utils import utcnow

    now = utcnow()
    points = cloud.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=[
            {"Name": "EndpointName", "Value": ENDPOINT},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1),
        Period=7200,
        Statistics=[statistic],
    )["Datapoints"]
    assert len(points) == 1, f"{namespace} {name}: {points}"
    return float(points[0][statistic])


def test_invocations_put_the_endpoints_metrics(invoked: dict[str, Any]) -> None:
    cloud = invoked["cloud"]
    assert _statistic(cloud, "AWS/SageMaker", "Invocations", "Sum") == 3
    # Two instances in the variant: each request counts 1/2 per instance.
    assert _statistic(cloud, "AWS/SageMaker", "InvocationsPerInstance", "Sum") == 1.5
    assert _statistic(cloud, "AWS/SageMaker", "Invocation5XXErrors", "Sum") == 1
    assert _statistic(cloud, "AWS/SageMaker", "Invocation4XXErrors", "Sum") == 0
    assert _statistic(cloud, "AWS/SageMaker", "ModelLatency", "SampleCount") == 3
    assert _statistic(cloud, "AWS/SageMaker", "ModelLatency", "Minimum") > 0
    assert _statistic(cloud, "AWS/SageMaker", "OverheadLatency", "SampleCount") == 3
    cpu = _statistic(cloud, "/aws/sagemaker/Endpoints", "CPUUtilization", "Maximum")
    memory = _statistic(cloud, "/aws/sagemaker/Endpoints", "MemoryUtilization", "Maximum")
    assert cpu > 0
    assert 0 < memory < 100


def test_captured_requests_are_what_the_drift_check_reads(invoked: dict[str, Any]) -> None:
    # The two answered requests are captured; the rejected one is not.
    assert len(invoked["captures"]) == 2
    for key in invoked["captures"]:
        assert key.startswith(f"datacapture/{ENDPOINT}/AllTraffic/")
        assert key.endswith(".jsonl")
    records = [json.loads(body) for body in invoked["captures"].values()]
    by_id = {r["eventMetadata"].get("inferenceId"): r for r in records}
    output = by_id["req-3"]["captureData"]["endpointOutput"]
    # application/json is not in the config's CsvContentTypes or JsonContentTypes: base64.
    assert output["encoding"] == "BASE64"
    assert base64.b64decode(output["data"]).decode() == invoked["json_body"]
    assert output["observedContentType"] == "application/json"
    captured = by_id[None]["captureData"]["endpointInput"]
    assert captured == {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "\n".join(invoked["rows"][:2]),
        "encoding": "CSV",
    }


def test_the_drift_checks_reader_reads_the_capture(invoked: dict[str, Any], tmp_path: Path) -> None:
    for key, body in invoked["captures"].items():
        target = tmp_path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    with job_modules(invoked["jobs"]):
        from capture_reader import read_captured_rows

        frame, skipped = read_captured_rows(tmp_path)
    assert skipped == 0
    assert len(frame) == 3
    expected = generate(seed=5, rows=3)[list(FEATURES)]
    assert sorted(frame["tenure_months"].astype(float)) == sorted(
        expected["tenure_months"].astype(float)
    )
