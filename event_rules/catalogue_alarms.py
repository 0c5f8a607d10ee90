"""Reactions to the project's CloudWatch alarms, through their ``CloudWatch Alarm State Change``
events (the alarms themselves have no actions).

- every alarm of the environment entering ALARM, or returning to OK from ALARM, goes to the
  notify Lambda, which words it (alarm, metric, threshold, the value that crossed it, state,
  reason, a console link). OK after INSUFFICIENT_DATA is left out: every new alarm makes that
  transition once, so each deploy would otherwise notify once per alarm.
- the endpoint CPU alarm (ALARM or OK) goes to the capacity_reaction Lambda, which raises the
  endpoint variant's autoscaling maximum by a step within ``monitoring.reaction.max_capacity_limit``
  and lowers it back to ``endpoint.autoscaling.max_capacity`` on OK, notifying each change.
"""

from __future__ import annotations

from environments.monitoring import DEFAULTS
from environments.settings import Settings
from event_rules.catalogue_targets import NOTIFY_RETRY, lambda_target, project_rule
from event_rules.rule import Rule, Target

ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
CPU_ALARM_KEY = "cpu_percent"


def project_alarm_names(settings: Settings) -> list[str]:
    """Every CloudWatch alarm the deploy creates for the environment."""
    infrastructure = [settings.monitoring_alarm_name(key) for key in DEFAULTS]
    return sorted({*settings.rollback_alarms, settings.drift_alarm_name, *infrastructure})


def _alarm_transitions(alarm_names: list[str]) -> dict[str, object]:
    """`alarm_names` entering ALARM, or returning to OK from ALARM: a new alarm's first OK (from
    INSUFFICIENT_DATA, at every deploy) is neither news nor anything to undo."""
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": [ALARM_STATE_CHANGE],
        "detail": {
            "alarmName": alarm_names,
            "$or": [
                {"state": {"value": ["ALARM"]}},
                {"state": {"value": ["OK"]}, "previousState": {"value": ["ALARM"]}},
            ],
        },
    }


def alarm_rules(settings: Settings) -> list[Rule]:
    notify = Target(
        id="notify",
        arn=settings.function_alias_arn("notify"),
        retry=NOTIFY_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
    )
    changes = project_rule(
        settings,
        "alarm-state-changed",
        "An alarm of this environment entered ALARM or returned to OK: notify in words",
        event_pattern=_alarm_transitions(project_alarm_names(settings)),
        targets=(notify,),
    )
    cpu = project_rule(
        settings,
        "endpoint-cpu-capacity",
        f"The endpoint CPU alarm: ALARM raises {settings.endpoint.name}'s autoscaling maximum "
        "(within monitoring.reaction.max_capacity_limit), OK lowers it back",
        event_pattern=_alarm_transitions([settings.monitoring_alarm_name(CPU_ALARM_KEY)]),
        targets=(lambda_target(settings, "capacity_reaction"),),
    )
    return [changes, cpu]
