"""The local SageMaker job runner: container contracts, staging, failures, time limits."""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.jobs import (
    Boto3ObjectStore,
    JobSetupError,
    run_processing_job,
    run_training_job,
)
from tests.localcloud_helpers import SPAWNS, alive

PREPROCESS = """
import os, sys, pathlib
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
names = sorted(p.relative_to(src).as_posix() for p in src.rglob('*') if p.is_file())
rows = sum(len(p.read_text().splitlines()) for p in src.rglob('*.csv'))
(out / 'summary.txt').write_text(f"{sys.argv[3:]} {names} {rows} {os.environ['STAGE']}")
"""

FAILING = """
import os, pathlib, sys
failure = pathlib.Path(os.environ['FAILURE_FILE'])
failure.write_text('not enough rows: 0 < 10')
sys.exit(2)
"""

TRAIN = """
import argparse, json, os, pathlib
parser = argparse.ArgumentParser()
parser.add_argument('--max_depth', type=int)
args = parser.parse_args()
train = pathlib.Path(os.environ['SM_CHANNEL_TRAIN'])
config = pathlib.Path(os.environ['SM_INPUT_CONFIG_DIR'])
hps = json.loads((config / 'hyperparameters.json').read_text())
model = pathlib.Path(os.environ['SM_MODEL_DIR']) / 'model.json'
model_dir_ok = os.environ['SM_MODEL_DIR'].endswith('/model')
model.write_text(json.dumps({'depth': args.max_depth, 'files': sorted(os.listdir(train)),
                             'hps': hps, 'model_dir_ok': model_dir_ok}))
"""

SLOW = "import time\nwhile True:\n    time.sleep(0.05)\n"


def _setup(cloud: LocalCloud, files: dict[str, str]) -> Any:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="ml-data")
    for key, body in files.items():
        s3.put_object(Bucket="ml-data", Key=key, Body=body.encode())
    return s3


def _processing(
    script: str, args: list[str] | None = None, max_runtime: int = 60
) -> dict[str, Any]:
    return {
        "ProcessingJobName": "prep-1",
        "AppSpecification": {
            "ImageUri": "123.dkr.ecr.us-east-1.amazonaws.com/sklearn:1",
            "ContainerEntrypoint": ["python3", f"/opt/ml/processing/input/code/{script}"],
            "ContainerArguments": args or [],
        },
        "ProcessingInputs": [
            {
                "InputName": "code",
                "S3Input": {
                    "S3Uri": "s3://ml-data/code",
                    "LocalPath": "/opt/ml/processing/input/code",
                },
            },
            {
                "InputName": "data",
                "S3Input": {
                    "S3Uri": "s3://ml-data/raw/",
                    "LocalPath": "/opt/ml/processing/input/data",
                },
            },
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "train",
                    "S3Output": {
                        "S3Uri": "s3://ml-data/prepared/train",
                        "LocalPath": "/opt/ml/processing/output/train",
                    },
                },
            ]
        },
        "Environment": {"STAGE": "dev", "FAILURE_FILE": "/opt/ml/output/failure"},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
    }


def test_processing_job_stages_prefix_runs_and_uploads(localcloud: LocalCloud) -> None:
    s3 = _setup(
        localcloud,
        {
            "code/preprocess.py": PREPROCESS,
            "raw/a.csv": "1,2\n3,4\n",
            "raw/nested/b.csv": "5,6\n",
            "rawish/ignored.csv": "x\n",
        },
    )
    args = ["/opt/ml/processing/input/data", "/opt/ml/processing/output/train", "--split", "0.2"]
    outcome = run_processing_job(_processing("preprocess.py", args), Boto3ObjectStore(s3))
    assert outcome.status == "Completed", outcome
    summary = (
        s3.get_object(Bucket="ml-data", Key="prepared/train/summary.txt")["Body"].read().decode()
    )
    assert summary == "['--split', '0.2'] ['a.csv', 'nested/b.csv'] 3 dev"


def test_failing_script_reports_the_failure_file(localcloud: LocalCloud) -> None:
    s3 = _setup(localcloud, {"code/fail.py": FAILING})
    outcome = run_processing_job(_processing("fail.py"), Boto3ObjectStore(s3))
    assert outcome.status == "Failed"
    assert outcome.failure_reason == "AlgorithmError: not enough rows: 0 < 10"
    assert "Contents" not in s3.list_objects_v2(Bucket="ml-data", Prefix="prepared/")


MESSAGE = """
import pathlib, sys
pathlib.Path(sys.argv[1]).write_text('checked 12 features; ' + 'x' * 2000)
"""


