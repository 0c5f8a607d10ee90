"""`metric_data_percentiles`: GetMetricData answers a percentile statistic (p50, p99, p99.9) as
CloudWatch does. moto 5.2.5 computes only Sum, Average, Minimum, Maximum and SampleCount; for a
percentile it put None in the values and failed serialising them, so a dashboard's latency
widget (p50/p99) could not be read locally. The statistic is `alarm_evaluation`'s, the one the
alarms evaluate with."""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.cloudwatch.models import Statistics

    from localcloud import alarm_evaluation, alarm_state

    original = Statistics.get_statistics_for_type

    def get_statistics_for_type(self: Any, stat: str) -> Any:
        value = original(self, stat)
        if value is not None or not stat.startswith("p"):
            return value
        samples = [alarm_state.datum_sample(datum) for datum in self.metric_data]
        return alarm_evaluation.statistic(stat, samples)

    patches.replace(Statistics, "get_statistics_for_type", get_statistics_for_type)
