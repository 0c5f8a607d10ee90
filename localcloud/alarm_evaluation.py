"""How CloudWatch decides a metric alarm's state from the datapoints of its metric.

Pure logic, no moto: the samples of one metric (value, count, timestamp) and the alarm's
configuration give the state, the reason text and the reason data CloudWatch writes. Periods are
aligned on multiples of `Period` since the epoch, as CloudWatch aggregates them; the evaluation
range is the `EvaluationPeriods` periods ending with the one holding the newest sample, or a later
time the cloud's clock has reached (`alarm_clock`), so nothing waits for real time.
`DatapointsToAlarm` (M of N) and `TreatMissingData` follow the table in CloudWatch's user guide
("Configuring how CloudWatch alarms treat missing data").
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

_COMPARISONS: dict[str, tuple[str, Any]] = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, t: v >= t),
    "GreaterThanThreshold": ("greater than", lambda v, t: v > t),
    "LessThanThreshold": ("less than", lambda v, t: v < t),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, t: v <= t),
}
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0+)?)$")


@dataclass(frozen=True)
class Sample:
    """One PutMetricData value (or a StatisticValues set, which carries no single values)."""

    timestamp: datetime.datetime  # UTC
    values: tuple[float, ...]  # the raw values (empty for a StatisticValues set)
    count: float
    total: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class AlarmConfig:
    statistic: str | None
    extended_statistic: str | None
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int | None
    threshold: float
    comparison: str
    treat_missing_data: str | None
    evaluate_low_sample_count_percentile: str | None
    unit: str | None


@dataclass(frozen=True)
class Evaluation:
    """The state the data calls for; `state` None means the alarm keeps the one it has."""

    state: str | None
    reason: str
    reason_data: str
    evaluated_at: datetime.datetime


def known_comparison(name: str | None) -> bool:
    """A threshold comparison (anomaly-band comparisons are not evaluated locally)."""
    return name in _COMPARISONS


def supported(config: AlarmConfig) -> bool:
    """Only threshold alarms on one metric are evaluated (metric math, anomaly bands and
    composite alarms keep the state they are given)."""
    if config.comparison not in _COMPARISONS or not config.period or not config.evaluation_periods:
        return False
    if config.extended_statistic:
        return _PERCENTILE.match(config.extended_statistic) is not None
    return config.statistic in ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


def period_start(moment: datetime.datetime, period: int) -> datetime.datetime:
    epoch = int(moment.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % period, tz=datetime.UTC)


def _statistic(config: AlarmConfig, samples: Sequence[Sample]) -> float | None:
    """The period's value of the alarm's statistic, None when it has none."""
    if config.extended_statistic:
        values = sorted(v for s in samples for v in s.values)
        if not values:
            return None  # percentiles need raw values; StatisticValues sets carry none
        rank = float(config.extended_statistic[1:]) / 100.0
        # Nearest rank: the smallest value with at least `rank` of the values at or below it.
        return values[max(0, math.ceil(rank * len(values)) - 1)]
    count = sum(s.count for s in samples)
    if not count:
        return None
    if config.statistic == "SampleCount":
        return count
    if config.statistic == "Sum":
        return sum(s.total for s in samples)
    if config.statistic == "Average":
        return sum(s.total for s in samples) / count
    if config.statistic == "Minimum":
        return min(s.minimum for s in samples)
    return max(s.maximum for s in samples)


def statistic(name: str, samples: Sequence[Sample]) -> float | None:
    """One period's value of statistic `name` (Average, Sum, ..., or a percentile such as p99)."""
    percentile = _PERCENTILE.match(name) is not None
    config = AlarmConfig(
        None if percentile else name, name if percentile else None, 60, 1, None, 0.0,
        "GreaterThanThreshold", None, None, None,
    )  # fmt: skip
    return _statistic(config, samples)


def _too_few_for_percentile(config: AlarmConfig, samples: Sequence[Sample]) -> bool:
    # CloudWatch's user guide ("Percentile-based alarms and low data samples"): too few are
    # under 10 / (1 - p) values for p from 0.5 up to 1 (p99: 1,000), under 10 / p below 0.5;
    # with `ignore` such a period leaves the state as it is. Exact fractions: in floats p90's
    # 10 / (1 - 0.9) is a hair over 100.
    if not config.extended_statistic or config.evaluate_low_sample_count_percentile != "ignore":
        return False
    rank = Fraction(config.extended_statistic[1:]) / 100
    if rank <= 0 or rank >= 1:
        return True  # p0, p100: the guide's bound grows without limit there (not recorded)
    needed = 10 / (1 - rank) if rank >= Fraction(1, 2) else 10 / rank
    return sum(len(s.values) for s in samples) < needed


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )


