"""The console's execution page lists the SageMaker jobs the execution ran: each one's logs, read
from CloudWatch Logs with GetLogEvents, and a training job's final metrics."""

from __future__ import annotations

import io
import json
import re
import tarfile
from typing import Any
from urllib.parse import quote

from werkzeug.test import Client

from console.app import ConsoleApp
from console.execution_jobs import JobRun, jobs_in_history
from console.sources import Sources
from localcloud import LocalCloud

ROLE = "arn:aws:iam::123456789012:role/console-test"
BUCKET = "console-jobs"
LOCAL = {"Host": "127.0.0.1:8321"}
HOSTILE = "<img src=x onerror=alert(1)>"
# Prints metrics; with `--fail 1` it fails with a traceback on stderr.
TRAIN = f"""
import sys
print('validation:auc=0.75; validation:accuracy=0.8;', flush=True)
print({HOSTILE!r}, flush=True)
if '--fail' in sys.argv:
    sys.stderr.write('Traceback (most recent call last):\\nValueError: refit refused\\n')
    sys.exit(1)
"""


def _sourcedir() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = TRAIN.encode()
        info = tarfile.TarInfo("train.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _training(name: str, hyperparameters: dict[str, str], then: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
        "Arguments": {
            "TrainingJobName": name,
            "RoleArn": ROLE,
            "AlgorithmSpecification": {
                "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2-1",
                "TrainingInputMode": "File",
                "MetricDefinitions": [
                    {"Name": "validation:auc", "Regex": "validation:auc=([0-9.]+)"},
                    {"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+)"},
                ],
            },
            "HyperParameters": {
                "sagemaker_program": "train.py",
                "sagemaker_submit_directory": f"s3://{BUCKET}/code/sourcedir.tar.gz",
                **hyperparameters,
            },
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/data"}
                    },
                }
            ],
            "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/models"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 5,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
        **then,
    }


def test_the_execution_page_shows_each_jobs_logs_and_training_metrics(
    localcloud: LocalCloud,
) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="code/sourcedir.tar.gz", Body=_sourcedir())
    s3.put_object(Bucket=BUCKET, Key="data/train.csv", Body=b"1,2\n")
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Fit",
        "States": {
            "Fit": _training("fit-7", {}, {"Next": "Refit"}),
            "Refit": _training("refit-7", {"fail": "1"}, {"End": True}),
        },
    }
    sfn = localcloud.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="console-jobs", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    execution = localcloud.start_and_wait(machine, {"run": "7"}, name="run-7")
    assert execution["status"] == "FAILED"

    client = Client(ConsoleApp(Sources(localcloud.client, "the test's embedded cloud")))
    page = client.get(f"/execution?arn={quote(execution['executionArn'])}", headers=LOCAL).get_data(
        as_text=True
    )

    assert re.findall(r'data-job="([^"]+)"', page) == ["fit-7", "refit-7"]
    logs = re.findall(r'<pre class="job-log">(.*?)</pre>', page, re.S)
    assert len(logs) == 2
    assert "validation:auc=0.75; validation:accuracy=0.8;" in logs[0]
    # The failed job's traceback is in its logs; a printed tag stays text.
    assert "ValueError: refit refused" in logs[1]
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in logs[0]
    metrics = re.findall(r'<div class="job-metrics">(.*?)</div>', page, re.S)
    assert "validation:auc" in metrics[0] and "0.75" in metrics[0]
    assert "validation:accuracy" in metrics[0] and "0.8" in metrics[0]


def test_jobs_are_read_from_task_scheduled_events_once_each() -> None:
    scheduled = {
        "type": "TaskScheduled",
        "taskScheduledEventDetails": {
            "resourceType": "sagemaker",
            "resource": "createProcessingJob.sync",
            "parameters": json.dumps({"ProcessingJobName": "prep-1"}),
        },
    }
    events = [
        {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Preprocess"}},
        scheduled,
        scheduled,  # a retry of the same job name
        {
            "type": "TaskScheduled",
            "taskScheduledEventDetails": {"resourceType": "lambda", "parameters": "{}"},
        },
    ]
    assert jobs_in_history(events) == [
        JobRun("Preprocess", "processing", "prep-1", "/aws/sagemaker/ProcessingJobs")
    ]
