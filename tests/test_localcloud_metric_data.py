"""GetMetricData on the embedded cloud: percentile statistics, which a dashboard's latency
widget asks for (p50/p99), answered as CloudWatch answers them."""

from __future__ import annotations

import datetime
from typing import Any

from localcloud import LocalCloud

NOW = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)


def _latency(cloud: LocalCloud, stats: list[str]) -> dict[str, list[float]]:
    cloudwatch = cloud.client("cloudwatch")
    # 1..100 within one minute: nearest rank makes p50 the 50th value and p99 the 99th.
    cloudwatch.put_metric_data(
        Namespace="Test",
        MetricData=[
            {"MetricName": "Latency", "Timestamp": NOW - datetime.timedelta(minutes=5),
             "Values": [float(v) for v in range(1, 101)]}
        ],
    )  # fmt: skip
    queries: list[dict[str, Any]] = [
        {
            "Id": f"q{index}",
            "MetricStat": {
                "Metric": {"Namespace": "Test", "MetricName": "Latency"},
                "Period": 60,
                "Stat": stat,
            },
        }
        for index, stat in enumerate(stats)
    ]
    result = cloudwatch.get_metric_data(
        MetricDataQueries=queries,
        StartTime=NOW - datetime.timedelta(hours=1),
        EndTime=NOW,
    )
    return {stats[int(r["Id"][1:])]: r["Values"] for r in result["MetricDataResults"]}


def test_get_metric_data_answers_percentiles_beside_the_plain_statistics(
    localcloud: LocalCloud,
) -> None:
    values = _latency(localcloud, ["p50", "p99", "p99.9", "Average", "Maximum"])
    assert values == {
        "p50": [50.0],
        "p99": [99.0],
        "p99.9": [100.0],
        "Average": [50.5],
        "Maximum": [100.0],
    }
