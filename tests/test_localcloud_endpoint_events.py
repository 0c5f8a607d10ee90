"""`SageMaker Endpoint State Change` events from the embedded SageMaker: one per transition,
as SageMaker sends them, so rules see the endpoint's timeline."""

from __future__ import annotations

import json
from typing import Any

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.test_localcloud_sagemaker import _endpoint


def _timeline(cloud: LocalCloud) -> str:
    sns = cloud.client("sns")
    topic = str(sns.create_topic(Name="timeline")["TopicArn"])
    events = cloud.client("events")
    events.put_rule(
        Name="endpoint-states",
        EventPattern=json.dumps(
            {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Endpoint State Change"]}
        ),
    )
    events.put_targets(Rule="endpoint-states", Targets=[{"Id": "t", "Arn": topic}])
    return topic


def _events(cloud: LocalCloud, topic: str) -> list[dict[str, Any]]:
    return [json.loads(m["Message"]) for m in cloud.sns_messages(topic)]


def _statuses(cloud: LocalCloud, topic: str) -> list[str]:
    return [e["detail"]["EndpointStatus"] for e in _events(cloud, topic)]


def test_create_update_and_delete_send_each_transition(localcloud: LocalCloud) -> None:
    topic = _timeline(localcloud)
    sm = _endpoint(localcloud)
    sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    sm.describe_endpoint(EndpointName="serve")  # still Updating
    sm.describe_endpoint(EndpointName="serve")  # settles
    sm.delete_endpoint(EndpointName="serve")
    assert _statuses(localcloud, topic) == [
        "Creating",
        "InService",
        "Updating",
        "InService",
        "Deleting",
    ]
    event = _events(localcloud, topic)[3]
    assert event["source"] == "aws.sagemaker"
    assert event["resources"] == [event["detail"]["EndpointArn"]]
    assert event["detail"]["EndpointName"] == "serve"
    assert event["detail"]["EndpointConfigName"] == "cfg-m2"
    assert event["detail"]["ProductionVariants"] == [
        {"DesiredWeight": 1.0, "DesiredInstanceCount": 1.0}
    ]
    assert "FailureReason" not in event["detail"]


def test_rolled_back_update_passes_through_rolling_back(localcloud: LocalCloud) -> None:
    sm = _endpoint(localcloud)
    topic = _timeline(localcloud)
    localcloud.fail_next_endpoint_update("serve", "Alarm model-errors went to ALARM")
    sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    for _ in range(2):
        sm.describe_endpoint(EndpointName="serve")
    events = _events(localcloud, topic)
    assert [e["detail"]["EndpointStatus"] for e in events] == [
        "Updating",
        "RollingBack",
        "InService",
    ]
    assert events[2]["detail"]["EndpointConfigName"] == "cfg-m1"
    assert events[2]["detail"]["FailureReason"] == "Alarm model-errors went to ALARM"


def test_update_that_cannot_complete_sends_failed(localcloud: LocalCloud) -> None:
    sm = _endpoint(localcloud)
    topic = _timeline(localcloud)
    localcloud.fail_next_endpoint_update("serve", "Insufficient capacity", status="Failed")
    sm.update_endpoint(EndpointName="serve", EndpointConfigName="cfg-m2")
    for _ in range(2):
        sm.describe_endpoint(EndpointName="serve")
    assert _statuses(localcloud, topic) == ["Updating", "Failed"]


def test_without_the_extension_create_and_delete_send_nothing() -> None:
    with extensions_disabled("endpoint_state_events"), LocalCloud() as cloud:
        topic = _timeline(cloud)
        sm = _endpoint(cloud)
        sm.delete_endpoint(EndpointName="serve")
        assert _statuses(cloud, topic) == []
