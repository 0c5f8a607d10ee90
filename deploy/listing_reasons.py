"""Why the deployer's policy grants each listing on ``*`` (permissions.py): the listings
discovery starts from, whose actions have no resource type (or, for DescribeAlarms, none that
a name-prefix listing is documented to be authorized by)."""

from __future__ import annotations

LIST_WHY = "{} has no resource type: it lists the account's {}, from which discovery picks ours"
WHY = {
    "S3ListBuckets": LIST_WHY.format("s3:ListAllMyBuckets (ListBuckets)", "buckets"),
    "IamListRoles": LIST_WHY.format("iam:ListRoles", "roles"),
    "LambdaListFunctions": LIST_WHY.format("lambda:ListFunctions", "functions"),
    "StatesListStateMachines": LIST_WHY.format("states:ListStateMachines", "state machines"),
    "EventsListRules": LIST_WHY.format("events:ListRules", "rules"),
    "SchedulerList": LIST_WHY.format(
        "scheduler:ListScheduleGroups and ListSchedules", "schedule groups and schedules"
    ),
    "SnsListTopics": LIST_WHY.format("sns:ListTopics", "topics"),
    "SqsListQueues": LIST_WHY.format("sqs:ListQueues", "queues"),
    "LogsDescribeLogGroups": LIST_WHY.format("logs:DescribeLogGroups", "log groups"),
    "SageMakerList": LIST_WHY.format(
        "sagemaker:ListModelPackageGroups, ListEndpoints, ListEndpointConfigs and ListModels "
        "(ListModelPackages takes a group, not a package ARN)",
        "model package groups and packages, endpoints, endpoint configs and models",
    ),
    "CloudWatchListDashboards": LIST_WHY.format("cloudwatch:ListDashboards", "dashboards"),
    "CloudTrailListTrails": LIST_WHY.format("cloudtrail:ListTrails", "trails"),
    "CloudWatchDescribeAlarms": (
        "cloudwatch:DescribeAlarms names the alarm resource type, but discovery lists by name "
        "prefix (AlarmNamePrefix), which no alarm ARN is documented to authorize; AWS's own "
        "examples grant this read-only listing on *"
    ),
}
