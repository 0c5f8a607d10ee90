"""The environment's CloudTrail trail (``audit.trail`` in the settings) and what its log files
need from the artifacts bucket.

The trail logs management events (read and write) of the account in the environment's region
and of the global services (IAM), so every `AWS API Call via CloudTrail` the audit rules watch
reaches EventBridge. Its log files go under the artifacts bucket's ``cloudtrail/`` prefix;
CloudTrail checks at CreateTrail that the bucket's policy lets it write there, so the bucket
carries the two statements AWS documents, scoped to this trail by ``aws:SourceArn``.
"""

from __future__ import annotations

from deploy.model import Json, Kind, Resource
from environments.audit import TRAIL_KEY_PREFIX
from environments.settings import Settings

CLOUDTRAIL = "cloudtrail.amazonaws.com"
# Management events only: data events (object reads, invocations) are billed per event.
MANAGEMENT_EVENTS = [{"ReadWriteType": "All", "IncludeManagementEvents": True}]


def trail_arn(settings: Settings) -> str:
    return settings.location.arn("cloudtrail", f"trail/{settings.audit.trail_name}")


def trail_bucket_statements(settings: Settings, bucket: str) -> list[dict[str, Json]]:
    """The statements CloudTrail needs on ``bucket`` (none unless it is the trail's)."""
    if not settings.audit.trail or bucket != settings.artifacts_bucket:
        return []
    arn = settings.location.bucket(bucket)
    source = {"aws:SourceArn": trail_arn(settings)}
    logs = f"{arn}/{TRAIL_KEY_PREFIX}/AWSLogs/{settings.location.account}/*"
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": source},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": logs,
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}},
        },
    ]


def trails(settings: Settings) -> list[Resource]:
    """The trail, when the settings ask for one. It refers to the artifacts bucket, so it is
    created after the bucket and its policy, and deleted before the bucket."""
    if not settings.audit.trail:
        return []
    bucket = settings.artifacts_bucket
    return [
        Resource(
            Kind.TRAIL,
            settings.audit.trail_name,
            {
                "S3BucketName": bucket,
                "S3KeyPrefix": TRAIL_KEY_PREFIX,
                "IncludeGlobalServiceEvents": True,
                "IsMultiRegionTrail": False,
                "EnableLogFileValidation": True,
                "IsLogging": True,
                "EventSelectors": MANAGEMENT_EVENTS,
            },
            settings.all_tags(),
            identifiers=(trail_arn(settings),),
            references=(settings.location.bucket(bucket),),
        )
    ]
