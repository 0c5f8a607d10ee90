"""The AWS/States metrics Step Functions publishes, for the embedded cloud's executions.

Per state machine (dimension StateMachineArn, the machine's own ARN even when an alias or version
was started): ExecutionsStarted when an execution starts; ExecutionsSucceeded, ExecutionsFailed,
ExecutionsTimedOut or ExecutionsAborted and ExecutionTime (milliseconds) when it ends. Per `.sync`
service integration (dimension ServiceIntegrationResourceArn, the resource as the definition names
it): ServiceIntegrationTime (milliseconds), from the task's start to its end. They go through the
cloud's own PutMetricData, so dashboards and alarms read them as on AWS.
"""

from __future__ import annotations

import datetime
from typing import Any

_ENDED = {
    "SUCCEEDED": "ExecutionsSucceeded",
    "FAILED": "ExecutionsFailed",
    "TIMED_OUT": "ExecutionsTimedOut",
    "ABORTED": "ExecutionsAborted",
}
NAMESPACE = "AWS/States"


def machine_arn(arn: str) -> str:
    """`arn:aws:states:<region>:<account>:stateMachine:<name>`, without a version or alias."""
    return ":".join(arn.split(":")[:7])


def _put(account: str, region: str, data: list[dict[str, Any]]) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch_backends[account][region].put_metric_data(NAMESPACE, data)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    # moto keeps some times naive (UTC) and others aware; its metric data are naive UTC.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def _datum(name: str, value: float, unit: str, dimension: tuple[str, str], when: Any) -> Any:
    return {
        "MetricName": name,
        "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
        "Value": value,
        "Unit": unit,
        "Timestamp": when,
    }


def execution_started(execution: Any) -> None:
    dimension = ("StateMachineArn", machine_arn(execution.state_machine_arn))
    _put(
        execution.account_id,
        execution.region_name,
        [_datum("ExecutionsStarted", 1, "Count", dimension, _utc(execution.start_date))],
    )


def execution_ended(execution: Any) -> None:
    status = getattr(execution.exec_status, "value", str(execution.exec_status))
    name = _ENDED.get(status)
    if name is None:
        return
    stopped = _utc(execution.stop_date or datetime.datetime.now(tz=datetime.UTC))
    elapsed = (stopped - _utc(execution.start_date)).total_seconds() * 1000
    dimension = ("StateMachineArn", machine_arn(execution.state_machine_arn))
    _put(
        execution.account_id,
        execution.region_name,
        [
            _datum(name, 1, "Count", dimension, stopped),
            _datum("ExecutionTime", max(0.0, elapsed), "Milliseconds", dimension, stopped),
        ],
    )


def integration_timed(account: str, region: str, resource_arn: str, seconds: float) -> None:
    dimension = ("ServiceIntegrationResourceArn", resource_arn)
    now = _utc(datetime.datetime.now(tz=datetime.UTC))
    _put(
        account,
        region,
        [_datum("ServiceIntegrationTime", seconds * 1000, "Milliseconds", dimension, now)],
    )
