"""The permissions boundary of every role the deploy creates.

The deployer writes roles and their inline policies (that is its job), so without a cap it could
write a role ``*`` on ``*`` and run code as it (UpdateFunctionCode): an escalation to admin. Its
policy therefore allows CreateRole, PutRolePolicy and PutRolePermissionsBoundary only with the
condition ``iam:PermissionsBoundary`` = this managed policy (permissions.py), and both engines
attach it to every role: ``create_role(PermissionsBoundary=...)`` in the boto3 deploy,
``PermissionsBoundary`` in the CloudFormation template. A role's effective permissions are the
intersection of its policy and the boundary, so whatever the deployer writes into a role, the
role can do no more than the boundary: the services the project's roles call, and of IAM only
PassRole of the environment's own roles and the endpoint autoscaling's service-linked role. The
deployer cannot change the boundary (it has no policy-write action), nor remove it from a role
(no DeleteRolePermissionsBoundary).

An administrator creates the policy once per environment, beside the deployer's, from
``selfheal permissions --env dev --boundary`` (named by ``boundary_name``).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy.preflight import DeployRefused
from environments.settings import Settings

# Every service the derived roles call but IAM; test_deploy_boundary.py checks each derived
# role's every action against the boundary, so a new integration names its service here.
SERVICES = (
    "application-autoscaling",
    "cloudwatch",
    "ecr",
    "events",
    "lambda",
    "logs",
    "s3",
    "sagemaker",
    "scheduler",
    "secretsmanager",
    "sns",
    "sqs",
    "states",
    "xray",
)


def boundary_name(settings: Settings) -> str:
    return settings.name("permissions-boundary")


def boundary_arn(settings: Settings) -> str:
    return settings.location.arn("iam", f"policy/{boundary_name(settings)}", regional=False)


def require_boundary(settings: Settings, iam: Any) -> None:
    """Refuse the deploy, before any write, when the account lacks the boundary policy: every
    CreateRole would fail on it, after the deploy had made what comes before the roles."""
    arn = boundary_arn(settings)
    try:
        iam.get_policy(PolicyArn=arn)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        raise DeployRefused(
            [
                f"permissions boundary {arn} does not exist: the roles this deploy creates must "
                "carry it. An administrator creates it once per environment: "
                f"`selfheal permissions --env {settings.environment} --boundary` prints the policy "
                f"(aws iam create-policy --policy-name {boundary_name(settings)} "
                "--policy-document file://boundary.json)"
            ]
        ) from None


def boundary_policy(settings: Settings) -> dict[str, Any]:
    """The managed policy every role of the environment carries as its boundary."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ProjectServices",
                "Effect": "Allow",
                "Action": [f"{service}:*" for service in SERVICES],
                "Resource": "*",
            },
            {
                # The endpoint's autoscaling creates its service-linked role on first use.
                "Sid": "AutoScalingServiceLinkedRole",
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": settings.location.role(
                    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*"
                ),
            },
            {
                "Sid": "PassOwnRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": settings.location.role(f"{settings.prefix}-*"),
            },
        ],
    }
