"""Deploy the project to AWS or to the embedded cloud: plan, apply, rollback, destroy, and a
CloudFormation rendering of the same desired state.

    from deploy import LOCAL, deploy
    report = deploy(settings, cloud.client, target=LOCAL)       # the embedded cloud
    report = deploy(settings, boto3.session.Session().client)   # AWS

Every function takes a client factory (``service name -> boto3 client``) and counts the calls
it makes (``report.reads`` / ``report.writes``).
"""

from __future__ import annotations

from deploy.deployment import DeployReport, deploy, plan
from deploy.desired import Blueprint, blueprint
from deploy.destroy import DestroyIncomplete, DestroyRefused, DestroyReport, destroy
from deploy.lock import EnvironmentLocked
from deploy.ownership import OwnershipConflict
from deploy.preflight import DeployRefused
from deploy.rollback import AliasMove, RollbackError, rollback
from deploy.target import AWS, LOCAL, DeployTarget

__all__ = [
    "AWS",
    "LOCAL",
    "AliasMove",
    "Blueprint",
    "DeployRefused",
    "DeployReport",
    "DeployTarget",
    "DestroyIncomplete",
    "DestroyRefused",
    "DestroyReport",
    "EnvironmentLocked",
    "OwnershipConflict",
    "RollbackError",
    "blueprint",
    "deploy",
    "destroy",
    "plan",
    "rollback",
]
