"""The deployer's permissions: the identity policy that lets plan, deploy, rollback and destroy
make every call they make, and nothing else (``selfheal permissions --env dev``).

tests/test_deploy_permissions.py records every call of a full cycle against the embedded cloud
(both schedule mechanisms, the AWS target's extra calls), maps each to its IAM actions with
``call_actions.actions_for`` and checks both ways: every action a call needs is granted, and
every granted action is needed by a recorded call. It also checks each recorded call against
the grants' resources with the project's IAM evaluator.

Resources follow the discovery in ``providers``: a resource is the project's when its name
starts with ``<project>-<env>-`` (delimited: ``churn-dev*`` would also grant role
``churn-devops-admin``, bucket ``churn-devices-telemetry`` and environment ``dev2``'s
``churn-dev2-*``; discovery reads the tags of delimited names only, Provider.name_prefix). The
exceptions are named exactly: the dashboard, schedule group and endpoint (which may be the bare
prefix), the two buckets when the
settings name them outside the prefix, the budget and the lock parameter. ``*`` is granted
only for calls whose action has no resource type: the listings that discovery starts from.
"""

from __future__ import annotations

from typing import Any

from deploy.boundary import boundary_arn
from deploy.listing_reasons import WHY
from deploy.lock import lock_parameter
from environments.settings import Settings
from iam.statements import WILDCARD, Grant, policy_document
from tasks.packaging import handler_modules
from workflows.machines import BUILDERS

POWERTOOLS_LAYER_NAME = "AWSLambdaPowertools*"
POWERTOOLS_PARAMETERS = "parameter/aws/service/powertools/*"


def _listing(sid: str, *actions: str) -> Grant:
    return Grant(sid, actions, (WILDCARD,), why_wildcard=WHY[sid])


def _pass_role(sid: str, service: str, settings: Settings, roles: list[str]) -> Grant:
    arns = tuple(settings.location.role(r) for r in roles)
    condition = {"StringEquals": {"iam:PassedToService": f"{service}.amazonaws.com"}}
    return Grant(sid, ("iam:PassRole",), arns, condition)


