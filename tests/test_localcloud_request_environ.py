"""`direct_request_environ`: the WSGI environ of an in-process request is the one werkzeug's
builder makes, for requests of every protocol the project calls (S3 keys with reserved and
non-ASCII characters among them), and building it no longer goes through the builder."""

from __future__ import annotations

import io
from typing import Any

import pytest
from localcloud_helpers import PASS, counting_calls, create_machine

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

_KEYS = [
    "plain/key.csv",
    "a b/c%2Fd+é?x=1&y=2",
    "~tilde/!$'()*,;=@:[]{}|^`\"<>#",
    "ünïcødé/日本語.txt",
    "double//slash/",
]


def _workload(cloud: LocalCloud) -> None:
    """Calls of each protocol: REST-XML (S3), REST-JSON (Lambda, Scheduler), JSON (Step
    Functions, EventBridge, SageMaker), query (SNS, SQS, IAM, STS) and CloudWatch's."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="environ-bucket")
    for key in _KEYS:
        s3.put_object(Bucket="environ-bucket", Key=key, Body=key.encode())
        s3.upload_fileobj(io.BytesIO(b"streamed"), "environ-bucket", f"stream/{key}")
        assert s3.get_object(Bucket="environ-bucket", Key=key)["Body"].read() == key.encode()
        s3.head_object(Bucket="environ-bucket", Key=key)
        s3.copy_object(
            Bucket="environ-bucket",
            Key=f"copy/{key}",
            CopySource={"Bucket": "environ-bucket", "Key": key},
        )
    listed = s3.list_objects_v2(Bucket="environ-bucket", Prefix="a b/")["Contents"]
    assert [item["Key"] for item in listed] == ["a b/c%2Fd+é?x=1&y=2"]
    s3.delete_objects(Bucket="environ-bucket", Delete={"Objects": [{"Key": key} for key in _KEYS]})
    cloud.client("lambda").list_functions()
    cloud.client("scheduler").list_schedule_groups(NamePrefix="default")
    create_machine(cloud, PASS, "environ-machine")
    cloud.client("stepfunctions").list_state_machines()
    cloud.client("events").list_rules(NamePrefix="x y")
    cloud.client("sagemaker").list_model_package_groups()
    topic = cloud.client("sns").create_topic(Name="environ-topic")["TopicArn"]
    cloud.client("sns").publish(TopicArn=topic, Message="line one\nline two é", Subject="s")
    queue = cloud.client("sqs").create_queue(QueueName="environ-queue")["QueueUrl"]
    cloud.client("sqs").send_message(QueueUrl=queue, MessageBody="ä & b")
    cloud.client("iam").list_roles(PathPrefix="/")
    cloud.client("sts").get_caller_identity()
    cloud.client("cloudwatch").put_metric_data(
        Namespace="Environ", MetricData=[{"MetricName": "M", "Value": 1.0}]
    )


def _captured_requests(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, str, dict[str, Any], Any]]:
    """What moto was asked to turn into requests during the workload (a streamed body read, as
    both ways of building read it)."""
    from moto.core.request import Request

    sent: list[tuple[str, str, dict[str, Any], Any]] = []
    build = Request.from_primitives.__func__  # type: ignore[attr-defined]

    def capture(cls: Any, method: str, url: str, headers: Any, body: Any = None) -> Any:
        if hasattr(body, "read"):
            body = body.read()
        sent.append((method, url, dict(headers.items()), body))
        return build(cls, method, url, headers, body)

    monkeypatch.setattr(Request, "from_primitives", classmethod(capture))
    _workload(cloud)
    monkeypatch.undo()
    return sent


def _view(request: Any) -> dict[str, Any]:
    environ = dict(request.environ)
    body = environ.pop("wsgi.input").read()
    environ.pop("wsgi.errors")
    environ.pop("werkzeug.request")  # the request itself
    return {
        "environ": environ,
        "body": body,
        "path": request.path,
        "url": request.url,
        "args": list(request.args.items(multi=True)),
        "headers": list(request.headers),
    }


def test_the_environ_is_the_builders_for_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.request import Request

    with LocalCloud() as cloud:
        sent = _captured_requests(cloud, monkeypatch)
    assert len(sent) >= 40
    # Shapes botocore does not send but a caller of moto could: a path with `;params` and a
    # query, a port, a text body, a non-text header value, an empty form, a header twice.
    sent += [
        ("GET", "http://host:8080/a;b/c?x=1", {"Accept": "*/*", "X-Count": 3}, None),
        ("POST", "https://host/p%C3%A9", {"Content-Type": "text/plain"}, "é text"),
        ("POST", "https://host/", {"Content-Type": "application/x-www-form-urlencoded"}, b""),
        ("PUT", "https://host/k", {"content-length": "9", "x-a": "1", "X-A": "2"}, b"abc"),
    ]
    direct = [_view(Request.from_primitives(m, u, h, b)) for m, u, h, b in sent]
    with extensions_disabled("direct_request_environ"):
        built = [_view(Request.from_primitives(m, u, h, b)) for m, u, h, b in sent]
    for (method, url, _, _), ours, werkzeugs in zip(sent, direct, built, strict=True):
        assert ours == werkzeugs, f"{method} {url}"


def test_requests_no_longer_go_through_the_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    from werkzeug.test import EnvironBuilder

    with LocalCloud() as cloud, counting_calls(monkeypatch, EnvironBuilder, "get_environ") as built:
        _workload(cloud)
    assert built == []


def test_without_the_extension_each_request_is_built_by_werkzeug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from werkzeug.test import EnvironBuilder

    with (
        extensions_disabled("direct_request_environ"),
        LocalCloud() as cloud,
        counting_calls(monkeypatch, EnvironBuilder, "get_environ") as built,
    ):
        _workload(cloud)
    assert len(built) >= 40
