"""The local server answers the user's own tools only: requests a web page can make are refused
before any handler runs, and leave nothing behind; AWS clients and the server's own callers
(interpreter, Lambda handlers, job workers) keep working."""

from __future__ import annotations

import http.client
import json
import stat
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from localcloud import server
from localcloud.__main__ import main as localcloud_main
from localcloud.remote import RemoteStepFunctions
from tests.localcloud_helpers import create_function, serving

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's working directory; `python -m` puts it on the server's sys.path, so the
    callback Lambda's handler module is importable there."""
    folder = tmp_path_factory.mktemp("server")
    (folder / "trust_callback.py").write_text(CALLBACK_HANDLER)
    return folder


@pytest.fixture(scope="module")
def running(workdir: Path) -> Iterator[server.ServerInfo]:
    with serving(workdir) as info:
        yield info


def _client(info: server.ServerInfo, service: str, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {"region_name": "us-east-1", **info.client_credentials()}
    return boto3.client(service, **{**kwargs, **overrides})  # type: ignore[call-overload]


def _raw(
    info: server.ServerInfo, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], str]:
    """One request as a browser (or anything else) would send it, with exactly these headers."""
    connection = http.client.HTTPConnection("127.0.0.1", info.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        received = {name.lower(): value for name, value in response.getheaders()}
        return response.status, received, response.read().decode()
    finally:
        connection.close()


def _queues(info: server.ServerInfo) -> list[str]:
    urls: list[str] = _client(info, "sqs").list_queues().get("QueueUrls", [])
    return [url.rsplit("/", 1)[-1] for url in urls]


def _signature(info: server.ServerInfo, key: str | None = None, service: str = "sqs") -> str:
    """An Authorization header of SigV4's form (the server checks the form and the key only)."""
    key = key or str(info.access_key_id)
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20250101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    )


def test_a_preflight_from_a_foreign_origin_gets_403_and_no_allow_headers(
    running: server.ServerInfo,
) -> None:
    # moto's app answers this preflight with 200 and Access-Control-Allow-Origin: <the page>.
    status, headers, body = _raw(
        running,
        "OPTIONS",
        "/",
        {
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,content-type",
        },
    )
    assert status == 403
    assert not [name for name in headers if name.startswith("access-control-")]
    assert f"cross-origin request from Origin '{EVIL}'" in body


BOUNDARY = "----page"
# What an HTML <form enctype="multipart/form-data" method="post" action=".../bucket"> sends: a
# "simple" request (no preflight) that moto's S3 takes as PostObject and stores.
PLANT_FORM = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\n\r\nplanted.txt\r\n'
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n'
    f"Content-Type: text/plain\r\n\r\nfrom a page\r\n--{BOUNDARY}--\r\n"
).encode()
FORM_HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
# A query API call a page's form could post (signed only in tests: the refusal must not hinge
# on the missing signature).
CREATE_QUEUE = "Action=CreateQueue&QueueName={}"
QUERY_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def victim(running: server.ServerInfo) -> str:
    _client(running, "s3").create_bucket(Bucket="trust-victim")
    return "/trust-victim"


def _objects(info: server.ServerInfo, bucket: str) -> list[str]:
    listed = _client(info, "s3").list_objects_v2(Bucket=bucket.strip("/"))
    return [item["Key"] for item in listed.get("Contents", [])]


def test_a_form_post_from_a_foreign_origin_creates_nothing(
    running: server.ServerInfo, victim: str
) -> None:
    status, _, body = _raw(running, "POST", victim, {"Origin": EVIL, **FORM_HEADERS}, PLANT_FORM)
    assert status == 403 and f"Origin '{EVIL}'" in body
    signed = {"Origin": EVIL, "Authorization": _signature(running), **QUERY_FORM}
    form = CREATE_QUEUE.format("from-a-page").encode()
    status, _, body = _raw(running, "POST", "/", signed, form)
    assert status == 403 and f"Origin '{EVIL}'" in body
    assert _objects(running, victim) == []
    assert "from-a-page" not in _queues(running)


