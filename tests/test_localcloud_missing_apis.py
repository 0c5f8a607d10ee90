"""API calls moto 5.2.5 lacks or answers incompletely, as AWS answers them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import PASS, create_machine

OTHER = {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": True}}}


def test_publish_state_machine_version_is_idempotent_per_revision(localcloud: LocalCloud) -> None:
    sfn = localcloud.client("stepfunctions")
    arn = create_machine(localcloud, PASS)
    first = sfn.publish_state_machine_version(stateMachineArn=arn)
    again = sfn.publish_state_machine_version(stateMachineArn=arn)
    assert first["stateMachineVersionArn"] == again["stateMachineVersionArn"] == f"{arn}:1"
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(OTHER))
    second = sfn.publish_state_machine_version(stateMachineArn=arn, description="second")
    assert second["stateMachineVersionArn"] == f"{arn}:2"
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{arn}:2", f"{arn}:1"]


def test_without_the_extension_publish_is_not_implemented() -> None:
    with extensions_disabled("state_machine_versions"), LocalCloud() as cloud:
        arn = create_machine(cloud, PASS)
        with pytest.raises(NotImplementedError, match="publish_state_machine_version"):
            cloud.client("stepfunctions").publish_state_machine_version(stateMachineArn=arn)


def _package(cloud: LocalCloud) -> tuple[Any, str]:
    sagemaker = cloud.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName="models")
    arn: str = sagemaker.create_model_package(
        ModelPackageGroupName="models",
        InferenceSpecification={
            "Containers": [{"Image": "img", "ModelDataUrl": "s3://bucket-one/m.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    return sagemaker, arn


def test_model_packages_and_groups_can_be_deleted(localcloud: LocalCloud) -> None:
    sagemaker, arn = _package(localcloud)
    sagemaker.delete_model_package(ModelPackageName=arn)
    assert (
        sagemaker.list_model_packages(ModelPackageGroupName="models")["ModelPackageSummaryList"]
        == []
    )
    with pytest.raises(ClientError, match="not found") as deleted:
        sagemaker.describe_model_package(ModelPackageName=arn)
    assert deleted.value.response["Error"]["Code"] == "ValidationException"
    sagemaker.delete_model_package_group(ModelPackageGroupName="models")
    assert sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
    with pytest.raises(ClientError, match="does not exist") as gone:
        sagemaker.delete_model_package_group(ModelPackageGroupName="models")
    assert gone.value.response["Error"]["Code"] == "ValidationException"


def test_without_the_extension_a_group_cannot_be_deleted() -> None:
    with extensions_disabled("model_registry_deletes"), LocalCloud() as cloud:
        sagemaker, _ = _package(cloud)
        with pytest.raises(NotImplementedError, match="delete_model_package_group"):
            sagemaker.delete_model_package_group(ModelPackageGroupName="models")


def _bucket_with_eventbridge(cloud: LocalCloud) -> Any:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="bucket-one")
    s3.put_bucket_notification_configuration(
        Bucket="bucket-one", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    return s3


def test_bucket_notification_configuration_shows_eventbridge(localcloud: LocalCloud) -> None:
    s3 = _bucket_with_eventbridge(localcloud)
    configuration = s3.get_bucket_notification_configuration(Bucket="bucket-one")
    assert configuration["EventBridgeConfiguration"] == {}


def test_without_the_extension_eventbridge_is_not_shown() -> None:
    with extensions_disabled("bucket_eventbridge_config"), LocalCloud() as cloud:
        s3 = _bucket_with_eventbridge(cloud)
        configuration = s3.get_bucket_notification_configuration(Bucket="bucket-one")
    assert "EventBridgeConfiguration" not in configuration
