"""A deploy killed between CreateBucket and PutBucketTagging leaves an empty bucket of the
settings' exact name without tags, encryption or public access block. Running the deploy again
finishes it (tags, encryption, block, policy, notifications), and destroy deletes it; a bucket of
that name that holds objects, or carries anyone's tags, is still refused and kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from deploy import LOCAL, OwnershipConflict, deploy, destroy, plan
from environments.settings import Settings
from localcloud import LocalCloud
from tests.deploy_helpers import FailOnWrite, InjectedFailure, dev_settings, quiet

PROTECTED = ("get_bucket_encryption", "get_public_access_block")


@dataclass
class FailOnNth(FailOnWrite):
    """Fails the ``nth`` write named ``operation`` (the second bucket's, with nth=2)."""

    nth: int = 1
    seen: int = 0

    def _maybe_fail(self, model: Any, **kwargs: Any) -> None:
        if model.name == self.operation and not self.failed_at:
            self.seen += 1
            if self.seen < self.nth:
                return
        super()._maybe_fail(model, **kwargs)


def _killed_after_create_bucket(cloud: LocalCloud, settings: Settings, nth: int) -> str:
    failing = FailOnNth(cloud.client, operation="PutBucketTagging", nth=nth)
    with pytest.raises(InjectedFailure):
        deploy(settings, failing, quiet, target=LOCAL)
    bucket = (settings.data_bucket, settings.artifacts_bucket)[nth - 1]
    s3 = cloud.client("s3")
    assert bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_tagging(Bucket=bucket)
    return bucket


@pytest.mark.parametrize("nth", [1, 2])
def test_the_next_deploy_finishes_a_bucket_its_killed_create_left(
    localcloud: LocalCloud, nth: int
) -> None:
    # Guards: the untagged bucket was refused as someone else's, so no deploy could finish it.
    settings = dev_settings()
    bucket = _killed_after_create_bucket(localcloud, settings, nth)
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    s3 = localcloud.client("s3")
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert (tags["project"], tags["environment"]) == ("churn", "dev")
    for read in PROTECTED:
        assert getattr(s3, read)(Bucket=bucket)
    assert plan(settings, localcloud.client, quiet, target=LOCAL).plan.pending == []


@pytest.mark.parametrize("nth", [1, 2])
def test_destroy_deletes_a_bucket_a_killed_create_left(localcloud: LocalCloud, nth: int) -> None:
    # Guards: destroy found buckets by their tags alone and left this one behind.
    settings = dev_settings()
    bucket = _killed_after_create_bucket(localcloud, settings, nth)
    report = destroy(settings, localcloud.client, quiet, yes=True)
    assert f"s3-bucket {bucket}" in report.deleted
    assert localcloud.client("s3").list_buckets()["Buckets"] == []


def test_an_untagged_bucket_of_that_name_holding_objects_is_still_refused_and_kept(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    bucket = _killed_after_create_bucket(localcloud, settings, 1)
    s3 = localcloud.client("s3")
    s3.put_object(Bucket=bucket, Key="someone/else.csv", Body=b"a,b\n")
    with pytest.raises(OwnershipConflict, match=f"s3-bucket {bucket}: exists without"):
        deploy(settings, localcloud.client, quiet, target=LOCAL)
    destroy(settings, localcloud.client, quiet, yes=True, delete_data=True)
    assert s3.get_object(Bucket=bucket, Key="someone/else.csv")["Body"].read() == b"a,b\n"