def test_a_foreign_host_is_refused_dns_rebinding(running: server.ServerInfo, victim: str) -> None:
    rebound = {"Host": f"evil.example:{running.port}"}
    status, _, body = _raw(running, "POST", victim, {**rebound, **FORM_HEADERS}, PLANT_FORM)
    assert status == 403
    assert f"Host 'evil.example:{running.port}' does not name this server" in body
    signed = {**rebound, "Authorization": _signature(running), **QUERY_FORM}
    status, _, _ = _raw(running, "POST", "/", signed, CREATE_QUEUE.format("rebound").encode())
    assert status == 403
    assert _objects(running, victim) == []
    assert "rebound" not in _queues(running)


def test_requests_a_page_can_make_without_an_origin_are_refused(
    running: server.ServerInfo, victim: str
) -> None:
    """Browsers that send no Origin (old ones) or requests that carry none (<img>, links)."""
    status, _, body = _raw(running, "POST", victim, FORM_HEADERS, PLANT_FORM)
    assert status == 403 and "unsigned request" in body
    # A forged presigned query: the page cannot know the server's access key.
    forged = (
        f"{victim}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00"
        "&X-Amz-Credential=AKIDEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
    )
    status, _, body = _raw(running, "POST", forged, FORM_HEADERS, PLANT_FORM)
    assert status == 403 and "signed with access key 'AKIDEXAMPLE'" in body
    # Sent by a page, as the browser says (Sec-Fetch-Site), even with the server's key.
    fetched = {"Sec-Fetch-Site": "cross-site", "Authorization": _signature(running), **QUERY_FORM}
    form = CREATE_QUEUE.format("cross-site").encode()
    status, _, body = _raw(running, "POST", "/", fetched, form)
    assert status == 403 and "Sec-Fetch-Site: cross-site" in body
    assert _objects(running, victim) == []
    assert "cross-site" not in _queues(running)


def test_the_same_requests_from_the_users_tools_go_through(
    running: server.ServerInfo, victim: str
) -> None:
    """The hostile requests above differ from these only in what made them hostile."""
    status, _, _ = _raw(
        running,
        "POST",
        "/",
        {"Authorization": _signature(running), **QUERY_FORM},
        CREATE_QUEUE.format("from-a-tool").encode(),
    )
    assert status == 200 and "from-a-tool" in _queues(running)
    own = {"Origin": running.url, "Authorization": _signature(running, service="s3")}
    status, _, _ = _raw(running, "POST", victim, {**own, **FORM_HEADERS}, PLANT_FORM)
    assert status in (200, 204) and _objects(running, victim) == ["planted.txt"]
    _client(running, "s3").delete_object(Bucket=victim.strip("/"), Key="planted.txt")


def test_another_access_key_is_refused_with_the_fix(running: server.ServerInfo) -> None:
    stranger = _client(running, "sqs", aws_access_key_id="testing", aws_secret_access_key="x")
    with pytest.raises(stranger.exceptions.ClientError) as refused:
        stranger.create_queue(QueueName="stranger")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "export the credentials `python -m localcloud up` prints" in str(refused.value)
    assert "stranger" not in _queues(running)


