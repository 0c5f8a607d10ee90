"""Metric math alarms in the embedded cloud: each query's datapoints per period, the expression
computed over them, judged with TreatMissingData as CloudWatch does, on puts and as the cloud's
clock moves. Without `alarm_queries`/`alarm_math` a math alarm kept INSUFFICIENT_DATA forever."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from localcloud import LocalCloud, alarm_math

T0 = datetime.datetime(2024, 5, 1, 10, 0, 0, tzinfo=datetime.UTC)
NAMESPACE = "Test/Serving"
DIMENSIONS = [{"Name": "EndpointName", "Value": "churn-dev"}]
IDLE = "IF(FILL(running, 0) > 0, FILL(invocations, 0), 1)"


def _query(query_id: str, metric: str, stat: str = "Sum") -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": DIMENSIONS},
            "Period": 60,
            "Stat": stat,
        },
        "ReturnData": False,
    }


def _math_alarm(cloud: LocalCloud, expression: str, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "AlarmName": "math",
        "Metrics": [
            _query("errors", "Errors"),
            _query("invocations", "Invocations"),
            _query("running", "CPUUtilization", "SampleCount"),
            {"Id": "result", "Expression": expression, "Label": "result", "ReturnData": True},
        ],
        "EvaluationPeriods": 1,
        "Threshold": 10.0,
        "ComparisonOperator": "GreaterThanThreshold",
        **overrides,
    }
    cloud.client("cloudwatch").put_metric_alarm(**arguments)


def _put(cloud: LocalCloud, minute: int, **values: float) -> None:
    cloud.client("cloudwatch").put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": DIMENSIONS,
                "Timestamp": T0 + datetime.timedelta(minutes=minute, seconds=10),
                "Value": value,
            }
            for name, value in values.items()
        ],
    )


def _alarm(cloud: LocalCloud) -> dict[str, Any]:
    alarm: dict[str, Any] = cloud.client("cloudwatch").describe_alarms(AlarmNames=["math"])[
        "MetricAlarms"
    ][0]
    return alarm


def _queue(cloud: LocalCloud) -> str:
    sqs = cloud.client("sqs")
    url: str = sqs.create_queue(QueueName="alarms")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = cloud.client("events")
    events.put_rule(Name="changes", EventPattern=json.dumps({"source": ["aws.cloudwatch"]}))
    events.put_targets(Rule="changes", Targets=[{"Id": "q", "Arn": arn}])
    return url


def test_an_error_rate_alarm_goes_to_alarm_and_back_to_ok_on_puts(localcloud: LocalCloud) -> None:
    url = _queue(localcloud)
    _math_alarm(localcloud, "100 * errors / invocations")
    assert _alarm(localcloud)["StateValue"] == "INSUFFICIENT_DATA"
    _put(localcloud, 0, Errors=5, Invocations=10)  # 50 % > 10 %
    alarm = _alarm(localcloud)
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"] == (
        "Threshold Crossed: 1 out of the last 1 datapoint [50.0 (01/05/24 10:00:00)] was "
        "greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data = json.loads(alarm["StateReasonData"])
    assert data["evaluatedDatapoints"] == [
        {"timestamp": "2024-05-01T10:00:00.000+0000", "value": 50.0}
    ]
    assert "statistic" not in data  # a math alarm's reason data names no statistic
    _put(localcloud, 1, Errors=0, Invocations=10)
    assert _alarm(localcloud)["StateValue"] == "OK"
    events = [json.loads(m["Body"]) for m in localcloud.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]  # fmt: skip
    assert [e["detail"]["state"]["value"] for e in events] == ["ALARM", "OK"]
    metrics = events[0]["detail"]["configuration"]["metrics"]
    assert metrics[-1] == {
        "id": "result", "expression": "100 * errors / invocations", "label": "result",
        "returnData": True,
    }  # fmt: skip
    assert metrics[0]["metricStat"]["metric"]["name"] == "Errors"
    assert metrics[0]["returnData"] is False


def test_no_invocations_while_running_alarms_after_its_periods(localcloud: LocalCloud) -> None:
    _math_alarm(
        localcloud, IDLE, EvaluationPeriods=3, Threshold=1.0, ComparisonOperator="LessThanThreshold"
    )
    # No metric at all: FILL(running, 0) is 0, so the expression is 1 everywhere (not idle).
    assert _alarm(localcloud)["StateValue"] == "OK"
    _put(localcloud, 0, CPUUtilization=3.0)
    _put(localcloud, 1, CPUUtilization=3.0)
    assert _alarm(localcloud)["StateValue"] == "OK"  # the period before had no instance
    _put(localcloud, 2, CPUUtilization=3.0)
    assert _alarm(localcloud)["StateValue"] == "ALARM"  # 3 periods running, none invoked
    _put(localcloud, 3, CPUUtilization=3.0, Invocations=1.0)
    assert _alarm(localcloud)["StateValue"] == "OK"


@pytest.mark.parametrize(
    ("treat", "expected"),
    [
        ("missing", "INSUFFICIENT_DATA"),
        ("ignore", "ALARM"),  # the state stays as it was
        ("breaching", "ALARM"),
        ("notBreaching", "OK"),
    ],
)
def test_treat_missing_data_when_the_metric_stops(
    localcloud: LocalCloud, treat: str, expected: str
) -> None:
    _math_alarm(
        localcloud, "errors * 2", EvaluationPeriods=3, DatapointsToAlarm=1, TreatMissingData=treat
    )
    _put(localcloud, 0, Errors=10)
    assert _alarm(localcloud)["StateValue"] == "ALARM"
    # Ten minutes later nothing has come: the last three periods are all missing.
    localcloud.advance_clock(None, 600)
    alarm = _alarm(localcloud)
    assert alarm["StateValue"] == expected
    if treat == "missing":
        assert alarm["StateReason"] == "Insufficient Data: 3 datapoints were unknown."
        assert alarm["StateUpdatedTimestamp"] == T0 + datetime.timedelta(seconds=610)


def test_advancing_less_than_the_range_keeps_the_datapoint_in_view(localcloud: LocalCloud) -> None:
    _math_alarm(localcloud, "errors", EvaluationPeriods=3, DatapointsToAlarm=1)
    _put(localcloud, 0, Errors=20)
    localcloud.advance_clock(None, 90)
    localcloud.advance_clock(None, 30)  # two minutes on: minute 0 is the oldest period in range
    assert _alarm(localcloud)["StateValue"] == "ALARM"
    localcloud.advance_clock(None, 60)
    assert _alarm(localcloud)["StateValue"] == "INSUFFICIENT_DATA"


def test_a_function_not_evaluated_locally_leaves_the_state(localcloud: LocalCloud) -> None:
    _math_alarm(localcloud, "RATE(errors)")
    _put(localcloud, 0, Errors=50)
    assert _alarm(localcloud)["StateValue"] == "INSUFFICIENT_DATA"


def test_a_negative_advance_is_refused(localcloud: LocalCloud) -> None:
    with pytest.raises(ValueError, match="never goes back"):
        localcloud.advance_clock(None, -1)


STARTS = [T0 + datetime.timedelta(minutes=m) for m in (2, 1, 0)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("a + b", {STARTS[1]: 5.0}),  # two series: only the periods both have
        ("a / b", {}),  # a division by zero gives no datapoint
        ("FILL(a, 0) * 2", {STARTS[0]: 0.0, STARTS[1]: 4.0, STARTS[2]: 0.0}),
        ("a >= 2 AND 1", {STARTS[1]: 1.0}),
        ("IF(b, a, -1)", {STARTS[1]: 2.0, STARTS[2]: -1.0}),  # no condition, no datapoint
        ("2 ^ 3 - 1", dict.fromkeys(STARTS, 7.0)),  # a scalar holds in every period
        ("ABS(-(b - 4))", {STARTS[1]: 1.0, STARTS[2]: 4.0}),
    ],
)
def test_expressions(expression: str, expected: dict[datetime.datetime, float]) -> None:
    series = {"a": {STARTS[1]: 2.0}, "b": {STARTS[1]: 3.0, STARTS[2]: 0.0}}
    if expression == "a / b":
        series["a"] = {STARTS[2]: 2.0}
    assert alarm_math.evaluate(expression, series, STARTS) == expected


@pytest.mark.parametrize("expression", ["METRICS()", "a +", "unknown * 2", "FILL(a, REPEAT)"])
def test_expressions_not_evaluated(expression: str) -> None:
    with pytest.raises(alarm_math.Unsupported):
        alarm_math.evaluate(expression, {"a": {}}, STARTS)


def test_updating_an_alarm_keeps_the_time_the_clock_took_it_to(localcloud: LocalCloud) -> None:
    _math_alarm(localcloud, "errors", EvaluationPeriods=1)
    _put(localcloud, 0, Errors=20)
    localcloud.advance_clock(None, 600)
    assert _alarm(localcloud)["StateValue"] == "INSUFFICIENT_DATA"
    # Re-evaluated at its newest datapoint (ten minutes back), it would be ALARM again.
    _math_alarm(localcloud, "errors", EvaluationPeriods=1, AlarmDescription="updated")
    assert _alarm(localcloud)["StateValue"] == "INSUFFICIENT_DATA"
