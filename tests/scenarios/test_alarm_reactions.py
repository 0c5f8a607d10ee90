"""The CPU alarm's reaction end to end in the embedded cloud: CPU metrics over the threshold ->
the alarm (evaluated on the metrics put) -> its state-change event -> the project's rules -> the
capacity_reaction Lambda raises the scalable target's maximum and notifies; the notify Lambda
words the alarm; then CPU back under the threshold -> OK -> the maximum is lowered again."""

from __future__ import annotations

import datetime
import json
from typing import Any

from deploy.desired_monitoring import infrastructure_alarms
from tests.scenarios.conftest import Deployed

T0 = datetime.datetime(2024, 5, 1, 10, 0, 0, tzinfo=datetime.UTC)
RESOURCE = "endpoint/{}/variant/AllTraffic"


def _max_capacity(deployed: Deployed) -> int:
    targets = deployed.cloud.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker",
        ResourceIds=[RESOURCE.format(deployed.settings.endpoint.name)],
    )["ScalableTargets"]
    return int(targets[0]["MaxCapacity"])


def _put_cpu(deployed: Deployed, first_minute: int, value: float) -> None:
    deployed.cloud.client("cloudwatch").put_metric_data(
        Namespace="/aws/sagemaker/Endpoints",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": deployed.settings.endpoint.name},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Timestamp": T0 + datetime.timedelta(minutes=minute, seconds=10),
                "Value": value,
            }
            for minute in range(first_minute, first_minute + 3)
        ],
    )


def _messages(deployed: Deployed, queue_url: str) -> list[dict[str, Any]]:
    sqs = deployed.cloud.client("sqs")
    found: list[dict[str, Any]] = []
    for _ in range(10):  # bounded: the queue holds only what this test caused
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            break
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_cpu_alarm_raises_the_endpoint_maximum_and_ok_lowers_it(deployed: Deployed) -> None:
    settings, cloud = deployed.settings, deployed.cloud
    base = settings.endpoint.autoscaling.max_capacity
    limit = settings.monitoring.reaction_max_capacity_limit
    assert limit > base  # the example's settings leave room for one step at least
    (cpu,) = [a for a in infrastructure_alarms(settings) if a.name.endswith("cpu-percent")]
    cloud.client("cloudwatch").put_metric_alarm(AlarmName=cpu.name, **cpu.properties)
    # What deploy-model registers when it deploys the endpoint.
    cloud.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=RESOURCE.format(settings.endpoint.name),
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=settings.endpoint.autoscaling.min_capacity,
        MaxCapacity=base,
    )
    sqs = cloud.client("sqs")
    queue = sqs.create_queue(QueueName="topic-reader")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    cloud.client("sns").subscribe(
        TopicArn=deployed.stack.topic_arn, Protocol="sqs", Endpoint=queue_arn
    )

    threshold = settings.monitoring.alarm("cpu_percent").threshold
    _put_cpu(deployed, 0, threshold + 15)
    cloud.wait_until_idle(timeout=60)
    assert _max_capacity(deployed) == base + 1
    subjects = sorted(m["Subject"] for m in _messages(deployed, queue))
    assert subjects == [
        f"[{settings.prefix}] Alarm ALARM: {cpu.name}",
        f"[{settings.prefix}] {cpu.name} ALARM: autoscaling maximum raised {base} -> {base + 1}",
    ]

    _put_cpu(deployed, 3, threshold - 50)
    cloud.wait_until_idle(timeout=60)
    assert _max_capacity(deployed) == base
    notes = {m["Subject"]: m["Message"] for m in _messages(deployed, queue)}
    assert set(notes) == {
        f"[{settings.prefix}] Alarm OK: {cpu.name}",
        f"[{settings.prefix}] {cpu.name} OK: autoscaling maximum lowered {base + 1} -> {base}",
    }
    assert f"Threshold: {threshold:g}" in notes[f"[{settings.prefix}] Alarm OK: {cpu.name}"]
