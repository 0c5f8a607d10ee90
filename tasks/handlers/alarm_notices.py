"""The facts of a ``CloudWatch Alarm State Change`` event, in words: which alarm, on which metric,
its threshold, the value that crossed it, the new state and CloudWatch's reason, and the alarm's
console page. Formatting only; the notify and capacity_reaction handlers publish it.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from tasks.handlers.arns import region_console_link
from tasks.handlers.event_input import InvalidEventError, parse_event
from tasks.handlers.event_models import AlarmChangeEvent, AlarmConfiguration

ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"


@dataclass(frozen=True)
class AlarmChange:
    name: str
    state: str
    previous: str
    reason: str
    metric: str
    threshold: float | None
    value: float | None
    link: str


def is_alarm_change(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and event.get("source") == "aws.cloudwatch"
        and event.get("detail-type") == ALARM_STATE_CHANGE
    )


def alarm_change(event: Any) -> AlarmChange:
    """The facts of the event; a field CloudWatch left out stays None (a metric-math alarm's
    reason data, for one, carries no single threshold). A field of the wrong type is refused
    (`InvalidEventError` naming it)."""
    if not is_alarm_change(event):
        shown = event if isinstance(event, dict) else {}
        raise InvalidEventError(
            f"not a {ALARM_STATE_CHANGE} event: source {shown.get('source')!r}, detail-type "
            f"{shown.get('detail-type')!r}"
        )
    detail = parse_event(event, AlarmChangeEvent).detail
    reason_data = _reason_data(detail.state.reasonData)
    recent = reason_data.get("recentDatapoints")
    last = recent[-1] if isinstance(recent, list) and recent else None
    value = last if isinstance(last, int | float) and not isinstance(last, bool) else None
    threshold = reason_data.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        threshold = None
    region = event.get("region")
    return AlarmChange(
        name=detail.alarmName,
        state=detail.state.value or "?",
        previous=(detail.previousState.value if detail.previousState else "") or "?",
        reason=detail.state.reason,
        metric=_metric(detail.configuration),
        threshold=float(threshold) if threshold is not None else None,
        value=float(value) if value is not None else None,
        link=alarm_link(region if isinstance(region, str) else "", detail.alarmName),
    )


def alarm_link(region: str, name: str) -> str:
    region = region or "us-east-1"
    quoted = urllib.parse.quote(name, safe="")
    return region_console_link(region, f"cloudwatch/home?region={region}#alarmsV2:alarm/{quoted}")


def lines(change: AlarmChange) -> list[str]:
    """The message body, one fact a line."""
    facts = [
        f"Alarm: {change.name}",
        f"State: {change.previous} -> {change.state}",
        f"Metric: {change.metric or 'n/a'}",
    ]
    if change.threshold is not None:
        facts.append(f"Threshold: {_number(change.threshold)}")
    if change.value is not None:
        facts.append(f"Value: {_number(change.value)}")
    if change.reason:
        facts.append(f"Reason: {change.reason}")
    facts.append(f"Alarm in the console: {change.link}")
    return facts


def _reason_data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except (ValueError, RecursionError):  # the message still goes out, without the figures
        return {}
    return data if isinstance(data, dict) else {}


def _metric(configuration: AlarmConfiguration) -> str:
    described = []
    for query in configuration.metrics:
        stat = query.metricStat
        metric = stat.metric if stat else None
        if stat and metric:
            dimensions = ", ".join(f"{k}={v}" for k, v in sorted(metric.dimensions.items()))
            text = f"{metric.namespace} {metric.name}"
            text += f" ({dimensions})" if dimensions else ""
            text += f", {stat.stat} over {stat.period} s"
            described.append(text)
        elif query.expression:
            described.append(f"expression {query.expression}")
    return "; ".join(described)


def _number(value: float) -> str:
    return f"{value:g}"
