"""Alarm state changes in the embedded CloudWatch, as CloudWatch makes them.

Each PutMetricData re-evaluates the alarms reading the metrics it put (namespace, name and exactly
the same dimensions; a math alarm's queries too), PutMetricAlarm evaluates the alarm it created or
updated, time passing (`alarm_clock`) evaluates every alarm later, and SetAlarmState
sets a state that the next evaluation (right after, as AWS's "often within seconds") replaces
with what the data says. A state change updates the alarm (StateValue, StateReason,
StateReasonData, StateUpdatedTimestamp, StateTransitionedTimestamp), adds a `StateUpdate` item to
its history (DescribeAlarmHistory) and puts a `CloudWatch Alarm State Change` event on the
default event bus, delivered by `event_routing` like any other service's event.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from localcloud import alarm_queries, event_routing
from localcloud.alarm_evaluation import AlarmConfig, Evaluation, Sample, evaluate, supported

_lock = threading.RLock()


@dataclass
class HistoryItem:
    alarm_name: str
    timestamp: datetime.datetime
    item_type: str  # ConfigurationUpdate | StateUpdate | Action
    summary: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_api(self) -> dict[str, Any]:
        return {
            "AlarmName": self.alarm_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": self.timestamp,
            "HistoryItemType": self.item_type,
            "HistorySummary": self.summary,
            "HistoryData": json.dumps(self.data, separators=(",", ":")),
        }


@dataclass(frozen=True)
class Transition:
    alarm: Any
    previous: dict[str, Any]
    current: dict[str, Any]


def utc(moment: Any) -> datetime.datetime:
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if isinstance(moment, int | float):
        return datetime.datetime.fromtimestamp(float(moment), tz=datetime.UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)  # moto keeps naive UTC
    return moment.astimezone(datetime.UTC)


def history(backend: Any) -> list[HistoryItem]:
    """The backend's alarm history (kept on the backend, so it goes with the cloud's state)."""
    items: list[HistoryItem] | None = getattr(backend, "localcloud_alarm_history", None)
    if items is None:
        items = []
        backend.localcloud_alarm_history = items
    return items


def _config(alarm: Any) -> AlarmConfig:
    return AlarmConfig(
        statistic=alarm.statistic,
        extended_statistic=alarm.extended_statistic,
        period=int(alarm.period or 0),
        evaluation_periods=int(alarm.evaluation_periods or 0),
        datapoints_to_alarm=int(alarm.datapoints_to_alarm) if alarm.datapoints_to_alarm else None,
        threshold=float(alarm.threshold if alarm.threshold is not None else 0.0),
        comparison=alarm.comparison_operator,
        treat_missing_data=alarm.treat_missing_data,
        evaluate_low_sample_count_percentile=alarm.evaluate_low_sample_count_percentile,
        unit=alarm.unit,
    )


def _dimensions(items: Iterable[Any]) -> frozenset[tuple[str, str]]:
    return frozenset((d.name, d.value) for d in items)


def datum_sample(datum: Any) -> Sample:
    """One of moto's stored datapoints (a value, or a StatisticValues set) as a `Sample`."""
    if hasattr(datum, "value"):
        value = float(datum.value)
        return Sample(utc(datum.timestamp), (value,), 1.0, value, value, value)
    return Sample(
        utc(datum.timestamp),
        (),
        float(datum.sample_count),
        float(datum.sum),
        float(datum.min),
        float(datum.max),
    )


def _samples(backend: Any, alarm: Any) -> list[Sample]:
    return metric_samples(
        backend, alarm.namespace, alarm.metric_name, _dimensions(alarm.dimensions), alarm.unit
    )


def metric_samples(
    backend: Any,
    namespace: str,
    name: str,
    dimensions: frozenset[tuple[str, str]],
    unit: str | None = None,
) -> list[Sample]:
    """The datapoints put on one metric (exactly these dimensions), as CloudWatch matches them."""
    return [
        datum_sample(datum)
        for datum in backend.metric_data
        if datum.namespace == namespace
        and datum.name == name
        and _dimensions(datum.dimensions) == dimensions
        and (not unit or datum.unit == unit)
    ]


