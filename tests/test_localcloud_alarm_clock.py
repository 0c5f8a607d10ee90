"""Alarms evaluated as time passes in the embedded cloud, not only when a metric is put: the
virtual clock (`LocalCloud.advance_clock(None, seconds)`) and a server's periodic evaluation.
Without `alarm_clock` a metric that stopped coming left its alarm as it was, and an idle endpoint
never sent the instance metrics its no-invocations alarm reads."""

from __future__ import annotations

import datetime
import threading
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from environments.settings import Settings
from event_rules.catalogue_alarms import alarm_rules
from localcloud import LocalCloud, alarm_clock, endpoint_instance_metrics, server
from tests.deploy_helpers import dev_settings
from workflows.machines.deploy_model import VARIANT


def _state(cloud: LocalCloud, name: str) -> str:
    [alarm] = cloud.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    state: str = alarm["StateValue"]
    return state


def _serve(cloud: LocalCloud, settings: Settings) -> None:
    """The environment's endpoint, InService and never invoked."""
    sagemaker = cloud.client("sagemaker")
    sagemaker.create_model(
        ModelName="churn-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "sklearn:1.2", "ModelDataUrl": "s3://models/model.tar.gz"},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="churn-config",
        ProductionVariants=[
            {
                "VariantName": VARIANT,
                "ModelName": "churn-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(
        EndpointName=settings.endpoint.name, EndpointConfigName="churn-config"
    )


def test_an_idle_endpoint_alarms_after_its_periods_and_the_notice_rule_gets_it(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    name = deployed.monitoring_alarm_name("no_invocations")
    limit = deployed.monitoring.alarm("no_invocations")
    assert (limit.period_seconds, limit.evaluation_periods) == (300, 3)
    # No instance and no invocation: the expression is 1 (not idle), the alarm OK.
    assert _state(localcloud, name) == "OK"
    _serve(localcloud, deployed)
    localcloud.advance_clock(None, 240)
    # Four minutes of instance metrics fill at most two of the three periods.
    assert _state(localcloud, name) == "OK"
    localcloud.advance_clock(None, 960)
    assert _state(localcloud, name) == "ALARM"
    [notices] = [r for r in alarm_rules(deployed) if r.name.endswith("alarm-state-changed")]
    # The rule matches ALARM entries only (the alarm's OK at deploy was not news): the one
    # delivery is the idle alarm's, to the notify function.
    assert [d["target"] for d in localcloud.deliveries(notices.name)] == [
        deployed.function_alias_arn("notify")
    ]
    history = localcloud.client("cloudwatch").describe_alarm_history(
        AlarmName=name, HistoryItemType="StateUpdate"
    )["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from OK to ALARM"
    # The CPU alarm read the same idle minutes (0 %): OK, and no notice either (the rule leaves
    # out OK after INSUFFICIENT_DATA).
    assert _state(localcloud, deployed.monitoring_alarm_name("cpu_percent")) == "OK"


def test_traffic_after_the_alarm_returns_it_to_ok(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    name = deployed.monitoring_alarm_name("no_invocations")
    _serve(localcloud, deployed)
    localcloud.advance_clock(None, 1200)
    assert _state(localcloud, name) == "ALARM"
    [alarm] = localcloud.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    when = alarm["StateUpdatedTimestamp"] + datetime.timedelta(seconds=30)
    localcloud.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": deployed.endpoint.name},
                    {"Name": "VariantName", "Value": VARIANT},
                ],
                "Timestamp": when,
                "Value": 1.0,
            }
        ],
    )
    assert _state(localcloud, name) == "OK"


def test_a_day_of_idle_instance_metrics_is_put_in_bounded_batches(
    localcloud: LocalCloud, monkeypatch: Any
) -> None:
    settings = dev_settings()
    _serve(localcloud, settings)
    cloudwatch = localcloud.client("cloudwatch")
    puts: list[int] = []
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    original = type(backend).put_metric_data

    def counting(self: Any, namespace: str, data: list[dict[str, Any]]) -> None:
        puts.append(len(data))
        original(self, namespace, data)

    monkeypatch.setattr(type(backend), "put_metric_data", counting)
    localcloud.advance_clock(None, 24 * 3600)
    assert sum(puts) == 24 * 60  # one CPU datapoint a minute (no memory measured yet)
    assert len(puts) <= endpoint_instance_metrics.MAX_PUTS
    stats = cloudwatch.get_metric_statistics(
        Namespace="/aws/sagemaker/Endpoints",
        MetricName="CPUUtilization",
        Dimensions=[
            {"Name": "EndpointName", "Value": settings.endpoint.name},
            {"Name": "VariantName", "Value": VARIANT},
        ],
        StartTime=datetime.datetime(2000, 1, 1),
        EndTime=datetime.datetime(2100, 1, 1),
        Period=86400 * 365,
        Statistics=["SampleCount", "Maximum"],
    )["Datapoints"]
    assert sum(p["SampleCount"] for p in stats) == 24 * 60
    assert max(p["Maximum"] for p in stats) == 0.0


def test_a_server_tick_evaluates_at_the_real_time(localcloud: LocalCloud) -> None:
    cloudwatch = localcloud.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="errors",
        Namespace="Test",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    start = datetime.datetime(2024, 5, 1, 10, 0, 10, tzinfo=datetime.UTC)
    cloudwatch.put_metric_data(
        Namespace="Test", MetricData=[{"MetricName": "Errors", "Timestamp": start, "Value": 3.0}]
    )
    assert _state(localcloud, "errors") == "ALARM"
    alarm_clock.tick(start + datetime.timedelta(seconds=30))  # the same minute: still ALARM
    assert _state(localcloud, "errors") == "ALARM"
    alarm_clock.tick(start + datetime.timedelta(minutes=5))
    assert _state(localcloud, "errors") == "INSUFFICIENT_DATA"


class _Stop(threading.Event):
    """A stop event whose waits return at once, stopping after `rounds` of them."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.waited: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout)
        return len(self.waited) > self.rounds


def test_the_server_ticks_every_period_until_stopped(monkeypatch: Any) -> None:
    ticks: list[None] = []

    def tick() -> None:
        ticks.append(None)
        if len(ticks) == 1:
            raise RuntimeError("one failed evaluation")  # the server goes on

    monkeypatch.setattr(alarm_clock, "tick", tick)
    stop = _Stop(rounds=3)
    server._evaluate_alarms_until(stop)
    assert len(ticks) == 3
    assert stop.waited == [alarm_clock.TICK_SECONDS] * 4
