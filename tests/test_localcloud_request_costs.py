"""What the embedded cloud no longer repeats per request or per cloud, and what it still honours.

- `s3_url_module`: moto reloaded its S3 URL table on every lookup (twice per request); it is
  loaded again only when MOTO_S3_CUSTOM_ENDPOINTS changes.
- shared clients: handlers a caller hangs on `cloud.client(...)` last until the next cloud
  starts; kept, every later call in the process ran every earlier recorder.
- `shared_service_models`: every botocore session parsed AWS's service models anew (SageMaker's,
  3 MB, ten times in a first deploy); sessions now share one loader.
- `service_name_table`: moto listed botocore's services anew for each package whose error it
  answered with; one table serves them all.
"""

from __future__ import annotations

import sys
from typing import Any

import boto3
import pytest
from localcloud_helpers import counting_calls

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled


def _url_table() -> Any:
    return sys.modules["moto.s3.urls"].url_paths


def _some_requests(cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="costs")
    s3.put_object(Bucket="costs", Key="k", Body=b"v")
    assert s3.get_object(Bucket="costs", Key="k")["Body"].read() == b"v"
    cloud.client("sqs").list_queues()


def test_the_s3_url_table_is_not_reloaded_on_every_request() -> None:
    with LocalCloud() as cloud:
        _some_requests(cloud)
        table = _url_table()
        _some_requests(cloud)
        assert _url_table() is table


def test_without_the_extension_moto_reloads_it_per_request() -> None:
    # The check above can fail: moto as shipped builds a new table per lookup.
    with extensions_disabled("s3_url_module"), LocalCloud() as cloud:
        _some_requests(cloud)
        table = _url_table()
        _some_requests(cloud)
        assert _url_table() is not table


def _model_loaders() -> tuple[Any, Any]:
    import botocore.session

    first, second = botocore.session.get_session(), botocore.session.get_session()
    return first.get_component("data_loader"), second.get_component("data_loader")


def _moto_loaders() -> tuple[Any, Any]:
    import moto.core.utils

    return moto.core.utils.create_loader(), moto.core.utils.create_loader()


def test_sessions_in_a_running_cloud_read_service_models_through_one_loader() -> None:
    with LocalCloud():
        first, second = _model_loaders()
        assert first is second
        model = first.load_service_model("sagemaker", "service-2")
        assert second.load_service_model("sagemaker", "service-2") is model
        moto_first, moto_second = _moto_loaders()
        assert moto_first is moto_second
        assert moto_first is not first  # moto's carries its extras to AWS's models


def test_a_loader_made_outside_a_session_is_the_sessions_one() -> None:
    # The ASL request check makes its loader with botocore.loaders.create_loader().
    import botocore.loaders

    with LocalCloud():
        shared, _ = _model_loaders()
        assert botocore.loaders.create_loader() is shared


def test_without_the_extension_each_session_parses_the_models_again() -> None:
    import botocore.loaders

    with extensions_disabled("shared_service_models"), LocalCloud():
        first, second = _model_loaders()
        assert first is not second
        assert botocore.loaders.create_loader() is not first
        moto_first, moto_second = _moto_loaders()
        assert moto_first is not moto_second


def test_a_session_with_its_own_data_path_keeps_its_own_loader(tmp_path: Any) -> None:
    import botocore.session

    with LocalCloud():
        shared, _ = _model_loaders()
        own = botocore.session.get_session()
        own.set_config_variable("data_path", str(tmp_path))
        assert own.get_component("data_loader") is not shared


def test_a_custom_s3_endpoint_set_later_is_still_served(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = "http://s3.custom.test:4566"
    with LocalCloud() as cloud:
        _some_requests(cloud)
        monkeypatch.setenv("MOTO_S3_CUSTOM_ENDPOINTS", endpoint)
        s3 = boto3.client("s3", region_name=cloud.region, endpoint_url=endpoint)
        assert s3.get_object(Bucket="costs", Key="k")["Body"].read() == b"v"


def test_handlers_added_to_a_client_end_with_its_cloud() -> None:
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    with LocalCloud() as cloud:
        cloud.client("sqs").meta.events.register("before-call", record)
        cloud.client("sqs").list_queues()
    assert seen == ["ListQueues"]
    with LocalCloud() as cloud:
        cloud.client("sqs").list_queues()
        # botocore's own handlers still run: the call above was signed and parsed.
        assert cloud.client("sqs").list_queues().get("QueueUrls", []) == []
    assert seen == ["ListQueues"]


def test_cloudformation_is_imported_and_extended_only_when_a_request_needs_it() -> None:
    # Importing moto's CloudFormation costs seconds at every cloud's start; its extensions wait
    # until moto imports it for a first CloudFormation request, then apply before it is served.
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from localcloud import LocalCloud\n"
        "from localcloud.extensions import applied_extensions\n"
        "with LocalCloud() as cloud:\n"
        "    cloud.client('s3').list_buckets()\n"
        "    before = 'moto.cloudformation.models' in sys.modules\n"
        "    cloud.client('cloudformation').list_stacks()\n"
        "    print(before, 'cloudformation_rollback' in applied_extensions())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def _errors_of_three_services(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> int:
    """Listings of botocore's services made while three services answer with errors."""
    import botocore.session
    from botocore.exceptions import ClientError

    with counting_calls(monkeypatch, botocore.session.Session, "get_available_services") as asked:
        for call in (
            lambda: cloud.client("iam").get_role(RoleName="missing"),
            lambda: cloud.client("sns").get_topic_attributes(
                TopicArn="arn:aws:sns:us-east-1:123456789012:missing"
            ),
            lambda: cloud.client("sagemaker").describe_model_package_group(
                ModelPackageGroupName="missing"
            ),
        ):
            with pytest.raises(ClientError):
                call()
    return len(asked)


def test_error_services_are_named_from_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalCloud() as cloud:
        assert _errors_of_three_services(cloud, monkeypatch) <= 1


def test_without_the_table_each_package_lists_the_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto.core.utils

    with extensions_disabled("service_name_table"), LocalCloud() as cloud:
        moto.core.utils.service_name_from_moto_package_name.cache_clear()
        assert _errors_of_three_services(cloud, monkeypatch) >= 3
