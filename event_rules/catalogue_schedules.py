"""The catalogue's schedules: drift-check (and optionally a retrain) through EventBridge
Scheduler, or, for accounts without Scheduler, the same runs as legacy scheduled rules.

Scheduler runs cron in the environment's time zone with a flexible window; scheduled EventBridge
rules run in UTC only, so a cron in another zone is refused rather than silently shifted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from environments.settings import Settings
from event_rules.catalogue_targets import SCHEDULE_RETRY, lambda_target, project_rule
from event_rules.request_checks import RuleError
from event_rules.rule import Rule, Target
from event_rules.schedule import Schedule


@dataclass(frozen=True)
class CatalogueOptions:
    """Which schedule mechanism, and whether retraining also runs on a schedule.

    retrain_schedule: a rate() or cron() expression; None (the default) means no scheduled
    retrain. It runs in `retrain_timezone`, or in `drift.timezone` when that is None.
    """

    use_scheduler: bool = True
    retrain_schedule: str | None = None
    retrain_timezone: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> CatalogueOptions:
        """The environment's own choice (its `schedules` section)."""
        chosen = settings.schedules
        return cls(chosen.use_scheduler, chosen.retrain, chosen.retrain_timezone)


DEFAULT_OPTIONS = CatalogueOptions()


DRIFT_CHECK_INPUT = "{}"  # drift-check reads the endpoint's own data-capture prefix by default


def drift_check_schedule(settings: Settings) -> Schedule:
    drift = settings.drift
    return Schedule(
        name=settings.name("drift-check"),
        description=f"Run drift-check on {drift.schedule} ({drift.timezone})",
        expression=drift.schedule,
        timezone=drift.timezone,
        flexible_window_minutes=drift.flexible_window_minutes,
        target_arn=settings.state_machine_alias_arn("drift-check"),
        role_arn=settings.location.role(settings.scheduler_role_name),
        input=DRIFT_CHECK_INPUT,
        retry=SCHEDULE_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
        group=settings.schedule_group,
    )


def scheduled_retrain_input(settings: Settings) -> str:
    """The `Scheduled Event` envelope the trigger Lambda parses, filled by Scheduler's context
    attributes. The trigger names the execution after the scheduled time, so Scheduler's
    retries of one run start one execution."""
    return json.dumps(
        {
            "version": "0",
            "id": "<aws.scheduler.execution-id>",
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": settings.location.account,
            "time": "<aws.scheduler.scheduled-time>",
            "region": settings.location.region,
            "resources": ["<aws.scheduler.schedule-arn>"],
            "detail": {},
        },
        sort_keys=True,
    )


def _retrain_expression(options: CatalogueOptions) -> str:
    if options.retrain_schedule is None:
        raise RuleError("retrain_schedule: not set; give a rate() or cron() expression")
    return options.retrain_schedule


def retrain_schedule(settings: Settings, options: CatalogueOptions) -> Schedule:
    timezone = options.retrain_timezone or settings.drift.timezone
    expression = _retrain_expression(options)
    return Schedule(
        name=settings.name("retrain"),
        description=f"Retrain on {expression} ({timezone})",
        expression=expression,
        timezone=timezone,
        target_arn=settings.function_alias_arn("trigger"),
        role_arn=settings.location.role(settings.scheduler_role_name),
        input=scheduled_retrain_input(settings),
        retry=SCHEDULE_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
        group=settings.schedule_group,
    )


def _utc_only(expression: str, timezone: str, field_name: str) -> str:
    if expression.startswith("cron(") and timezone != "UTC":
        raise RuleError(
            f"{field_name}: {timezone!r} with {expression!r}: scheduled EventBridge rules run "
            "cron in UTC only; set the time zone to UTC and rewrite the cron in UTC, or use "
            "EventBridge Scheduler (use_scheduler=True)"
        )
    return expression


def legacy_schedule_rules(settings: Settings, options: CatalogueOptions) -> list[Rule]:
    """Scheduled EventBridge rules standing in for the Scheduler schedules."""
    drift = settings.drift
    rules = [
        project_rule(
            settings,
            "drift-check-schedule",
            f"Run drift-check on {drift.schedule} (UTC)",
            schedule_expression=_utc_only(drift.schedule, drift.timezone, "drift.timezone"),
            targets=(
                Target(
                    id="drift-check",
                    arn=settings.state_machine_alias_arn("drift-check"),
                    role_arn=settings.location.role(settings.events_role_name),
                    input=DRIFT_CHECK_INPUT,
                    retry=SCHEDULE_RETRY,
                    dead_letter_arn=settings.dead_letter_queue_arn,
                ),
            ),
        )
    ]
    if options.retrain_schedule is not None:
        timezone = options.retrain_timezone or drift.timezone
        expression = _utc_only(_retrain_expression(options), timezone, "retrain_timezone")
        rules.append(
            project_rule(
                settings,
                "retrain-schedule",
                f"Retrain on {expression} (UTC)",
                schedule_expression=expression,
                # The trigger Lambda takes the `Scheduled Event` itself.
                targets=(lambda_target(settings, "trigger"),),
            )
        )
    return rules