def _snapshot(alarm: Any) -> dict[str, Any]:
    return {
        "value": alarm.state_value,
        "reason": alarm.state_reason,
        "reasonData": alarm.state_reason_data,
        "timestamp": utc(alarm.state_updated_timestamp),
    }


def _set_state(backend: Any, alarm: Any, value: str, reason: str, data: str, at: Any) -> Transition:
    previous = _snapshot(alarm)
    alarm.state_value = value
    alarm.state_reason = reason
    alarm.state_reason_data = data
    alarm.state_updated_timestamp = at
    alarm.state_transitioned_timestamp = at
    current = _snapshot(alarm)
    history(backend).append(
        HistoryItem(
            alarm.name,
            utc(at),
            "StateUpdate",
            f"Alarm updated from {previous['value']} to {value}",
            {
                "version": "1.0",
                "oldState": _history_state(previous),
                "newState": _history_state(current),
            },
        )
    )
    return Transition(alarm, previous, current)


def _history_state(state: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"stateValue": state["value"], "stateReason": state["reason"]}
    try:
        reason_data = json.loads(state["reasonData"] or "{}")
    except ValueError:
        reason_data = {}
    if reason_data:
        entry["stateReasonData"] = reason_data
    return entry


def _clock(alarm: Any) -> datetime.datetime | None:
    """The time the cloud's clock last took the alarm to (None until it first moves)."""
    moment: datetime.datetime | None = getattr(alarm, "localcloud_clock", None)
    return moment


def newest_sample(backend: Any, alarm: Any) -> datetime.datetime | None:
    """The newest datapoint among the metrics the alarm reads."""
    if alarm.metric_data_queries:
        groups = alarm_queries.query_samples(backend, alarm, metric_samples).values()
        return max((s.timestamp for group in groups for s in group), default=None)
    return max((s.timestamp for s in _samples(backend, alarm)), default=None)


def _evaluate(backend: Any, alarm: Any) -> Transition | None:
    if alarm.rule is not None or not (alarm.metric_name or alarm.metric_data_queries):
        return None
    now = datetime.datetime.now(datetime.UTC)
    result: Evaluation | None
    if alarm.metric_data_queries:
        samples = alarm_queries.query_samples(backend, alarm, metric_samples)
        result = alarm_queries.evaluate(alarm, samples, now, _clock(alarm))
    else:
        config = _config(alarm)
        if not supported(config):
            return None
        result = evaluate(config, _samples(backend, alarm), alarm.state_value, now, _clock(alarm))
    if result is None or result.state is None or result.state == alarm.state_value:
        return None
    return _set_state(
        backend, alarm, result.state, result.reason, result.reason_data, result.evaluated_at
    )


def alarms_on_metrics(backend: Any, namespace: str, metric_data: list[dict[str, Any]]) -> list[Any]:
    """The alarms reading a metric one of these PutMetricData members put."""
    keys = {
        (
            namespace,
            member["MetricName"],
            frozenset((d["Name"], d["Value"]) for d in member.get("Dimensions") or []),
        )
        for member in metric_data
    }
    return [
        alarm
        for alarm in list(backend.alarms.values())
        if (alarm.namespace, alarm.metric_name, _dimensions(alarm.dimensions)) in keys
        or any(key in keys for key in alarm_queries.metric_keys(alarm))
    ]


def clock_targets(
    backend: Any, step: datetime.timedelta, until: datetime.datetime | None = None
) -> dict[str, datetime.datetime]:
    """Per alarm, the time `step` after its newest datapoint or the time the clock last took it
    to (whichever is later), or `until` if that is later still."""
    targets = {}
    with _lock:
        for alarm in list(backend.alarms.values()):
            bases = [m for m in (newest_sample(backend, alarm), _clock(alarm)) if m is not None]
            base = max(bases, default=datetime.datetime.now(datetime.UTC))
            targets[alarm.name] = max(m for m in (base + step, until) if m is not None)
    return targets


