"""Executions publish Step Functions' AWS/States metrics per state machine, as on AWS, so the
dashboard's executions widget and any alarm on them see local runs."""

from __future__ import annotations

import datetime
from typing import Any

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_machine

PASSES = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAILS = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}}


def _sum(cloud: LocalCloud, name: str, machine: str) -> float:
    now = datetime.datetime.now(tz=datetime.UTC)
    points = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/States",
        MetricName=name,
        Dimensions=[{"Name": "StateMachineArn", "Value": machine}],
        StartTime=now - datetime.timedelta(hours=1),
        EndTime=now + datetime.timedelta(hours=1),
        Period=3600,
        Statistics=["Sum"],
    )["Datapoints"]
    return float(sum(p["Sum"] for p in points))


def test_executions_count_as_started_succeeded_and_failed_per_machine() -> None:
    with LocalCloud() as cloud:
        good, bad = create_machine(cloud, PASSES, "good"), create_machine(cloud, FAILS, "bad")
        for _ in range(2):
            assert cloud.start_and_wait(good, {})["status"] == "SUCCEEDED"
        assert cloud.start_and_wait(bad, {})["status"] == "FAILED"
        counts: dict[str, Any] = {
            (name, arn): _sum(cloud, name, arn)
            for name in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed")
            for arn in (good, bad)
        }
        assert counts == {
            ("ExecutionsStarted", good): 2.0,
            ("ExecutionsStarted", bad): 1.0,
            ("ExecutionsSucceeded", good): 2.0,
            ("ExecutionsSucceeded", bad): 0.0,
            ("ExecutionsFailed", good): 0.0,
            ("ExecutionsFailed", bad): 1.0,
        }
        assert _sum(cloud, "ExecutionTime", good) >= 0


def test_without_the_extension_no_states_metric_is_published() -> None:
    with extensions_disabled("states_metrics"), LocalCloud() as cloud:
        machine = create_machine(cloud, PASSES)
        assert cloud.start_and_wait(machine, {})["status"] == "SUCCEEDED"
        metrics = cloud.client("cloudwatch").list_metrics(Namespace="AWS/States")["Metrics"]
        assert metrics == []
