"""A local endpoint's serving process starts when the endpoint goes InService (CreateEndpoint, an
UpdateEndpoint once it settles), as SageMaker's container is up before any request; it is forked
warm from the job forkserver; deleting the endpoint or stopping the cloud ends it, even while it
is still loading the model."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud, endpoint_servers, jobs
from localcloud.warm_jobs import COLD_JOBS_VARIABLE
from tests.localcloud_helpers import alive, tar_gz

ROLE = "arn:aws:iam::123456789012:role/sm"
BUCKET = "serving"
ENDPOINT = "started"
VARIANT_KEY = f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{ENDPOINT}/AllTraffic"

# model_fn notes its process in STARTS_FILE (one line per start) and then does what LOAD says;
# each answer names the serving process and its parent.
INFERENCE = b"""
import json, os, time

def model_fn(model_dir):
    with open(os.environ["STARTS_FILE"], "a") as starts:
        starts.write(json.dumps({"pid": os.getpid(), "mark": os.environ["MARK"]}) + "\\n")
    if os.environ["LOAD"] == "fail":
        raise RuntimeError("the model file is corrupt")
    if os.environ["LOAD"] == "hang":
        time.sleep(600)
    return os.environ["MARK"]

def input_fn(body, content_type):
    return body

def predict_fn(data, model):
    return {"mark": model, "pid": os.getpid(), "ppid": os.getppid()}

def output_fn(prediction, accept):
    return json.dumps(prediction), "application/json"
"""


@pytest.fixture(autouse=True)
def _accepting_jobs() -> None:
    # A cloud stopped earlier in this process refuses new jobs until one accepts them again.
    jobs.accept_jobs()


def _model(cloud: LocalCloud, name: str, starts: Path, mark: str, load: str = "ok") -> str:
    """A model named `name` and an endpoint config serving it; the config's name."""
    s3, sagemaker = cloud.client("s3"), cloud.client("sagemaker")
    s3.put_object(
        Bucket=BUCKET,
        Key=f"{name}/model.tar.gz",
        Body=tar_gz({"code/inference.py": INFERENCE}),
    )
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": "sklearn",
            "ModelDataUrl": f"s3://{BUCKET}/{name}/model.tar.gz",
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "STARTS_FILE": str(starts),
                "MARK": mark,
                "LOAD": load,
            },
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    return f"{name}-config"


def _starts(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _invoke(cloud: LocalCloud) -> dict[str, object]:
    answer = cloud.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=ENDPOINT, Body="x", ContentType="text/plain"
    )
    result: dict[str, object] = json.loads(answer["Body"].read())
    return result


@contextmanager
def _cloud_with_bucket() -> Iterator[LocalCloud]:
    with LocalCloud() as cloud:
        cloud.client("s3").create_bucket(Bucket=BUCKET)
        yield cloud


def test_create_endpoint_starts_the_container_before_any_request(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    with _cloud_with_bucket() as cloud:
        config = _model(cloud, "first", starts, "a")
        cloud.client("sagemaker").create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=config)
        assert endpoint_servers.running_servers() == [VARIANT_KEY]
        assert endpoint_servers.wait_for_starts(120)
        # The model was loaded with no request made.
        [started] = _starts(starts)
        answer = _invoke(cloud)
        # The request was answered by that process: it started no other.
        assert answer["pid"] == started["pid"]
        assert _starts(starts) == [started]
        # Forked from the job forkserver (the libraries imported), not started by this process.
        assert answer["ppid"] != os.getpid()


def test_a_cold_container_still_starts_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COLD_JOBS_VARIABLE, "1")
    starts = tmp_path / "starts"
    with _cloud_with_bucket() as cloud:
        config = _model(cloud, "first", starts, "a")
        cloud.client("sagemaker").create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=config)
        assert endpoint_servers.wait_for_starts(120)
        [started] = _starts(starts)
        answer = _invoke(cloud)
        assert answer["pid"] == started["pid"]
        assert answer["ppid"] == os.getpid()


def test_a_settled_update_starts_the_new_models_container(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    with _cloud_with_bucket() as cloud:
        sagemaker = cloud.client("sagemaker")
        sagemaker.create_endpoint(
            EndpointName=ENDPOINT, EndpointConfigName=_model(cloud, "first", starts, "a")
        )
        assert endpoint_servers.wait_for_starts(120)
        sagemaker.update_endpoint(
            EndpointName=ENDPOINT, EndpointConfigName=_model(cloud, "second", starts, "b")
        )
        # While Updating the old model serves; the DescribeEndpoint that settles the update
        # starts the new one.
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "Updating"
        assert [s["mark"] for s in _starts(starts)] == ["a"]
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "InService"
        assert endpoint_servers.wait_for_starts(120)
        first, second = _starts(starts)
        assert second["mark"] == "b"
        answer = _invoke(cloud)
        assert (answer["mark"], answer["pid"]) == ("b", second["pid"])
        assert not alive(int(str(first["pid"])))


def test_deleting_the_endpoint_ends_its_container(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    with _cloud_with_bucket() as cloud:
        config = _model(cloud, "first", starts, "a")
        sagemaker = cloud.client("sagemaker")
        sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=config)
        assert endpoint_servers.wait_for_starts(120)
        [started] = _starts(starts)
        sagemaker.delete_endpoint(EndpointName=ENDPOINT)
        assert endpoint_servers.running_servers() == []
        assert not alive(int(str(started["pid"])))


def test_stopping_the_cloud_ends_a_container_still_loading_its_model(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    with _cloud_with_bucket() as cloud:
        config = _model(cloud, "first", starts, "a", load="hang")
        cloud.client("sagemaker").create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=config)
        deadline = time.monotonic() + 120
        while not _starts(starts):  # bounded: until model_fn has begun
            assert time.monotonic() < deadline, "the container never started loading"
            time.sleep(0.05)
        [started] = _starts(starts)
        stopping = time.monotonic()
    # model_fn would take 10 minutes: stopping did not wait for it, and left nothing running.
    assert time.monotonic() - stopping < 60
    assert endpoint_servers.running_servers() == []
    assert not alive(int(str(started["pid"])))


def test_a_failed_start_is_the_first_requests_model_error(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    with _cloud_with_bucket() as cloud:
        config = _model(cloud, "first", starts, "a", load="fail")
        cloud.client("sagemaker").create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=config)
        assert endpoint_servers.wait_for_starts(120)
        with pytest.raises(ClientError) as error:
            _invoke(cloud)
        assert error.value.response["Error"]["Code"] == "ModelError"
        assert "the model file is corrupt" in str(error.value)
        # The request tried again, as a container that failed its health check is restarted.
        assert len(_starts(starts)) == 2


def test_a_start_whose_process_cannot_be_spawned_closes_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COLD_JOBS_VARIABLE, "1")
    logs = []
    real_open = Path.open

    def noting_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        if self.name == "container.log":
            logs.append(handle)
        return handle

    def cannot_spawn(*args: object, **kwargs: object) -> None:
        raise OSError("no interpreter to run")

    monkeypatch.setattr(Path, "open", noting_open)
    monkeypatch.setattr(endpoint_servers, "stage_model", lambda *a: (tmp_path, tmp_path, "x.py"))
    monkeypatch.setattr(endpoint_servers.subprocess, "Popen", cannot_spawn)
    with pytest.raises(OSError, match="no interpreter"):
        endpoint_servers._launch("identity", {}, None, {})  # type: ignore[arg-type]
    # While the failure is still held (its traceback keeps _launch's frame alive).
    assert [log.closed for log in logs] == [True]
