"""CloudWatch metric alarms in the embedded cloud: evaluated on the metrics put, over the
datapoints' own timestamps, with CloudWatch's states, reasons, history and EventBridge events.

Every test here fails without the `cloudwatch_alarms` extension: moto left every alarm `OK`
whatever its data, emitted no event and had no DescribeAlarmHistory."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from event_rules.pattern import matches
from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

T0 = datetime.datetime(2024, 5, 1, 10, 0, 0, tzinfo=datetime.UTC)
ENDPOINT = [{"Name": "EndpointName", "Value": "churn-dev"}, {"Name": "VariantName", "Value": "v"}]
SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "event_rules"
    / "samples"
    / "cloudwatch-alarm-latency-p99-alarm.json"
)


def _alarm(cloud: LocalCloud, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "AlarmName": "latency",
        "AlarmDescription": "p99 model latency on churn-dev",
        "Namespace": "AWS/SageMaker",
        "MetricName": "ModelLatency",
        "Dimensions": ENDPOINT,
        "ExtendedStatistic": "p99",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 500_000.0,
        "ComparisonOperator": "GreaterThanThreshold",
        **overrides,
    }
    arguments = {key: value for key, value in arguments.items() if value is not None}
    cloud.client("cloudwatch").put_metric_alarm(**arguments)


def _put(cloud: LocalCloud, minute: int, values: list[float], name: str = "ModelLatency") -> None:
    cloud.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": ENDPOINT,
                "Timestamp": T0 + datetime.timedelta(minutes=minute, seconds=10),
                "Values": values,
            }
        ],
    )


def _state(cloud: LocalCloud, name: str = "latency") -> dict[str, Any]:
    alarms = cloud.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    alarm: dict[str, Any] = alarms[0]
    return alarm


def _queue(cloud: LocalCloud, pattern: dict[str, Any]) -> str:
    """A rule on the default bus delivering what it matches to a queue; the queue's URL."""
    sqs = cloud.client("sqs")
    url: str = sqs.create_queue(QueueName="alarms")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = cloud.client("events")
    events.put_rule(Name="alarm-changes", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="alarm-changes", Targets=[{"Id": "q", "Arn": arn}])
    return url


def _received(cloud: LocalCloud, url: str) -> list[dict[str, Any]]:
    messages = cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_p99_over_the_threshold_alarms_where_the_average_would_not(localcloud: LocalCloud) -> None:
    _alarm(localcloud)
    assert _state(localcloud)["StateValue"] == "INSUFFICIENT_DATA"  # moto: OK at creation
    # Two slow requests in a hundred: the average (about 20 ms) is far below 500 ms, the p99 not.
    _put(localcloud, 0, [900_000.0] * 2 + [10_000.0] * 98)
    alarm = _state(localcloud)
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"] == (
        "Threshold Crossed: 1 out of the last 1 datapoint [900000.0 (01/05/24 10:00:00)] was "
        "greater than the threshold (500000.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data = json.loads(alarm["StateReasonData"])
    assert data["extendedStatistic"] == "p99"
    assert data["evaluatedDatapoints"] == [
        {"timestamp": "2024-05-01T10:00:00.000+0000", "sampleCount": 100.0, "value": 900_000.0}
    ]
    assert alarm["StateUpdatedTimestamp"] == T0 + datetime.timedelta(seconds=10)


def test_another_dimension_set_leaves_the_alarm_alone(localcloud: LocalCloud) -> None:
    _alarm(localcloud)
    localcloud.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "ModelLatency",
                "Dimensions": ENDPOINT[:1],  # the endpoint without its variant: another metric
                "Timestamp": T0,
                "Value": 2_000_000.0,
            }
        ],
    )
    assert _state(localcloud)["StateValue"] == "INSUFFICIENT_DATA"


def test_datapoints_to_alarm_m_of_n(localcloud: LocalCloud) -> None:
    _alarm(
        localcloud,
        ExtendedStatistic=None,
        Statistic="Maximum",
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        TreatMissingData="notBreaching",
    )
    _put(localcloud, 0, [900_000.0])
    # 1 of 3 breaching (the two missing periods count as not breaching): not yet 2 of 3.
    assert _state(localcloud)["StateValue"] == "OK"
    _put(localcloud, 1, [100.0])
    assert _state(localcloud)["StateValue"] == "OK"
    _put(localcloud, 2, [700_000.0])
    alarm = _state(localcloud)
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 2 out of the last 3 datapoints")
    # Minute 3 pushes minute 0 out of the range: 1 of the last 3 breaches, back to OK.
    _put(localcloud, 3, [100.0])
    assert _state(localcloud)["StateValue"] == "OK"


