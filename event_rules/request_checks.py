"""What EventBridge and EventBridge Scheduler accept in names, ARNs and schedule expressions.

Each check raises `RuleError` naming the field, the value and the fix, so a bad setting fails
before anything is sent to AWS.
"""

from __future__ import annotations

import re
import zoneinfo

_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\(([^()]+)\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


class RuleError(ValueError):
    """A rule, target or schedule that AWS would reject; the message names the field and fix."""


def check_name(value: str, field_name: str) -> None:
    """Rule names, target ids and schedule names share one alphabet and length."""
    if not _NAME.match(value):
        raise RuleError(
            f"{field_name}: {value!r} is not a valid name; use 1-64 characters from "
            "A-Z a-z 0-9 . - _"
        )


def check_alias_arn(arn: str, field_name: str) -> None:
    """A state machine alias ARN: `arn:<p>:states:<r>:<a>:stateMachine:<name>:<alias>`."""
    parts = arn.split(":")
    is_alias = (
        len(parts) == 8
        and parts[2] == "states"
        and parts[5] == "stateMachine"
        and bool(parts[7])
        and not parts[7].isdigit()
    )
    if not is_alias:
        raise RuleError(
            f"{field_name}: {arn!r} is not a state machine alias ARN; target the alias "
            "(...:stateMachine:<name>:<alias>) so a rollback is one alias update, never a "
            "version or the unqualified machine"
        )


def check_schedule_expression(expression: str, field_name: str, *, allow_at: bool) -> None:
    """`rate(n unit)`, six-field `cron(...)`, and (Scheduler only) one-time `at(...)`."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise RuleError(f"{field_name}: {expression!r}: the rate must be 1 or more")
        if (value == 1) == unit.endswith("s"):
            fixed = unit.rstrip("s") if value == 1 else f"{unit.rstrip('s')}s"
            raise RuleError(
                f"{field_name}: {expression!r}: AWS wants a singular unit for 1 and plural "
                f"otherwise; write rate({value} {fixed})"
            )
        return
    cron = _CRON.match(expression)
    if cron:
        fields = cron.group(1).split()
        if len(fields) != len(CRON_FIELDS):
            raise RuleError(
                f"{field_name}: {expression!r} has {len(fields)} fields; AWS cron has six: "
                f"{' '.join(CRON_FIELDS)}, e.g. cron(0 6 * * ? *)"
            )
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            raise RuleError(
                f"{field_name}: {expression!r}: exactly one of day-of-month and day-of-week "
                "must be '?', e.g. cron(0 6 * * ? *)"
            )
        return
    if _AT.match(expression):
        if allow_at:
            return
        raise RuleError(
            f"{field_name}: {expression!r}: one-time at() schedules exist only in EventBridge "
            "Scheduler; use rate() or cron() for a scheduled rule"
        )
    forms = "rate(1 day), cron(0 6 * * ? *)" + (" or at(2030-01-01T06:00:00)" if allow_at else "")
    raise RuleError(f"{field_name}: {expression!r} is not a schedule expression; use {forms}")


def check_timezone(name: str, field_name: str) -> None:
    """An IANA time zone name, as Scheduler's ScheduleExpressionTimezone takes."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise RuleError(
            f"{field_name}: {name!r} is not a time zone name; use an IANA name such as UTC or "
            "Europe/London"
        ) from error