def move_clocks(backend: Any, targets: dict[str, datetime.datetime]) -> None:
    """Take each alarm to its target time and evaluate it there."""
    with _lock:
        moved = [alarm for alarm in list(backend.alarms.values()) if alarm.name in targets]
        for alarm in moved:
            previous = _clock(alarm)
            alarm.localcloud_clock = max(m for m in (previous, targets[alarm.name]) if m)
    reevaluate(backend, moved)


def reevaluate(backend: Any, alarms: Iterable[Any]) -> None:
    """Evaluate `alarms`, then emit an event for each state change (outside the lock: a target
    may put metrics again)."""
    with _lock:
        transitions = [t for t in (_evaluate(backend, alarm) for alarm in alarms) if t]
    for transition in transitions:
        emit(backend, transition)


def set_state(backend: Any, alarm: Any, value: str, reason: str, reason_data: str | None) -> None:
    """SetAlarmState: the state as given (an event when it changes), then re-evaluated."""
    with _lock:
        changed = alarm.state_value != value
        transition = _set_state(
            backend, alarm, value, reason, reason_data or "", datetime.datetime.now(datetime.UTC)
        )
    if changed:
        emit(backend, transition)
    reevaluate(backend, [alarm])


def configured(backend: Any, alarm: Any, previous: Any | None) -> None:
    """PutMetricAlarm: a new alarm starts INSUFFICIENT_DATA; an updated one keeps its state and
    history, as CloudWatch keeps them; then the alarm is evaluated."""
    now = datetime.datetime.now(datetime.UTC)
    with _lock:
        if previous is not None:
            alarm.state_value = previous.state_value
            alarm.state_reason = previous.state_reason
            alarm.state_reason_data = previous.state_reason_data
            alarm.state_updated_timestamp = previous.state_updated_timestamp
            alarm.state_transitioned_timestamp = getattr(
                previous, "state_transitioned_timestamp", previous.state_updated_timestamp
            )
            # The time the clock took it to stays: an update does not turn the clock back.
            alarm.localcloud_clock = _clock(previous)
        else:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_updated_timestamp = now
            alarm.state_transitioned_timestamp = now
        verb = "updated" if previous is not None else "created"
        history(backend).append(
            HistoryItem(alarm.name, now, "ConfigurationUpdate", f'Alarm "{alarm.name}" {verb}')
        )
    reevaluate(backend, [alarm])


def _event_state(state: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": state["value"], "reason": state["reason"]}
    if state["reasonData"] and state["reasonData"] != "{}":
        entry["reasonData"] = state["reasonData"]
    moment = state["timestamp"]
    entry["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )
    return entry


def _configuration(alarm: Any) -> dict[str, Any]:
    if alarm.metric_data_queries:
        math: dict[str, Any] = {}
        if alarm.description:
            math["description"] = alarm.description
        math["metrics"] = alarm_queries.configuration_metrics(alarm)
        return math
    stat: dict[str, Any] = {
        "metric": {
            "namespace": alarm.namespace,
            "name": alarm.metric_name,
            "dimensions": {d.name: d.value for d in alarm.dimensions},
        },
        "period": int(alarm.period or 0),
        "stat": alarm.extended_statistic or alarm.statistic,
    }
    if alarm.unit:
        stat["unit"] = alarm.unit
    # CloudWatch names the single metric with an id of its own, stable for the alarm.
    metric_id = str(uuid.uuid5(uuid.NAMESPACE_URL, alarm.alarm_arn))
    configuration: dict[str, Any] = {}
    if alarm.description:
        configuration["description"] = alarm.description
    configuration["metrics"] = [{"id": metric_id, "metricStat": stat, "returnData": True}]
    return configuration


def state_change_event(transition: Transition) -> dict[str, Any]:
    """The `detail` of the `CloudWatch Alarm State Change` event AWS sends."""
    return {
        "alarmName": transition.alarm.name,
        "state": _event_state(transition.current),
        "previousState": _event_state(transition.previous),
        "configuration": _configuration(transition.alarm),
    }


def emit(backend: Any, transition: Transition) -> None:
    event_routing.put_event(
        backend.account_id,
        backend.region_name,
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        state_change_event(transition),
        [transition.alarm.alarm_arn],
        time=transition.current["timestamp"].timestamp(),
    )
