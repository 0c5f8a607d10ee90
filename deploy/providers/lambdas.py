"""Lambda functions (code compared by CodeSha256, published behind the ``live`` alias) and
their resource-policy statements."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from deploy.compare import differences
from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    retry_while_propagating,
    unless_missing,
)
from environments.settings import LIVE_ALIAS

CONFIGURATION_KEYS = (
    "Runtime",
    "Handler",
    "Role",
    "Timeout",
    "MemorySize",
    "Environment",
    "TracingConfig",
    "Layers",
)
# A role created moments ago may not be assumable by Lambda yet.
ROLE_NOT_READY = ("cannot be assumed by Lambda", "role defined for the function")
WAIT = {"Delay": 2, "MaxAttempts": 90}
LIVE_CURRENT = "current"
ALIAS_DESCRIPTION = "The version that state machines, rules and schedules invoke"


def _configuration(config: dict[str, Any]) -> dict[str, Any]:
    """GetFunction's Configuration in the desired shape."""
    return {
        "Runtime": config.get("Runtime"),
        "Handler": config.get("Handler"),
        "Role": config.get("Role"),
        "Timeout": config.get("Timeout"),
        "MemorySize": config.get("MemorySize"),
        "Environment": {"Variables": config.get("Environment", {}).get("Variables", {})},
        "TracingConfig": {"Mode": config.get("TracingConfig", {}).get("Mode", "PassThrough")},
        "Layers": [layer["Arn"] for layer in config.get("Layers", [])],
        "CodeSha256": config.get("CodeSha256"),
    }


class FunctionProvider(Provider):
    """Functions published as versions behind the ``live`` alias, which is what the definitions,
    rules and schedules invoke. ``live`` reads ``"current"`` when the alias points at a version
    with the function's current code and configuration; a change updates ``$LATEST``, publishes
    it, and moves the alias; when only the alias is behind (an interrupted deploy, a rollback)
    the current code is published (PublishVersion returns the existing version when nothing
    changed) and the alias moved to it."""

    kind = Kind.FUNCTION

    @property
    def lam(self) -> Any:
        return self.clients("lambda")

    def live_version(self, name: str) -> str | None:
        """The version number ``live`` points at, or None without the alias."""
        alias = unless_missing(
            lambda: self.lam.get_alias(FunctionName=name, Name=LIVE_ALIAS),
            "ResourceNotFoundException",
        )
        return None if alias is None else str(alias["FunctionVersion"])

    def read(self, resource: Resource) -> Current | None:
        function = unless_missing(
            lambda: self.lam.get_function(FunctionName=resource.name), "ResourceNotFoundException"
        )
        if function is None:
            return None
        config = function["Configuration"]
        properties = _configuration(config)
        version = self.live_version(resource.name)
        live = "no alias"
        if version is not None:
            published = self.lam.get_function_configuration(
                FunctionName=resource.name, Qualifier=version
            )
            same = _configuration(published) == properties
            live = (
                LIVE_CURRENT
                if same
                else f"version {version} (not the current code or configuration)"
            )
        properties["live"] = live
        return Current(
            properties,
            dict(function.get("Tags", {})),
            {"arn": config["FunctionArn"], "version": version},
        )

    def create(self, resource: Resource) -> str:
        if resource.payload is None:
            raise ValueError(f"{resource.describe()}: no code to upload")
        config = {k: resource.properties[k] for k in CONFIGURATION_KEYS}
        created = retry_while_propagating(
            lambda: self.lam.create_function(
                FunctionName=resource.name,
                Code={"ZipFile": resource.payload},
                Tags=dict(resource.tags),
                Publish=False,
                **config,
            ),
            *ROLE_NOT_READY,
        )
        self._wait(resource.name, "function_active_v2", created)
        version = self._publish(resource)
        self.lam.create_alias(
            FunctionName=resource.name,
            Name=LIVE_ALIAS,
            FunctionVersion=version,
            Description="The version that state machines, rules and schedules invoke",
        )
        return f"created ({resource.properties['Handler']}); {LIVE_ALIAS} -> version {version}"

    def _wait(self, name: str, waiter: str, answer: Mapping[str, Any]) -> None:
        """Wait until the function is active (``function_active_v2``) or its update done
        (``function_updated_v2``), unless the write's ``answer`` says it is already: polling
        would read that state back once more."""
        done = (
            answer.get("State") == "Active"
            if waiter == "function_active_v2"
            else answer.get("LastUpdateStatus") == "Successful"
        )
        if not done:
            self.lam.get_waiter(waiter).wait(FunctionName=name, WaiterConfig=WAIT)

    def _publish(self, resource: Resource) -> str:
        # CodeSha256 makes AWS refuse to publish code other than what this deploy uploaded.
        published = self.lam.publish_version(
            FunctionName=resource.name, CodeSha256=resource.properties["CodeSha256"]
        )
        return str(published["Version"])

    def update(self, resource: Resource, current: Current) -> str:
        notes = []
        desired, have = resource.properties, current.properties
        if desired["CodeSha256"] != have.get("CodeSha256"):
            updated = self.lam.update_function_code(
                FunctionName=resource.name, ZipFile=resource.payload
            )
            self._wait(resource.name, "function_updated_v2", updated)
            notes.append("code")
        changed = [k for k in CONFIGURATION_KEYS if differences(desired[k], have.get(k))]
        if changed:
            config = {k: desired[k] for k in CONFIGURATION_KEYS}
            configured = retry_while_propagating(
                lambda: self.lam.update_function_configuration(
                    FunctionName=resource.name, **config
                ),
                *ROLE_NOT_READY,
            )
            self._wait(resource.name, "function_updated_v2", configured)
            notes.append("configuration (" + ", ".join(changed) + ")")
        before = current.context["version"]
        if notes or have.get("live") != LIVE_CURRENT:
            version = self._publish(resource)
            if version != before:
                self._point_alias(resource.name, version, exists=before is not None)
                moved = f"version {before} -> " if before else ""
                notes.append(f"{LIVE_ALIAS}: {moved}version {version}")
        if self.tags_differ(resource, current):
            self.lam.tag_resource(Resource=current.context["arn"], Tags=dict(resource.tags))
            notes.append("tags")
        return "updated " + ", ".join(notes)

    def _point_alias(self, name: str, version: str, *, exists: bool) -> None:
        if exists:
            self.lam.update_alias(FunctionName=name, Name=LIVE_ALIAS, FunctionVersion=version)
        else:
            self.lam.create_alias(
                FunctionName=name,
                Name=LIVE_ALIAS,
                FunctionVersion=version,
                Description=ALIAS_DESCRIPTION,
            )

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        for page in self.lam.get_paginator("list_functions").paginate():
            for function in page["Functions"]:
                name = function["FunctionName"]
                if name.startswith(self.name_prefix) and name not in known:
                    tags = self.lam.list_tags(Resource=function["FunctionArn"]).get("Tags", {})
                    if self.owns(tags):
                        names.append(function["FunctionName"])
        return names

    def delete(self, name: str) -> None:
        """Deletes the function with its versions and aliases."""
        self.lam.delete_function(FunctionName=name)


