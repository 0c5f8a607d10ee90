"""Metric math alarms (PutMetricAlarm with `Metrics`): their queries' datapoints per period, the
expression of the query that returns data computed over them (`alarm_math`), and the result
judged as a single metric's values are (`alarm_evaluation.judge`), missing periods included.

Each `MetricStat` query gives its statistic per period of its metric (same matching as a
single-metric alarm: namespace, name, exactly its dimensions, its unit if it names one);
expression queries are computed in the order given, so one may use an earlier one's id. An
expression `alarm_math` does not evaluate leaves the alarm in the state it has.
"""

from __future__ import annotations

import datetime
from typing import Any

from localcloud import alarm_math
from localcloud.alarm_evaluation import (
    AlarmConfig,
    Evaluation,
    Sample,
    judge,
    known_comparison,
    period_start,
    period_starts,
    statistic,
)


def _returns_data(query: Any) -> bool:
    return query.return_data is None or str(query.return_data).lower() not in ("false", "0")


def _dimensions(metric: Any) -> frozenset[tuple[str, str]]:
    return frozenset((d.name, d.value) for d in metric.dimensions or [])


def metric_keys(alarm: Any) -> list[tuple[str, str, frozenset[tuple[str, str]]]]:
    """(namespace, name, dimensions) of each metric the alarm's queries read."""
    metrics = [q.metric_stat.metric for q in alarm.metric_data_queries if q.metric_stat]
    return [(m.namespace, m.metric_name, _dimensions(m)) for m in metrics]


def _config(alarm: Any) -> AlarmConfig | None:
    periods = {int(q.metric_stat.period) for q in alarm.metric_data_queries if q.metric_stat}
    returned = [q for q in alarm.metric_data_queries if _returns_data(q)]
    # CloudWatch requires one returned series and one period for an alarm's queries.
    if len(periods) != 1 or len(returned) != 1 or not known_comparison(alarm.comparison_operator):
        return None
    return AlarmConfig(
        statistic=None,
        extended_statistic=None,
        period=periods.pop(),
        evaluation_periods=int(alarm.evaluation_periods or 0),
        datapoints_to_alarm=int(alarm.datapoints_to_alarm) if alarm.datapoints_to_alarm else None,
        threshold=float(alarm.threshold if alarm.threshold is not None else 0.0),
        comparison=alarm.comparison_operator,
        treat_missing_data=alarm.treat_missing_data,
        evaluate_low_sample_count_percentile=None,
        unit=None,
    )


def query_samples(backend: Any, alarm: Any, metric_samples: Any) -> dict[str, list[Sample]]:
    """Each MetricStat query's samples, by query id."""
    return {
        q.id: metric_samples(
            backend,
            q.metric_stat.metric.namespace,
            q.metric_stat.metric.metric_name,
            _dimensions(q.metric_stat.metric),
            q.metric_stat.unit,
        )
        for q in alarm.metric_data_queries
        if q.metric_stat is not None
    }


def evaluate(
    alarm: Any,
    samples: dict[str, list[Sample]],
    now: datetime.datetime,
    at: datetime.datetime | None,
) -> Evaluation | None:
    """The state the alarm's expression calls for; None when it is not evaluated locally."""
    config = _config(alarm)
    if config is None or not config.evaluation_periods:
        return None
    newest = max((s.timestamp for group in samples.values() for s in group), default=None)
    evaluated_at = max((m for m in (newest, at) if m is not None), default=now)
    starts = period_starts(evaluated_at, config.period, config.evaluation_periods)
    series: dict[str, alarm_math.Series] = {}
    for query in alarm.metric_data_queries:
        if query.metric_stat is not None:
            series[query.id] = _per_period(samples[query.id], query.metric_stat.stat, config)
            continue
        try:
            series[query.id] = alarm_math.evaluate(query.expression or "", series, starts)
        except alarm_math.Unsupported:
            return None
    (returned,) = [q for q in alarm.metric_data_queries if _returns_data(q)]
    result = series[returned.id]
    return judge(config, {start: result.get(start) for start in starts}, evaluated_at)


def _per_period(samples: list[Sample], stat: str, config: AlarmConfig) -> alarm_math.Series:
    groups: dict[datetime.datetime, list[Sample]] = {}
    for sample in samples:
        groups.setdefault(period_start(sample.timestamp, config.period), []).append(sample)
    values = {start: statistic(stat, group) for start, group in groups.items()}
    return {start: v for start, v in values.items() if v is not None}


def configuration_metrics(alarm: Any) -> list[dict[str, Any]]:
    """The alarm's queries as the `configuration.metrics` of its state-change event."""
    metrics: list[dict[str, Any]] = []
    for query in alarm.metric_data_queries:
        entry: dict[str, Any] = {"id": query.id}
        if query.metric_stat is not None:
            stat = query.metric_stat
            entry["metricStat"] = {
                "metric": {
                    "namespace": stat.metric.namespace,
                    "name": stat.metric.metric_name,
                    "dimensions": {d.name: d.value for d in stat.metric.dimensions or []},
                },
                "period": int(stat.period),
                "stat": stat.stat,
            }
        else:
            entry["expression"] = query.expression
        if query.label:
            entry["label"] = query.label
        entry["returnData"] = _returns_data(query)
        metrics.append(entry)
    return metrics
