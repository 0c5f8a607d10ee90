"""Which IAM actions each call of the deploy needs: ``<prefix>:<operation>`` unless the
operation's action is named otherwise (S3) or the call, as the deploy makes it, needs other
actions too. The deployer policy (``permissions.py``) grants them; its test maps every recorded
call through ``actions_for``.
"""

from __future__ import annotations

# botocore names the Step Functions client "stepfunctions"; IAM's prefix is "states".
SERVICE_PREFIXES = {"stepfunctions": "states"}

# Calls whose IAM actions are not ``<prefix>:<operation>``: S3's operations and actions differ
# in name, and some calls, as the deploy makes them, need other actions too (the Service
# Authorization Reference lists these as dependent actions, or the API reference says so).
OPERATION_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    # The code objects are uploaded with their tags (x-amz-tagging).
    ("s3", "PutObject"): ("s3:PutObject", "s3:PutObjectTagging"),
    # Emptying a bucket names each object version (and delete marker) it deletes.
    ("s3", "DeleteObjects"): ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    # Every create that carries the tags needs the service's tagging action too.
    ("iam", "CreateRole"): ("iam:CreateRole", "iam:TagRole"),
    ("sqs", "CreateQueue"): ("sqs:CreateQueue", "sqs:TagQueue"),
    ("sns", "CreateTopic"): ("sns:CreateTopic", "sns:TagResource"),
    ("logs", "CreateLogGroup"): ("logs:CreateLogGroup", "logs:TagResource"),
    ("cloudwatch", "PutMetricAlarm"): ("cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"),
    ("sagemaker", "CreateModelPackageGroup"): (
        "sagemaker:CreateModelPackageGroup",
        "sagemaker:AddTags",
    ),
    ("events", "PutRule"): ("events:PutRule", "events:TagResource"),
    ("scheduler", "CreateScheduleGroup"): (
        "scheduler:CreateScheduleGroup",
        "scheduler:TagResource",
    ),
    # Deleting a group deletes the schedules left in it.
    ("scheduler", "DeleteScheduleGroup"): (
        "scheduler:DeleteScheduleGroup",
        "scheduler:DeleteSchedule",
    ),
    # A function runs as its role (PassRole), and on AWS with the Powertools layer, which the
    # caller must be allowed to read (GetLayerVersion).
    ("lambda", "CreateFunction"): (
        "lambda:CreateFunction",
        "iam:PassRole",
        "lambda:TagResource",
        "lambda:GetLayerVersion",
    ),
    ("lambda", "UpdateFunctionConfiguration"): (
        "lambda:UpdateFunctionConfiguration",
        "iam:PassRole",
        "lambda:GetLayerVersion",
    ),
    # A state machine runs as its role; the deploy creates and updates with publish=true.
    ("stepfunctions", "CreateStateMachine"): (
        "states:CreateStateMachine",
        "iam:PassRole",
        "states:PublishStateMachineVersion",
        "states:TagResource",
    ),
    ("stepfunctions", "UpdateStateMachine"): (
        "states:UpdateStateMachine",
        "iam:PassRole",
        "states:PublishStateMachineVersion",
    ),
    # A target that starts a state machine (mechanism: rule) and every schedule name a role.
    ("events", "PutTargets"): ("events:PutTargets", "iam:PassRole"),
    ("scheduler", "CreateSchedule"): ("scheduler:CreateSchedule", "iam:PassRole"),
    ("scheduler", "UpdateSchedule"): ("scheduler:UpdateSchedule", "iam:PassRole"),
    # The environment lock is created with its tags.
    ("ssm", "PutParameter"): ("ssm:PutParameter", "ssm:AddTagsToResource"),
    # Deleting an endpoint deregisters its variants from Application Auto Scaling, which
    # SageMaker does only for a caller allowed to (endpoint-delete-with-scaling.html).
    ("sagemaker", "DeleteEndpoint"): (
        "sagemaker:DeleteEndpoint",
        "application-autoscaling:DeregisterScalableTarget",
    ),
    # STS answers GetCallerIdentity for any identity, even one whose policy denies it.
    ("sts", "GetCallerIdentity"): (),
}


def actions_for(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions a call needs, as the deploy makes it (``service`` is botocore's name)."""
    found = OPERATION_ACTIONS.get((service, operation))
    if found is not None:
        return found
    return (f"{SERVICE_PREFIXES.get(service, service)}:{operation}",)
