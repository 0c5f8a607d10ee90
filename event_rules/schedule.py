"""Typed EventBridge Scheduler schedules that render the exact CreateSchedule request.

    scheduler.create_schedule(**schedule.to_create_schedule())

Scheduler, unlike a scheduled EventBridge rule, runs cron in a time zone, spreads starts over a
flexible window, and sends a fixed `Input` (which may use Scheduler's context attributes such as
`<aws.scheduler.scheduled-time>`) instead of an event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from event_rules.request_checks import (
    RuleError,
    check_alias_arn,
    check_name,
    check_schedule_expression,
    check_timezone,
)
from event_rules.rule import MAX_DESCRIPTION, RetryPolicy, RuleState

if TYPE_CHECKING:
    from types_boto3_scheduler.type_defs import (
        CreateScheduleInputTypeDef,
        FlexibleTimeWindowTypeDef,
        TargetTypeDef,
    )

MAX_FLEXIBLE_WINDOW_MINUTES = 1440
# Context attributes Scheduler replaces in a target's Input when it invokes the target.
CONTEXT_ATTRIBUTES = (
    "<aws.scheduler.schedule-arn>",
    "<aws.scheduler.scheduled-time>",
    "<aws.scheduler.execution-id>",
    "<aws.scheduler.attempt-number>",
)


@dataclass(frozen=True)
class Schedule:
    """One schedule in a schedule group with one templated target (Lambda or state machine)."""

    name: str
    description: str
    expression: str
    timezone: str
    target_arn: str
    role_arn: str
    input: str
    retry: RetryPolicy
    dead_letter_arn: str
    flexible_window_minutes: int | None = None
    group: str = "default"
    state: RuleState = "ENABLED"

    def __post_init__(self) -> None:
        check_name(self.name, "schedule Name")
        where = f"schedule {self.name}"
        check_name(self.group, f"{where}: GroupName")
        check_schedule_expression(self.expression, f"{where}: ScheduleExpression", allow_at=True)
        check_timezone(self.timezone, f"{where}: ScheduleExpressionTimezone")
        if len(self.description) > MAX_DESCRIPTION:
            raise RuleError(f"{where}: Description is over {MAX_DESCRIPTION} characters")
        window = self.flexible_window_minutes
        if window is not None and not 1 <= window <= MAX_FLEXIBLE_WINDOW_MINUTES:
            raise RuleError(
                f"{where}: FlexibleTimeWindow.MaximumWindowInMinutes: {window} is outside "
                f"1..{MAX_FLEXIBLE_WINDOW_MINUTES}; leave it unset for an exact start"
            )
        if not self.role_arn.startswith("arn:") or ":iam::" not in self.role_arn:
            raise RuleError(
                f"{where}: Target.RoleArn {self.role_arn!r} is not an IAM role ARN; Scheduler "
                "always assumes a role to invoke its target"
            )
        if ":states:" in self.target_arn:
            check_alias_arn(self.target_arn, f"{where}: Target.Arn")
        elif ":lambda:" not in self.target_arn:
            raise RuleError(
                f"{where}: Target.Arn {self.target_arn!r} is not a state machine alias or a "
                "Lambda function ARN"
            )
        try:
            json.loads(self.input)
        except json.JSONDecodeError as error:
            raise RuleError(f"{where}: Target.Input is not valid JSON: {error.msg}") from error
        if not self.dead_letter_arn.startswith("arn:") or ":sqs:" not in self.dead_letter_arn:
            raise RuleError(
                f"{where}: Target.DeadLetterConfig.Arn {self.dead_letter_arn!r} is not an SQS "
                "queue ARN"
            )

    def flexible_time_window(self) -> FlexibleTimeWindowTypeDef:
        if self.flexible_window_minutes is None:
            return {"Mode": "OFF"}
        return {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": self.flexible_window_minutes}

    def to_target(self) -> TargetTypeDef:
        return {
            "Arn": self.target_arn,
            "RoleArn": self.role_arn,
            "Input": self.input,
            "RetryPolicy": self.retry.to_request(),
            "DeadLetterConfig": {"Arn": self.dead_letter_arn},
        }

    def to_create_schedule(self) -> CreateScheduleInputTypeDef:
        return {
            "Name": self.name,
            "GroupName": self.group,
            "Description": self.description,
            "ScheduleExpression": self.expression,
            "ScheduleExpressionTimezone": self.timezone,
            "FlexibleTimeWindow": self.flexible_time_window(),
            "State": self.state,
            "ActionAfterCompletion": "NONE",
            "Target": self.to_target(),
        }
