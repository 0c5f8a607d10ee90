"""The roles EventBridge rules and EventBridge Scheduler assume to start executions.

Both start the state machines through their ``live`` alias. Step Functions authorizes a start
by alias on the state machine's own ARN and exposes the alias as
``states:StateMachineQualifier`` (Step Functions "Authorization for versions and aliases",
auth-version-alias.html), so the grant names the unqualified ARN and conditions on the alias:
starting the unqualified machine or another version stays denied.

Trust: for rule targets EventBridge sets ``aws:SourceArn`` to the rule ("Cross-service confused
deputy prevention in Amazon EventBridge"; the project's rules are named
``<project>-<environment>-...``); Scheduler sets it to the schedule group, never to a schedule
("Confused deputy prevention in EventBridge Scheduler").
"""

from __future__ import annotations

from collections.abc import Iterable

from workflows.policies.scoping import camel_words
from workflows.policies.spec import RoleSpec, role_spec
from workflows.policies.statements import Grant, trust_policy
from workflows.settings import LIVE_ALIAS, Settings

EVENTS_PRINCIPAL = "events.amazonaws.com"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
EVENT_TARGETS = ("retrain", "deploy-model", "drift-check")
SCHEDULE_TARGETS = ("drift-check", "retrain")


def start_live_aliases(settings: Settings, machines: Iterable[str]) -> Grant:
    location = settings.location
    arns = tuple(sorted(location.state_machine(settings.state_machine_name(m)) for m in machines))
    condition = {"StringEquals": {"states:StateMachineQualifier": LIVE_ALIAS}}
    sid = "Start" + camel_words(LIVE_ALIAS) + "Aliases"
    return Grant(sid, ("states:StartExecution",), arns, condition)


def events_role(settings: Settings, machines: Iterable[str]) -> RoleSpec:
    targets = [m for m in EVENT_TARGETS if m in set(machines)]
    location = settings.location
    rules = [location.rule(f"{settings.prefix}-*")]
    trust = trust_policy(EVENTS_PRINCIPAL, source_account=location.account, source_arns=rules)
    return role_spec(
        settings.events_role_name,
        f"EventBridge rules of {settings.prefix}: start {', '.join(targets)} through the "
        f"{LIVE_ALIAS} alias",
        trust,
        [start_live_aliases(settings, targets)],
    )


def scheduler_role(settings: Settings, machines: Iterable[str]) -> RoleSpec:
    targets = [m for m in SCHEDULE_TARGETS if m in set(machines)]
    location = settings.location
    group = location.schedule_group(settings.schedule_group)
    trust = trust_policy(SCHEDULER_PRINCIPAL, source_account=location.account, source_arns=[group])
    dead_letters = Grant(
        "DeadLetterUndeliveredEvents", ("sqs:SendMessage",), (settings.dead_letter_queue_arn,)
    )
    return role_spec(
        settings.scheduler_role_name,
        f"EventBridge Scheduler schedules of {settings.prefix}: start {', '.join(targets)} "
        "and dead-letter what cannot be delivered",
        trust,
        [start_live_aliases(settings, targets), dead_letters],
    )