def test_boto3_localhost_and_presigned_urls_work(running: server.ServerInfo) -> None:
    s3 = _client(running, "s3")
    s3.create_bucket(Bucket="trust-data")
    s3.put_object(Bucket="trust-data", Key="a.txt", Body=b"hello")
    by_name = _client(running, "s3", endpoint_url=f"http://localhost:{running.port}")
    assert by_name.get_object(Bucket="trust-data", Key="a.txt")["Body"].read() == b"hello"
    # boto3 presigns S3 with SigV2 by default in us-east-1; s3v4 gives X-Amz-Signature.
    s3v4 = _client(running, "s3", config=Config(signature_version="s3v4"))
    for client in (s3, s3v4):
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": "trust-data", "Key": "a.txt"}
        )
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == b"hello"
    put = s3v4.generate_presigned_url("put_object", Params={"Bucket": "trust-data", "Key": "b"})
    request = urllib.request.Request(
        put, data=b"up", method="PUT", headers={"Content-Type": "application/octet-stream"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert s3.get_object(Bucket="trust-data", Key="b")["Body"].read() == b"up"


def test_the_export_lines_of_up_are_what_clients_need(
    running: server.ServerInfo,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The state file holds the credentials: the user's alone.
    assert stat.S_IMODE((workdir / ".localcloud" / "server.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((workdir / ".localcloud").stat().st_mode) == 0o700
    monkeypatch.chdir(workdir)
    assert localcloud_main(["up", "--port", str(running.port)]) == 0
    printed = capsys.readouterr().out
    exports = dict(
        line.removeprefix("export ").split("=", 1)
        for line in printed.splitlines()
        if line.startswith("export ")
    )
    assert exports == {
        "AWS_ENDPOINT_URL": running.url,
        "AWS_ACCESS_KEY_ID": running.access_key_id,
        "AWS_SECRET_ACCESS_KEY": running.secret_access_key,
    }
    for name, value in exports.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # A new session, as a new shell's process has: boto3's default session keeps the
    # credentials it resolved first, whichever test in this process made it.
    shell = boto3.session.Session()
    shell.client("sqs").create_queue(QueueName="from-the-shell")  # type: ignore[call-overload]
    assert "from-the-shell" in _queues(running)


def test_remote_step_functions_signs_with_the_exported_credentials(
    running: server.ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert running.access_key_id and running.secret_access_key
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", running.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", running.secret_access_key)
    remote = RemoteStepFunctions(running.url)
    assert "stateMachines" in remote.client().list_state_machines()


CALLBACK_HANDLER = """
import boto3

def handler(event, context):
    boto3.client("sqs").create_queue(QueueName="from-lambda")
    return {"created": "from-lambda"}
"""


JOB_SCRIPT = "import boto3\nboto3.client('sqs').create_queue(QueueName='from-job')\n"


def _callback_machine(info: server.ServerInfo, function_arn: str) -> dict[str, Any]:
    job = {
        "ProcessingJobName": "trust-callback",
        "RoleArn": "arn:aws:iam::123456789012:role/sm",
        "AppSpecification": {
            "ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1",
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/job.py"],
        },
        "ProcessingInputs": [
            {
                "InputName": "code",
                "S3Input": {
                    "S3Uri": "s3://trust-code/job.py",
                    "LocalPath": "/opt/ml/processing/input/code",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 1,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }
    return {
        "StartAt": "Interpreter",
        "States": {
            "Interpreter": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:createQueue",
                "Parameters": {"QueueName": "from-interpreter"},
                "Next": "Lambda",
            },
            "Lambda": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_arn, "Payload": {}},
                "Next": "Job",
            },
            "Job": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
                "Parameters": job,
                "End": True,
            },
        },
    }


def test_the_servers_own_callers_are_signed_and_named_as_it_requires(
    running: server.ServerInfo,
) -> None:
    """The interpreter (moto's fixed keys, Host localhost:PORT), a Lambda handler and a job's
    process all call back into the server; each must pass the guard."""
    s3 = _client(running, "s3")
    s3.create_bucket(Bucket="trust-code")
    s3.put_object(Bucket="trust-code", Key="job.py", Body=JOB_SCRIPT.encode())
    function_arn = create_function(
        lambda service: _client(running, service),
        "trust-callback",
        "trust_callback.handler",
        role_name="callback",
    )
    sfn = _client(running, "stepfunctions")
    machine = sfn.create_state_machine(
        name="trust-callbacks",
        definition=json.dumps(_callback_machine(running, function_arn)),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    deadline = time.monotonic() + 60
    described = sfn.describe_execution(executionArn=execution)
    while described["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
        described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED", described
    assert {"from-interpreter", "from-lambda", "from-job"} <= set(_queues(running))


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("LOCALHOST:{port}", True),
        ("trust-data.localhost:{port}", True),  # S3 virtual-hosted style
        ("127.0.0.1", False),
        ("localhost:1", False),
        ("evil.example:{port}", False),
        ("localhost.evil.example:{port}", False),
        ("", False),
    ],
)
def test_host_names_the_server(host: str, allowed: bool) -> None:
    from localcloud.request_guard import TrustPolicy

    policy = TrustPolicy(port=4566)
    environ = {"HTTP_HOST": host.format(port=4566), "HTTP_AUTHORIZATION": "AWS AKID:sig"}
    assert (policy.refusal(environ) is None) is allowed
