"""What an in-process call to the embedded cloud no longer repeats, and what it still carries.

- `compiled_patterns`: moto's stubber and werkzeug's router compiled URL patterns per request
  (Python's 512-pattern cache thrashed on moto's tables); each is compiled once.
- `routed_once` / `matched_paths`: a REST request was routed to its operation once to name it
  for CloudTrail and again at each step of moto's dispatch; one route per request, and the
  werkzeug path match once per path.
- `local_signatures`: the Authorization header keeps its credential scope, without the HMACs
  nobody checks; real signatures whenever the request could leave the process.
- `user_agent_strings`: the User-Agent header is built once per client and feature set.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from localcloud_helpers import counting_calls

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

_PASS = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
_ROLE = "arn:aws:iam::123456789012:role/r"


def _s3_calls(cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    s3.list_objects_v2(Bucket="paths")
    s3.head_bucket(Bucket="paths")
    cloud.client("stepfunctions").list_state_machines()


def _request_path_compiles(monkeypatch: pytest.MonkeyPatch) -> int:
    routing_modules = {"moto.core.botocore_stubber", "werkzeug.routing.matcher"}
    from localcloud.extensions import compiled_patterns

    def from_request_path(frame: Any) -> bool:
        name = frame.f_globals.get("__name__")
        return name in routing_modules or name == compiled_patterns.__name__

    with LocalCloud() as cloud:
        cloud.client("s3").create_bucket(Bucket="paths")
        _s3_calls(cloud)  # every pattern these calls need has been met once
        with counting_calls(monkeypatch, re, "compile", from_request_path) as compiles:
            for _ in range(5):
                _s3_calls(cloud)
    return len(compiles)


# Without the memos of resolved URLs and matched paths every request walks the tables, as
# each request to a URL not seen before does.
_MEMOS = ("resolved_urls", "matched_paths")


def test_url_patterns_are_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with extensions_disabled(*_MEMOS):
        assert _request_path_compiles(monkeypatch) == 0


def test_without_the_extension_every_request_compiles_patterns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with extensions_disabled("compiled_patterns", *_MEMOS):
        assert _request_path_compiles(monkeypatch) >= 15  # at least one per request


def _rest_matches(monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    from moto.core.routing import RestRouter
    from werkzeug.routing import MapAdapter

    with LocalCloud() as cloud:
        # Lambda is REST: moto routes its requests (S3's it dispatches by hand).
        functions = cloud.client("lambda")
        functions.list_functions()
        with (
            counting_calls(monkeypatch, RestRouter, "_match") as routes,
            counting_calls(monkeypatch, MapAdapter, "match") as paths,
        ):
            for _ in range(4):
                assert functions.list_functions()["Functions"] == []
    return len(routes), len(paths)


def test_a_rest_request_is_routed_once_and_its_path_matched_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _rest_matches(monkeypatch) == (4, 0)


def test_without_the_extensions_each_request_is_routed_and_matched_repeatedly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with extensions_disabled("routed_once", "matched_paths"):
        routes, paths = _rest_matches(monkeypatch)
    assert routes >= 8 and paths >= 8  # named for CloudTrail, then again by moto


def test_matched_paths_keep_each_requests_own_parameters() -> None:
    with LocalCloud() as cloud:
        s3 = cloud.client("s3")
        for bucket in ("first-bucket", "second-bucket"):
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key=f"{bucket}/key", Body=bucket.encode())
        for _ in range(2):
            for bucket in ("first-bucket", "second-bucket"):
                listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
                assert [item["Key"] for item in listed] == [f"{bucket}/key"]
                body = s3.get_object(Bucket=bucket, Key=f"{bucket}/key")["Body"].read()
                assert body == bucket.encode()
        # A path no operation has is still refused, each time it is asked.
        for _ in range(2):
            with pytest.raises(s3.exceptions.ClientError):
                s3.head_object(Bucket="first-bucket", Key="missing")


def _signed(monkeypatch: pytest.MonkeyPatch, cloud: LocalCloud) -> tuple[int, str]:
    """(signatures botocore computed, the Authorization header sent) for one call."""
    sent: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        sent.append(request.headers["Authorization"].decode())

    client = cloud.client("stepfunctions")
    client.meta.events.register("before-send", capture)
    with counting_calls(monkeypatch, botocore.auth.SigV4Auth, "signature") as signatures:
        client.list_state_machines()
    return len(signatures), sent[-1]


_SCOPE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(\w+)/\d{8}/us-east-1/states/aws4_request, "
    r"SignedHeaders=[a-z0-9;-]+, Signature=([0-9a-f]{64})$"
)


def test_calls_to_the_cloud_keep_the_credential_scope_without_hmacs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LocalCloud() as cloud:
        computed, header = _signed(monkeypatch, cloud)
        assert computed == 0
        found = _SCOPE.match(header)
        assert found is not None, header
        assert found.group(1) == boto3.Session().get_credentials().access_key
        # The scope still reaches CloudTrail: the record names the caller's key.
        cloud.client("stepfunctions").create_state_machine(
            name="scoped", definition=_PASS, roleArn=_ROLE
        )
        [event] = cloud.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateStateMachine"}]
        )["Events"]
        record = json.loads(event["CloudTrailEvent"])
        assert record["userIdentity"]["accessKeyId"] == found.group(1)
        assert record["eventSource"] == "states.amazonaws.com"


def test_without_the_extension_every_call_is_signed(monkeypatch: pytest.MonkeyPatch) -> None:
    with extensions_disabled("local_signatures"), LocalCloud() as cloud:
        computed, header = _signed(monkeypatch, cloud)
    assert computed == 1
    assert not header.endswith("0" * 64)


def test_requests_that_could_leave_the_process_are_signed_in_full() -> None:
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    def header() -> str:
        request = AWSRequest(method="GET", url="https://states.us-east-1.amazonaws.com/")
        signer = botocore.auth.SigV4Auth(
            Credentials("AKIDEXAMPLE", "secret"), "states", "us-east-1"
        )
        signer.add_auth(request)
        return str(request.headers["Authorization"])

    with LocalCloud() as cloud:
        assert header().endswith("0" * 64)
        # A presigned URL goes to other programs: signed for real even while the cloud runs.
        s3v4 = boto3.client("s3", region_name=cloud.region, config=Config(signature_version="s3v4"))
        url = s3v4.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
        assert "0" * 64 not in url and re.search(r"X-Amz-Signature=[0-9a-f]{64}", url)
        # Another host than AWS's is a real server, which may check the signature.
        elsewhere = boto3.client(
            "stepfunctions", region_name=cloud.region, endpoint_url="http://127.0.0.1:9"
        )
        sent: list[str] = []

        def refuse(request: Any, **_: Any) -> Any:
            sent.append(request.headers["Authorization"].decode())
            raise RuntimeError("not sent")

        elsewhere.meta.events.register("before-send", refuse)
        with pytest.raises(RuntimeError):
            elsewhere.list_state_machines()
        assert re.search(r"Signature=[0-9a-f]{64}$", sent[0]) and "0" * 64 not in sent[0]
        # So is a request moto is configured to pass through to AWS.
        core = {"passthrough": {"urls": [], "services": ["s3"]}}
        with pytest.MonkeyPatch.context() as patch:
            from moto.core.config import default_user_config

            patch.setitem(default_user_config, "core", core)
            assert not header().endswith("0" * 64)
    # No cloud runs: a request could reach AWS.
    assert re.search(r"Signature=[0-9a-f]{64}$", header()) and not header().endswith("0" * 64)


def _user_agents(monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    """(User-Agent builds for 3 calls and a paginated one, the headers sent)."""
    from botocore.useragent import UserAgentString

    sent: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        sent.append(request.headers["User-Agent"].decode())

    with LocalCloud() as cloud:
        client = cloud.client("stepfunctions")
        client.meta.events.register("before-send", capture)
        client.list_state_machines()
        list(client.get_paginator("list_state_machines").paginate())
        with counting_calls(monkeypatch, UserAgentString, "_build_os_metadata") as builds:
            for _ in range(3):
                client.list_state_machines()
            list(client.get_paginator("list_state_machines").paginate())
    return len(builds), sent


def test_the_user_agent_is_built_once_per_feature_set(monkeypatch: pytest.MonkeyPatch) -> None:
    builds, sent = _user_agents(monkeypatch)
    assert builds == 0
    with extensions_disabled("user_agent_strings"):
        shipped_builds, shipped = _user_agents(monkeypatch)
    assert shipped_builds >= 8  # botocore as shipped: twice per request
    # The same headers as botocore builds, a paginated call's features included.
    assert sent == shipped
    assert sent[0] == sent[2] and sent[1] != sent[0]


class _CountedPattern:
    def __init__(self, pattern: Any, tried: list[str]) -> None:
        self.pattern, self.tried = pattern, tried

    def match(self, url: str) -> Any:
        self.tried.append(url)
        return self.pattern.match(url)


def _service_patterns_tried(monkeypatch: pytest.MonkeyPatch) -> int:
    import moto.backend_index as backend_index

    tried: list[str] = []
    counted = [(name, _CountedPattern(p, tried)) for name, p in backend_index.backend_url_patterns]
    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        sfn.list_state_machines()
        monkeypatch.setattr(backend_index, "backend_url_patterns", counted)
        for _ in range(3):
            assert sfn.list_state_machines()["stateMachines"] == []
    return len(tried)


def test_a_requests_backend_url_is_resolved_once_per_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _service_patterns_tried(monkeypatch) == 0


def test_without_the_extension_every_request_tries_the_service_patterns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with extensions_disabled("resolved_urls"):
        assert _service_patterns_tried(monkeypatch) >= 3 * 50  # Step Functions is far down


def test_a_resolved_url_still_honours_the_service_allow_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.core.config import default_user_config
    from moto.core.exceptions import ServiceNotWhitelisted

    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        sfn.list_state_machines()
        monkeypatch.setitem(default_user_config, "core", {"service_whitelist": ["s3"]})
        with pytest.raises(ServiceNotWhitelisted):
            sfn.list_state_machines()
