"""A local SageMaker job never reads or writes outside its workspace, whatever its S3 keys,
archives, LocalPaths, channel names or entry script say. Each test puts a hostile name at one
door, runs the job through the SageMaker API, and checks that the job FAILED with the name in its
FailureReason (as SageMaker fails a job whose input it cannot download) and that the would-be
target outside the workspace (under tmp_path) was never written."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud

ROLE = "arn:aws:iam::123456789012:role/sm"
BUCKET = "ml-data"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2-1"
WRITE = "import pathlib, sys\npathlib.Path(sys.argv[1], 'out.txt').write_text('ok')\n"


def _climb(target: Path) -> str:
    """A relative name that, joined under any folder of this machine, names `target`."""
    return "../" * 20 + str(target).lstrip("/")


def _s3(cloud: LocalCloud, objects: dict[str, bytes]) -> Any:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for key, body in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return s3


def _member(name: str, body: bytes = b"", **fields: Any) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    for key, value in fields.items():
        setattr(info, key, value)
    return info, body


def _tar_gz(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, body in members:
            archive.addfile(info, io.BytesIO(body) if info.isfile() else None)
    return buffer.getvalue()


def _processing(cloud: LocalCloud, local_path: str, output_path: str) -> dict[str, Any]:
    sm = cloud.client("sagemaker")
    sm.create_processing_job(
        ProcessingJobName="prep",
        RoleArn=ROLE,
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
        AppSpecification={
            "ImageUri": IMAGE,
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/job.py"],
            "ContainerArguments": [output_path],
        },
        ProcessingInputs=[
            {
                "InputName": "code",
                "S3Input": {
                    "S3Uri": f"s3://{BUCKET}/code/",
                    "LocalPath": "/opt/ml/processing/input/code",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            },
            {
                "InputName": "data",
                "S3Input": {
                    "S3Uri": f"s3://{BUCKET}/incoming/",
                    "LocalPath": local_path,
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            },
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "result",
                    "S3Output": {
                        "S3Uri": f"s3://{BUCKET}/result",
                        "LocalPath": output_path,
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    cloud.wait_until_idle()
    described: dict[str, Any] = sm.describe_processing_job(ProcessingJobName="prep")
    return described


def _failed(described: dict[str, Any], status_field: str, *named: str) -> str:
    assert described[status_field] == "Failed", described
    reason = str(described["FailureReason"])
    assert reason.startswith("ClientError: "), reason
    for name in named:
        assert name in reason, reason
    return reason


def test_processing_input_key_climbing_out_fails_the_job(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    key = "incoming/" + _climb(tmp_path / "pwned.txt")
    _s3(localcloud, {"code/job.py": WRITE.encode(), key: b"owned"})
    described = _processing(
        localcloud, "/opt/ml/processing/input/data", "/opt/ml/processing/output/result"
    )
    _failed(described, "ProcessingJobStatus", f"s3://{BUCKET}/{key}", "'..'")
    assert not (tmp_path / "pwned.txt").exists()


@pytest.mark.parametrize("door", ["input", "output"])
@pytest.mark.parametrize("how", ["climbing", "absolute"])
def test_a_processing_local_path_outside_opt_ml_fails_the_job(
    localcloud: LocalCloud, tmp_path: Path, door: str, how: str
) -> None:
    target = tmp_path / "elsewhere"
    local = "/opt/ml/processing/input/" + _climb(target) if how == "climbing" else str(target)
    _s3(localcloud, {"code/job.py": WRITE.encode(), "incoming/a.csv": b"1\n"})
    data, output = (
        (local, "/opt/ml/processing/output/result")
        if door == "input"
        else ("/opt/ml/processing/input/data", local)
    )
    described = _processing(localcloud, data, output)
    _failed(described, "ProcessingJobStatus", "LocalPath", repr(local))
    assert not target.exists()


LINK_OUT = """
import os, pathlib, sys
out = pathlib.Path(sys.argv[1])
os.symlink(os.environ['SECRET'], out / 'stolen.txt')
"""


def test_an_output_symlink_leading_out_is_not_uploaded(
    localcloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the user's own file")
    monkeypatch.setenv("SECRET", str(secret))  # the job's process inherits this environment
    s3 = _s3(localcloud, {"code/job.py": LINK_OUT.encode(), "incoming/a.csv": b"1\n"})
    described = _processing(
        localcloud, "/opt/ml/processing/input/data", "/opt/ml/processing/output/result"
    )
    _failed(described, "ProcessingJobStatus", "stolen.txt", str(secret))
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="result/").get("KeyCount") == 0


def _training(cloud: LocalCloud, hyperparameters: dict[str, str], channel: str) -> dict[str, Any]:
    sm = cloud.client("sagemaker")
    sm.create_training_job(
        TrainingJobName="fit",
        RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        HyperParameters={
            "sagemaker_program": "train.py",
            "sagemaker_submit_directory": f"s3://{BUCKET}/code/sourcedir.tar.gz",
            **hyperparameters,
        },
        InputDataConfig=[
            {
                "ChannelName": channel,
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{BUCKET}/incoming/",
                    }
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/models"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    cloud.wait_until_idle()
    described: dict[str, Any] = sm.describe_training_job(TrainingJobName="fit")
    return described


TRAIN = "import os, pathlib\npathlib.Path(os.environ['SM_MODEL_DIR'], 'm').write_text('m')\n"


def test_training_channel_key_climbing_out_fails_the_job(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    key = "incoming/" + _climb(tmp_path / "pwned.txt")
    sourcedir = _tar_gz(_member("train.py", TRAIN.encode()))
    _s3(localcloud, {"code/sourcedir.tar.gz": sourcedir, key: b"owned"})
    described = _training(localcloud, {}, "train")
    _failed(described, "TrainingJobStatus", f"s3://{BUCKET}/{key}")
    assert not (tmp_path / "pwned.txt").exists()


def test_a_channel_name_climbing_out_fails_the_job(localcloud: LocalCloud, tmp_path: Path) -> None:
    sourcedir = _tar_gz(_member("train.py", TRAIN.encode()))
    _s3(localcloud, {"code/sourcedir.tar.gz": sourcedir, "incoming/a.csv": b"1\n"})
    described = _training(localcloud, {}, _climb(tmp_path / "channel"))
    _failed(described, "TrainingJobStatus", "ChannelName")
    assert not (tmp_path / "channel").exists()


@pytest.mark.parametrize(
    ("kind", "member"),
    [
        ("climbing", lambda target: _member(_climb(target), b"owned")),
        ("absolute", lambda target: _member(str(target), b"owned")),
        ("symlink", lambda target: _member("link", type=tarfile.SYMTYPE, linkname=str(target))),
        ("hard link", lambda target: _member("hard", type=tarfile.LNKTYPE, linkname=str(target))),
    ],
)
def test_a_submit_directory_member_leading_out_fails_the_job(
    localcloud: LocalCloud, tmp_path: Path, kind: str, member: Any
) -> None:
    target = tmp_path / "pwned.txt"
    if kind == "hard link":
        target.write_text("the user's own file")  # a hard link needs an existing file
    evil = member(target)
    sourcedir = _tar_gz(_member("train.py", TRAIN.encode()), evil)
    _s3(localcloud, {"code/sourcedir.tar.gz": sourcedir, "incoming/a.csv": b"1\n"})
    described = _training(localcloud, {}, "train")
    named = [repr(evil[0].name)] + ([f"is a {kind} to"] if "link" in kind else [])
    _failed(described, "TrainingJobStatus", "sagemaker_submit_directory", *named)
    if kind == "hard link":
        assert target.read_text() == "the user's own file"
        assert target.stat().st_nlink == 1
    else:
        assert not target.exists() and not target.is_symlink()


def test_a_sagemaker_program_outside_the_code_is_not_run(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    marker = tmp_path / "ran.txt"
    script = tmp_path / "host_script.py"
    script.write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    sourcedir = _tar_gz(_member("train.py", TRAIN.encode()))
    _s3(localcloud, {"code/sourcedir.tar.gz": sourcedir, "incoming/a.csv": b"1\n"})
    described = _training(localcloud, {"sagemaker_program": str(script)}, "train")
    _failed(described, "TrainingJobStatus", "sagemaker_program", str(script))
    assert not marker.exists()


INFERENCE = "def model_fn(model_dir):\n    return None\n"


def _transform(cloud: LocalCloud, model_archive: bytes, input_key: str) -> dict[str, Any]:
    _s3(
        cloud,
        {
            "model/model.tar.gz": model_archive,
            "code/sourcedir.tar.gz": _tar_gz(_member("inference.py", INFERENCE.encode())),
            input_key: b"1,2\n",
        },
    )
    sm = cloud.client("sagemaker")
    sm.create_model(
        ModelName="m",
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
    sm.create_transform_job(
        TransformJobName="score",
        ModelName="m",
        TransformInput={
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/incoming/"}
            },
            "ContentType": "text/csv",
        },
        TransformOutput={"S3OutputPath": f"s3://{BUCKET}/scored/"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )
    cloud.wait_until_idle()
    described: dict[str, Any] = sm.describe_transform_job(TransformJobName="score")
    return described


def test_transform_input_key_climbing_out_fails_the_job(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    key = "incoming/" + _climb(tmp_path / "pwned")
    described = _transform(localcloud, _tar_gz(_member("model.joblib", b"m")), key)
    _failed(described, "TransformJobStatus", f"s3://{BUCKET}/{key}")
    assert not (tmp_path / "pwned.out").exists()


def test_a_model_artifact_member_climbing_out_fails_the_job(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    evil = _member(_climb(tmp_path / "pwned.txt"), b"owned")
    archive = _tar_gz(_member("model.joblib", b"m"), evil)
    described = _transform(localcloud, archive, "incoming/a.csv")
    _failed(described, "TransformJobStatus", "ModelDataUrl", repr(evil[0].name))
    assert not (tmp_path / "pwned.txt").exists()


MESSAGE_LINK = """
import os, pathlib, sys
root = pathlib.Path(sys.argv[1]).parents[2]  # /opt/ml/processing/output/result -> /opt/ml
os.symlink(os.environ['SECRET'], root / 'output' / 'message')
sys.exit(int(os.environ['EXIT']))
"""


@pytest.mark.parametrize("exit_code", [0, 1])
def test_a_message_file_linking_out_is_not_read(
    localcloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exit_code: int
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the user's own file")
    monkeypatch.setenv("SECRET", str(secret))
    monkeypatch.setenv("EXIT", str(exit_code))
    _s3(localcloud, {"code/job.py": MESSAGE_LINK.encode(), "incoming/a.csv": b"1\n"})
    described = _processing(
        localcloud, "/opt/ml/processing/input/data", "/opt/ml/processing/output/result"
    )
    assert described["ProcessingJobStatus"] == ("Completed" if exit_code == 0 else "Failed")
    assert "the user's own file" not in str(described.get("ExitMessage"))
    assert "the user's own file" not in str(described.get("FailureReason"))