def deployer_grants(settings: Settings) -> list[Grant]:
    loc, prefix = settings.location, settings.prefix
    own = prefix + "-*"
    # The settings may name buckets outside the prefix; discovery takes those two too.
    named = [
        b
        for b in (settings.data_bucket, settings.artifacts_bucket)
        if not b.startswith(prefix + "-")
    ]
    buckets = (loc.bucket(own), *(loc.bucket(b) for b in named))
    objects = tuple(f"{arn}/*" for arn in buckets)
    log_groups = tuple(
        loc.arn("logs", f"log-group:{root}{own}")
        for root in ("/aws/lambda/", "/aws/vendedlogs/states/")
    )
    return [
        _listing("S3ListBuckets", "s3:ListAllMyBuckets"),
        Grant(
            "S3Buckets",
            (
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                "s3:ListBucketVersions",
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:GetBucketPublicAccessBlock",
                "s3:PutBucketPublicAccessBlock",
                "s3:GetBucketPolicy",
                "s3:PutBucketPolicy",
                "s3:GetBucketNotification",
                "s3:PutBucketNotification",
                "s3:GetBucketTagging",
                "s3:PutBucketTagging",
            ),
            buckets,
        ),
        Grant(
            "S3Objects",
            (
                "s3:GetObject",
                "s3:PutObject",
                "s3:GetObjectTagging",
                "s3:PutObjectTagging",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ),
            objects,
        ),
        _listing("IamListRoles", "iam:ListRoles"),
        Grant(
            "IamRoles",
            (
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:UpdateRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:ListRoleTags",
                "iam:ListRolePolicies",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListAttachedRolePolicies",
                # No derived role attaches a managed policy, so AttachRolePolicy is not needed;
                # one attached by hand is detached (by an update, or by destroy).
                "iam:DetachRolePolicy",
            ),
            (loc.role(own),),
        ),
        # Only roles capped by the environment's boundary (boundary.py): without it, a policy
        # the deployer writes could grant a role anything, and the deployer runs code as it.
        Grant(
            "IamRolesWithinTheBoundary",
            ("iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"),
            (loc.role(own),),
            {"StringEquals": {"iam:PermissionsBoundary": boundary_arn(settings)}},
        ),
        # The deploy checks the boundary exists before it writes anything (boundary.py).
        Grant("IamReadTheBoundary", ("iam:GetPolicy",), (boundary_arn(settings),)),
        _pass_role(
            "PassRolesToLambda",
            "lambda",
            settings,
            [settings.lambda_role_name(h) for h in handler_modules()],
        ),
        _pass_role(
            "PassRolesToStepFunctions",
            "states",
            settings,
            [settings.state_machine_role_name(m) for m in BUILDERS],
        ),
        # Both, whichever schedules.mechanism is set: switching it must not need a new policy.
        _pass_role("PassRoleToEventBridge", "events", settings, [settings.events_role_name]),
        _pass_role("PassRoleToScheduler", "scheduler", settings, [settings.scheduler_role_name]),
        _listing("LambdaListFunctions", "lambda:ListFunctions"),
        Grant(
            "LambdaFunctions",
            (
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:GetFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:GetPolicy",
                "lambda:AddPermission",
                "lambda:RemovePermission",
                "lambda:ListTags",
                "lambda:TagResource",
                # Each change is published as a version behind the live alias.
                "lambda:GetFunctionConfiguration",
                "lambda:PublishVersion",
                "lambda:GetAlias",
                "lambda:CreateAlias",
                "lambda:UpdateAlias",
            ),
            # Versions (<function>:<n>) and the alias (<function>:live) included.
            (loc.function(own),),
        ),
        # The public layer AWS publishes (from its own account, which differs by partition).
        Grant(
            "LambdaPowertoolsLayer",
            ("lambda:GetLayerVersion",),
            (f"arn:{loc.partition}:lambda:{loc.region}:*:layer:{POWERTOOLS_LAYER_NAME}:*",),
        ),
        # The layer's ARN is a public parameter; its ARN has no account (``*`` matches none).
        Grant(
            "SsmPowertoolsLayerParameter",
            ("ssm:GetParameter",),
            (f"arn:{loc.partition}:ssm:{loc.region}:*:{POWERTOOLS_PARAMETERS}",),
        ),
        _listing("StatesListStateMachines", "states:ListStateMachines"),
        Grant(
            "StatesStateMachines",
            (
                "states:CreateStateMachine",
                "states:UpdateStateMachine",
                "states:DeleteStateMachine",
                "states:DescribeStateMachine",
                "states:PublishStateMachineVersion",
                "states:CreateStateMachineAlias",
                "states:UpdateStateMachineAlias",
                "states:DeleteStateMachineAlias",
                "states:DescribeStateMachineAlias",
                "states:ListTagsForResource",
                "states:TagResource",
            ),
            # Versions (<machine>:<n>) and the alias (<machine>:live) included.
            (loc.state_machine(own),),
        ),
        _listing("EventsListRules", "events:ListRules"),
        Grant(
            "EventsRules",
            (
                "events:PutRule",
                "events:DeleteRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:ListTargetsByRule",
                "events:ListTagsForResource",
                "events:TagResource",
            ),
            (loc.rule(own),),
        ),
        _listing("SchedulerList", "scheduler:ListScheduleGroups", "scheduler:ListSchedules"),
        Grant(
            "SchedulerGroups",
            (
                "scheduler:CreateScheduleGroup",
                "scheduler:DeleteScheduleGroup",
                "scheduler:GetScheduleGroup",
                "scheduler:ListTagsForResource",
                "scheduler:TagResource",
            ),
            (loc.schedule_group(settings.schedule_group), loc.schedule_group(own)),
        ),
        Grant(
            "SchedulerSchedules",
            (
                "scheduler:CreateSchedule",
                "scheduler:UpdateSchedule",
                "scheduler:DeleteSchedule",
                "scheduler:GetSchedule",
            ),
            # Any schedule in the environment's groups: destroy empties each tagged group.
            tuple(
                loc.arn("scheduler", f"schedule/{group}/*")
                for group in (settings.schedule_group, own)
            ),
        ),
        _listing("SnsListTopics", "sns:ListTopics"),
        Grant(
            "SnsTopics",
            (
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:ListTagsForResource",
                "sns:TagResource",
            ),
            (loc.topic(own),),
        ),
        _listing("SqsListQueues", "sqs:ListQueues"),
        Grant(
            "SqsQueues",
            (
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:GetQueueUrl",
                "sqs:GetQueueAttributes",
                "sqs:SetQueueAttributes",
                "sqs:ListQueueTags",
                "sqs:TagQueue",
            ),
            (loc.arn("sqs", own),),
        ),
        _listing("LogsDescribeLogGroups", "logs:DescribeLogGroups"),
        Grant(
            "LogsLogGroups",
            (
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:PutRetentionPolicy",
                "logs:ListTagsForResource",
                "logs:TagResource",
            ),
            log_groups,
        ),
        _listing("CloudWatchDescribeAlarms", "cloudwatch:DescribeAlarms"),
        Grant(
            "CloudWatchAlarms",
            (
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:ListTagsForResource",
                "cloudwatch:TagResource",
            ),
            (loc.alarm(own),),
        ),
        _listing("CloudWatchListDashboards", "cloudwatch:ListDashboards"),
        # A dashboard has no tags: its body's owner line is read to tell whose it is.
        Grant(
            "CloudWatchDashboards",
            (
                "cloudwatch:GetDashboard",
                "cloudwatch:PutDashboard",
                "cloudwatch:DeleteDashboards",
            ),
            (loc.dashboard(settings.dashboard_name), loc.dashboard(own)),
        ),
        # The environment's own trail (``audit.trail``); listed and read for its tags even
        # when the setting is off, so a trail deployed before is pruned.
        _listing("CloudTrailListTrails", "cloudtrail:ListTrails"),
        Grant(
            "CloudTrailTrails",
            (
                "cloudtrail:CreateTrail",
                "cloudtrail:GetTrail",
                "cloudtrail:UpdateTrail",
                "cloudtrail:DeleteTrail",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:StartLogging",
                "cloudtrail:GetEventSelectors",
                "cloudtrail:PutEventSelectors",
                "cloudtrail:ListTags",
                "cloudtrail:AddTags",
            ),
            (loc.arn("cloudtrail", f"trail/{own}"),),
        ),
        # The one budget the settings name (no listing: it is owned by that name). ViewBudget
        # covers DescribeBudget and its notifications and subscribers; ModifyBudget the writes.
        Grant(
            "BudgetsCostBudget",
            ("budgets:ViewBudget", "budgets:ModifyBudget"),
            (loc.budget(settings.budget_name),),
        ),
        _listing(
            "SageMakerList",
            "sagemaker:ListModelPackageGroups",
            "sagemaker:ListModelPackages",
            "sagemaker:ListEndpoints",
            "sagemaker:ListEndpointConfigs",
            "sagemaker:ListModels",
        ),
        # Discovery lists groups whose name contains the prefix (NameContains) and reads the
        # tags of those that start with it.
        Grant(
            "SageMakerModelPackageGroups",
            (
                "sagemaker:CreateModelPackageGroup",
                "sagemaker:DeleteModelPackageGroup",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:ListTags",
                "sagemaker:AddTags",
            ),
            (loc.sagemaker("model-package-group", own),),
        ),
        # Destroy deletes a group's packages (<group>/<version>) before the group.
        Grant(
            "SageMakerModelPackages",
            ("sagemaker:DeleteModelPackage",),
            (loc.sagemaker("model-package", f"{own}/*"),),
        ),
        # What deploy-model created for the environment, which destroy deletes: listed by
        # name prefix, read for their tags (providers/serving.py).
        Grant(
            "SageMakerServing",
            (
                "sagemaker:ListTags",
                "sagemaker:DeleteEndpoint",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:DeleteModel",
            ),
            tuple(
                loc.sagemaker(kind, name)
                for kind in ("endpoint", "endpoint-config", "model")
                for name in (prefix, own)
            ),
        ),
        # A scalable target's ARN ends in a generated id, so no name can narrow it.
        Grant(
            "ScalableTargetsOfDeletedEndpoints",
            ("application-autoscaling:DeregisterScalableTarget",),
            (loc.arn("application-autoscaling", "scalable-target/*"),),
        ),
        # The environment lock (lock.py): created only when absent, read, and deleted.
        Grant(
            "SsmDeployLock",
            (
                "ssm:PutParameter",
                "ssm:GetParameter",
                "ssm:DeleteParameter",
                "ssm:AddTagsToResource",
            ),
            (loc.arn("ssm", f"parameter{lock_parameter(settings)}"),),
        ),
    ]


def deployer_policy(settings: Settings) -> dict[str, Any]:
    """The identity policy of the deployer of ``settings``' environment, as IAM reads it."""
    return policy_document(deployer_grants(settings))