def test_a_processing_job_exit_message_is_its_message_file_first_kilobyte(
    localcloud: LocalCloud,
) -> None:
    s3 = _setup(localcloud, {"code/message.py": MESSAGE})
    request = _processing("message.py", ["/opt/ml/output/message"])
    outcome = run_processing_job(request, Boto3ObjectStore(s3))
    assert outcome.status == "Completed"
    assert outcome.exit_message is not None
    assert outcome.exit_message.startswith("checked 12 features; xxx")
    assert len(outcome.exit_message) == 1024


def test_failing_script_without_failure_file_reports_stderr(localcloud: LocalCloud) -> None:
    s3 = _setup(localcloud, {"code/boom.py": "raise ValueError('bad column: price')\n"})
    outcome = run_processing_job(_processing("boom.py"), Boto3ObjectStore(s3))
    assert outcome.status == "Failed"
    assert outcome.failure_reason is not None
    assert "ValueError: bad column: price" in outcome.failure_reason


def test_job_is_bounded_by_max_runtime(localcloud: LocalCloud) -> None:
    s3 = _setup(localcloud, {"code/slow.py": SLOW})
    outcome = run_processing_job(_processing("slow.py", max_runtime=1), Boto3ObjectStore(s3))
    assert outcome.status == "Stopped"
    assert outcome.timed_out


def _sourcedir(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("encode", [False, True], ids=["plain", "json-encoded"])
def test_training_job_script_mode(localcloud: LocalCloud, encode: bool) -> None:
    s3 = _setup(localcloud, {"data/train/part-0.csv": "1,2\n"})
    s3.put_object(
        Bucket="ml-data", Key="code/sourcedir.tar.gz", Body=_sourcedir({"train.py": TRAIN})
    )

    def value(text: str) -> str:
        return json.dumps(text) if encode else text

    request = {
        "TrainingJobName": "train-1",
        "HyperParameters": {
            "sagemaker_program": value("train.py"),
            "sagemaker_submit_directory": value("s3://ml-data/code/sourcedir.tar.gz"),
            "max_depth": "4",
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://ml-data/data/train"}
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://ml-data/models"},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }
    outcome = run_training_job(request, Boto3ObjectStore(s3))
    assert outcome.status == "Completed", outcome
    body = s3.get_object(Bucket="ml-data", Key="models/train-1/output/model.tar.gz")["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        member = archive.extractfile("model.json")
        assert member is not None
        model = json.loads(member.read())
    assert model["depth"] == 4
    assert model["files"] == ["part-0.csv"]
    assert model["hps"]["max_depth"] == "4"
    assert model["model_dir_ok"] is True


def test_training_without_script_mode_is_a_setup_error(localcloud: LocalCloud) -> None:
    s3 = _setup(localcloud, {})
    with pytest.raises(JobSetupError, match="sagemaker_program"):
        run_training_job({"TrainingJobName": "t", "HyperParameters": {}}, Boto3ObjectStore(s3))


def test_stopping_the_cloud_ends_running_job_processes_and_what_they_started(
    tmp_path: Path,
) -> None:
    # Guards against an interrupted demo leaving a training process (and its children) behind.
    pid_file = tmp_path / "pids"
    cloud = LocalCloud()
    cloud.start()
    try:
        _setup(cloud, {"code/spawns.py": SPAWNS})
        cloud.client("sagemaker").create_processing_job(
            ProcessingJobName="spawns-1",
            RoleArn="arn:aws:iam::123456789012:role/sagemaker",
            AppSpecification={
                "ImageUri": "123.dkr.ecr.us-east-1.amazonaws.com/sklearn:1",
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/spawns.py"],
                # moto keeps no Environment for processing jobs; the path goes as an argument.
                "ContainerArguments": [str(pid_file)],
            },
            ProcessingInputs=[
                {
                    "InputName": "code",
                    "S3Input": {
                        "S3Uri": "s3://ml-data/code",
                        "LocalPath": "/opt/ml/processing/input/code",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 1,
                }
            },
            StoppingCondition={"MaxRuntimeInSeconds": 120},
        )
        deadline = time.monotonic() + 30
        while not pid_file.is_file() or len(pid_file.read_text().split()) < 2:
            described = cloud.client("sagemaker").describe_processing_job(
                ProcessingJobName="spawns-1"
            )
            assert described["ProcessingJobStatus"] == "InProgress", described
            assert time.monotonic() < deadline, "the job's process never started"
            time.sleep(0.02)
        pids = [int(p) for p in pid_file.read_text().split()]
        assert all(alive(pid) for pid in pids)
    finally:
        cloud.stop()
    assert [pid for pid in pids if alive(pid)] == []
    [record] = cloud.job_times()
    assert record.status == "Stopped"
