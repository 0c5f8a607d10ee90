"""Desired EventBridge rules, Scheduler schedules and their group, from the rule catalogue's
requests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from deploy.model import Kind, Resource, arns_in
from environments.settings import Settings

RULE_REQUEST_FIELDS = ("EventPattern", "ScheduleExpression", "State", "Description", "RoleArn")
SCHEDULE_IDENTITY = ("Name", "ClientToken")


class RuleLike(Protocol):
    @property
    def name(self) -> str: ...
    def to_put_rule(self) -> Any: ...
    def to_put_targets(self) -> Any: ...


class ScheduleLike(Protocol):
    @property
    def name(self) -> str: ...
    def to_create_schedule(self) -> Any: ...


def rule_targets(rule: RuleLike) -> list[dict[str, Any]]:
    return sorted((dict(t) for t in rule.to_put_targets()["Targets"]), key=lambda t: t["Id"])


def rules(settings: Settings, catalogue: Iterable[RuleLike]) -> list[Resource]:
    resources = []
    for rule in catalogue:
        request = dict(rule.to_put_rule())
        properties: dict[str, Any] = {k: request[k] for k in RULE_REQUEST_FIELDS if k in request}
        if "EventPattern" in properties:
            properties["EventPattern"] = json.loads(properties["EventPattern"])
        targets = rule_targets(rule)
        properties["Targets"] = targets
        resources.append(
            Resource(
                Kind.RULE,
                rule.name,
                properties,
                settings.all_tags(),
                identifiers=(settings.location.rule(rule.name),),
                references=arns_in(targets),
            )
        )
    return resources


def schedule_group(settings: Settings) -> Resource:
    name = settings.schedule_group
    return Resource(
        Kind.SCHEDULE_GROUP,
        name,
        {},
        settings.all_tags(),
        identifiers=(settings.location.schedule_group(name),),
    )


def schedules(settings: Settings, catalogue: Iterable[ScheduleLike]) -> list[Resource]:
    """The schedules and, when there is at least one, their group. Each schedule refers to the
    group, so the group is created before them and deleted after them."""
    resources = []
    group_arn = settings.location.schedule_group(settings.schedule_group)
    for schedule in catalogue:
        request = dict(schedule.to_create_schedule())
        group = request.get("GroupName", "default")
        if group != settings.schedule_group:
            raise ValueError(
                f"schedule {schedule.name}: GroupName {group!r} differs from settings "
                f"schedule_group {settings.schedule_group!r}; build it from the settings"
            )
        properties = {k: v for k, v in request.items() if k not in SCHEDULE_IDENTITY}
        resources.append(
            Resource(
                Kind.SCHEDULE,
                schedule.name,
                properties,
                {},  # Scheduler cannot tag a schedule; its group carries the tags
                identifiers=(settings.location.schedule(schedule.name, group),),
                references=(*arns_in(properties["Target"]), group_arn),
            )
        )
    return [schedule_group(settings), *resources] if resources else []


def lambda_targets(settings: Settings, catalogue: Iterable[RuleLike]) -> list[tuple[str, str]]:
    """(rule ARN, function ARN) for every rule target that is a Lambda function."""
    return [
        (settings.location.rule(rule.name), target["Arn"])
        for rule in catalogue
        for target in rule_targets(rule)
        if ":lambda:" in target["Arn"]
    ]


def rules_naming(settings: Settings, catalogue: Iterable[RuleLike], arn: str) -> list[str]:
    """ARNs of the rules whose targets mention ``arn`` (as target or dead-letter queue)."""
    return [
        settings.location.rule(rule.name)
        for rule in catalogue
        if arn in arns_in(rule_targets(rule))
    ]
