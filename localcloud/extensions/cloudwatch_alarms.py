"""`cloudwatch_alarms`: metric alarms evaluated on the metrics put, with their state changes in
DescribeAlarms, DescribeAlarmHistory and `CloudWatch Alarm State Change` events.

moto 5.2.5 stored alarms but never evaluated one: a new alarm was `OK` whatever its data,
PutMetricData changed no state, SetAlarmState emitted no event, an updated alarm lost its state,
and DescribeAlarmHistory did not exist. The logic is in `localcloud.alarm_state`,
`localcloud.alarm_evaluation` and, for metric math alarms, `localcloud.alarm_queries`; this module
wires it in (time passing is `localcloud.alarm_clock`'s).
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    from localcloud import alarm_state

    original_put_data = CloudWatchBackend.put_metric_data
    original_put_alarm = CloudWatchBackend.put_metric_alarm
    original_set_state = CloudWatchBackend.set_alarm_state

    def put_metric_data(self: Any, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        original_put_data(self, namespace, metric_data)
        alarm_state.reevaluate(self, alarm_state.alarms_on_metrics(self, namespace, metric_data))

    def put_metric_alarm(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        previous = self.alarms.get(name)
        alarm = original_put_alarm(self, name, *args, **kwargs)
        alarm_state.configured(self, alarm, previous)
        return alarm

    def set_alarm_state(
        self: Any, alarm_name: str, reason: str, reason_data: str, state_value: str
    ) -> None:
        alarm = self.alarms.get(alarm_name)
        before = None if alarm is None else alarm.state_value
        # moto validates the request (name, state value, JSON reason data) and raises as AWS does.
        original_set_state(self, alarm_name, reason, reason_data, state_value)
        alarm.state_value = before  # moto's own update is replaced by the one below
        alarm.history.pop()
        alarm_state.set_state(self, alarm, state_value, reason, reason_data)

    def describe_alarm_history(self: Any) -> Any:
        name = self._get_param("AlarmName")
        kind = self._get_param("HistoryItemType")
        start = self._get_param("StartDate")
        end = self._get_param("EndDate")
        items = [
            item
            for item in alarm_state.history(self.cloudwatch_backend)
            if (not name or item.alarm_name == name)
            and (not kind or item.item_type == kind)
            and (start is None or item.timestamp >= alarm_state.utc(start))
            and (end is None or item.timestamp <= alarm_state.utc(end))
        ]
        oldest_first = self._get_param("ScanBy") == "TimestampAscending"
        items.sort(key=lambda item: item.timestamp, reverse=not oldest_first)
        offset = int(self._get_param("NextToken") or 0)
        limit = int(self._get_param("MaxRecords") or 100)
        page = items[offset : offset + limit]
        result: dict[str, Any] = {"AlarmHistoryItems": [item.as_api() for item in page]}
        if offset + limit < len(items):
            result["NextToken"] = str(offset + limit)
        return ActionResult(result)

    patches.replace(CloudWatchBackend, "put_metric_data", put_metric_data)
    patches.replace(CloudWatchBackend, "put_metric_alarm", put_metric_alarm)
    patches.replace(CloudWatchBackend, "set_alarm_state", set_alarm_state)
    patches.replace(CloudWatchResponse, "describe_alarm_history", describe_alarm_history)
