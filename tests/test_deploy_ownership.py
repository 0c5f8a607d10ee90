"""A plan never updates or adopts a resource that is not its environment's: one tagged for
another environment or project, or one without the project's tags. It stops before any write,
naming each resource and whose it is (deploy/ownership.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deploy import LOCAL, OwnershipConflict, deploy, plan
from environments.settings import Settings
from localcloud import LocalCloud
from tests.deploy_helpers import Recorder, dev_settings, quiet, tags_of

DEV_TAGS = "tagged project=churn environment=dev"


def _bucket_tags(cloud: LocalCloud, bucket: str) -> dict[str, str]:
    return tags_of(cloud.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"])


@pytest.mark.parametrize("field", ["environment", "project"])
def test_settings_copied_from_dev_refuse_to_take_over_devs_buckets(
    localcloud: LocalCloud, deployed: Settings, field: str
) -> None:
    # dev.yaml copied with only `environment:` (or `project:`) changed keeps dev's bucket names.
    copy = replace(deployed, **{field: "staging"})
    recorder = Recorder(localcloud.client)
    with pytest.raises(OwnershipConflict) as refused:
        plan(copy, recorder, quiet, target=LOCAL)
    problems = refused.value.problems
    assert f"s3-bucket {deployed.data_bucket}: {DEV_TAGS}" in problems
    assert f"s3-bucket {deployed.artifacts_bucket}: {DEV_TAGS}" in problems
    # The code objects in dev's artifacts bucket carry dev's tags too; nothing else is shared.
    assert {p.split(" ", 1)[0] for p in problems} == {"s3-bucket", "s3-object"}
    assert str(refused.value).startswith("refused, nothing was changed: these resources exist")
    assert recorder.all_writes == []

    recorder = Recorder(localcloud.client)
    with pytest.raises(OwnershipConflict):
        deploy(copy, recorder, quiet, target=LOCAL)
    # Nothing but taking and releasing the copy's own lock.
    assert recorder.writes == []
    assert _bucket_tags(localcloud, deployed.data_bucket)["environment"] == "dev"
    assert plan(deployed, localcloud.client, quiet, target=LOCAL).plan.pending == []


def test_a_bucket_without_the_projects_tags_is_not_adopted(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket=settings.data_bucket)  # made by hand, or by another tool
    # Holding data: an empty one is what a deploy killed before tagging leaves, and is
    # finished (test_deploy_stopped_create.py).
    s3.put_object(Bucket=settings.data_bucket, Key="theirs.csv", Body=b"a\n")
    recorder = Recorder(localcloud.client)
    with pytest.raises(OwnershipConflict) as refused:
        deploy(settings, recorder, quiet, target=LOCAL)
    assert refused.value.problems == [
        f"s3-bucket {settings.data_bucket}: exists without the project's tags"
    ]
    assert recorder.writes == []
    assert "tag it project=churn environment=dev" in str(refused.value)
    assert s3.list_buckets()["Buckets"][0]["Name"] == settings.data_bucket
    assert len(s3.list_buckets()["Buckets"]) == 1


def test_a_resource_with_only_one_owner_tag_is_not_adopted(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    iam = localcloud.client("iam")
    role = deployed.sagemaker_role_name
    iam.untag_role(RoleName=role, TagKeys=["environment"])
    with pytest.raises(OwnershipConflict) as refused:
        plan(deployed, localcloud.client, quiet, target=LOCAL)
    assert refused.value.problems == [f"iam-role {role}: tagged project=churn environment=(none)"]


def test_the_environments_own_resources_with_extra_tags_are_updated(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    # Tags beyond the owner tags (a cost centre added by hand) do not make it someone else's.
    localcloud.client("s3").put_bucket_tagging(
        Bucket=deployed.data_bucket,
        Tagging={
            "TagSet": [
                {"Key": "project", "Value": "churn"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "cost-centre", "Value": "42"},
            ]
        },
    )
    made = plan(deployed, localcloud.client, quiet, target=LOCAL).plan
    assert [c.resource.describe() for c in made.pending] == [f"s3-bucket {deployed.data_bucket}"]
