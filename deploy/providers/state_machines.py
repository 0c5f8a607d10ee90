"""Step Functions state machines, each published as a version behind the ``live`` alias.

Properties: ``definition`` (parsed), ``roleArn``, ``type``, ``loggingConfiguration``,
``tracingConfiguration`` and ``live``. ``live`` reads ``"current"`` when the alias routes all
traffic to a version whose configuration is the machine's current one; otherwise it says where
the alias points. A change publishes a new version (UpdateStateMachine with publish); when only
the alias is behind (a deploy interrupted before moving it, or a rollback), the current revision
is published (PublishStateMachineVersion is idempotent) and the alias moved to it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from deploy.compare import differences
from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    retry_while_propagating,
    tag_list,
    unless_missing,
)
from environments.settings import LIVE_ALIAS

CONFIGURATION = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
LIVE_CURRENT = "current"
# A role created moments ago may not be assumable by Step Functions yet.
ROLE_NOT_READY = ("not authorized to assume the provided role",)


def _configuration(described: dict[str, Any]) -> dict[str, Any]:
    return {
        "definition": json.loads(described["definition"]),
        "roleArn": described.get("roleArn"),
        "type": described.get("type", "STANDARD"),
        "loggingConfiguration": described.get("loggingConfiguration", {}),
        "tracingConfiguration": described.get("tracingConfiguration", {}),
    }


def version_number(version_arn: str) -> int:
    return int(version_arn.rsplit(":", 1)[-1])


class StateMachineProvider(Provider):
    kind = Kind.STATE_MACHINE

    @property
    def sfn(self) -> Any:
        return self.clients("stepfunctions")

    def _arn(self, name: str) -> str:
        return self.settings.location.state_machine(name)

    def _alias_arn(self, name: str) -> str:
        return self.settings.location.state_machine_alias(name, LIVE_ALIAS)

    def _describe(self, arn: str) -> dict[str, Any] | None:
        described: dict[str, Any] | None = unless_missing(
            lambda: self.sfn.describe_state_machine(stateMachineArn=arn),
            "StateMachineDoesNotExist",
        )
        return described

    def live_version(self, name: str) -> str | None:
        """The version ARN the ``live`` alias sends most traffic to, or None without an alias."""
        alias = unless_missing(
            lambda: self.sfn.describe_state_machine_alias(
                stateMachineAliasArn=self._alias_arn(name)
            ),
            "ResourceNotFound",
        )
        if alias is None:
            return None
        routes = sorted(alias.get("routingConfiguration", []), key=lambda r: -r["weight"])
        return str(routes[0]["stateMachineVersionArn"]) if routes else None

    def read(self, resource: Resource) -> Current | None:
        described = self._describe(self._arn(resource.name))
        if described is None:
            return None
        properties = _configuration(described)
        version = self.live_version(resource.name)
        live = "no alias"
        if version is not None:
            live_described = self._describe(version)
            same = live_described is not None and not any(
                differences(properties[k], _configuration(live_described)[k]) for k in CONFIGURATION
            )
            live = (
                LIVE_CURRENT
                if same
                else f"version {version_number(version)} (not the current configuration)"
            )
        properties["live"] = live
        tags = self.sfn.list_tags_for_resource(resourceArn=self._arn(resource.name))["tags"]
        return Current(
            properties,
            {t["key"]: t["value"] for t in tags},
            {"alias": version is not None, "version": version},
        )

    def _request(self, resource: Resource) -> dict[str, Any]:
        p = resource.properties
        return {
            "definition": json.dumps(p["definition"], sort_keys=False),
            "roleArn": p["roleArn"],
            "loggingConfiguration": p["loggingConfiguration"],
            "tracingConfiguration": p["tracingConfiguration"],
        }

    def create(self, resource: Resource) -> str:
        created = retry_while_propagating(
            lambda: self.sfn.create_state_machine(
                name=resource.name,
                type=resource.properties["type"],
                tags=tag_list(resource.tags, "key", "value"),
                publish=True,
                **self._request(resource),
            ),
            *ROLE_NOT_READY,
        )
        version = created["stateMachineVersionArn"]
        self._point_alias(resource.name, version, exists=False)
        return f"created; {LIVE_ALIAS} -> version {version_number(version)}"

    def update(self, resource: Resource, current: Current) -> str:
        desired, have = resource.properties, current.properties
        notes = []
        if desired["type"] != have["type"]:
            raise ValueError(
                f"{resource.describe()}: type {have['type']} cannot change to {desired['type']}; "
                "destroy the state machine first"
            )
        changed = [k for k in CONFIGURATION if differences(desired[k], have[k])]
        if changed:
            updated = retry_while_propagating(
                lambda: self.sfn.update_state_machine(
                    stateMachineArn=self._arn(resource.name),
                    publish=True,
                    **self._request(resource),
                ),
                *ROLE_NOT_READY,
            )
            version = updated["stateMachineVersionArn"]
            notes.append("updated " + ", ".join(changed))
        elif have["live"] != LIVE_CURRENT:
            version = self.sfn.publish_state_machine_version(
                stateMachineArn=self._arn(resource.name)
            )["stateMachineVersionArn"]
        else:
            version = current.context["version"]
        if version != current.context["version"]:
            before = current.context["version"]
            self._point_alias(resource.name, version, exists=current.context["alias"])
            moved = f"version {version_number(before)} -> " if before else ""
            notes.append(f"{LIVE_ALIAS}: {moved}version {version_number(version)}")
        if self.tags_differ(resource, current):
            self.sfn.tag_resource(
                resourceArn=self._arn(resource.name), tags=tag_list(resource.tags, "key", "value")
            )
            notes.append("tags")
        return "; ".join(notes)

    def _point_alias(self, name: str, version_arn: str, *, exists: bool) -> None:
        routing = [{"stateMachineVersionArn": version_arn, "weight": 100}]
        if exists:
            self.sfn.update_state_machine_alias(
                stateMachineAliasArn=self._alias_arn(name), routingConfiguration=routing
            )
        else:
            self.sfn.create_state_machine_alias(
                name=LIVE_ALIAS,
                description="The version that events, schedules and other machines start",
                routingConfiguration=routing,
            )

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        for page in self.sfn.get_paginator("list_state_machines").paginate():
            for machine in page["stateMachines"]:
                name = machine["name"]
                if name.startswith(self.name_prefix) and name not in known:
                    tags = self.sfn.list_tags_for_resource(resourceArn=machine["stateMachineArn"])
                    if self.owns({t["key"]: t["value"] for t in tags["tags"]}):
                        names.append(name)
        return names

    def keep_reason(self, name: str, referenced: Mapping[str, str]) -> str | None:
        # Deleting the machine takes its alias and versions with it, so a reference to any of
        # them (a target, a Lambda's environment, another machine's definition) would break.
        arn = self._arn(name)
        users = sorted(
            {who for ref, who in referenced.items() if ref.split(":")[:7] == arn.split(":")}
        )
        if users:
            return "the desired state still refers to it or its versions: " + ", ".join(users)
        return None

    def delete(self, name: str) -> None:
        """Delete the alias first (a version behind an alias cannot be deleted), then the
        machine, which takes its versions with it."""
        if self.live_version(name) is not None:
            self.sfn.delete_state_machine_alias(stateMachineAliasArn=self._alias_arn(name))
        self.sfn.delete_state_machine(stateMachineArn=self._arn(name))
