"""The environment's CloudTrail trail (``audit.trail``): deployed by the boto3 engine with
management events, logging, its log files under the artifacts bucket's ``cloudtrail/`` prefix
(the bucket's policy letting exactly this trail write there), kept logging, pruned when the
setting is switched off, and destroyed with the rest."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from deploy import LOCAL, deploy, destroy, plan
from deploy.compare import canonical_policy
from deploy.plan import Action
from deploy.template import write_template
from environments.audit import Audit
from environments.settings import Settings
from localcloud import LocalCloud
from tests.cloudformation_helpers import create_stack, events_of
from tests.deploy_helpers import dev_settings, quiet

ACCOUNT = "123456789012"


def with_trail(settings: Settings, trail: bool = True) -> Settings:
    return dataclasses.replace(settings, audit=Audit(trail, f"{settings.prefix}-audit"))


def _trails(cloud: LocalCloud) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cloud.client("cloudtrail").describe_trails()["trailList"]
    return found


def _policy(cloud: LocalCloud, bucket: str) -> dict[str, Any]:
    text = cloud.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    # Canonical: single values as one-item lists, whichever spelling S3 stored.
    return canonical_policy(json.loads(text))


@pytest.fixture
def trailed(localcloud: LocalCloud) -> Settings:
    settings = with_trail(dev_settings())
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    return settings


def test_without_the_setting_no_trail_and_no_bucket_policy(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    assert settings.audit.trail is False
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    assert _trails(localcloud) == []
    with pytest.raises(localcloud.client("s3").exceptions.ClientError):
        _policy(localcloud, settings.artifacts_bucket)


def test_the_trail_logs_management_events_into_the_artifacts_bucket(
    localcloud: LocalCloud, trailed: Settings
) -> None:
    name = "churn-dev-audit"
    cloudtrail = localcloud.client("cloudtrail")
    [trail] = _trails(localcloud)
    assert (trail["Name"], trail["S3BucketName"], trail["S3KeyPrefix"]) == (
        name,
        trailed.artifacts_bucket,
        "cloudtrail",
    )
    assert trail["IncludeGlobalServiceEvents"] and trail["LogFileValidationEnabled"]
    assert cloudtrail.get_trail_status(Name=name)["IsLogging"] is True
    [selector] = cloudtrail.get_event_selectors(TrailName=name)["EventSelectors"]
    assert (selector["ReadWriteType"], selector["IncludeManagementEvents"]) == ("All", True)
    [tags] = cloudtrail.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
    owner = {t["Key"]: t["Value"] for t in tags["TagsList"]}
    assert (owner["project"], owner["environment"]) == ("churn", "dev")


def test_the_bucket_lets_exactly_this_trail_write_its_log_files(
    localcloud: LocalCloud, trailed: Settings
) -> None:
    bucket = trailed.artifacts_bucket
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/churn-dev-audit"
    statements = {s["Sid"]: s for s in _policy(localcloud, bucket)["Statement"]}
    check, write = statements["CloudTrailAclCheck"], statements["CloudTrailWrite"]
    for statement in (check, write):
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": ["cloudtrail.amazonaws.com"]}
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == [trail]
    assert (check["Action"], check["Resource"]) == (
        ["s3:GetBucketAcl"],
        [f"arn:aws:s3:::{bucket}"],
    )
    assert (write["Action"], write["Resource"]) == (
        ["s3:PutObject"],
        [f"arn:aws:s3:::{bucket}/cloudtrail/AWSLogs/{ACCOUNT}/*"],
    )
    assert write["Condition"]["StringEquals"]["s3:x-amz-acl"] == ["bucket-owner-full-control"]
    # The data bucket receives no log files.
    with pytest.raises(localcloud.client("s3").exceptions.ClientError):
        _policy(localcloud, trailed.data_bucket)


def test_a_second_deploy_changes_nothing_and_a_stopped_trail_is_started_again(
    localcloud: LocalCloud, trailed: Settings
) -> None:
    again = deploy(trailed, localcloud.client, quiet, target=LOCAL)
    assert (again.changed, again.writes) == (False, 0), again.plan.render()
    cloudtrail = localcloud.client("cloudtrail")
    cloudtrail.stop_logging(Name="churn-dev-audit")
    report = plan(trailed, localcloud.client, quiet, target=LOCAL)
    assert [c.resource.key for c in report.plan.pending] == ["cloudtrail-trail/churn-dev-audit"]
    deploy(trailed, localcloud.client, quiet, target=LOCAL)
    assert cloudtrail.get_trail_status(Name="churn-dev-audit")["IsLogging"] is True


def test_switching_the_setting_off_prunes_the_trail(
    localcloud: LocalCloud, trailed: Settings
) -> None:
    result = deploy(with_trail(trailed, False), localcloud.client, quiet, target=LOCAL)
    deleted = [c.resource.key for c in result.plan.changes if c.action is Action.DELETE]
    assert deleted == ["cloudtrail-trail/churn-dev-audit"]
    assert _trails(localcloud) == []


def test_destroy_deletes_the_trail_and_leaves_other_environments(
    localcloud: LocalCloud, trailed: Settings
) -> None:
    cloudtrail = localcloud.client("cloudtrail")
    other = [{"Key": "project", "Value": "churn"}, {"Key": "environment", "Value": "devx"}]
    cloudtrail.create_trail(
        Name="churn-devx-audit", S3BucketName=trailed.data_bucket, TagsList=other
    )
    report = destroy(trailed, localcloud.client, quiet, yes=True, delete_data=True)
    assert "cloudtrail-trail churn-dev-audit" in report.deleted
    assert [t["Name"] for t in _trails(localcloud)] == ["churn-devx-audit"]


def test_the_template_renders_the_trail_after_the_bucket_policy_and_a_stack_creates_it(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    settings = with_trail(dev_settings())
    template = write_template(settings, tmp_path / "dev.json")
    [(logical, trail)] = [
        (k, r) for k, r in template["Resources"].items() if r["Type"] == "AWS::CloudTrail::Trail"
    ]
    [policy_id] = [
        k
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::S3::BucketPolicy"
        and "cloudtrail.amazonaws.com" in json.dumps(r["Properties"]["PolicyDocument"])
    ]
    # CreateTrail refuses a bucket whose policy does not let CloudTrail write yet.
    assert policy_id in trail["DependsOn"]
    props = trail["Properties"]
    assert (props["TrailName"], props["S3KeyPrefix"], props["IsLogging"]) == (
        "churn-dev-audit",
        "cloudtrail",
        True,
    )
    # A template without the setting has no trail.
    plain = write_template(dev_settings(), tmp_path / "plain.json")
    assert "AWS::CloudTrail::Trail" not in {r["Type"] for r in plain["Resources"].values()}

    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"BucketName": "churn-dev-artifacts-trail"},
    }
    resource = {
        **trail,
        "DependsOn": ["Bucket"],
        "Properties": {**props, "S3BucketName": "churn-dev-artifacts-trail"},
    }
    stack = create_stack(
        localcloud, {"Bucket": bucket, logical: resource}, {"Name": {"Ref": logical}}
    )
    assert stack["StackStatus"] == "CREATE_COMPLETE", events_of(localcloud)
    assert stack["Outputs"][0]["OutputValue"] == "churn-dev-audit"
    status = localcloud.client("cloudtrail").get_trail_status(Name="churn-dev-audit")
    assert status["IsLogging"] is True
