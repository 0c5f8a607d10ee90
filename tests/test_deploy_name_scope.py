"""The environment's names are ``<project>-<env>-...`` (delimited): discovery, and so destroy
and a deploy's prune, never take a neighbour that only starts with the same letters for its
own, even one carrying the environment's tags (a copy of its settings' tags, or environment
``dev2`` of a project whose tags were copied by hand). The deployer's policy grants the same
delimited names (test_deploy_permissions.py)."""

from __future__ import annotations

import json

from deploy import LOCAL, deploy, destroy
from deploy.providers.base import tag_list
from localcloud import LocalCloud
from tests.deploy_helpers import TRUST, dev_settings, quiet

NEIGHBOURS = ("churn-devops-admin", "churn-dev2-lambda-notify")


def test_destroy_leaves_a_neighbour_with_the_same_letters_and_tags(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    iam, s3 = localcloud.client("iam"), localcloud.client("s3")
    tags = tag_list(settings.all_tags())
    for role in NEIGHBOURS:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST), Tags=tags)
    s3.create_bucket(Bucket="churn-devices-telemetry")
    s3.put_bucket_tagging(Bucket="churn-devices-telemetry", Tagging={"TagSet": tags})

    report = destroy(settings, localcloud.client, quiet, yes=True, delete_data=True)

    gone = {line.split(" ", 1)[1] for line in report.deleted}
    assert settings.lambda_role_name("notify") in gone  # the environment's own went
    assert not gone & {*NEIGHBOURS, "churn-devices-telemetry"}
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert set(NEIGHBOURS) <= roles
    assert "churn-devices-telemetry" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
