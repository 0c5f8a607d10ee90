"""Stack fragments and their checks for the CloudFormation resource tests: storage, resource
policies, the model registry, schedules and alarms."""

from __future__ import annotations

import json
from typing import Any

from localcloud import LocalCloud
from tests.cloudformation_helpers import ACCOUNT, ROLE_ARN, TAGS

# -- S3 bucket configuration and SNS topic tags -------------------------------------------------
STORAGE = {
    "Bucket": {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketName": "data",
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
            "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
            "Tags": TAGS,
        },
    },
    "Topic": {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": "news", "DisplayName": "News", "Tags": TAGS},
    },
}


def storage_configured(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:news"
    assert outputs == {"Bucket": "data", "BucketArn": "arn:aws:s3:::data", "Topic": topic}
    s3 = cloud.client("s3")
    block = s3.get_public_access_block(Bucket="data")["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket="data")
    assert s3.get_bucket_tagging(Bucket="data")["TagSet"] == TAGS
    assert cloud.client("sns").list_tags_for_resource(ResourceArn=topic)["Tags"] == TAGS


# -- resource policies -------------------------------------------------------------------------
def _document(resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Events",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "*",
                "Resource": resource,
            }
        ],
    }


QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:news"
POLICIES = {
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "data"}},
    "BucketPolicy": {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "Bucket"},
            "PolicyDocument": _document("arn:aws:s3:::data/*"),
        },
    },
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dlq"}},
    "QueuePolicy": {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": _document(QUEUE_ARN)},
    },
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "news"}},
    "TopicPolicy": {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": _document(TOPIC_ARN)},
    },
}


def policies_applied(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert json.loads(cloud.client("s3").get_bucket_policy(Bucket="data")["Policy"]) == _document(
        "arn:aws:s3:::data/*"
    )
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="dlq")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(attributes["Policy"]) == _document(QUEUE_ARN)
    topic = cloud.client("sns").get_topic_attributes(TopicArn=TOPIC_ARN)["Attributes"]
    assert json.loads(topic["Policy"]) == _document(TOPIC_ARN)


# -- model package group, schedules, alarms ----------------------------------------------------
GROUP = {
    "Group": {
        "Type": "AWS::SageMaker::ModelPackageGroup",
        "Properties": {"ModelPackageGroupName": "models", "Tags": TAGS},
    }
}


def group_exists(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package-group/models"
    assert outputs == {"Ref": arn, "Arn": arn}
    described = cloud.client("sagemaker").describe_model_package_group(
        ModelPackageGroupName="models"
    )
    assert described["ModelPackageGroupArn"] == arn


SCHEDULES = {
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dlq"}},
    "Group": {
        "Type": "AWS::Scheduler::ScheduleGroup",
        "Properties": {"Name": "team", "Tags": TAGS},
    },
    "Daily": {
        "Type": "AWS::Scheduler::Schedule",
        "DependsOn": ["Group"],
        "Properties": {
            "Name": "daily",
            "GroupName": "team",
            "ScheduleExpression": "rate(1 day)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": QUEUE_ARN, "RoleArn": ROLE_ARN, "Input": "{}"},
        },
    },
}


def schedule_in_group(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Group": "team",
        "GroupArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/team",
        "Schedule": "daily",
        "ScheduleArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/team/daily",
    }
    schedule = cloud.client("scheduler").get_schedule(Name="daily", GroupName="team")
    assert (schedule["ScheduleExpression"], schedule["Target"]["Arn"]) == ("rate(1 day)", QUEUE_ARN)


ALARM = {
    "Alarm": {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "errors",
            "Namespace": "AWS/SageMaker",
            "MetricName": "Invocation5XXErrors",
            "Dimensions": [{"Name": "EndpointName", "Value": "serve"}],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        },
    }
}


def alarm_exists(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Ref": "errors",
        "Arn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:errors",
    }
    (alarm,) = cloud.client("cloudwatch").describe_alarms(AlarmNames=["errors"])["MetricAlarms"]
    assert (alarm["TreatMissingData"], alarm["Dimensions"]) == (
        "notBreaching",
        [{"Name": "EndpointName", "Value": "serve"}],
    )


TRAIL = {
    "Logs": {
        "Type": "AWS::S3::Bucket",
        "Properties": {**STORAGE["Bucket"]["Properties"], "BucketName": "audit-logs"},
    },
    "Trail": {
        "Type": "AWS::CloudTrail::Trail",
        "DependsOn": ["Logs"],
        "Properties": {
            "TrailName": "audit",
            "S3BucketName": "audit-logs",
            "S3KeyPrefix": "cloudtrail",
            "IncludeGlobalServiceEvents": True,
            "EnableLogFileValidation": True,
            "IsLogging": True,
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
            "Tags": TAGS,
        },
    },
}


def trail_logs(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/audit"
    assert outputs == {"Ref": "audit", "Arn": arn}
    cloudtrail = cloud.client("cloudtrail")
    [trail] = cloudtrail.describe_trails(trailNameList=["audit"])["trailList"]
    assert (trail["S3BucketName"], trail["S3KeyPrefix"]) == ("audit-logs", "cloudtrail")
    # Only a logging trail sends `AWS API Call via CloudTrail` events to EventBridge.
    assert cloudtrail.get_trail_status(Name="audit")["IsLogging"] is True
    [selector] = cloudtrail.get_event_selectors(TrailName="audit")["EventSelectors"]
    assert selector["IncludeManagementEvents"] is True
