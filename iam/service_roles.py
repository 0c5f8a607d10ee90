"""The roles EventBridge rules and EventBridge Scheduler assume, derived from the catalogue.

Each role grants exactly what the rules or schedules that name it make the service do, so the
roles cannot drift from the catalogue (``event_rules.catalogue``): the caller passes the rules
and schedules it deploys, and a role nothing would assume is not derived at all (``None``).

- Scheduler invokes every target with the schedule's role, Lambda functions included, and
  dead-letters through it too ("Set up the execution role", "Configuring a schedule's
  dead-letter queue" in the EventBridge Scheduler User Guide).
- EventBridge rules need a role only for state machine targets; it invokes Lambda and SNS targets
  through their resource policies and dead-letters through the queue's policy (both built by the
  deploy), so only targets that carry a RoleArn count.
- A state machine target is a ``live`` alias. Step Functions authorizes a start by alias on the
  state machine's own ARN and exposes the alias as ``states:StateMachineQualifier`` ("Authorization
  for versions and aliases", auth-version-alias.html), so the grant names the unqualified ARN and
  conditions on the alias: the unqualified machine and its versions stay denied.

Trust: for rule targets EventBridge sets ``aws:SourceArn`` to the rule ("Cross-service confused
deputy prevention in Amazon EventBridge"; the project's rules are named
``<project>-<environment>-...``); Scheduler sets it to the schedule group, never to a schedule
("Confused deputy prevention in EventBridge Scheduler").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from environments.settings import Settings
from iam.scoping import camel_words
from iam.spec import RoleSpec, role_spec
from iam.statements import Grant, trust_policy

EVENTS_PRINCIPAL = "events.amazonaws.com"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


# Structural types of event_rules' Target, Rule and Schedule: the derivation does not import
# event_rules (which imports environments.settings); its callers pass the catalogue in.
class RuleTargetLike(Protocol):
    @property
    def arn(self) -> str: ...
    @property
    def role_arn(self) -> str | None: ...


class RuleLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def targets(self) -> Sequence[RuleTargetLike]: ...


class ScheduleLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def target_arn(self) -> str: ...
    @property
    def role_arn(self) -> str: ...
    @property
    def dead_letter_arn(self) -> str | None: ...


def invoke_target(arn: str, where: str) -> tuple[Grant, str]:
    """The grant that lets a service invoke the target ``arn``, and how to describe it."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "states" and len(parts) == 8 and parts[5] == "stateMachine" and parts[7]:
        machine, alias = parts[6], parts[7]
        condition = {"StringEquals": {"states:StateMachineQualifier": alias}}
        sid = "Start" + camel_words(alias) + "Aliases"
        grant = Grant(sid, ("states:StartExecution",), (":".join(parts[:7]),), condition)
        return grant, f"start {machine} through the {alias} alias"
    if service == "lambda" and len(parts) in (7, 8) and parts[5] == "function":
        # A qualified ARN (the live alias) is authorized on exactly that ARN.
        grant = Grant("InvokeFunctions", ("lambda:InvokeFunction",), (arn,))
        through = f" through the {parts[7]} alias" if len(parts) == 8 else ""
        return grant, f"invoke {parts[6]}{through}"
    raise ValueError(
        f"{where}: target {arn!r} is neither a state machine alias nor a Lambda function "
        "(or its alias); the service roles derive grants for those only"
    )


def _assumed(role_arn: str, expected: str, where: str, setting: str) -> None:
    if role_arn != expected:
        raise ValueError(
            f"{where}: RoleArn {role_arn!r} is not {expected!r}, the only role derived for it; "
            f"build the RoleArn from settings.{setting}"
        )


def events_role(settings: Settings, rules: Iterable[RuleLike]) -> RoleSpec | None:
    """The role of the rule targets that carry a RoleArn; None when no target does."""
    role = settings.location.role(settings.events_role_name)
    grants: list[Grant] = []
    uses: list[str] = []
    for rule in rules:
        for target in rule.targets:
            if not target.role_arn:
                continue
            where = f"rule {rule.name}"
            _assumed(target.role_arn, role, where, "events_role_name")
            grant, use = invoke_target(target.arn, where)
            grants.append(grant)
            uses.append(use)
    if not grants:
        return None
    location = settings.location
    rules_arn = location.rule(f"{settings.prefix}-*")
    trust = trust_policy(EVENTS_PRINCIPAL, source_account=location.account, source_arns=[rules_arn])
    return role_spec(
        settings.events_role_name,
        f"EventBridge rules of {settings.prefix}: {'; '.join(dict.fromkeys(uses))}",
        trust,
        grants,
    )


def scheduler_role(settings: Settings, schedules: Iterable[ScheduleLike]) -> RoleSpec | None:
    """The role of the schedules: invoke each target, dead-letter what it cannot deliver; None
    when there is no schedule."""
    role = settings.location.role(settings.scheduler_role_name)
    grants: list[Grant] = []
    uses: list[str] = []
    queues: set[str] = set()
    for schedule in schedules:
        where = f"schedule {schedule.name}"
        _assumed(schedule.role_arn, role, where, "scheduler_role_name")
        grant, use = invoke_target(schedule.target_arn, where)
        grants.append(grant)
        uses.append(use)
        if schedule.dead_letter_arn:
            queues.add(schedule.dead_letter_arn)
    if not grants:
        return None
    if queues:
        grants.append(
            Grant("DeadLetterUndeliveredEvents", ("sqs:SendMessage",), tuple(sorted(queues)))
        )
        uses.append("dead-letter what cannot be delivered")
    location = settings.location
    group = location.schedule_group(settings.schedule_group)
    trust = trust_policy(SCHEDULER_PRINCIPAL, source_account=location.account, source_arns=[group])
    return role_spec(
        settings.scheduler_role_name,
        f"EventBridge Scheduler schedules of {settings.prefix}: {'; '.join(dict.fromkeys(uses))}",
        trust,
        grants,
    )