def _short(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%d/%m/%y %H:%M:%S")


def _number(value: float) -> str:
    return repr(float(value))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def period_starts(
    moment: datetime.datetime, period: int, evaluation_periods: int
) -> list[datetime.datetime]:
    """The starts of the `evaluation_periods` periods ending with the one holding `moment`,
    newest first."""
    last = period_start(moment, period)
    step = datetime.timedelta(seconds=period)
    return [last - step * i for i in range(evaluation_periods)]


def evaluate(
    config: AlarmConfig,
    samples: Sequence[Sample],
    current_state: str,
    now: datetime.datetime,
    at: datetime.datetime | None = None,
) -> Evaluation:
    """The state CloudWatch would give the alarm on these samples of its metric.

    The evaluation time is the newest sample's, or `at` when time has passed beyond it (the
    cloud's clock moved); `now` stands for it when there is neither (a new alarm)."""
    newest = max((s.timestamp for s in samples), default=None)
    evaluated_at = max((m for m in (newest, at) if m is not None), default=now)
    starts = period_starts(evaluated_at, config.period, config.evaluation_periods)
    by_period: dict[datetime.datetime, list[Sample]] = {start: [] for start in starts}
    for sample in samples:
        start = period_start(sample.timestamp, config.period)
        if start in by_period:
            by_period[start].append(sample)
    if any(_too_few_for_percentile(config, group) for group in by_period.values() if group):
        return Evaluation(None, "", "", evaluated_at)
    values = {start: _statistic(config, group) for start, group in by_period.items()}
    counts = {start: float(sum(s.count for s in group)) for start, group in by_period.items()}
    return judge(config, values, evaluated_at, counts)


def judge(
    config: AlarmConfig,
    values: dict[datetime.datetime, float | None],
    evaluated_at: datetime.datetime,
    counts: dict[datetime.datetime, float] | None = None,
) -> Evaluation:
    """The state the periods' values (newest first, None where missing) call for, with
    CloudWatch's reason and reason data; `counts` are each period's sample counts (a metric
    math alarm has none)."""
    starts = list(values)
    words, breaches = _COMPARISONS[config.comparison]
    present = [(start, v) for start, v in values.items() if v is not None]
    missing = len(starts) - len(present)
    required = config.datapoints_to_alarm or config.evaluation_periods
    treat = config.treat_missing_data or "missing"
    breaching = [(s, v) for s, v in present if breaches(v, config.threshold)]
    not_breaching = [(s, v) for s, v in present if not breaches(v, config.threshold)]

    if not present and treat in ("missing", "ignore"):
        state: str | None = INSUFFICIENT_DATA if treat == "missing" else None
        reason = f"Insufficient Data: {_plural(missing, 'datapoint')} {_were(missing)} unknown."
    else:
        bad = len(breaching) + (missing if treat == "breaching" else 0)
        # Treated as missing or ignored, absent periods do not count: with fewer datapoints
        # than M, the alarm fires when all of those present breach.
        needed = required if treat in ("breaching", "notBreaching") else min(required, len(present))
        state = ALARM if bad >= needed else OK
        shown = breaching if state == ALARM else not_breaching
        shown_count = bad if state == ALARM else len(starts) - bad
        listed = ", ".join(f"{_number(v)} ({_short(s)})" for s, v in shown)
        negation = "" if state == ALARM else "not "
        transition = f"{'OK' if state == ALARM else 'ALARM'} -> {state}"
        minimum = needed if state == ALARM else max(1, len(starts) - needed + 1)
        reason = (
            f"Threshold Crossed: {shown_count} out of the last {_plural(len(starts), 'datapoint')}"
            f"{' [' + listed + ']' if listed else ''} {_were(shown_count)} {negation}{words} the "
            f"threshold ({_number(config.threshold)}) (minimum {_plural(minimum, 'datapoint')} "
            f"for {transition} transition)."
        )
    return Evaluation(
        state, reason, _reason_data(config, values, evaluated_at, counts), evaluated_at
    )


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _reason_data(
    config: AlarmConfig,
    values: dict[datetime.datetime, float | None],
    evaluated_at: datetime.datetime,
    counts: dict[datetime.datetime, float] | None,
) -> str:
    data: dict[str, Any] = {"version": "1.0", "queryDate": _iso(evaluated_at)}
    present = sorted(start for start, v in values.items() if v is not None)
    if present:
        data["startDate"] = _iso(present[0])
    if config.extended_statistic:
        data["extendedStatistic"] = config.extended_statistic
    elif config.statistic:
        data["statistic"] = config.statistic
    if config.unit:
        data["unit"] = config.unit
    data["period"] = config.period
    data["recentDatapoints"] = [values[start] for start in present]
    data["threshold"] = config.threshold
    evaluated: list[dict[str, Any]] = []
    for start, value in values.items():  # newest first, as CloudWatch lists them
        point: dict[str, Any] = {"timestamp": _iso(start)}
        if value is not None:
            if counts is not None:
                point["sampleCount"] = counts[start]
            point["value"] = value
        evaluated.append(point)
    data["evaluatedDatapoints"] = evaluated
    return json.dumps(data, separators=(",", ":"))
