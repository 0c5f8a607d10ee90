"""Who deleted the endpoint: a DeleteEndpoint by another principal, with a trail logging, goes
trail -> the project's audit rule -> a notification naming the principal; and `selfheal audit`
names them from CloudTrail's event history."""

from __future__ import annotations

import json

import boto3

from environments.settings import load_settings
from event_rules.catalogue import project_rules
from localcloud import LocalCloud
from selfheal.audit_command import describe, lookup
from tests.test_localcloud_cloudtrail import endpoint, start_trail


def test_delete_endpoint_by_another_principal_is_notified_and_answered(
    localcloud: LocalCloud,
) -> None:
    settings = load_settings("dev")
    topic = localcloud.client("sns").create_topic(Name=settings.topic_name)["TopicArn"]
    events = localcloud.client("events")
    [rule] = [r for r in project_rules(settings) if r.name.endswith("-audit-sagemaker")]
    events.put_rule(**rule.to_put_rule())
    events.put_targets(**rule.to_put_targets())
    start_trail(localcloud)
    endpoint(localcloud, settings.endpoint.name)
    iam = localcloud.client("iam")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument="{}")["Role"]
    creds = localcloud.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="alice")[
        "Credentials"
    ]
    boto3.client(
        "sagemaker",
        region_name=localcloud.region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).delete_endpoint(EndpointName=settings.endpoint.name)

    # The topic's message is the transformer's JSON string: the text is its value.
    messages = [json.loads(m["Message"]) for m in localcloud.sns_messages(topic)]
    deletion = [m for m in messages if m.startswith("[churn-dev] DeleteEndpoint")]
    assert len(deletion) == 1
    assert "by arn:aws:sts::123456789012:assumed-role/Admin/alice (AssumedRole)." in deletion[0]
    assert f'Request: {{"endpointName": "{settings.endpoint.name}"}}' in deletion[0]

    [record] = lookup(localcloud.client, settings.endpoint.name, "DeleteEndpoint", 5)
    assert "DeleteEndpoint  by arn:aws:sts::123456789012:assumed-role/Admin/alice" in describe(
        record
    )
