"""Time passing for the embedded cloud's alarms, without sleeping for it.

CloudWatch evaluates every alarm each minute on the periods ending now, so a metric that stops
coming leaves empty periods (missing data) and an idle endpoint's alarm fires after its
evaluation periods. Here `advance` (behind `LocalCloud.advance_clock`) lets seconds pass: the
running endpoints put the instance metrics of that time (`endpoint_instance_metrics`), then every
alarm is evaluated that much later than its newest datapoint or the time the clock last took it
to. A server calls `tick` on a bounded period: alarms are then evaluated at the real time, at
the latest.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from localcloud import alarm_state, endpoint_instance_metrics

# How often a server evaluates its alarms as real time passes (CloudWatch: every minute).
TICK_SECONDS = 60.0


def _backends() -> Iterator[tuple[Any, Any]]:
    """(CloudWatch, SageMaker) backends of every account and region the cloud has used."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.sagemaker.models import sagemaker_backends

    for account, regions in list(cloudwatch_backends.items()):
        for region, cloudwatch in list(regions.items()):
            yield cloudwatch, sagemaker_backends[account][region]


def _pass(seconds: float, until: datetime.datetime | None) -> None:
    step = datetime.timedelta(seconds=seconds)
    for cloudwatch, sagemaker in list(_backends()):
        # Targets first: the instance metrics put below must not move the alarms' base.
        targets = alarm_state.clock_targets(cloudwatch, step, until)
        reached = endpoint_instance_metrics.starts(cloudwatch, sagemaker)
        ends = {key: max(start + step, until or start + step) for key, start in reached.items()}
        endpoint_instance_metrics.emit(cloudwatch, reached, ends)
        alarm_state.move_clocks(cloudwatch, targets)


def advance(seconds: float) -> None:
    """Let `seconds` pass for every alarm of the cloud."""
    if seconds < 0:
        raise ValueError(f"seconds must not be negative, got {seconds}: a clock never goes back")
    _pass(seconds, None)


def tick(now: datetime.datetime | None = None) -> None:
    """Evaluate every alarm at the real time (`now`), as CloudWatch's minute evaluation does."""
    _pass(0.0, now or datetime.datetime.now(datetime.UTC))
