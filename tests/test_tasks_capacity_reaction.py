"""The CPU alarm's reaction and the alarm notices, called directly on the sample events (the
scenario in tests/scenarios/test_alarm_reactions.py runs them through the embedded cloud)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tasks.handlers import alarm_notices, notifications
from tasks.handlers.capacity_reaction import decide, react
from tasks.handlers.registry import CapacityReactionEnvironment

SAMPLES = Path(__file__).resolve().parents[1] / "event_rules" / "samples"
RESOURCE = "endpoint/churn-dev/variant/AllTraffic"
ENV = CapacityReactionEnvironment(
    topic_arn="arn:aws:sns:us-east-1:123456789012:t",
    subject_tag="churn-dev",
    scalable_resource_id=RESOURCE,
    base_max_capacity="2",
    max_capacity_limit="4",
)


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return event


class Scaling:
    """Application Auto Scaling's answers for one target (or none), recording registrations."""

    def __init__(self, max_capacity: int | None) -> None:
        self.max_capacity = max_capacity
        self.registered: list[dict[str, Any]] = []

    def describe_scalable_targets(self, **request: Any) -> dict[str, Any]:
        assert request["ResourceIds"] == [RESOURCE]
        if self.max_capacity is None:
            return {"ScalableTargets": []}
        return {"ScalableTargets": [{"ResourceId": RESOURCE, "MaxCapacity": self.max_capacity}]}

    def register_scalable_target(self, **request: Any) -> dict[str, Any]:
        self.registered.append(request)
        return {}


class Topic:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    def publish(self, **message: str) -> dict[str, str]:
        self.sent.append(message)
        return {"MessageId": str(len(self.sent))}


@pytest.mark.parametrize(
    ("state", "current", "outcome", "new"),
    [
        ("ALARM", 2, "raised", 3),
        ("ALARM", 3, "raised", 4),
        ("ALARM", 4, "refused", None),  # at the bound: never above it
        ("ALARM", 9, "refused", None),  # set above the bound by hand: left alone
        ("OK", 4, "lowered", 2),
        ("OK", 2, "unchanged", None),
        ("INSUFFICIENT_DATA", 3, "ignored", None),
    ],
)
def test_decide_steps_within_the_bound(state: str, current: int, outcome: str, new: int) -> None:
    decision = decide(state, current, base=2, limit=4)
    assert (decision.outcome, decision.new) == (outcome, new)


def test_alarm_raises_the_maximum_a_step_and_notifies() -> None:
    scaling, topic = Scaling(2), Topic()
    result = react(sample("cloudwatch-alarm-endpoint-cpu-alarm"), ENV, scaling, topic)
    assert scaling.registered == [
        {
            "ServiceNamespace": "sagemaker",
            "ResourceId": RESOURCE,
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "MaxCapacity": 3,
        }
    ]
    assert result["outcome"] == "raised"
    (sent,) = topic.sent
    assert sent["Subject"].startswith("[churn-dev] churn-dev-endpoint-cpu-percent ALARM:")
    assert "raised from 2 to 3" in sent["Message"]
    assert "Value: 95" in sent["Message"] and "Threshold: 80" in sent["Message"]


def test_alarm_at_the_bound_refuses_and_says_so() -> None:
    scaling, topic = Scaling(4), Topic()
    result = react(sample("cloudwatch-alarm-endpoint-cpu-alarm"), ENV, scaling, topic)
    assert scaling.registered == [] and result["outcome"] == "refused"
    assert "monitoring.reaction.max_capacity_limit 4" in topic.sent[0]["Message"]


def test_ok_lowers_back_to_the_settings_maximum() -> None:
    scaling, topic = Scaling(4), Topic()
    react(sample("cloudwatch-alarm-endpoint-cpu-ok"), ENV, scaling, topic)
    assert [r["MaxCapacity"] for r in scaling.registered] == [2]
    assert "lowered from 4 back to 2" in topic.sent[0]["Message"]


def test_ok_at_the_settings_maximum_changes_and_sends_nothing() -> None:
    scaling, topic = Scaling(2), Topic()
    assert react(sample("cloudwatch-alarm-endpoint-cpu-ok"), ENV, scaling, topic)["outcome"] == (
        "unchanged"
    )
    assert scaling.registered == [] and topic.sent == []


def test_no_scalable_target_changes_nothing_and_says_why() -> None:
    scaling, topic = Scaling(None), Topic()
    assert react(sample("cloudwatch-alarm-endpoint-cpu-alarm"), ENV, scaling, topic)["outcome"] == (
        "no_target"
    )
    assert scaling.registered == [] and "has no scalable target" in topic.sent[0]["Message"]


def test_a_bad_bound_names_the_variable() -> None:
    env = CapacityReactionEnvironment(**{**ENV.__dict__, "max_capacity_limit": "two"})
    with pytest.raises(ValueError, match="MAX_CAPACITY_LIMIT"):
        react(sample("cloudwatch-alarm-endpoint-cpu-alarm"), env, Scaling(2), Topic())


def test_the_notify_handler_words_an_alarm_change() -> None:
    details = notifications.from_event(sample("cloudwatch-alarm-latency-p99-alarm"))
    note = notifications.build(details, "churn-dev")
    assert note.subject == "[churn-dev] Alarm ALARM: churn-dev-latency-p99"
    assert "State: OK -> ALARM" in note.message
    assert (
        "Metric: AWS/SageMaker ModelLatency (EndpointName=churn-dev, VariantName=AllTraffic), "
        "p99 over 60 s" in note.message
    )
    assert "Threshold: 500000\n" in note.message and "Value: 900000\n" in note.message
    assert "Reason: Threshold Crossed: 1 out of the last 1 datapoint" in note.message
    assert (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#alarmsV2:alarm/churn-dev-latency-p99" in note.message
    )


def test_reason_data_that_is_not_json_still_notifies() -> None:
    event = sample("cloudwatch-alarm-endpoint-cpu-alarm")
    event["detail"]["state"]["reasonData"] = "not json"
    change = alarm_notices.alarm_change(event)
    assert (change.value, change.threshold, change.state) == (None, None, "ALARM")
