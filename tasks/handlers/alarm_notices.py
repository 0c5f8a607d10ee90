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


def is_alarm_change(event: dict[str, Any]) -> bool:
    return event.get("source") == "aws.cloudwatch" and event.get("detail-type") == (
        ALARM_STATE_CHANGE
    )


def alarm_change(event: dict[str, Any]) -> AlarmChange:
    """The facts of the event; a field CloudWatch left out stays None (a metric-math alarm's
    reason data, for one, carries no single threshold)."""
    if not is_alarm_change(event):
        raise ValueError(
            f"not a {ALARM_STATE_CHANGE} event: source {event.get('source')!r}, detail-type "
            f"{event.get('detail-type')!r}"
        )
    detail = event.get("detail") or {}
    name = str(detail.get("alarmName") or "")
    if not name:
        raise ValueError(f"{ALARM_STATE_CHANGE} event without detail.alarmName; nothing to say")
    state = detail.get("state") or {}
    reason_data = _reason_data(state.get("reasonData"))
    recent = reason_data.get("recentDatapoints") or []
    value = recent[-1] if recent and isinstance(recent[-1], int | float) else None
    threshold = reason_data.get("threshold")
    return AlarmChange(
        name=name,
        state=str(state.get("value") or "?"),
        previous=str((detail.get("previousState") or {}).get("value") or "?"),
        reason=str(state.get("reason") or ""),
        metric=_metric(detail.get("configuration") or {}),
        threshold=float(threshold) if isinstance(threshold, int | float) else None,
        value=float(value) if value is not None else None,
        link=alarm_link(event, name),
    )


def alarm_link(event: dict[str, Any], name: str) -> str:
    region = str(event.get("region") or "us-east-1")
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
    except ValueError:  # the message still goes out, without the figures
        return {}
    return data if isinstance(data, dict) else {}


def _metric(configuration: dict[str, Any]) -> str:
    described = []
    for query in configuration.get("metrics") or []:
        stat = query.get("metricStat") or {}
        metric = stat.get("metric") or {}
        if metric:
            dimensions = ", ".join(
                f"{k}={v}" for k, v in sorted(metric.get("dimensions", {}).items())
            )
            text = f"{metric.get('namespace')} {metric.get('name')}"
            text += f" ({dimensions})" if dimensions else ""
            text += f", {stat.get('stat')} over {stat.get('period')} s"
            described.append(text)
        elif query.get("expression"):
            described.append(f"expression {query['expression']}")
    return "; ".join(described)


def _number(value: float) -> str:
    return f"{value:g}"