@pytest.mark.parametrize(
    ("treat", "expected"),
    [("missing", "ALARM"), ("ignore", "ALARM"), ("breaching", "ALARM"), ("notBreaching", "OK")],
)
def test_treat_missing_data_with_a_gap(localcloud: LocalCloud, treat: str, expected: str) -> None:
    _alarm(localcloud, EvaluationPeriods=3, TreatMissingData=treat)
    _put(localcloud, 0, [900_000.0] * 100)
    _put(localcloud, 2, [900_000.0] * 100)
    # Breaching, missing, breaching with 3 of 3 to alarm: the gap is good only as notBreaching;
    # missing and ignore judge the datapoints present.
    assert _state(localcloud)["StateValue"] == expected


@pytest.mark.parametrize(
    ("treat", "expected"),
    [
        ("missing", "INSUFFICIENT_DATA"),
        ("ignore", "INSUFFICIENT_DATA"),  # keeps the state it has
        ("breaching", "ALARM"),
        ("notBreaching", "OK"),
    ],
)
def test_treat_missing_data_without_any_datapoint(
    localcloud: LocalCloud, treat: str, expected: str
) -> None:
    _alarm(localcloud, TreatMissingData=treat)
    assert _state(localcloud)["StateValue"] == expected


def test_alarm_returns_to_ok_and_history_and_event_follow(localcloud: LocalCloud) -> None:
    url = _queue(
        localcloud, {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
    )
    _alarm(localcloud)
    _put(localcloud, 0, [900_000.0] * 100)
    _put(localcloud, 1, [10_000.0] * 100)
    assert _state(localcloud)["StateValue"] == "OK"
    events = _received(localcloud, url)
    assert [
        (e["detail"]["previousState"]["value"], e["detail"]["state"]["value"]) for e in events
    ] == [
        ("INSUFFICIENT_DATA", "ALARM"),
        ("ALARM", "OK"),
    ]
    ok = events[1]
    assert ok["source"] == "aws.cloudwatch"
    assert ok["resources"] == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:latency"]
    assert ok["time"] == "2024-05-01T10:01:10Z"
    assert ok["detail"]["alarmName"] == "latency"
    assert ok["detail"]["state"]["timestamp"] == "2024-05-01T10:01:10.000+0000"
    assert json.loads(ok["detail"]["state"]["reasonData"])["recentDatapoints"] == [10_000.0]
    assert ok["detail"]["configuration"]["metrics"][0]["metricStat"] == {
        "metric": {
            "namespace": "AWS/SageMaker",
            "name": "ModelLatency",
            "dimensions": {"EndpointName": "churn-dev", "VariantName": "v"},
        },
        "period": 60,
        "stat": "p99",
    }
    history = localcloud.client("cloudwatch").describe_alarm_history(
        AlarmName="latency", HistoryItemType="StateUpdate"
    )["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in history] == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
    ]
    assert json.loads(history[0]["HistoryData"])["newState"]["stateValue"] == "OK"


def test_emitted_event_has_the_shape_of_awss(localcloud: LocalCloud) -> None:
    """The event has the keys of the real-shaped sample, at every level, and matches what the
    sample matches."""
    url = _queue(localcloud, {"source": ["aws.cloudwatch"]})
    _alarm(localcloud)
    _put(localcloud, 0, [10_000.0] * 100)
    _put(localcloud, 1, [900_000.0] * 100)
    event = _received(localcloud, url)[-1]
    sample = json.loads(SAMPLE.read_text())

    def keys(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: keys(v) for k, v in node.items()}
        if isinstance(node, list):
            return [keys(v) for v in node]
        return type(node).__name__

    assert keys(event) == keys(sample)
    pattern = {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {
            "state": {"value": ["ALARM"]},
            "configuration": {"metrics": {"metricStat": {"stat": ["p99"]}}},
        },
    }
    assert matches(pattern, event) and matches(pattern, sample)


def test_set_alarm_state_emits_and_the_next_evaluation_restores(localcloud: LocalCloud) -> None:
    url = _queue(localcloud, {"source": ["aws.cloudwatch"]})
    _alarm(localcloud)
    _put(localcloud, 0, [10_000.0] * 100)
    localcloud.client("cloudwatch").set_alarm_state(
        AlarmName="latency", StateValue="ALARM", StateReason="testing the reaction"
    )
    states = [
        (e["detail"]["state"]["value"], e["detail"]["state"]["reason"])
        for e in _received(localcloud, url)
    ]
    # As on AWS: the set state is sent, then the data's state returns at the next evaluation.
    assert states[1] == ("ALARM", "testing the reaction")
    assert states[2][0] == "OK"
    assert _state(localcloud)["StateValue"] == "OK"


def test_updating_an_alarm_keeps_its_state(localcloud: LocalCloud) -> None:
    _alarm(localcloud)
    _put(localcloud, 0, [900_000.0] * 100)
    _alarm(localcloud, AlarmDescription="raised threshold", Threshold=400_000.0)
    assert _state(localcloud)["StateValue"] == "ALARM"  # moto: a new alarm, OK


def test_a_rule_fires_its_state_machine_on_the_alarm(localcloud: LocalCloud) -> None:
    sfn = localcloud.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="react",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/r",
    )["stateMachineArn"]
    events = localcloud.client("events")
    events.put_rule(
        Name="latency-alarm",
        EventPattern=json.dumps(
            {
                "source": ["aws.cloudwatch"],
                "detail-type": ["CloudWatch Alarm State Change"],
                "detail": {"alarmName": ["latency"], "state": {"value": ["ALARM"]}},
            }
        ),
    )
    events.put_targets(
        Rule="latency-alarm",
        Targets=[{"Id": "m", "Arn": machine, "RoleArn": "arn:aws:iam::123456789012:role/r"}],
    )
    _alarm(localcloud)
    _put(localcloud, 0, [10_000.0] * 100)
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []
    _put(localcloud, 1, [900_000.0] * 100)
    (execution,) = sfn.list_executions(stateMachineArn=machine)["executions"]
    result = localcloud.wait_for_execution(execution["executionArn"])
    delivered = json.loads(result["output"])
    assert delivered["detail"]["state"]["value"] == "ALARM"
    assert [d["rule"] for d in localcloud.deliveries("latency-alarm")] == ["latency-alarm"]