class PermissionProvider(Provider):
    """One statement of a function's resource policy, named ``<function>[:<qualifier>]/<sid>``
    (a qualifier names the alias whose own policy holds the statement). Properties are
    AddPermission's ``Action``, ``Principal`` and ``SourceArn``. Statements cannot be tagged;
    they go with their function."""

    kind = Kind.PERMISSION

    @property
    def lam(self) -> Any:
        return self.clients("lambda")

    @staticmethod
    def _split(name: str) -> tuple[dict[str, str], str]:
        """The function (``FunctionName`` and, when qualified, ``Qualifier``) and the Sid."""
        function, _, sid = name.partition("/")
        base, _, qualifier = function.partition(":")
        target = {"FunctionName": base, **({"Qualifier": qualifier} if qualifier else {})}
        return target, sid

    def read(self, resource: Resource) -> Current | None:
        return self.read_all([resource])[0]

    def read_all(self, resources: Sequence[Resource]) -> list[Current | None]:
        """One GetPolicy per function (and qualifier) answers for all of its statements."""
        policies: dict[str, dict[str, Any] | None] = {}
        answers: list[Current | None] = []
        for resource in resources:
            function, sid = self._split(resource.name)
            where = resource.name.partition("/")[0]
            if where not in policies:
                policies[where] = self._policy(function)
            policy = policies[where]
            answers.append(None if policy is None else self._statement(policy, sid))
        return answers

    def _policy(self, function: dict[str, str]) -> dict[str, Any] | None:
        found = unless_missing(lambda: self.lam.get_policy(**function), "ResourceNotFoundException")
        return None if found is None else dict(json.loads(found["Policy"]))

    @staticmethod
    def _statement(policy: dict[str, Any], sid: str) -> Current | None:
        for statement in policy.get("Statement", []):
            if statement.get("Sid") == sid:
                principal = statement.get("Principal", {})
                condition = statement.get("Condition", {}).get("ArnLike", {})
                properties = {
                    "Action": statement.get("Action"),
                    "Principal": principal.get("Service", principal)
                    if isinstance(principal, dict)
                    else principal,
                    "SourceArn": condition.get("AWS:SourceArn"),
                }
                return Current(properties, {})
        return None

    def create(self, resource: Resource) -> str:
        function, sid = self._split(resource.name)
        self.lam.add_permission(**function, StatementId=sid, **resource.properties)
        return f"allowed {resource.properties['Principal']}"

    def update(self, resource: Resource, current: Current) -> str:
        self.delete(resource.name)
        return self.create(resource)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        return []

    def delete(self, name: str) -> None:
        function, sid = self._split(name)
        self.lam.remove_permission(**function, StatementId=sid)
