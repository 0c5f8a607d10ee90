"""Local SageMaker jobs' output where SageMaker keeps it: CloudWatch Logs, and training metrics
parsed from the logs by the job's MetricDefinitions (FinalMetricDataList, CloudWatch metrics)."""

from __future__ import annotations

import datetime
import io
import re
import tarfile
from typing import Any

from localcloud import LocalCloud
from localcloud.job_logs import parse_metrics

BUCKET = "ml-logs"
ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
TRAIN = """
import sys
print('loading data', flush=True)
print('validation:auc=0.5;', flush=True)
print('validation:auc=0.913; validation:accuracy=0.842;', flush=True)
print('a warning on stderr', file=sys.stderr)
"""
FAILING = """
import sys
print('starting', flush=True)
sys.stderr.write('Traceback (most recent call last):\\nValueError: no rows in train.csv\\n')
sys.exit(3)
"""
DEFINITIONS = [
    {"Name": "validation:auc", "Regex": "validation:auc=(-?[0-9.]+)"},
    {"Name": "validation:accuracy", "Regex": "validation:accuracy=(-?[0-9.]+)"},
    {"Name": "validation:f1", "Regex": "validation:f1=(-?[0-9.]+)"},
]


def _sourcedir(script: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = script.encode()
        info = tarfile.TarInfo("train.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _train(cloud: LocalCloud, script: str, name: str = "fit-1") -> dict[str, Any]:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="code/sourcedir.tar.gz", Body=_sourcedir(script))
    s3.put_object(Bucket=BUCKET, Key="data/train.csv", Body=b"1,2\n")
    sm = cloud.client("sagemaker")
    sm.create_training_job(
        TrainingJobName=name,
        RoleArn=ROLE,
        AlgorithmSpecification={
            "TrainingImage": IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": DEFINITIONS,
        },
        HyperParameters={
            "sagemaker_program": "train.py",
            "sagemaker_submit_directory": f"s3://{BUCKET}/code/sourcedir.tar.gz",
        },
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/data/"}
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/models"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    cloud.wait_until_idle()
    described: dict[str, Any] = sm.describe_training_job(TrainingJobName=name)
    return described


def _messages(cloud: LocalCloud, group: str, prefix: str) -> tuple[str, list[str]]:
    logs = cloud.client("logs")
    streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=prefix)
    (stream,) = streams["logStreams"]
    events = logs.get_log_events(
        logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
    )["events"]
    return stream["logStreamName"], [event["message"] for event in events]


def test_a_training_job_logs_to_its_stream_and_its_metrics_are_parsed(
    localcloud: LocalCloud,
) -> None:
    described = _train(localcloud, TRAIN)
    assert described["TrainingJobStatus"] == "Completed", described.get("FailureReason")
    stream, messages = _messages(localcloud, "/aws/sagemaker/TrainingJobs", "fit-1/")
    assert re.fullmatch(r"fit-1/algo-1-\d{10}", stream)
    assert messages == [
        "loading data",
        "validation:auc=0.5;",
        "validation:auc=0.913; validation:accuracy=0.842;",
        "a warning on stderr",
    ]
    # The definitions as given (moto would show a made-up one), and the last value of each
    # metric that matched; a metric that never appears has no entry.
    assert described["AlgorithmSpecification"]["MetricDefinitions"] == DEFINITIONS
    final = {m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]}
    assert final == {"validation:auc": 0.913, "validation:accuracy": 0.842}
    cloudwatch = localcloud.client("cloudwatch")
    now = datetime.datetime.now(tz=datetime.UTC)
    stats = cloudwatch.get_metric_statistics(
        Namespace="/aws/sagemaker/TrainingJobs",
        MetricName="validation:auc",
        Dimensions=[{"Name": "Host", "Value": "fit-1/algo-1"}],
        StartTime=now - datetime.timedelta(hours=1),
        EndTime=now + datetime.timedelta(hours=1),
        Period=3600,
        Statistics=["Maximum", "SampleCount"],
    )["Datapoints"]
    assert [(p["Maximum"], p["SampleCount"]) for p in stats] == [(0.913, 2.0)]


def test_a_failed_job_keeps_its_stderr_in_the_logs(localcloud: LocalCloud) -> None:
    described = _train(localcloud, FAILING, name="broken")
    assert described["TrainingJobStatus"] == "Failed"
    assert described["FinalMetricDataList"] == []
    _, messages = _messages(localcloud, "/aws/sagemaker/TrainingJobs", "broken/")
    assert messages == [
        "starting",
        "Traceback (most recent call last):",
        "ValueError: no rows in train.csv",
    ]


def test_a_regex_without_a_number_is_skipped() -> None:
    definitions = [{"Name": "loss", "Regex": "loss=(\\S+)"}, {"Name": "bad", "Regex": "("}]
    assert parse_metrics(definitions, ["loss=nan?", "loss=0.25", "loss=high"]) == [("loss", 0.25)]
