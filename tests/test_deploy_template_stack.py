"""What a stack of the template may vary (account, region, partition, parameters), what it keeps
when deleted, and what publish uploads beside it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from deploy.publish import PublishRefused, assets, publish
from deploy.template import template_blueprint, write_template
from environments.settings import load_settings
from localcloud import LocalCloud
from tasks.handlers.registry import HANDLERS
from tests.deploy_helpers import quiet
from tests.template_values import resolve, stack_values
from workflows.machines import build_all


@pytest.fixture(scope="module")
def dev_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return write_template(load_settings("dev"), tmp_path_factory.mktemp("t") / "dev.json")


def _machine(template: dict[str, Any], name: str) -> Any:
    [machine] = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
        and r["Properties"]["StateMachineName"] == name
    ]
    return machine["Properties"]["DefinitionString"]


def test_the_template_names_no_account_region_or_partition(dev_template: dict[str, Any]) -> None:
    location = load_settings("dev").location
    text = json.dumps(dev_template)
    assert location.account not in text
    assert f"arn:{location.partition}:" not in text
    # The region stays only where the scikit-learn image names it: AWS hosts the image under
    # another registry account in each region (images.sklearn, per environment).
    image = load_settings("dev").sklearn_image
    ecr = f"ecr:{location.region}:{image.split('.')[0]}:repository/"
    without_image = text.replace(image, "").replace(ecr, "")
    assert location.region not in without_image


def test_changing_a_parameter_changes_what_the_resources_use(
    dev_template: dict[str, Any],
) -> None:
    """With the defaults the stack's definitions are the settings' own; another endpoint
    instance type reaches the endpoint config and the role allowing it."""
    settings = load_settings("dev")
    for name, machine in build_all(settings).items():
        definition = _machine(dev_template, settings.state_machine_name(name))
        assert json.loads(resolve(definition, stack_values(settings))) == machine.to_asl()

    other = dataclasses.replace(
        settings, endpoint=dataclasses.replace(settings.endpoint, instance_type="ml.c5.xlarge")
    )
    values = stack_values(settings, EndpointInstanceType="ml.c5.xlarge")
    definition = _machine(dev_template, settings.state_machine_name("deploy-model"))
    assert json.loads(resolve(definition, values)) == build_all(other)["deploy-model"].to_asl()
    environments = json.dumps(
        [
            r["Properties"].get("Environment")
            for r in dev_template["Resources"].values()
            if r["Type"] == "AWS::Lambda::Function"
        ]
    )
    assert '"APPROVAL_MODE": {"Fn::Sub": "${ApprovalMode}"}' in environments
    approval = dev_template["Parameters"]["ApprovalMode"]
    assert (approval["Default"], approval["AllowedValues"]) == ("auto", ["auto", "manual"])


def test_data_is_retained_and_the_rest_deleted_explicitly(dev_template: dict[str, Any]) -> None:
    policies = {
        r["Type"]: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy"))
        for r in dev_template["Resources"].values()
    }
    retain, delete = ("Retain", "Retain"), ("Delete", "Delete")
    assert policies["AWS::S3::Bucket"] == retain
    assert policies["AWS::SageMaker::ModelPackageGroup"] == retain
    assert policies["AWS::Logs::LogGroup"] == delete
    assert policies["AWS::SQS::Queue"] == delete


def test_publish_uploads_each_asset_once_and_never_overwrites(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    settings = load_settings("dev")
    design = template_blueprint(settings)
    s3 = localcloud.client("s3")
    with pytest.raises(PublishRefused, match="code bucket staging does not exist"):
        publish(design, localcloud.client, "staging", quiet)
    s3.create_bucket(Bucket="staging")

    # Before the stack exists, the job code waits for its bucket; the zips go up.
    first = publish(design, localcloud.client, "staging", quiet)
    expected = assets(design, "staging")
    zips = [a for a in expected if not a.in_stack_bucket]
    code = [a for a in expected if a.in_stack_bucket]
    assert len(zips) == len(HANDLERS) and len(code) > 4  # a zip per registered handler
    assert (first.uploaded, first.skipped, first.pending) == (zips, [], code)
    # ...at the keys the stack's functions name.
    keys = {
        r["Properties"]["Code"]["S3Key"]
        for r in write_template(settings, tmp_path / "t.json")["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    assert keys == {a.key for a in zips}

    s3.create_bucket(Bucket=settings.artifacts_bucket)  # what the stack's creation does
    second = publish(design, localcloud.client, "staging", quiet)
    assert (second.uploaded, second.skipped, second.pending) == (code, zips, [])
    # The keys the boto3 engine uploads the job code to, with the bytes it uploads.
    listed = s3.list_objects_v2(Bucket=settings.artifacts_bucket)["Contents"]
    assert {o["Key"] for o in listed} == {a.key for a in code}

    # A key holding other bytes is refused, and left as it was.
    victim = code[0]
    s3.put_object(Bucket=victim.bucket, Key=victim.key, Body=b"someone else's")
    with pytest.raises(PublishRefused, match="holds other bytes"):
        publish(design, localcloud.client, "staging", quiet)
    body = s3.get_object(Bucket=victim.bucket, Key=victim.key)["Body"].read()
    assert body == b"someone else's"
