"""Which IAM actions each call of the deploy needs: the action that authorizes the operation
(``aws_naming.iam_action``: ``<prefix>:<operation>`` unless named otherwise, as S3's are) and,
for some calls as the deploy makes them, other actions too. The deployer policy
(``permissions.py``) grants them; its test maps every recorded call through ``actions_for``.
"""

from __future__ import annotations

from aws_naming import iam_action

# Calls that, as the deploy makes them, need actions beyond the one that authorizes the
# operation (the Service Authorization Reference lists these as dependent actions, or the API
# reference says so).
DEPENDENT_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # The code objects are uploaded with their tags (x-amz-tagging).
    ("s3", "PutObject"): ("s3:PutObjectTagging",),
    # Emptying a bucket names each object version (and delete marker) it deletes.
    ("s3", "DeleteObjects"): ("s3:DeleteObjectVersion",),
    # Every create that carries the tags needs the service's tagging action too.
    ("iam", "CreateRole"): ("iam:TagRole",),
    ("sqs", "CreateQueue"): ("sqs:TagQueue",),
    ("sns", "CreateTopic"): ("sns:TagResource",),
    ("logs", "CreateLogGroup"): ("logs:TagResource",),
    ("cloudwatch", "PutMetricAlarm"): ("cloudwatch:TagResource",),
    ("sagemaker", "CreateModelPackageGroup"): ("sagemaker:AddTags",),
    ("events", "PutRule"): ("events:TagResource",),
    ("cloudtrail", "CreateTrail"): ("cloudtrail:AddTags",),
    ("scheduler", "CreateScheduleGroup"): ("scheduler:TagResource",),
    # Deleting a group deletes the schedules left in it.
    ("scheduler", "DeleteScheduleGroup"): ("scheduler:DeleteSchedule",),
    # A function runs as its role (PassRole), and on AWS with the Powertools layer, which the
    # caller must be allowed to read (GetLayerVersion).
    ("lambda", "CreateFunction"): (
        "iam:PassRole",
        "lambda:TagResource",
        "lambda:GetLayerVersion",
    ),
    ("lambda", "UpdateFunctionConfiguration"): ("iam:PassRole", "lambda:GetLayerVersion"),
    # A state machine runs as its role; the deploy creates and updates with publish=true.
    ("stepfunctions", "CreateStateMachine"): (
        "iam:PassRole",
        "states:PublishStateMachineVersion",
        "states:TagResource",
    ),
    ("stepfunctions", "UpdateStateMachine"): (
        "iam:PassRole",
        "states:PublishStateMachineVersion",
    ),
    # A target that starts a state machine (mechanism: rule) and every schedule name a role.
    ("events", "PutTargets"): ("iam:PassRole",),
    ("scheduler", "CreateSchedule"): ("iam:PassRole",),
    ("scheduler", "UpdateSchedule"): ("iam:PassRole",),
    # The environment lock is created with its tags.
    ("ssm", "PutParameter"): ("ssm:AddTagsToResource",),
    # Deleting an endpoint deregisters its variants from Application Auto Scaling, which
    # SageMaker does only for a caller allowed to (endpoint-delete-with-scaling.html).
    ("sagemaker", "DeleteEndpoint"): ("application-autoscaling:DeregisterScalableTarget",),
}
# STS answers GetCallerIdentity for any identity, even one whose policy denies it.
NEEDS_NO_ACTION = {("sts", "GetCallerIdentity")}


def actions_for(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions a call needs, as the deploy makes it (``service`` is botocore's name)."""
    if (service, operation) in NEEDS_NO_ACTION:
        return ()
    return (iam_action(service, operation), *DEPENDENT_ACTIONS.get((service, operation), ()))
