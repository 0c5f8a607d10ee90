"""The embedded CloudTrail: management writes recorded and sent to EventBridge as AWS does
(`AWS API Call via CloudTrail`, only while a trail logs management events), LookupEvents
answering "who deleted the endpoint?", and callers attributed to the roles they run as.

Guards the `cloudtrail_api_events` and `cloudtrail_lookup_events` extensions: without the first
no call is recorded or emitted, without the second LookupEvents is NotImplementedError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from event_rules.pattern import compile_pattern
from localcloud import LocalCloud
from localcloud.recorder import BoundedLog
from tests.localcloud_helpers import SFN_ROLE, create_machine

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "event_rules"
    / "samples"
    / "cloudtrail-sagemaker-delete-endpoint.json"
)
DELETES = {
    "source": ["aws.sagemaker"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventSource": ["sagemaker.amazonaws.com"], "eventName": ["DeleteEndpoint"]},
}
WRITES = {"detail-type": ["AWS API Call via CloudTrail"]}


def endpoint(cloud: LocalCloud, name: str = "churn-dev") -> None:
    sm = cloud.client("sagemaker")
    sm.create_model(
        ModelName=f"{name}-m", ExecutionRoleArn=SFN_ROLE, PrimaryContainer={"Image": "img"}
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-m",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-c")


def watch(cloud: LocalCloud, pattern: dict[str, Any], name: str = "audit") -> str:
    """A rule delivering `pattern`'s events to a new queue; the queue's URL."""
    sqs = cloud.client("sqs")
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = cloud.client("events")
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return url


def received(cloud: LocalCloud, url: str) -> list[dict[str, Any]]:
    messages = cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def start_trail(cloud: LocalCloud) -> None:
    cloud.client("s3").create_bucket(Bucket="audit-trail-logs")
    trail = cloud.client("cloudtrail")
    trail.create_trail(Name="management", S3BucketName="audit-trail-logs")
    trail.start_logging(Name="management")


def test_no_trail_records_the_call_but_sends_nothing_to_eventbridge(
    localcloud: LocalCloud,
) -> None:
    # AWS: without a logging trail, API calls are in event history but never reach EventBridge.
    url = watch(localcloud, WRITES)
    endpoint(localcloud)
    localcloud.client("sagemaker").delete_endpoint(EndpointName="churn-dev")
    assert received(localcloud, url) == []
    found = localcloud.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DeleteEndpoint"}]
    )["Events"]
    assert [e["EventName"] for e in found] == ["DeleteEndpoint"]
    assert found[0]["Resources"] == [
        {"ResourceType": "AWS::SageMaker::Endpoint", "ResourceName": "churn-dev"}
    ]


def test_logging_trail_sends_writes_to_rules_with_cloudtrails_shape(
    localcloud: LocalCloud,
) -> None:
    url = watch(localcloud, DELETES)
    start_trail(localcloud)
    endpoint(localcloud)
    localcloud.client("sagemaker").describe_endpoint(EndpointName="churn-dev")
    localcloud.client("sagemaker").delete_endpoint(EndpointName="churn-dev")
    [event] = received(localcloud, url)
    sample = json.loads(SAMPLE.read_text())
    assert event["source"] == "aws.sagemaker"
    assert event["detail-type"] == "AWS API Call via CloudTrail"
    detail = event["detail"]
    # Every field of AWS's record but the TLS details (no TLS here) is there.
    assert set(sample["detail"]) - set(detail) == {"tlsDetails"}
    assert detail["requestParameters"] == {"endpointName": "churn-dev"}
    assert detail["responseElements"] is None
    assert (detail["readOnly"], detail["eventType"], detail["managementEvent"]) == (
        False,
        "AwsApiCall",
        True,
    )
    assert detail["userIdentity"]["accessKeyId"]
    assert compile_pattern(json.dumps(DELETES)).matches(event)
    assert compile_pattern(json.dumps(DELETES)).matches(sample)


def test_read_only_calls_and_stopped_trails_send_nothing(localcloud: LocalCloud) -> None:
    url = watch(localcloud, WRITES)
    start_trail(localcloud)
    assert {e["detail"]["eventName"] for e in received(localcloud, url)} >= {"StartLogging"}
    localcloud.client("sagemaker").list_endpoints()
    localcloud.client("s3").list_buckets()
    assert received(localcloud, url) == []
    localcloud.client("cloudtrail").stop_logging(Name="management")
    localcloud.client("sqs").create_queue(QueueName="after-stop")
    assert received(localcloud, url) == []  # not even StopLogging: the trail had stopped


def test_s3_object_writes_are_data_events(localcloud: LocalCloud) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="k", Body=b"x")
    s3.delete_object(Bucket="data", Key="k")
    names = [e["EventName"] for e in localcloud.client("cloudtrail").lookup_events()["Events"]]
    assert names == ["CreateBucket"]


def test_who_deleted_the_endpoint_is_the_assumed_roles_session(localcloud: LocalCloud) -> None:
    iam = localcloud.client("iam")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument="{}")["Role"]
    creds = localcloud.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="alice")[
        "Credentials"
    ]
    endpoint(localcloud)
    import boto3

    as_alice = boto3.client(
        "sagemaker",
        region_name=localcloud.region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    as_alice.delete_endpoint(EndpointName="churn-dev")
    [found] = localcloud.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "churn-dev"}],
        MaxResults=1,
    )["Events"]
    assert (found["EventName"], found["Username"]) == ("DeleteEndpoint", "alice")
    identity = json.loads(found["CloudTrailEvent"])["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == "arn:aws:sts::123456789012:assumed-role/Admin/alice"
    assert identity["accessKeyId"] == creds["AccessKeyId"]
    assert identity["sessionContext"]["sessionIssuer"]["arn"] == role["Arn"]
    assert identity["principalId"] == f"{role['RoleId']}:alice"


def test_a_state_machines_calls_are_its_roles(localcloud: LocalCloud) -> None:
    endpoint(localcloud)
    arn = create_machine(
        localcloud,
        {
            "StartAt": "Delete",
            "States": {
                "Delete": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:sagemaker:deleteEndpoint",
                    "Parameters": {"EndpointName": "churn-dev"},
                    "End": True,
                }
            },
        },
    )
    assert localcloud.start_and_wait(arn)["status"] == "SUCCEEDED"
    [found] = localcloud.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DeleteEndpoint"}]
    )["Events"]
    record = json.loads(found["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"].startswith("arn:aws:sts::123456789012:assumed-role/sfn/")
    assert identity["invokedBy"] == "states.amazonaws.com"
    assert identity["sessionContext"]["sessionIssuer"]["arn"] == SFN_ROLE
    assert record["sourceIPAddress"] == "states.amazonaws.com"


def test_lookup_is_newest_first_paged_and_bounded_in_time(localcloud: LocalCloud) -> None:
    sqs = localcloud.client("sqs")
    for n in range(3):
        sqs.create_queue(QueueName=f"q{n}")
    trail = localcloud.client("cloudtrail")
    first = trail.lookup_events(MaxResults=2)
    assert [
        json.loads(e["CloudTrailEvent"])["requestParameters"]["queueName"] for e in first["Events"]
    ] == ["q2", "q1"]
    rest = trail.lookup_events(MaxResults=2, NextToken=first["NextToken"])
    assert [e["EventName"] for e in rest["Events"]] == ["CreateQueue"]
    assert "NextToken" not in rest
    newest = first["Events"][0]["EventTime"]
    assert trail.lookup_events(StartTime=newest.timestamp() + 1)["Events"] == []
    with pytest.raises(ClientError, match="InvalidLookupAttributes"):
        trail.lookup_events(
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "a"},
                {"AttributeKey": "Username", "AttributeValue": "b"},
            ]
        )


def test_the_record_keeps_the_newest_when_full() -> None:
    log: BoundedLog[int] = BoundedLog(3)
    for n in range(5):
        log.append(n)
    assert log.items() == [2, 3, 4]
