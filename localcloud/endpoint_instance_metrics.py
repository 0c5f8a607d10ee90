"""The instance metrics an InService endpoint sends while no request comes.

SageMaker's instances put CPUUtilization and MemoryUtilization (`/aws/sagemaker/Endpoints`) every
minute while they run, traffic or not; the embedded endpoint measures them during requests only
(`endpoint_invocations`). When the cloud's clock moves, each InService (or Updating) variant gets
one datapoint a minute from its newest CPUUtilization datapoint (or the endpoint's creation) up to
the new time: CPU at 0 % (an idle serving process), memory at its last measured value (none
before the first request). Alarms on them, such as "no invocation while InService", then see the
idle periods as they would on AWS.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from localcloud.alarm_state import metric_samples, utc

NAMESPACE = "/aws/sagemaker/Endpoints"
INTERVAL = datetime.timedelta(minutes=1)
# An advance of more than a week puts its last week only: no alarm evaluates further back.
MAX_POINTS = 7 * 24 * 60
# Each put re-evaluates the alarms on its metrics: a long advance is put in this many batches.
MAX_PUTS = 60
_RUNNING = ("InService", "Updating")


def _variants(sagemaker: Any) -> list[tuple[Any, dict[str, Any]]]:
    found = []
    for endpoint in list(sagemaker.endpoints.values()):
        config = sagemaker.endpoint_configs.get(endpoint.endpoint_config_name)
        if endpoint.endpoint_status in _RUNNING and config is not None:
            found.extend((endpoint, variant) for variant in config.production_variants)
    return found


def starts(cloudwatch: Any, sagemaker: Any) -> dict[tuple[str, str], datetime.datetime]:
    """Per (endpoint, variant) running now, the time its instance metrics have reached."""
    reached = {}
    for endpoint, variant in _variants(sagemaker):
        dimensions = frozenset(
            {("EndpointName", endpoint.endpoint_name), ("VariantName", variant["VariantName"])}
        )
        cpu = metric_samples(cloudwatch, NAMESPACE, "CPUUtilization", dimensions)
        newest = max((s.timestamp for s in cpu), default=None)
        reached[(endpoint.endpoint_name, variant["VariantName"])] = newest or utc(
            endpoint.creation_time
        )
    return reached


def emit(
    cloudwatch: Any,
    reached: dict[tuple[str, str], datetime.datetime],
    until: dict[tuple[str, str], datetime.datetime],
) -> None:
    """Put each variant's per-minute datapoints after `reached` up to `until`, in at most
    `MAX_PUTS` PutMetricData calls (each re-evaluates the alarms reading them, so an alarm changes
    state at the minute it would, or at the last minute of a long advance's batch)."""
    for key, start in reached.items():
        dimensions = [
            {"Name": "EndpointName", "Value": key[0]},
            {"Name": "VariantName", "Value": key[1]},
        ]
        memory = metric_samples(
            cloudwatch,
            NAMESPACE,
            "MemoryUtilization",
            frozenset((d["Name"], d["Value"]) for d in dimensions),
        )
        last_memory = max(memory, key=lambda s: s.timestamp).maximum if memory else None
        count = int((until[key] - start) / INTERVAL)
        steps = list(range(max(1, count - MAX_POINTS + 1), count + 1))
        size = max(1, math.ceil(len(steps) / MAX_PUTS))
        for first in range(0, len(steps), size):
            data: list[dict[str, Any]] = []
            for step in steps[first : first + size]:
                # moto keeps metric timestamps naive (UTC), as the invocations put them.
                when = (start + INTERVAL * step).astimezone(datetime.UTC).replace(tzinfo=None)
                data.append(_datum("CPUUtilization", dimensions, 0.0, when))
                if last_memory is not None:
                    data.append(_datum("MemoryUtilization", dimensions, last_memory, when))
            cloudwatch.put_metric_data(NAMESPACE, data)


def _datum(
    name: str, dimensions: list[dict[str, str]], value: float, when: datetime.datetime
) -> dict[str, Any]:
    return {
        "MetricName": name,
        "Dimensions": dimensions,
        "Value": value,
        "Unit": "Percent",
        "Timestamp": when,
    }