def test_without_the_extension_moto_evaluates_nothing() -> None:
    with extensions_disabled("cloudwatch_alarms"), LocalCloud() as cloud:
        _alarm(cloud)
        _put(cloud, 0, [900_000.0] * 100)
        assert _state(cloud)["StateValue"] == "OK"


def _put_values(cloud: LocalCloud, minute: int, count: int, value: float) -> None:
    """`count` values in one period, 150 to a datum as PutMetricData takes them."""
    data = [
        {
            "MetricName": "ModelLatency",
            "Dimensions": ENDPOINT,
            "Timestamp": T0 + datetime.timedelta(minutes=minute, seconds=10),
            "Values": [value] * min(150, count - start),
        }
        for start in range(0, count, 150)
    ]
    cloud.client("cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=data)


@pytest.mark.parametrize(
    ("statistic", "enough"),
    # CloudWatch's user guide: fewer than 10/(1-p) values for p from 0.5 up to 1, fewer than
    # 10/p below 0.5, are too few to evaluate when EvaluateLowSampleCountPercentile is ignore.
    [("p99", 1000), ("p90", 100), ("p50", 20), ("p10", 100), ("p99.5", 2000)],
)
def test_a_percentile_alarm_ignoring_low_sample_counts_waits_for_enough_values(
    localcloud: LocalCloud, statistic: str, enough: int
) -> None:
    _alarm(localcloud, ExtendedStatistic=statistic, EvaluateLowSampleCountPercentile="ignore")
    _put_values(localcloud, 0, enough - 1, 900_000.0)
    assert _state(localcloud)["StateValue"] == "INSUFFICIENT_DATA"
    _put_values(localcloud, 0, 1, 900_000.0)
    assert _state(localcloud)["StateValue"] == "ALARM"


def test_a_percentile_alarm_that_evaluates_low_sample_counts_judges_one_value(
    localcloud: LocalCloud,
) -> None:
    _alarm(localcloud, EvaluateLowSampleCountPercentile="evaluate")
    _put_values(localcloud, 0, 1, 900_000.0)
    assert _state(localcloud)["StateValue"] == "ALARM"
